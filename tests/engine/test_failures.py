"""A broken book stops the build with a message that says where, exits non-zero and keeps `_book/`."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from .conftest import run_build

CONFIG = """\
project:
  type: book
book:
  title: "Small"
  chapters:
    - index.qmd
    - chapters/one.qmd
bibliography: refs.bib
format:
  html: {toc: false}
"""

BIB = "@book{known2020, author = {Known, A.}, title = {Known}, year = {2020}, publisher = {P}}\n"


def small_book(root: Path, chapter: str, config: str = CONFIG) -> Path:
    (root / "chapters").mkdir(parents=True)
    (root / "_quarto.yml").write_text(config)
    (root / "refs.bib").write_text(BIB)
    (root / "index.qmd").write_text("# Welcome {.unnumbered}\n\nHello.\n")
    (root / "chapters" / "one.qmd").write_text(chapter)
    # a previous, good build that must survive
    book = root / "_book"
    book.mkdir()
    (book / "index.html").write_text("<p>previous build</p>\n")
    (book / "small.pdf").write_bytes(b"%PDF-previous")
    return root


def snapshot(d: Path) -> dict[str, str]:
    return {str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.rglob("*")) if p.is_file()}


def assert_failed_cleanly(root: Path, before: dict[str, str], result) -> str:
    assert result.exit_code != 0
    assert snapshot(root / "_book") == before
    assert not [p.name for p in root.iterdir() if p.name.startswith("_book.")], "temporary build dir left behind"
    return result.output


def test_failing_cell_reports_file_line_source_traceback(tmp_path):
    chapter = (
        "# One\n"
        "\n"
        "Text before.\n"
        "\n"
        "```{python}\n"
        "#| label: setup\n"
        "values = [1, 2]\n"
        "total = values[0] / (values[1] - 2)\n"
        "```\n"
    )
    root = small_book(tmp_path / "b", chapter)
    before = snapshot(root / "_book")
    out = assert_failed_cleanly(root, before, run_build(root, "--fresh"))
    assert "chapters/one.qmd:5" in out
    assert "total = values[0] / (values[1] - 2)" in out
    assert "ZeroDivisionError" in out
    assert "Traceback" in out or "----> " in out or "Cell In[" in out
    assert "\x1b[" not in out


def test_failing_inline_expression(tmp_path):
    root = small_book(tmp_path / "b", "# One\n\nValue: `{python} undefined_name + 1`.\n")
    before = snapshot(root / "_book")
    out = assert_failed_cleanly(root, before, run_build(root))
    assert "chapters/one.qmd:3" in out
    assert "undefined_name" in out and "NameError" in out


def test_missing_chapter_file(tmp_path):
    root = small_book(tmp_path / "b", "# One\n")
    (root / "_quarto.yml").write_text(CONFIG.replace("chapters/one.qmd", "chapters/missing.qmd"))
    before = snapshot(root / "_book")
    out = assert_failed_cleanly(root, before, run_build(root))
    assert "chapter file not found: chapters/missing.qmd" in out
    assert "_quarto.yml" in out


def test_broken_quarto_yml_names_file_and_line(tmp_path):
    root = small_book(tmp_path / "b", "# One\n")
    broken = CONFIG.replace('  title: "Small"\n', '  title: "Small\n')
    (root / "_quarto.yml").write_text(broken)
    before = snapshot(root / "_book")
    out = assert_failed_cleanly(root, before, run_build(root))
    assert "_quarto.yml:" in out and "invalid YAML" in out
    # an unclosed quote is noticed at the end of the file; the message still points at line 4
    assert "at line 4, column 10" in out


@pytest.mark.parametrize("ref", ["@fig-nowhere", "@sec-nowhere", "@tbl-nowhere"])
def test_unknown_cross_reference(tmp_path, ref):
    root = small_book(tmp_path / "b", f"# One {{#sec-one}}\n\nSee {ref} and @sec-one.\n")
    before = snapshot(root / "_book")
    out = assert_failed_cleanly(root, before, run_build(root, "--to", "html"))
    assert f"chapters/one.qmd: unknown cross-reference {ref}" in out
    assert "??" not in out


def test_unknown_citation_key(tmp_path):
    root = small_book(tmp_path / "b", "# One\n\nAs argued [@known2020; @unknown1999].\n")
    before = snapshot(root / "_book")
    out = assert_failed_cleanly(root, before, run_build(root, "--to", "html"))
    assert "chapters/one.qmd: citation key @unknown1999 is not in the bibliography" in out
    assert "known2020 is not" not in out


def test_image_without_alt_text(tmp_path):
    chapter = "# One\n\n```{python}\nimport matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()\n```\n"
    root = small_book(tmp_path / "b", chapter)
    before = snapshot(root / "_book")
    out = assert_failed_cleanly(root, before, run_build(root, "--to", "html"))
    assert "chapters/one.qmd:3" in out and "alt text" in out


def test_good_small_book_replaces_previous_build(tmp_path):
    root = small_book(tmp_path / "b", "# One {#sec-one}\n\nSee @sec-one [@known2020].\n")
    result = run_build(root, "--to", "html", "--quiet")
    assert result.exit_code == 0, result.output
    assert result.output == ""  # --quiet prints nothing on success
    html = (root / "_book" / "index.html").read_text()
    assert "previous build" not in html and "Chapter 1" in html
    # --to html keeps the PDF of the previous build rather than dropping it
    assert (root / "_book" / "small.pdf").read_bytes() == b"%PDF-previous"


def test_paths_with_underscores_survive_pandoc_metadata(tmp_path, monkeypatch):
    """Paths reach pandoc literally: `_a_` in a metadata string would otherwise become emphasis."""
    import tempfile

    import report.engine.swap as swap

    real_mkdtemp = tempfile.mkdtemp
    monkeypatch.setattr(swap.tempfile, "mkdtemp", lambda prefix, dir: real_mkdtemp(prefix=prefix + "_x_", suffix="_", dir=dir))
    chapter = (
        "# One\n\nAs argued [@known2020].\n\n"
        "```{python}\n#| label: fig-line\n#| fig-cap: Line\n#| fig-alt: A rising line\n"
        "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()\n```\n"
    )
    root = small_book(tmp_path / "under_score_dir_", chapter)
    result = run_build(root)
    assert result.exit_code == 0, result.output
    from .htmltree import parse_html

    assert "(Known 2020)" in parse_html((root / "_book" / "index.html").read_text()).text()
    assert (root / "_book" / "small.pdf").read_bytes().startswith(b"%PDF-1")
