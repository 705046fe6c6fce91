"""The hostile-input suite: a tiny book with the project's real data, built once per session
and copied for each case, so a case costs a copy and one command.

Every case checks three things: the message names what is wrong, the exit code, and `_book/`
is byte for byte what it was (and no `_book.build-*` is left behind).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[2]

CONFIG = """\
project:
  type: book
book:
  title: "Hostile"
  output-file: hostile
  chapters:
    - index.qmd
    - chapters/one.qmd
execute:
  echo: false
format:
  html:
    toc: false
  typst:
    font-paths: [fonts]
# The publication's data checks, as its own _quarto.yml declares them.
report:
  checks: [breaking_the_cycle.checks:derived_tables_agree]
"""


class Book:
    """A copy of the base book, with the commands a case runs on it."""

    def __init__(self, root: Path):
        self.root = root
        self.before = snapshot(root / "_book")

    def path(self, rel: str) -> Path:
        return self.root / rel

    def write(self, rel: str, content: str | bytes) -> Path:
        p = self.root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
        return p

    def chapter(self, text: str) -> None:
        self.write("chapters/one.qmd", text)

    def run(self, command: str, *args: str):
        """A `report` subcommand in this process, as the console script runs it."""
        from report.cli import main

        extra = ["--engine", "embedded"] if command == "build" else []
        return CliRunner().invoke(main, [command, "--project", str(self.root), *extra, *args])

    def build(self, *args: str):
        return self.run("build", "--to", "html", *args)

    def assert_refused(self, result, *needles: str, code: int = 1) -> str:
        out = result.output
        assert result.exit_code == code, f"exit {result.exit_code}, expected {code}:\n{out}"
        # No traceback of report itself (a chapter's own error shows the cell's, which is wanted).
        assert 'Traceback (most recent call last):\n  File "' not in out, out
        for needle in needles:
            assert needle in out, f"{needle!r} not in:\n{out}"
        self.assert_book_unchanged()
        return out

    def assert_book_unchanged(self) -> None:
        assert snapshot(self.root / "_book") == self.before, "_book/ changed"
        left = [p.name for p in self.root.iterdir() if p.name.startswith("_book.")]
        assert not left, f"left behind: {left}"


def snapshot(d: Path) -> dict[str, str]:
    if not d.is_dir():
        return {}
    return {str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(d.rglob("*")) if p.is_file()}


def make_base(root: Path) -> Path:
    (root / "chapters").mkdir(parents=True)
    (root / "templates").mkdir()
    (root / "_quarto.yml").write_text(CONFIG, encoding="utf-8")
    (root / "index.qmd").write_text("# Preface {.unnumbered}\n\nA small book.\n", encoding="utf-8")
    (root / "chapters" / "one.qmd").write_text("# One {#sec-one}\n\nFirst chapter.\n", encoding="utf-8")
    shutil.copytree(REPO / "data", root / "data", ignore=shutil.ignore_patterns("raw"))
    shutil.copytree(REPO / "fonts", root / "fonts")
    return root


@pytest.fixture(scope="session")
def base_book(tmp_path_factory) -> Path:
    """Built once: `_book/` and a warm `.report-cache/` (every dataset already validated)."""
    root = make_base(tmp_path_factory.mktemp("hostile-base") / "book")
    book = Book(root)
    result = book.build()
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def book(base_book, tmp_path, monkeypatch) -> Book:
    root = tmp_path / "book"
    shutil.copytree(base_book, root, symlinks=True)
    monkeypatch.delenv("QUARTO_PROJECT_DIR", raising=False)
    monkeypatch.delenv("REPORT_KERNELS", raising=False)
    return Book(root)


# --- Builds in their own process, for kills and parallel builds ------------------------------

def spawn(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`report build` in a process group of its own (the kernel included), output to files."""
    full = {**os.environ, **(env or {})}
    full.pop("QUARTO_PROJECT_DIR", None)
    log = open(root.parent / f"build-{time.monotonic_ns()}.log", "w+b")
    proc = subprocess.Popen([sys.executable, "-m", "report.cli", "build", "--project", str(root),
                             "--engine", "embedded", *args],
                            stdout=log, stderr=subprocess.STDOUT, env=full, start_new_session=True)
    proc.log = log  # type: ignore[attr-defined]
    return proc


def output_of(proc: subprocess.Popen) -> str:
    proc.log.seek(0)  # type: ignore[attr-defined]
    return proc.log.read().decode("utf-8", "replace")  # type: ignore[attr-defined]


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 90) -> None:
    """Until the build reaches its stop (it writes `path`); fails if it ends first."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"the build ended (exit {proc.returncode}) before reaching the stop:\n"
                                 + output_of(proc))
        if time.monotonic() > deadline:
            kill(proc)
            raise AssertionError("the build never reached the stop:\n" + output_of(proc))
        time.sleep(0.05)


def kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)
