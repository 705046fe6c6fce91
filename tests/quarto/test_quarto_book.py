"""The book rendered by the real Quarto (HTML and PDF, through `report build --engine quarto`)."""
from __future__ import annotations

import json
import re
from pathlib import Path

from pypdf import PdfReader

from engine.htmltree import parse_html
from pdf.pdfview import bookmarks, contents_entries, pdf_ua_part, printed_at, struct_elements  # tests/pdf

from .bookview import book_files, pdf_figures, pdf_text, quarto_chapters, source_captions, squash

PDF = "breaking-the-cycle.pdf"


def pages(book: Path) -> list[Path]:
    return sorted(book.rglob("*.html"))


def test_html_is_a_book_of_chapter_pages_with_sidebar_and_search(quarto_build):
    root, _ = quarto_build
    book = root / "_book"
    for rel in book_files(root):
        page = book / Path(rel).with_suffix(".html")
        assert page.is_file(), f"no page for {rel}"
    doc = parse_html((book / "chapters" / "02-analysis.html").read_text(encoding="utf-8"))
    sidebar = doc.find("nav", id="quarto-sidebar")
    assert "Analysis: where low pay and insecure work are the norm" in squash(sidebar.text())
    assert (book / "search.json").is_file()
    entries = json.loads((book / "search.json").read_text(encoding="utf-8"))
    assert any("doubly disadvantaged" in e.get("text", "") for e in entries)
    # the download button finds the PDF beside the pages
    assert doc.find_all("a", href=f"../{PDF}")


def test_no_warning_caused_by_the_book(quarto_build):
    _, output = quarto_build
    assert "warning" not in output.lower(), output


def test_figures_1_to_17_in_order_with_their_captions(quarto_build):
    root, _ = quarto_build
    figures = [f for ch in quarto_chapters(root / "_book", root) for f in ch.figures]
    assert [n for n, _ in figures] == list(range(1, 18))
    assert [cap for _, cap in figures] == source_captions(root)
    # In the PDF, every "Figure N: ..." that starts with figure N's caption (the data appendix
    # has headings so named, with other words): Figures 1-17, each once, in order.
    captions = [squash(c) for c in source_captions(root)]
    in_pdf = [n for n, start in pdf_figures(pdf_text(root / "_book" / PDF))
              if 0 < n <= len(captions) and captions[n - 1].startswith(start)]
    assert in_pdf == list(range(1, 18))


def test_every_reference_shows_the_number_its_target_has(quarto_build):
    root, _ = quarto_build
    chapters = quarto_chapters(root / "_book", root)
    figure_of = {}
    for rel, ch in zip(book_files(root), chapters):
        page = parse_html((root / "_book" / Path(rel).with_suffix(".html")).read_text(encoding="utf-8"))
        for cap in page.find_all("figcaption"):
            figure = cap.parent.parent  # the float div holding <figure> carries the label
            m = re.match(r"Figure (\d+):", squash(cap.text()))
            if m and figure.attrs.get("id", "").startswith("fig-"):
                figure_of[figure.attrs["id"]] = m.group(1)
    assert len(figure_of) == 17
    refs = [x for ch in chapters for x in ch.xrefs]
    fig_refs = [(target, text) for target, text in refs if target.startswith("fig-")]
    assert len(fig_refs) >= 17
    for target, text in fig_refs:
        assert text == f"Figure {figure_of[target]}", (target, text)
    chapter_refs = sorted({text for target, text in refs if not target.startswith("fig-")})
    # chapter 6 names its table, Table 2 of the book (the executive summary holds Table 1)
    assert chapter_refs == ["Appendix A", "Appendix B", "Appendix C", "Chapter 3", "Chapter 5", "Table 2"]
    text = pdf_text(root / "_book" / PDF)
    for phrase in ("As Chapter 3 shows", "Appendix A sets out the model", "Box 3 in Chapter 5",
                   "Appendix C lists, figure by figure"):
        assert phrase in text


def test_chapters_and_appendices_numbered_as_the_publication(quarto_build):
    root, _ = quarto_build
    titles = [ch.title for ch in quarto_chapters(root / "_book", root)]
    assert titles[3].startswith("1 Defining our approach")
    assert titles[8] == "6 Recommendations"
    assert titles[9].startswith("Appendix A. A spatial lag model")
    assert titles[10].startswith("Appendix B. Instrumental variables")
    assert titles[11] == "Appendix C. Data and methods"
    assert titles[0] == "About this edition" and titles[-1] == "References"
    text = pdf_text(root / "_book" / PDF)
    assert "1 Defining our approach" in text and "Appendix A. A spatial lag model" in text


def test_no_literal_code_and_claims_print_nothing(quarto_build):
    root, _ = quarto_build
    for page in pages(root / "_book"):
        html = page.read_text(encoding="utf-8")
        assert "{python}" not in html, page
        for span in re.findall(r'<span class="report-claim">(.*?)</span>', html, re.S):
            assert span.strip() == "", page
    assert "{python}" not in pdf_text(root / "_book" / PDF)
    assert "claim(" not in pdf_text(root / "_book" / PDF)


def test_book_is_small(quarto_build):
    root, _ = quarto_build
    size = sum(p.stat().st_size for p in (root / "_book").rglob("*") if p.is_file())
    assert size < 40 * 1024 * 1024, size


def test_works_offline_with_mathml(quarto_build):
    root, _ = quarto_build
    for page in pages(root / "_book"):
        html = page.read_text(encoding="utf-8")
        remote = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(https?:[^"]+)"', html)
        assert not remote, (page, remote)
        assert not re.search(r"<script[^>]*mathjax|polyfill", html, re.I), page
    appendix = (root / "_book" / "chapters" / "appendix-a-spatial-lag.html").read_text(encoding="utf-8")
    assert '<math display="block"' in appendix
    # the fonts the stylesheet names travel with the book
    assert (root / "_book" / "fonts" / "SourceSansPro-Regular.ttf").is_file()


def test_pdf_has_cover_contents_footer_fonts_and_boxes(quarto_build):
    root, _ = quarto_build
    reader = PdfReader(root / "_book" / PDF)
    page_text = [squash(p.extract_text() or "") for p in reader.pages]
    assert len(page_text) > 30
    cover, contents = page_text[0], page_text[1]
    assert cover.startswith("CENTRE FOR PROGRESSIVE POLICY") and "Breaking the cycle" in cover
    assert "Published by Centre for Progressive Policy and Local Trust" in cover
    assert contents.startswith("Contents") and "Appendix A. A spatial lag model" in contents
    assert re.search(r"Built from commit [0-9a-f]{12} and data version [0-9a-f]+\.", contents)
    home = parse_html((root / "_book" / "index.html").read_text(encoding="utf-8"))
    assert squash(home.find("div", cls="report-colophon").text()) == re.search(r"Built from [^.]+\.", contents).group(0)
    # running footer: the title and the page number on the body pages
    for number, text in enumerate(page_text[2:12], start=1):
        assert text.endswith(f"Breaking the cycle {number}"), (number, text[-60:])
    everything = " ".join(page_text)
    for box in ("Box 1: How growth travels", "Box 2:", "Box 3:", "Box 4: What the New Deal"):
        assert box in everything
    fonts = set()
    for page in reader.pages:
        for f in ((page.get("/Resources") or {}).get("/Font") or {}).values():
            fonts.add(str(f.get_object().get("/BaseFont")))
    assert any("SourceSansPro" in f for f in fonts), fonts
    assert not any("Libertinus" in f for f in fonts), fonts  # Typst's fallback: a font not found


def test_summary_and_manifest(quarto_build):
    root, output = quarto_build
    assert re.search(r"engine: quarto 1\.9\.38", output)
    assert re.search(r"figures\s+17\b", output)
    pdf_pages = len(PdfReader(root / "_book" / PDF).pages)
    assert re.search(rf"PDF pages\s+{pdf_pages}\b", output)
    manifest = json.loads((root / "_book" / "build-manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"] == "quarto" and manifest["tools"]["quarto"] == "1.9.38"
    assert "_extensions/report/book-numbers.lua" in manifest["inputs"]
    assert PDF in manifest["outputs"] and "chapters/02-analysis.html" in manifest["outputs"]
    assert not [p for p in root.iterdir() if p.name.startswith("_book.")]  # no staging left


def test_pdf_contents_and_bookmarks_land_on_their_headings_and_it_is_pdf_ua(quarto_build):
    """Quarto's Typst gets the same partials and filters as the embedded engine, and
    `pdf-standard: ua-1` from _quarto.yml: the same checks as tests/pdf make on that PDF."""
    root, _ = quarto_build
    reader = PdfReader(root / "_book" / PDF)
    entries = contents_entries(reader)
    assert len(entries) == 15
    assert not [(e.title, e.page + 1) for e in entries if not printed_at(reader, e)]
    assert not [(b.title, b.page + 1) for b in bookmarks(reader) if not printed_at(reader, b)]
    assert pdf_ua_part(reader) == "1"
    assert reader.metadata.author == "Centre for Progressive Policy, Local Trust"
    assert len(struct_elements(reader, "/Formula")) == 36
    # charts: the alt text generated from their data (test_parity compares it with the engine's)
    charts = struct_elements(reader, "/Figure")
    assert len(charts) == 17 and all(str(c.get("/Alt") or "").strip() for c in charts)


def test_recommendations_tables_are_table_1_and_table_2(quarto_build):
    # Each is the first table of its own page (HTML) and chapter (Typst) for Quarto; the book's
    # rule numbers them through the book.
    root, _ = quarto_build
    wanted = {"executive-summary": "Table 1: The recommendations in summary",
              "06-recommendations": "Table 2: First steps towards neighbourhood renewal"}
    for name, caption in wanted.items():
        page = parse_html((root / "_book" / "chapters" / f"{name}.html").read_text(encoding="utf-8"))
        captions = [squash(c.text()) for c in page.find_all("figcaption")]
        assert any(c.startswith(caption) for c in captions), captions
        assert caption in pdf_text(root / "_book" / PDF)
    chapter6 = parse_html((root / "_book" / "chapters" / "06-recommendations.html").read_text(encoding="utf-8"))
    assert "Table 2 sets out, for each recommendation" in squash(chapter6.find("main").text())
