"""The two engines' outputs, built from the same commit, state the same things: chapter titles,
figure numbers and captions, and the numbers in the prose (README, "Two engines", lists what
differs on purpose: page layout, navigation, note numbering)."""
from __future__ import annotations

import re
from collections import Counter

import pytest

from .bookview import book_files, embedded_chapters, pdf_figures, pdf_text, quarto_chapters, squash

PDF = "breaking-the-cycle.pdf"


@pytest.fixture(scope="module")
def both(quarto_build, embedded_build):
    q_root, _ = quarto_build
    e_root, _ = embedded_build
    return (quarto_chapters(q_root / "_book", q_root), embedded_chapters(e_root / "_book" / "index.html"),
            q_root, e_root)


def test_same_chapter_titles(both):
    quarto, embedded, q_root, _ = both
    assert [c.title for c in quarto] == [c.title for c in embedded]
    assert len(quarto) == len(book_files(q_root))


def test_same_figure_numbers_and_captions(both):
    quarto, embedded, q_root, e_root = both
    assert [c.figures for c in quarto] == [c.figures for c in embedded]
    # In the PDFs the numbers, in order (captions and the data appendix's headings): the words
    # after them may break over lines differently (Typst 0.14 and 0.15); the captions' text is
    # compared in HTML above and against the sources in test_quarto_book.
    def numbers(root):
        return [n for n, _ in pdf_figures(pdf_text(root / "_book" / PDF))]

    assert numbers(q_root) == numbers(e_root)
    assert numbers(q_root)[:17] == list(range(1, 18))


def test_same_cross_references(both):
    quarto, embedded, _, _ = both
    # link text only: Quarto links a chapter page, the single page an anchor in itself
    assert [[t for _, t in c.xrefs] for c in quarto] == [[t for _, t in c.xrefs] for c in embedded]


def test_same_numbers_in_the_prose(both):
    quarto, embedded, _, _ = both
    for q, e in zip(quarto, embedded):
        assert q.numbers == e.numbers, (q.title, _first_difference(q.numbers, e.numbers))
    assert sum(len(c.numbers) for c in quarto) > 250  # the comparison saw the book's numbers


def test_same_numbers_in_the_pdf(both):
    """Both PDFs come from the same Typst partials and state the same numbers. Quarto's kit runs
    Typst 0.14 and the engine the `typst` wheel's 0.15, whose line and page breaks can differ a
    little, moving a note or a chart to the next page: so the numbers are compared as a multiset,
    without the running footers and the contents page (page numbers)."""
    _, _, q_root, e_root = both
    q, e = pdf_numbers(q_root / "_book" / PDF), pdf_numbers(e_root / "_book" / PDF)
    assert sum(q.values()) > 400
    assert q == e, {"only in Quarto's": q - e, "only in the engine's": e - q}


def test_same_chart_alt_text_in_the_pdf(both):
    """Each chart in either PDF is described by the alt text figures.show() generates from its
    data: Quarto's Jupyter engine drops the alt text given with the output, so the report
    extension reads it back from the chart's SVG (typst-pdf.lua)."""
    from pypdf import PdfReader

    from pdf.pdfview import struct_elements  # tests/pdf

    _, _, q_root, e_root = both
    q, e = ([str(c.get("/Alt") or "") for c in struct_elements(PdfReader(root / "_book" / PDF), "/Figure")]
            for root in (q_root, e_root))
    assert len(e) == 17
    assert q == e
    assert e[0].startswith("Map with each of 1,305 doubly disadvantaged neighbourhoods")


def pdf_numbers(pdf) -> Counter:
    from pypdf import PdfReader

    numbers: Counter = Counter()
    for i, page in enumerate(PdfReader(pdf).pages):
        if i == 1:
            continue  # contents
        text = re.sub(r"Breaking the cycle \d+\s*$", "", squash(page.extract_text() or ""))
        numbers.update(re.findall(r"\d[\d,]*(?:\.\d+)?%?", text))
    return numbers


def _first_difference(a: list[str], b: list[str]) -> str:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"at {i}: {a[max(0, i - 5):i + 5]} vs {b[max(0, i - 5):i + 5]}"
    return f"lengths {len(a)} and {len(b)}"
