"""The two engines' outputs, built from the same commit, state the same things: chapter titles,
figure numbers and captions, and the numbers in the prose (README, "Two engines", lists what
differs on purpose: page layout, navigation, note numbering)."""
from __future__ import annotations

import re

import pytest

from .bookview import embedded_chapters, pdf_figures, pdf_text, quarto_chapters

PDF = "breaking-the-cycle.pdf"


@pytest.fixture(scope="module")
def both(quarto_build, embedded_build):
    q_root, _ = quarto_build
    e_root, _ = embedded_build
    return (quarto_chapters(q_root / "_book", q_root), embedded_chapters(e_root / "_book" / "index.html"),
            q_root, e_root)


def test_same_chapter_titles(both):
    quarto, embedded, _, _ = both
    assert [c.title for c in quarto] == [c.title for c in embedded]
    assert len(quarto) == 14


def test_same_figure_numbers_and_captions(both):
    quarto, embedded, q_root, e_root = both
    assert [c.figures for c in quarto] == [c.figures for c in embedded]
    assert pdf_figures(pdf_text(q_root / "_book" / PDF)) == pdf_figures(pdf_text(e_root / "_book" / PDF))


def test_same_cross_references(both):
    quarto, embedded, _, _ = both
    # link text only: Quarto links a chapter page, the single page an anchor in itself
    assert [[t for _, t in c.xrefs] for c in quarto] == [[t for _, t in c.xrefs] for c in embedded]


def test_same_numbers_in_the_prose(both):
    quarto, embedded, _, _ = both
    for q, e in zip(quarto, embedded):
        assert q.numbers == e.numbers, (q.title, _first_difference(q.numbers, e.numbers))
    assert sum(len(c.numbers) for c in quarto) > 500  # the comparison saw the book's numbers


def test_same_numbers_in_the_pdf(both):
    """Both PDFs come from the same Typst partials, so their text agrees too: every number,
    page numbers and note markers included."""
    _, _, q_root, e_root = both
    q = re.findall(r"\d[\d,]*(?:\.\d+)?%?", pdf_text(q_root / "_book" / PDF))
    e = re.findall(r"\d[\d,]*(?:\.\d+)?%?", pdf_text(e_root / "_book" / PDF))
    assert q == e, _first_difference(q, e)


def _first_difference(a: list[str], b: list[str]) -> str:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"at {i}: {a[max(0, i - 5):i + 5]} vs {b[max(0, i - 5):i + 5]}"
    return f"lengths {len(a)} and {len(b)}"
