"""The build reports the PDF's page count, read by pypdf."""
from __future__ import annotations

import io

from pypdf import PdfWriter

from report.engine.render_typst import page_count


def test_the_page_count_is_the_pdfs(tmp_path):
    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(width=200, height=200)
    buf = io.BytesIO()
    writer.write(buf)
    path = tmp_path / "a.pdf"
    path.write_bytes(buf.getvalue())
    assert page_count(path) == 3
