"""Fixtures for the engine tests: copies of tests/fixtures/book with the project's templates and fonts."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "book"


def make_book(dest: Path) -> Path:
    """A fresh, writable copy of the fixture book (templates and fonts from the project)."""
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns("_book", ".report-cache"))
    shutil.copytree(REPO / "templates" / "typst", dest / "templates" / "typst")
    shutil.copytree(REPO / "templates" / "html", dest / "templates" / "html")
    shutil.copytree(REPO / "fonts", dest / "fonts")
    return dest


def run_build(root: Path, *args: str):
    from report.engine.cli import build

    return CliRunner().invoke(build, ["--project", str(root), "--engine", "embedded", *args], catch_exceptions=False)


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """The fixture book built once per session with `report build --fresh`."""
    root = make_book(tmp_path_factory.mktemp("built") / "book")
    result = run_build(root, "--fresh")
    assert result.exit_code == 0, result.output
    return root, result.output


@pytest.fixture
def copy(built_book, tmp_path):
    """A copy of the session build, cache included, for one test to change."""
    src, _ = built_book
    dest = tmp_path / "book"
    shutil.copytree(src, dest)
    return dest


class RecordingReporter:
    """A reporter for `build()` that keeps what the engine said: steps, warnings and the threads
    the steps came from (progress must come from the build's own thread)."""

    def __init__(self):
        import threading

        self._ident = threading.get_ident
        self.steps: list[tuple[str, str]] = []
        self.warnings: list[str] = []
        self.threads: set[int] = set()

    def step(self, chapter, step):
        self.threads.add(self._ident())
        self.steps.append((chapter, step))

    def warn(self, message):
        self.warnings.append(message)

    def names(self) -> set[str]:
        return {s for _, s in self.steps}
