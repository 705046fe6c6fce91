"""Recommendations tables: `data/recommendations*.csv` -> Jinja -> raw HTML and raw Typst.

Chapters print these from a cell with `#| output: asis`:

    from report.tables import recommendations_table, numbered_recommendations
    print(recommendations_table())      # the Problem / Solution / Lever table
    print(numbered_recommendations())   # the executive summary's list, 1-7 with 7a-c
"""
from __future__ import annotations

from pathlib import Path

from report.tables.model import THEMES, Recommendations, load_recommendations
from report.tables.render import (DEFAULT_CAPTION, md_escape, raw_block, render_html, render_numbered,
                                  render_typst, typst_string)

__all__ = ["recommendations_table", "numbered_recommendations", "load_recommendations", "render_html",
           "render_typst", "render_numbered", "THEMES", "DEFAULT_CAPTION", "Recommendations"]


def recommendations_table(root: Path | None = None, caption: str | None = None) -> str:
    """Markdown holding the table twice, as a raw HTML block and a raw Typst block.

    Pandoc keeps only the raw block matching the output format, so each format gets its own.
    Raises DataValidationError (file, row, column, value, rule) when the CSV breaks its rules.
    """
    recs = load_recommendations(root)
    html = raw_block("html", render_html(recs, caption, root))
    typ = raw_block("typst", render_typst(recs, caption, root))
    # Blank lines around the blocks: asis output is pasted into the chapter's markdown.
    return f"\n\n{html}\n\n{typ}\n\n"


def numbered_recommendations(root: Path | None = None) -> str:
    """Markdown for the numbered recommendations, grouped under a lead-in per theme."""
    return f"\n\n{render_numbered(load_recommendations(root))}\n\n"
