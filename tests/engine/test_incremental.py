"""What a build skips when nothing it depends on changed, and that skipping never hides a change:
renders reused only while `_book/` holds what was recorded, chapter ASTs reused per chapter,
data validation remembered per resource (an edited or invalid file is always checked again),
and `load()` in the kernel trusting only bytes the build validated."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from report.engine.build import build, validate_data
from report.engine.errors import BuildError

from .conftest import REPO, RecordingReporter, make_book

RENDER_STEPS = {"render html", "render typst", "compile pdf"}


def book_files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "_book").iterdir()) if p.is_file()}


def test_no_change_runs_no_pandoc_or_typst_and_leaves_a_complete_book(built_book, copy):
    src, _ = built_book
    before = book_files(copy)
    rep = RecordingReporter()
    result = build(copy, "all", rep)
    assert result.pandoc_runs == 0 and result.typst_runs == 0
    assert not rep.names() & RENDER_STEPS
    assert result.pages and result.pages > 1  # from the record, as the render counted them
    after = book_files(copy)
    assert set(after) == {"index.html", "fixture-book.pdf", "build-manifest.json"}
    assert after == before  # manifest included: the same inputs give the same bytes
    manifest = json.loads(after["build-manifest.json"])
    import hashlib

    for name in ("index.html", "fixture-book.pdf"):
        assert manifest["outputs"][name] == hashlib.sha256(after[name]).hexdigest()
    assert book_files(src)["index.html"] == after["index.html"]


def test_html_only_build_reuses_html_and_keeps_pdf(copy):
    before = book_files(copy)
    rep = RecordingReporter()
    result = build(copy, "html", rep)
    assert result.pandoc_runs == 0 and not rep.names() & RENDER_STEPS
    assert book_files(copy)["fixture-book.pdf"] == before["fixture-book.pdf"]
    assert book_files(copy)["index.html"] == before["index.html"]


def test_outputs_changed_or_removed_in_book_are_rendered_again(copy):
    html = copy / "_book" / "index.html"
    expected = html.read_bytes()
    html.write_text("<p>edited by hand</p>\n")
    (copy / "_book" / "fixture-book.pdf").unlink()
    rep = RecordingReporter()
    result = build(copy, "all", rep)
    assert RENDER_STEPS <= rep.names()
    assert result.typst_runs == 1
    assert html.read_bytes() == expected
    assert (copy / "_book" / "fixture-book.pdf").read_bytes().startswith(b"%PDF")


def test_corrupt_render_record_renders_again(copy):
    record = copy / ".report-cache" / "render.json"
    data = json.loads(record.read_text())
    data["body"]["html"]["key"] = "0" * 64  # checksum no longer matches
    record.write_text(json.dumps(data))
    rep = RecordingReporter()
    build(copy, "html", rep)
    assert "render html" in rep.names()


def test_fresh_renders_and_parses_everything(copy):
    rep = RecordingReporter()
    result = build(copy, "all", rep, fresh=True)
    assert RENDER_STEPS <= rep.names()
    # every chapter and part title through pandoc again, plus the HTML and Typst writers
    assert result.pandoc_runs == 7 + 2


def test_prose_change_rerenders_and_parses_only_that_chapter(copy):
    intro = copy / "chapters" / "intro.qmd"
    intro.write_text(intro.read_text() + "\nA sentence added later.\n")
    rep = RecordingReporter()
    result = build(copy, "html", rep)
    assert result.chapters_executed == ["chapters/intro.qmd"]
    assert result.pandoc_runs == 1 + 1  # the changed chapter's parse, then the HTML writer
    assert "A sentence added later." in (copy / "_book" / "index.html").read_text()


def test_corrupt_ast_entry_is_parsed_again(copy):
    entries = sorted((copy / ".report-cache" / "ast").glob("chapters-more-qmd.json"))
    assert entries
    data = json.loads(entries[0].read_text())
    data["body"] = data["body"].replace("largest", "smallest")
    entries[0].write_text(json.dumps(data))
    result = build(copy, "html", RecordingReporter())
    assert result.pandoc_runs == 1  # the corrupt entry's chapter; the HTML is unchanged
    assert "The largest count" in (copy / "_book" / "index.html").read_text()


# --- data validation cache ------------------------------------------------------------------

@pytest.fixture
def data_project(tmp_path, monkeypatch):
    root = tmp_path / "proj"
    root.mkdir()
    (root / "_quarto.yml").write_text("project:\n  type: book\n", encoding="utf-8")
    shutil.copytree(REPO / "data", root / "data", ignore=shutil.ignore_patterns("raw"))
    monkeypatch.setenv("QUARTO_PROJECT_DIR", str(root))
    monkeypatch.delenv("REPORT_VALIDATION_CACHE", raising=False)
    return root


@pytest.fixture
def checked(monkeypatch):
    """Names of the resources fully validated (frictionless and rules) from here on."""
    import report.data.validate as v

    names: list[str] = []
    real = v.check_resource

    def spy(desc, data_dir, root=None):
        names.append(desc["name"])
        return real(desc, data_dir, root)

    monkeypatch.setattr(v, "check_resource", spy)
    return names


def _edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / "data" / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_validation_is_remembered_and_a_changed_file_is_validated_again(data_project, checked):
    cache = data_project / ".report-cache" / "validation.json"
    assert validate_data(data_project, cache) is True
    assert "lsoa_classification" in checked and cache.is_file()
    checked.clear()
    validate_data(data_project, cache)
    assert checked == []
    _edit(data_project, "fig16_childcare.csv", "Non-deprived,Good or outstanding providers,23",
          "Non-deprived,Good or outstanding providers,22")
    validate_data(data_project, cache)
    assert checked == ["fig16_childcare"]
    checked.clear()
    validate_data(data_project, cache, fresh=True)
    assert "lsoa_classification" in checked and "fig16_childcare" in checked


def test_invalid_file_stops_the_build_with_the_same_message_when_a_cache_exists(data_project):
    cache = data_project / ".report-cache" / "validation.json"
    validate_data(data_project, cache)
    _edit(data_project, "fig16_childcare.csv", "Non-deprived,Good or outstanding providers,23",
          "Non-deprived,Good or outstanding providers,lots")
    with pytest.raises(BuildError) as uncached:
        validate_data(data_project)
    with pytest.raises(BuildError) as cached:
        validate_data(data_project, cache)
    assert str(cached.value) == str(uncached.value)
    assert "fig16_childcare.csv" in str(cached.value) and "'lots'" in str(cached.value)
    with pytest.raises(BuildError):  # still, the next time: failures are never remembered
        validate_data(data_project, cache)


def test_corrupt_validation_cache_validates_everything(data_project, checked):
    cache = data_project / ".report-cache" / "validation.json"
    validate_data(data_project, cache)
    data = json.loads(cache.read_text())
    data["keys"][0] = "f" * 64
    cache.write_text(json.dumps(data))
    checked.clear()
    validate_data(data_project, cache)
    assert "lsoa_classification" in checked


def test_load_trusts_only_bytes_the_build_validated(data_project, checked, monkeypatch):
    from report.data import DataValidationError, load

    cache = data_project / ".report-cache" / "validation.json"
    validate_data(data_project, cache)
    expected = load("fig16_childcare", data_project)  # validated: no trust without the variable
    checked.clear()
    monkeypatch.setenv("REPORT_VALIDATION_CACHE", str(cache))
    trusted = load("fig16_childcare", data_project)
    assert checked == []
    assert trusted.equals(expected) and list(trusted.dtypes) == list(expected.dtypes)
    _edit(data_project, "fig16_childcare.csv", "Non-deprived,Good or outstanding providers,23",
          "Non-deprived,Good or outstanding providers,lots")
    with pytest.raises(DataValidationError):
        load("fig16_childcare", data_project)
    assert checked == ["fig16_childcare"]


def test_imported_modules_are_found_for_preloading(tmp_path):
    from report.engine.execute import imported_modules
    from report.engine.qmd import parse_qmd

    qmd = tmp_path / "c.qmd"
    qmd.write_text(
        "# C\n\n```{python}\nimport figures\nfrom report.data import load, stat\n  import os.path\n```\n\n"
        "```{python}\n#| eval: false\nimport never_run\n```\n\n```{python}\nfrom . import x\nimport figures\n```\n"
    )
    assert imported_modules([parse_qmd(qmd)]) == ["figures", "report.data", "os.path"]


def test_a_new_book_copy_builds_identically_from_its_own_caches(built_book, tmp_path):
    """A no-change build in a copy whose _book/ was removed renders again, byte-identically."""
    src, _ = built_book
    dest = tmp_path / "b"
    shutil.copytree(src, dest)
    shutil.rmtree(dest / "_book")
    rep = RecordingReporter()
    build(dest, "all", rep)
    assert RENDER_STEPS <= rep.names()
    assert book_files(dest) == book_files(src)


def test_no_change_after_fresh_book(tmp_path):
    root = make_book(tmp_path / "n")
    build(root, "html", RecordingReporter(), fresh=True)
    rep = RecordingReporter()
    result = build(root, "html", rep)
    assert result.cells_executed == 0 and result.pandoc_runs == 0


def test_cache_key_covers_the_tool_wherever_it_is_installed(tmp_path, monkeypatch):
    # A tool installed in site-packages (not under the project's src/) must still key the cache:
    # upgrading it can change what a chapter prints.
    import report
    from report.engine.cache import _tree_hash

    tool = tmp_path / "site-packages" / "report"
    tool.mkdir(parents=True)
    (tool / "__init__.py").write_text("VERSION = 1\n", encoding="utf-8")
    monkeypatch.setattr(report, "__file__", str(tool / "__init__.py"))
    project = tmp_path / "proj"
    (project / "lib" / "pub").mkdir(parents=True)
    (project / "lib" / "pub" / "__init__.py").write_text("A = 1\n", encoding="utf-8")
    before = _tree_hash(project)
    (tool / "__init__.py").write_text("VERSION = 2\n", encoding="utf-8")
    after_tool = _tree_hash(project)
    assert after_tool != before
    (project / "lib" / "pub" / "__init__.py").write_text("A = 2\n", encoding="utf-8")
    assert _tree_hash(project) != after_tool  # the publication's own code too
