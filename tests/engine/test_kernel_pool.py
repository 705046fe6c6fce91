"""Chapters execute on a pool of kernels (REPORT_KERNELS, default 2): which kernel ran a chapter
changes nothing in the output or in what the cache records, and a failure stops every kernel."""
from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

import pytest

from report.engine.build import build, kernel_count
from report.engine.errors import BuildError

from .conftest import RecordingReporter, make_book, run_build
from .test_failures import assert_failed_cleanly, small_book, snapshot


def book_files(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root / "_book")): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((root / "_book").rglob("*")) if p.is_file()}


def recorded_inputs(root: Path) -> dict[str, dict]:
    """Each chapter's cache entry: the files it read (with hashes) and its executed result."""
    out = {}
    for entry in sorted((root / ".report-cache").glob("*.json")):
        body = json.loads(entry.read_text()).get("body", {})
        if "deps" in body:
            out[entry.name] = {"deps": body["deps"], "result": body["result"]}
    return out


def kernel_children() -> list[str]:
    """Command lines of this process's child processes that are Jupyter kernels."""
    me = str(os.getpid())
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if fields[1] == me and "ipykernel" in cmdline and fields[0] != "Z":
            found.append(cmdline)
    return found


def test_kernel_count(monkeypatch):
    monkeypatch.delenv("REPORT_KERNELS", raising=False)
    # By default one kernel per core this process may use, never more than chapters to run.
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    assert [kernel_count(n) for n in (0, 1, 2, 14)] == [0, 1, 2, 4]
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    assert [kernel_count(n) for n in (0, 1, 2, 14)] == [0, 1, 2, 2]
    # Little work for a second kernel to share: one kernel does it sooner than two booting.
    assert kernel_count(2, work_seconds=0.9) == 1
    assert kernel_count(14, work_seconds=4.0) == 2
    monkeypatch.setenv("REPORT_KERNELS", "1")
    assert kernel_count(14) == 1
    monkeypatch.setenv("REPORT_KERNELS", "3")
    assert kernel_count(2) == 2
    assert kernel_count(2, work_seconds=0.1) == 2  # an explicit count is taken as it is
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv("REPORT_KERNELS", bad)
        with pytest.raises(BuildError, match="REPORT_KERNELS"):
            kernel_count(3)


def test_kernels_boot_one_after_another_and_the_rest_at_once_when_chapters_are_due(monkeypatch):
    # Side by side, the kernels took a core from the data validation and then sat idle until
    # it ended; one at a time, the validation keeps a core.
    from concurrent.futures import Future
    from types import SimpleNamespace

    from report.engine import build as build_module

    class Booting:
        def __init__(self, kernel):
            self.started = Future()

    monkeypatch.setattr(build_module, "BackgroundKernel", Booting)
    template = SimpleNamespace(clone=lambda: None)

    kernels = build_module._KernelList()
    kernels.boot(template, 3)
    assert len(kernels) == 1
    kernels[0].started.set_result(None)  # the first is ready: the second boots
    assert len(kernels) == 2
    kernels.boot_all()  # the data is valid, chapters are due: the third boots now
    assert len(kernels) == 3
    kernels[1].started.set_result(None)
    kernels[2].started.set_exception(RuntimeError("a kernel that failed to boot"))
    assert len(kernels) == 3  # never more than asked for

    closing = build_module._KernelList()
    closing.boot(template, 2)
    closing.stop()  # the build failed and closes what it has: nothing more may start
    closing[0].started.set_result(None)
    assert len(closing) == 1


def test_two_kernels_give_the_bytes_and_records_of_one(tmp_path, monkeypatch):
    builds = {}
    for n in ("1", "2"):
        monkeypatch.setenv("REPORT_KERNELS", n)
        root = make_book(tmp_path / f"k{n}" / "book")
        rep = RecordingReporter()
        result = build(root, "all", rep, fresh=True)
        builds[n] = (root, rep, result)
    (one, _, r1), (two, rep2, r2) = builds["1"], builds["2"]
    assert book_files(one) == book_files(two)
    assert recorded_inputs(one) == recorded_inputs(two)
    assert r1.chapters_executed == r2.chapters_executed  # book order, not completion order
    assert r1.cells_executed == r2.cells_executed
    # more.qmd reads the CSV through an lru_cache'd helper: recorded on whichever kernel ran it
    deps = recorded_inputs(two)["chapters-more-qmd.json"]["deps"]
    assert "data/tiny.csv" in deps
    # progress: every executed chapter announced, all reporter calls on the build's thread
    announced = {ch for ch, step in rep2.steps if step in ("execute", "read")}
    assert announced == set(r2.chapters_executed)
    assert rep2.threads == {threading.get_ident()}
    assert kernel_children() == []


CONFIG = """\
project:
  type: book
book:
  title: "Small"
  chapters:
    - index.qmd
    - chapters/one.qmd
    - chapters/slow.qmd
bibliography: refs.bib
format:
  html: {toc: false}
"""


def test_failing_cell_under_two_kernels_stops_both(tmp_path, monkeypatch):
    monkeypatch.setenv("REPORT_KERNELS", "2")
    chapter = (
        "# One\n"
        "\n"
        "```{python}\n"
        "import time\n"
        "time.sleep(1.5)\n"
        "ratio = 1 / 0\n"
        "```\n"
    )
    root = small_book(tmp_path / "b", chapter, config=CONFIG)
    # Would keep the other kernel busy for minutes unless the failure stops it.
    (root / "chapters" / "slow.qmd").write_text("# Slow\n\n```{python}\nimport time\ntime.sleep(300)\n```\n")
    (root / "index.qmd").write_text("# Welcome {.unnumbered}\n\nValue `{python} 1 + 1`.\n")
    before = snapshot(root / "_book")
    out = assert_failed_cleanly(root, before, run_build(root, "--fresh"))
    assert "chapters/one.qmd:3" in out
    assert "ratio = 1 / 0" in out
    assert "ZeroDivisionError" in out
    assert "Kernel died" not in out and "cancelled" not in out
    assert kernel_children() == []
