"""The fixture book built once: every supported feature checked in the HTML and in the PDF text."""
from __future__ import annotations

import json
import re

import pytest
from pypdf import PdfReader

from .htmltree import parse_html


@pytest.fixture(scope="module")
def html(built_book):
    root, _ = built_book
    return parse_html((root / "_book" / "index.html").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def html_text(built_book):
    root, _ = built_book
    return (root / "_book" / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pdf_text(built_book):
    root, _ = built_book
    reader = PdfReader(root / "_book" / "fixture-book.pdf")
    # Typst may break lines anywhere; compare on collapsed whitespace.
    return re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in reader.pages))


def test_outputs_and_summary(built_book):
    root, output = built_book
    assert (root / "_book" / "index.html").is_file()
    assert (root / "_book" / "fixture-book.pdf").is_file()
    assert sorted(p.name for p in (root / "_book").iterdir()) == ["build-manifest.json", "fixture-book.pdf", "index.html"]
    assert "engine: embedded" in output
    assert re.search(r"figures\s+3\b", output)
    pages = len(PdfReader(root / "_book" / "fixture-book.pdf").pages)
    assert re.search(rf"PDF pages\s+{pages}\b", output)
    assert "chapters/analysis.qmd" in output  # progress names chapters
    assert "compile pdf" in output
    # nothing is left beside _book
    assert not [p for p in root.iterdir() if p.name.startswith("_book.")]


def test_missing_csl_is_a_warning(built_book):
    _, output = built_book
    assert "does-not-exist.csl not found" in output


def test_html_is_self_contained(html_text):
    assert not re.search(r'<(img|script)[^>]+src="(?!data:)', html_text)
    assert not re.search(r'<link[^>]+rel="stylesheet"', html_text)
    assert "<math" in html_text and "mathjax" not in html_text.lower()
    # Source Sans Pro travels inside, each face cut down to the characters a page can show
    assert html_text.count('src: url(data:font/woff2;base64,') == 4 and "font/ttf" not in html_text


def test_html_figures_numbered_through_the_book(html):
    caps = [f.find("figcaption").text() for f in html.find_all("figure")]
    assert caps == [
        "Figure 1: Jobs by area type",
        "Figure 2: A figure whose alt text comes from display metadata",
        "Figure 3: A div-form figure with a computed caption: 21 units.",
    ]
    assert [f.attrs["id"] for f in html.find_all("figure")] == ["fig-bars", "fig-meta", "fig-div"]


def test_html_every_image_has_alt_text(html):
    imgs = html.find_all("img")
    assert len(imgs) == 3
    assert all(i.attrs.get("alt") for i in imgs)
    assert html.by_id("fig-bars").find("img").attrs["alt"] == "Bar chart: doubly disadvantaged areas have the fewest jobs"
    # no fig-alt option: alt text from the display_data metadata (the figures contract)
    assert html.by_id("fig-meta").find("img").attrs["alt"] == "Teal rectangle from metadata"
    assert all(i.attrs["src"].startswith("data:image/svg+xml") for i in imgs)


def test_html_cross_references(html):
    intro = html.by_id("sec-intro")
    links = {a.text(): a.attrs["href"] for a in intro.find_all("a", cls="quarto-xref")}
    assert links == {
        "Chapter 1": "#sec-analysis", "Section 1.1": "#sec-data", "Appendix A": "#sec-appendix-a",
        "Figure 1": "#fig-bars", "Figure 2": "#fig-meta",
    }
    more = html.by_id("sec-more")
    assert "Figure 3 is the third figure." in more.text()


def test_html_chapter_numbering(html):
    h1 = [h.text() for h in html.find("main").find_all("h1")]
    assert h1 == ["Preface", "Introduction", "Evidence", "1 Analysis", "2 More evidence",
                  "Appendix A. Spatial lag model", "References"]
    assert "part" in html.by_id("part-evidence").classes
    h2 = [h.text() for h in html.find("main").find_all("h2")]
    assert h2 == ["1.1 Data", "2.1 Findings"]


def test_html_toc_lists_chapters(html):
    toc = html.by_id("TOC")
    assert "1 Analysis" in toc.text() and "Appendix A. Spatial lag model" in toc.text()


def test_html_callouts(html):
    boxes = html.find_all("div", cls="callout")
    got = [(next(c for c in b.classes if c.startswith("callout-")), b.find("div", cls="callout-title").text().strip()) for b in boxes]
    assert got == [
        ("callout-note", "Box 1: What we mean by good work"),
        ("callout-warning", "Case study: Anytown"),
        ("callout-tip", "Tip"),
        ("callout-important", "Case study: Appendix box"),
    ]
    assert "Good work pays fairly." in boxes[0].find("div", cls="callout-body").text()


def test_html_footnotes_and_citations(html):
    notes = [li.text().replace("↩︎", "").strip() for li in html.find_all("li") if (li.attrs.get("id") or "").startswith("fn")]
    assert notes == ["A footnote in the preface.", "A footnote inside a box.", "A footnote in chapter two."]
    preface = html.by_id("preface").text()
    assert "Smith (2020) argues" in preface
    assert "(Jones and Patel 2019, 4)" in preface
    refs = html.by_id("refs")
    entries = [e.text().strip() for e in refs.find_all("div", cls="csl-entry")]
    assert len(entries) == 2
    assert entries[0].startswith("Jones, Amir, and Ruth Patel. 2019.")
    assert entries[1].startswith("Smith, Jane. 2020. Places and Prosperity.")


def test_html_math(html):
    maths = html.find_all("math")
    assert [m.attrs["display"] for m in maths] == ["block", "inline", "block"]


def test_html_inline_values_and_cells(html, html_text):
    assert "This fixture has 5 chapters" in html.by_id("preface").text()
    assert "*not emphasis*" in html.by_id("preface").text()  # escaped, not emphasis
    assert not html.by_id("preface").find_all("em")
    assert "have 187 jobs in all" in html.by_id("sec-data").text()
    assert html.by_id("sec-more").find("strong").text() == "Bold from Markdown"
    # asis output and raw blocks
    assert html.find("p", cls="only-html").text() == "RAW-HTML-ONLY"
    assert "RAW-TYPST-ONLY" not in html_text
    assert "Printed markdown from an asis cell." in html.by_id("sec-data").text()
    # echo: true shows that cell's code; echo: false (the book default) hides the others
    code = [c.text() for c in html.find_all("pre", cls="cell-code")]
    assert code == ["shown = 40 + 2\nprint(shown)"]
    assert html.find("pre", cls="cell-output-stdout").text() == "42"
    assert "read_csv" not in html_text
    assert "this warning must not reach the output" not in html_text


def test_pdf_figures_and_crossrefs(pdf_text):
    assert "Figure 1: Jobs by area type" in pdf_text
    assert "Figure 2: A figure whose alt text comes from display metadata" in pdf_text
    assert "Figure 3: A div-form figure with a computed caption: 21 units." in pdf_text
    assert "The analysis is in Chapter 1; its data are described in Section 1.1." in pdf_text
    assert "The method is in Appendix A." in pdf_text
    assert "The first chart is Figure 1 and the second is Figure 2." in pdf_text
    assert "Figure 3 is the third figure." in pdf_text


def test_pdf_structure(pdf_text):
    assert "Fixture book" in pdf_text and "Everything the engine renders" in pdf_text
    assert "October 2024" in pdf_text
    assert "Contents" in pdf_text
    assert "1 Analysis" in pdf_text and "1.1 Data" in pdf_text and "2.1 Findings" in pdf_text
    assert "Appendix A. Spatial lag model" in pdf_text
    assert "Centre for Progressive Policy" in pdf_text and "Local Trust" in pdf_text


def test_pdf_callouts_footnotes_citations(pdf_text):
    for title in ("Box 1: What we mean by good work", "Case study: Anytown", "Tip", "Case study: Appendix box"):
        assert title in pdf_text
    assert "A footnote in the preface." in pdf_text
    assert "A footnote inside a box." in pdf_text
    assert "Smith (2020) argues" in pdf_text
    assert "(Jones and Patel 2019, 4)" in pdf_text
    assert "Jones, Amir, and Ruth Patel. 2019." in pdf_text
    assert "Smith, Jane. 2020. Places and Prosperity." in pdf_text


def test_pdf_inline_values_raw_blocks(pdf_text):
    assert "This fixture has 5 chapters" in pdf_text
    assert "*not emphasis*" in pdf_text
    assert "have 187 jobs in all" in pdf_text
    assert "Bold from Markdown" in pdf_text
    assert "RAW-TYPST-ONLY" in pdf_text
    assert "RAW-HTML-ONLY" not in pdf_text
    assert "this warning must not reach the output" not in pdf_text


def test_pdf_math_and_fonts(built_book):
    root, _ = built_book
    reader = PdfReader(root / "_book" / "fixture-book.pdf")
    fonts = set()
    for page in reader.pages:
        res = page.get("/Resources") or {}
        for f in (res.get("/Font") or {}).values():
            fonts.add(str(f.get_object().get("/BaseFont")))
    assert any("SourceSansPro" in f for f in fonts), fonts
    assert any("Math" in f for f in fonts), fonts  # equations typeset by Typst


def test_manifest(built_book):
    root, _ = built_book
    manifest = json.loads((root / "_book" / "build-manifest.json").read_text())
    assert manifest["engine"] == "embedded"
    assert manifest["tools"]["pandoc"].startswith("3.")
    assert "data/tiny.csv" in manifest["inputs"]  # recorded from the kernel's file reads
    assert "chapters/analysis.qmd" in manifest["inputs"]
    assert len(manifest["inputs"]["_quarto.yml"]) == 64
    assert set(manifest["outputs"]) == {"index.html", "fixture-book.pdf"}


def test_html_links_the_pdf_download(html):
    link = html.find("p", cls="downloads").find("a")
    assert link.attrs["href"] == "fixture-book.pdf"


def test_tables_numbered_and_referenced(html, pdf_text):
    table = html.by_id("tbl-jobs")
    assert table.tag == "table"
    assert table.find("caption").text() == "Table 1: Jobs by area type, as a table"
    assert "Table 1 lists the counts." in html.by_id("sec-findings").text()
    assert "Table 1: Jobs by area type, as a table" in pdf_text
    assert "Table 1 lists the counts." in pdf_text
