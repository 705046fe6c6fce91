"""The PDF's Typst is kept in .report-cache/typst/ for the next build to warm Typst up from; the
PDF is the same bytes either way, and a build that finds the directory in use keeps its own."""
from __future__ import annotations

import fcntl
import os
import shutil

import typst

from report.engine.build import build

from .conftest import RecordingReporter

PDF = ("_book", "fixture-book.pdf")


def edit_data(root):
    csv = root / "data" / "tiny.csv"
    csv.write_text(csv.read_text().replace("Non-deprived,74", "Non-deprived,75"))


def recorded_queries(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = typst.query

    def query(input, *args, **kwargs):
        calls.append(str(input))
        return real(input, *args, **kwargs)

    monkeypatch.setattr(typst, "query", query)
    return calls


def test_a_data_edit_warms_typst_from_the_last_build_and_the_pdf_is_unchanged_by_it(copy, monkeypatch):
    kept = copy / ".report-cache" / "typst" / "book.typ"
    assert kept.is_file()  # the session's build left its Typst there
    queries = recorded_queries(monkeypatch)
    edit_data(copy)
    result = build(copy, "all", RecordingReporter())
    assert result.chapters_executed  # a kernel ran, and meanwhile Typst laid out the last book
    assert queries == [str(kept)]
    assert "The largest count is 75." in kept.read_text(encoding="utf-8")  # this build's Typst now
    warmed = copy.joinpath(*PDF).read_bytes()

    # The same inputs with nothing to warm up from (and every chapter executed again).
    shutil.rmtree(copy / ".report-cache")
    build(copy, "pdf", RecordingReporter(), fresh=True)
    assert copy.joinpath(*PDF).read_bytes() == warmed


def test_a_build_that_finds_the_typst_directory_in_use_writes_its_own(copy, monkeypatch):
    kept = copy / ".report-cache" / "typst" / "book.typ"
    before = kept.read_bytes()
    queries = recorded_queries(monkeypatch)
    edit_data(copy)
    fd = os.open(kept.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as another build holds it
        result = build(copy, "pdf", RecordingReporter())
    finally:
        os.close(fd)
    assert result.pages and result.pages > 0
    assert queries == []  # no warm-up from a directory another build is writing
    assert kept.read_bytes() == before  # and nothing written into it


def test_a_cache_directory_linked_elsewhere_is_neither_written_nor_emptied(copy, tmp_path):
    """The Typst directory is emptied before each build writes to it: through a symbolic link
    that would empty a folder outside the project."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not the book's")
    shutil.rmtree(copy / ".report-cache" / "typst")
    (copy / ".report-cache" / "typst").symlink_to(outside, target_is_directory=True)
    edit_data(copy)
    result = build(copy, "pdf", RecordingReporter())
    assert result.pages and result.pages > 0
    assert [p.name for p in outside.iterdir()] == ["keep.txt"]
