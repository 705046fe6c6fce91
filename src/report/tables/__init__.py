"""Tables through Jinja, for any publication: templates in templates/tables, values escaped for
HTML, Typst and markdown (see report.tables.render). `report tables` renders the tables a project
declares under `report: tables:` in _quarto.yml."""
from __future__ import annotations

from report.tables.render import TypstCode, clean, md_escape, raw_block, render_html, render_typst, typst_string

__all__ = ["render_html", "render_typst", "raw_block", "md_escape", "typst_string", "clean", "TypstCode"]
