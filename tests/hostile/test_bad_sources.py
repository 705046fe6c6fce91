"""Bad book sources: each refused before a chapter runs (or before anything is rendered), with
the file (and line) named, exit 1, `_book/` untouched, the same for HTML and PDF."""
from __future__ import annotations

import os
import shutil

import pytest

from .conftest import CONFIG


def chapters(book, *entries: str) -> None:
    listed = "".join(f"    - {e}\n" for e in entries)
    book.write("_quarto.yml", CONFIG.replace("    - index.qmd\n    - chapters/one.qmd\n", listed))


@pytest.fixture(params=["html", "pdf"])
def fmt(request):
    return request.param


OUTSIDE = {
    "a chapter path with ..": (
        lambda b: ((b.root.parent / "outside.qmd").write_text("# Outside\n"),
                   chapters(b, "index.qmd", "../outside.qmd")),
        ["_quarto.yml: book chapter", "'../outside.qmd' leads outside the project"]),
    "an absolute chapter path": (
        lambda b: chapters(b, "index.qmd", "/etc/passwd"),
        ["_quarto.yml: book chapter", "'/etc/passwd' leads outside the project"]),
    "a chapter that is a symbolic link out of the project": (
        lambda b: (b.path("chapters/one.qmd").unlink(), b.path("chapters/one.qmd").symlink_to("/etc/hostname")),
        ["'chapters/one.qmd' leads outside the project through a symbolic link"]),
    "an image with an absolute path": (
        lambda b: b.chapter("# One\n\n![secret](/etc/passwd)\n"),
        ["chapters/one.qmd: image or embedded file", "'/etc/passwd' leads outside the project"]),
    "an image climbing out with ..": (
        lambda b: b.chapter("# One\n\n![secret](../../../../../../../etc/passwd)\n"),
        ["chapters/one.qmd: image or embedded file", "leads outside the project"]),
    "an image path %-escaped": (
        lambda b: b.chapter("# One\n\n![secret](%2Fetc%2Fpasswd)\n"),
        ["chapters/one.qmd: image or embedded file", "'/etc/passwd' leads outside the project"]),
    "raw HTML pulling a file in": (
        lambda b: b.chapter('# One\n\n```{=html}\n<img src="/etc/passwd" alt="x">\n```\n'),
        ["chapters/one.qmd: image or embedded file", "'/etc/passwd' leads outside the project"]),
    "a CSS url() in raw HTML": (
        lambda b: b.chapter("# One\n\n```{=html}\n<div style=\"background: url('/etc/passwd')\"></div>\n```\n"),
        ["chapters/one.qmd: image or embedded file", "'/etc/passwd'"]),
    "a symbolic link in templates/ (Typst would follow it)": (
        lambda b: b.path("templates/secret.txt").symlink_to("/etc/passwd"),
        ["templates/secret.txt is a symbolic link to /etc/passwd", "files outside the project"]),
    "a symbolic link in data/": (
        lambda b: b.path("data/extra.csv").symlink_to("/etc/passwd"),
        ["data/extra.csv is a symbolic link to /etc/passwd"]),
    "a chapter outside the project that does not exist": (
        lambda b: chapters(b, "index.qmd", "../elsewhere/chapter.qmd"),
        ["_quarto.yml: book chapter", "'../elsewhere/chapter.qmd' leads outside the project"]),
    "a bibliography outside the project": (
        lambda b: b.write("_quarto.yml", CONFIG + "bibliography: /etc/passwd\n"),
        ["_quarto.yml: bibliography", "'/etc/passwd' leads outside the project"]),
    "a stylesheet outside the project": (
        lambda b: b.write("_quarto.yml", CONFIG.replace("    toc: false\n", "    toc: false\n    css: ../../x.css\n")),
        ["_quarto.yml: format.html.css", "'../../x.css' leads outside the project"]),
    "the build cache a symbolic link out of the project": (
        lambda b: (shutil.move(b.path(".report-cache"), b.root.parent / "elsewhere-cache"),
                   b.path(".report-cache").symlink_to(b.root.parent / "elsewhere-cache")),
        ["the build cache (its entries go into the book): ", "'.report-cache' leads outside the project through a symbolic link"]),
    "a font directory outside the project": (
        lambda b: b.write("_quarto.yml", CONFIG.replace("font-paths: [fonts]", "font-paths: [/usr/share]")),
        ["_quarto.yml: format.typst.font-paths", "'/usr/share' leads outside the project"]),
}


@pytest.mark.parametrize("case", list(OUTSIDE))
def test_files_outside_the_project_are_refused_in_both_formats(book, case, fmt):
    change, needles = OUTSIDE[case]
    change(book)
    out = book.assert_refused(book.run("build", "--to", fmt), *needles)
    assert "root:x:0:0" not in out  # nothing of the file itself is shown


BROKEN = {
    "a missing chapter file": (
        lambda b: chapters(b, "index.qmd", "chapters/missing.qmd"),
        ["_quarto.yml: chapter file not found: chapters/missing.qmd"]),
    "a chapter that is a directory": (
        lambda b: (b.path("chapters/one.qmd").unlink(), b.path("chapters/one.qmd").mkdir()),
        ["chapter file not found: chapters/one.qmd"]),
    "a chapter that is a FIFO (no hang)": (
        lambda b: (b.path("chapters/one.qmd").unlink(), os.mkfifo(b.path("chapters/one.qmd"))),
        ["chapters/one.qmd"]),
    "a chapter that is not UTF-8": (
        lambda b: b.write("chapters/one.qmd", "# One\n\nCaf\u00e9 society.\n".encode("latin-1")),
        ["chapters/one.qmd:3: not valid UTF-8 (byte E9)"]),
    "a chapter with binary data": (
        lambda b: b.write("chapters/one.qmd", b"# One\n\n\x00\x01\x02\n"),
        ["chapters/one.qmd:3: the chapter contains a NUL byte"]),
    "a code block never closed": (
        lambda b: b.chapter("# One\n\n```{python}\nx = 1\n"),
        ["chapters/one.qmd:3: code block opened with ``` is never closed"]),
    "front matter that is not YAML": (
        lambda b: b.chapter("---\ntitle: [unclosed\n---\n\n# One\n"),
        ["chapters/one.qmd", "invalid YAML front matter"]),
    "a load() of a resource the package lacks": (
        lambda b: b.chapter('# One\n\n```{python}\nfrom report.data import load\n\ndf = load("fig99_nothing")\n```\n'),
        ["chapters/one.qmd:6: load('fig99_nothing'): no resource 'fig99_nothing' in data/datapackage.json"]),
    "a close miss in load() gets a suggestion": (
        lambda b: b.chapter('# One\n\nIt is `{python} len(load("fig08_job_acess"))`.\n'),
        ["chapters/one.qmd:3: load('fig08_job_acess')", "did you mean 'fig08_job_access'?"]),
    "an execute timeout that is not a number": (
        lambda b: b.write("_quarto.yml", CONFIG.replace("  echo: false\n", "  echo: false\n  timeout: soon\n")),
        ["_quarto.yml: execute.timeout must be a positive number of seconds, not 'soon'"]),
    "a kernel count that is not a number": (
        lambda b: (os.environ.__setitem__("REPORT_KERNELS", "many"),
                   b.chapter("# One\n\n```{python}\nx = 1\n```\n")),
        ["REPORT_KERNELS='many': expected a whole number of kernels"]),
    "_quarto.yml that is not YAML": (
        lambda b: b.write("_quarto.yml", CONFIG.replace('  title: "Hostile"\n', '  title: "Hostile\n')),
        ["_quarto.yml:", "invalid YAML", "at line 4, column 10"]),
    "_quarto.yml without a book": (
        lambda b: b.write("_quarto.yml", "project:\n  type: book\n"),
        ["_quarto.yml: missing `book:` section"]),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_sources_are_named(book, case):
    change, needles = BROKEN[case]
    try:
        change(book)
        out = book.assert_refused(book.build(), *needles)
    finally:
        os.environ.pop("REPORT_KERNELS", None)  # one case sets it
    assert "chapters executed" not in out


def test_markup_and_emoji_codes_in_a_warning_are_printed_as_written(book):
    """A pandoc warning quoting the author's text: rich markup in it used to crash the printer."""
    book.chapter("# One\n\n![x](missing[/].png) and :x: here.\n")
    result = book.build()
    assert result.exit_code == 0, result.output
    assert "missing[/].png" in result.output
    assert "\u274c" not in result.output and ":x:" in book.path("_book/index.html").read_text()


def test_raw_inputs_linked_from_elsewhere_are_allowed(book, tmp_path):
    """data/raw is `report data`'s input, never the book's: a link to a shared copy is fine."""
    shared = tmp_path / "shared-raw"
    shared.mkdir()
    book.path("data/raw").symlink_to(shared)
    book.chapter("# One\n\nWith the raw files linked in.\n")
    result = book.build()
    assert result.exit_code == 0, result.output
