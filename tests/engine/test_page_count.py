"""The PDF page count comes from the xref table of Typst's PDF, pypdf counting anything else."""
from __future__ import annotations

import io
import re

from pypdf import PdfReader, PdfWriter

from report.engine.render_typst import _page_count_from_xref, page_count


def test_typst_pdf_is_counted_from_its_xref_table(built_book):
    pdf = built_book[0] / "_book" / "fixture-book.pdf"
    data = pdf.read_bytes()
    assert _page_count_from_xref(data) == len(PdfReader(pdf).pages) > 1
    assert page_count(pdf) == len(PdfReader(pdf).pages)


def blank_pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_other_pdfs_fall_back_to_pypdf(tmp_path):
    data = blank_pdf(3)
    path = tmp_path / "a.pdf"
    path.write_bytes(data)
    assert page_count(path) == 3
    # startxref pointing at the wrong place: the table lookup gives up, pypdf rebuilds the xref
    broken = re.sub(rb"startxref\s+\d+", b"startxref\n9", data)
    path.write_bytes(broken)
    assert _page_count_from_xref(broken) is None
    assert page_count(path) == 3
    # an incremental update (/Prev in the trailer): the last table is not the whole story
    updated = data + b"\nxref\n0 1\n0000000000 65535 f \ntrailer\n<</Size 1/Root 1 0 R/Prev 9>>\nstartxref\n" + \
        str(len(data) + 1).encode() + b"\n%%EOF\n"
    assert _page_count_from_xref(updated) is None
