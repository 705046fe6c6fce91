"""Builds killed at each phase, and builds run side by side. A kill stops a build at a named
phase through the engine's test hook (REPORT_TEST_STOP_AT), never after a guessed sleep."""
from __future__ import annotations

import hashlib
import json
import time

import pytest

from .conftest import kill, output_of, snapshot, spawn, wait_for

CODE_CHAPTER = "# One\n\n```{python}\nprint('run ' + 'once')\n```\n\nNew text.\n"
STOPPING_CELL = ("# One\n\n```{{python}}\nimport pathlib, time\npathlib.Path({marker!r}).write_text('here')\n"
                 "time.sleep(120)\n```\n")


def stop_at(book, phase, chapter=None):
    marker = book.root.parent / f"stop-{phase}"
    if chapter is not None:
        book.chapter(chapter)
    proc = spawn(book.root, "--to", "html",
                 env={"REPORT_TEST_STOP_AT": phase, "REPORT_TEST_STOP_MARKER": str(marker), "REPORT_KERNELS": "1"})
    wait_for(marker, proc)
    return proc, marker


def after_kill_the_next_build_restores_and_cleans(book):
    """Whatever the kill left, the next command (a build that then fails on bad data) puts the
    previous `_book/` back and removes the dead build's directory."""
    lines = book.path("data/fig08_job_access.csv").read_text().splitlines(keepends=True)
    lines[1] = lines[1].replace("61.4", "inf")
    book.write("data/fig08_job_access.csv", "".join(lines))
    book.assert_refused(book.build(), "data/fig08_job_access.csv, row 2", "[rule: finite_number]")


@pytest.mark.parametrize("phase,chapter", [
    ("start", None),
    ("validated", None),
    ("cache-write", CODE_CHAPTER),
    ("executed", CODE_CHAPTER),
    ("rendered", "# One\n\nChanged, so HTML is rendered.\n"),
    ("swapped", "# One\n\nChanged, so the swap puts new output in place.\n"),
])
def test_killed_build_leaves_the_book(book, phase, chapter):
    proc, _ = stop_at(book, phase, chapter)
    kill(proc)
    if phase == "swapped":
        # Killed after the new book went into place: that book is complete and correct.
        assert "Changed, so the swap" in book.path("_book/index.html").read_text()
        book.before = snapshot(book.root / "_book")
    else:
        assert snapshot(book.root / "_book") == book.before
    after_kill_the_next_build_restores_and_cleans(book)


def test_killed_while_a_cell_runs(book):
    marker = book.root.parent / "in-cell"
    book.chapter(STOPPING_CELL.format(marker=str(marker)))
    proc = spawn(book.root, "--to", "html", env={"REPORT_KERNELS": "1"})
    wait_for(marker, proc)
    kill(proc)
    after_kill_the_next_build_restores_and_cleans(book)


def test_killed_between_the_two_renames_is_restored_by_the_next_build(book):
    proc, _ = stop_at(book, "swap", "# One\n\nNew text for the swap.\n")
    kill(proc)
    # The moment the issue describes: no _book/, the previous output parked in the build directory.
    assert not book.path("_book").exists()
    assert [p.name for p in book.root.iterdir() if p.name.startswith("_book.build-")]
    after_kill_the_next_build_restores_and_cleans(book)


def test_each_build_clears_what_dead_builds_left(book):
    """A second build that dies too has already removed the first one's directory; the next
    (failing) build removes the second's; `_book/` stays as it was throughout."""
    proc, _ = stop_at(book, "rendered", "# One\n\nText for the first.\n")
    kill(proc)
    first = [p.name for p in book.root.iterdir() if p.name.startswith("_book.build-")]
    proc, _ = stop_at(book, "executed", "# One\n\nText for the second.\n")
    kill(proc)
    second = [p.name for p in book.root.iterdir() if p.name.startswith("_book.build-")]
    assert len(first) == 1 and len(second) == 1 and first != second
    after_kill_the_next_build_restores_and_cleans(book)


def test_two_builds_at_once_both_finish_and_agree(book):
    book.chapter("# One\n\nBuilt twice at once.\n")
    procs = [spawn(book.root, "--to", "html") for _ in range(2)]
    for proc in procs:
        assert proc.wait(timeout=120) == 0, output_of(proc)
    html = book.path("_book/index.html").read_text()
    assert "Built twice at once." in html
    assert not [p.name for p in book.root.iterdir() if p.name.startswith("_book.")]
    manifest = json.loads(book.path("_book/build-manifest.json").read_text())
    assert manifest["outputs"]["index.html"] == hashlib.sha256(html.encode()).hexdigest()


def test_a_build_held_at_the_swap_makes_the_other_wait_its_turn(book):
    """A holds the project lock between its two renames; B must not swap (or clean up A's
    directory) until A is done; then B's book, the later one, is what stays."""
    book.chapter("# One\n\nFrom build A.\n")
    a, marker = stop_at(book, "swap")
    book.chapter("# One\n\nFrom build B.\n")
    b = spawn(book.root, "--to", "html")
    waiting_for_lock(b)
    assert b.poll() is None, output_of(b)
    marker.unlink()  # release A
    assert a.wait(timeout=120) == 0, output_of(a)
    assert b.wait(timeout=120) == 0, output_of(b)
    assert "From build B." in book.path("_book/index.html").read_text()
    assert not [p.name for p in book.root.iterdir() if p.name.startswith("_book.")]


def waiting_for_lock(proc, timeout: float = 60) -> None:
    """Until `proc` is blocked on a flock (the kernel lists blocked locks with '->' in /proc/locks)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open("/proc/locks") as f:
            if any("->" in line and "FLOCK" in line and f" {proc.pid} " in line for line in f):
                return
        assert proc.poll() is None, output_of(proc)
        time.sleep(0.05)
    raise AssertionError("the second build never waited for the lock")


def test_a_build_dying_while_another_runs_does_not_disturb_it(book):
    book.chapter("# One\n\nFirst build.\n")
    a, marker = stop_at(book, "rendered")
    book.chapter("# One\n\nSecond build.\n")
    b = spawn(book.root, "--to", "html")
    assert b.wait(timeout=120) == 0, output_of(b)  # it must not touch A's live directory
    kill(a)
    assert "Second build." in book.path("_book/index.html").read_text()
    book.before = snapshot(book.root / "_book")
    after_kill_the_next_build_restores_and_cleans(book)
