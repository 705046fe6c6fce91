"""The preview's decisions that need no browser: what triggers a build, where the client goes."""
from __future__ import annotations

from watchfiles import Change

from report.preview.builder import transient_free
from report.preview.page import OVERLAY_ID, inject
from report.preview.watch import BookFilter, needs_fresh_worker



def test_filter_accepts_sources_and_ignores_build_products_and_editor_files(tmp_path):
    (tmp_path / "_quarto.yml").write_text("book:\n  chapters: [index.qmd, extra/outside.qmd]\n"
                                          "bibliography: refs/more.bib\n", encoding="utf-8")
    f = BookFilter(tmp_path)
    for rel in ("chapters/one.qmd", "data/fig16_childcare.csv", "src/report/figures/api.py", "lib/pub/checks.py",
                "templates/html/report.css",
                "index.qmd", "_quarto.yml", "references.bib", "extra/outside.qmd", "refs/more.bib"):
        assert f(Change.modified, str(tmp_path / rel)), rel
    for rel in ("_book/index.html", "_book.build-x1y2/work/book.json", ".report-cache/index-qmd.json",
                ".git/index", "src/report/__pycache__/cli.cpython-311.pyc", "chapters/.one.qmd.swp",
                "chapters/one.qmd~", "chapters/4913", "chapters/.#one.qmd", "data/raw/lsoa.csv",
                "src/breaking_the_cycle_report.egg-info/PKG-INFO", "README.md", "notes/todo.qmd"):
        assert not f(Change.modified, str(tmp_path / rel)), rel
    assert not f(Change.modified, "/somewhere/else/chapters/one.qmd")


def test_filter_follows_quarto_yml_changes(tmp_path):
    (tmp_path / "_quarto.yml").write_text("book:\n  chapters: [index.qmd]\n", encoding="utf-8")
    f = BookFilter(tmp_path)
    assert not f(Change.modified, str(tmp_path / "late" / "added.qmd"))
    (tmp_path / "_quarto.yml").write_text("book:\n  chapters: [index.qmd, late/added.qmd]\n", encoding="utf-8")
    f.refresh()
    assert f(Change.modified, str(tmp_path / "late" / "added.qmd"))


def test_stale_when_a_source_is_newer_than_the_built_page(tmp_path):
    import os

    (tmp_path / "_quarto.yml").write_text("book:\n  chapters: [index.qmd]\n", encoding="utf-8")
    (tmp_path / "chapters").mkdir()
    chapter = tmp_path / "chapters" / "one.qmd"
    chapter.write_text("# One\n", encoding="utf-8")
    f = BookFilter(tmp_path)
    os.utime(chapter, (1000, 1000))
    os.utime(tmp_path / "_quarto.yml", (1000, 1000))
    assert f.newest_mtime() == 1000
    os.utime(chapter, (2000, 2000))
    assert f.newest_mtime() == 2000


def test_temporary_files_that_came_and_went_are_not_changes(tmp_path):
    f = BookFilter(tmp_path)
    real = tmp_path / "chapters" / "one.qmd"
    real.parent.mkdir()
    real.write_text("x", encoding="utf-8")
    gone = tmp_path / "chapters" / "sedAb12Cd"  # `sed -i` writes here, then renames over one.qmd
    changes = {(Change.added, str(gone)), (Change.deleted, str(gone)), (Change.modified, str(real))}
    assert transient_free(changes, f) == {"chapters/one.qmd"}
    # A source that was really deleted is a change (the build must notice it is missing).
    assert transient_free({(Change.deleted, str(tmp_path / "data" / "old.csv"))}, f) == {"data/old.csv"}


def test_only_python_under_src_or_lib_needs_a_fresh_worker():
    assert needs_fresh_worker({"chapters/one.qmd", "src/report/figures/api.py"})
    assert needs_fresh_worker({"lib/breaking_the_cycle/checks.py"})  # the publication's own code
    assert not needs_fresh_worker({"chapters/one.qmd", "data/x.csv", "src/report/engine/filters/crossref.lua",
                                   "templates/html/report.css"})


def test_client_goes_before_the_last_body_end_and_carries_the_build_id():
    page = b"<html><body><p>x</p><pre>&lt;/body&gt;</pre></body>\n</html>\n"
    out = inject(page, "abc123")
    assert out.startswith(b"<html><body><p>x</p>")
    head, tail = out.rsplit(b"</body>", 1)
    assert b'data-report-preview="1"' in head and tail == b"\n</html>\n"
    assert b'var built = "abc123"' in out and OVERLAY_ID.encode() in out
    # No </body> (a fragment): the client is appended, not lost.
    assert inject(b"<p>fragment</p>", None).startswith(b"<p>fragment</p><script")
    assert b"var built = null" in inject(b"<p>fragment</p>", None)
