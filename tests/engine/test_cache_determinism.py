"""Execute once: cached chapters are reused until their source, code or the data they read change;
the same inputs give byte-identical HTML and PDF."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from report.engine.build import build

from .conftest import RecordingReporter, make_book


def outputs(root: Path) -> tuple[bytes, bytes]:
    return (root / "_book" / "index.html").read_bytes(), (root / "_book" / "fixture-book.pdf").read_bytes()


@pytest.fixture(scope="module")
def cached_copy(built_book, tmp_path_factory):
    """A copy of the session build, cache included, in another directory."""
    src, _ = built_book
    dest = tmp_path_factory.mktemp("cached") / "book"
    shutil.copytree(src, dest)
    return dest


def test_second_build_executes_no_cell_and_is_identical(built_book, cached_copy):
    src, _ = built_book
    rep = RecordingReporter()
    result = build(cached_copy, "all", rep)
    assert result.cells_executed == 0
    assert result.chapters_executed == []
    assert not any(step.startswith("execute") or step == "starting Jupyter kernel" for _, step in rep.steps)
    # a different directory, results from the cache: still the same bytes
    assert outputs(cached_copy) == outputs(src)


def test_changed_dataset_reexecutes_only_chapters_that_read_it(cached_copy):
    # analysis.qmd reads the CSV first; more.qmd reads it through the same lru_cache'd helper
    # later in the same kernel, so it only counts as a reader because the engine clears project
    # caches between chapters. index.qmd runs code but reads no data and stays cached.
    csv = cached_copy / "data" / "tiny.csv"
    csv.write_text(csv.read_text().replace("Non-deprived,74", "Non-deprived,75"))
    result = build(cached_copy, "html", RecordingReporter())
    assert result.chapters_executed == ["chapters/analysis.qmd", "chapters/more.qmd"]
    assert result.cells_executed == 6
    html = (cached_copy / "_book" / "index.html").read_text()
    assert "have 188 jobs in all" in html
    assert "The largest count is 75." in html


def test_corrupt_cache_entry_is_rebuilt(cached_copy):
    entry = cached_copy / ".report-cache" / "chapters-more-qmd.json"
    data = json.loads(entry.read_text())
    data["body"]["result"]["markdown"] = "# Tampered\n"
    entry.write_text(json.dumps(data))
    rep = RecordingReporter()
    result = build(cached_copy, "html", rep)
    assert result.chapters_executed == ["chapters/more.qmd"]
    assert "Tampered" not in (cached_copy / "_book" / "index.html").read_text()
    assert any("chapters/more.qmd" in w and "corrupt" in w for w in rep.warnings)


def test_fresh_ignores_cache(cached_copy):
    result = build(cached_copy, "html", RecordingReporter(), fresh=True)
    assert set(result.chapters_executed) == {"index.qmd", "chapters/analysis.qmd", "chapters/more.qmd"} | {
        "chapters/intro.qmd", "chapters/appendix-a.qmd", "chapters/references.qmd"}
    assert result.cells_executed == 6


def test_fresh_execution_is_byte_identical(built_book, tmp_path):
    """Executing everything again elsewhere (new kernel, new temp dirs) gives the same files."""
    src, _ = built_book
    other = make_book(tmp_path / "again")
    build(other, "all", RecordingReporter(), fresh=True)
    assert outputs(other) == outputs(src)
