"""Render the recommendations through Jinja: HTML, Typst and markdown, each escaped for its format.

Pandoc copies raw blocks into its output untouched, so the escaping done here is the only
escaping the HTML and the PDF get. CSV text only ever reaches a template as a variable's value,
so template syntax in the data is never parsed as template.
"""
from __future__ import annotations

import re
import string
from pathlib import Path

import jinja2

from report import paths
from report.tables.model import Recommendations, clean

DEFAULT_CAPTION = "Table of recommendations: first steps for neighbourhood renewal"
HEADINGS = ("Problem", "Solution", "Lever")
HTML_TEMPLATE = "recommendations.html.j2"
TYPST_TEMPLATE = "recommendations.typ.j2"

# The source tree's templates: used when a data root (a test's tmp dir, say) has none of its own.
_SOURCE_TEMPLATES = Path(__file__).resolve().parents[3] / "templates" / "tables"


def templates_dir(root: Path | None = None) -> Path:
    try:
        d = paths.templates_dir(root) / "tables"
    except paths.ProjectNotFound:
        return _SOURCE_TEMPLATES
    return d if (d / HTML_TEMPLATE).is_file() else _SOURCE_TEMPLATES


# --- Typst -----------------------------------------------------------------------------------

class TypstCode(str):
    """Typst source the template may emit as is; everything else is turned into a string literal."""


_TYPST_STRING_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def typst_string(value) -> str:
    """A Typst string literal holding `value`.

    In a string, only the backslash and the double quote are special (plus control characters,
    which `clean` removes anyway), so `#`, `$`, `*`, `_`, `@`, `[`, `]`, `<` and friends all come out
    as plain text: nothing in the data is ever read as markup or code.
    """
    return '"' + "".join(_TYPST_STRING_ESCAPES.get(c, c) for c in str(value)) + '"'


def _typst_finalize(value):
    if isinstance(value, TypstCode):
        return value
    if value is None:
        raise ValueError("a Typst template printed None")
    return typst_string(value)


# --- Markdown --------------------------------------------------------------------------------

# Pandoc lets a backslash escape any ASCII punctuation. These few are left alone because they
# do nothing mid-line in pandoc markdown, and the text never starts a line.
_MD_PLAIN = set(",;?()")
_MD_SPECIAL = {c for c in string.punctuation if c not in _MD_PLAIN}


def md_escape(value) -> str:
    """Pandoc-markdown text that reads back as exactly `value`: no emphasis, math, citations,
    links, raw HTML, shortcodes or smart-quote/dash rewriting."""
    return "".join("\\" + c if c in _MD_SPECIAL else c for c in clean(str(value)))


def raw_block(fmt: str, body: str) -> str:
    """A pandoc raw block; the fence is longer than any run of backticks in the body."""
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{{={fmt}}}\n{body.rstrip()}\n{fence}"


# --- Environments ----------------------------------------------------------------------------

def _html_env(root) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir(root)),
        autoescape=True,  # every CSV value is escaped; the .j2 suffix would not trigger select_autoescape
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _typst_env(root) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir(root)),
        autoescape=False,
        finalize=_typst_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(recs: Recommendations, caption: str | None = None, root: Path | None = None) -> str:
    return _html_env(root).get_template(HTML_TEMPLATE).render(
        recs=recs, caption=clean(caption or DEFAULT_CAPTION), headings=HEADINGS)


def render_typst(recs: Recommendations, caption: str | None = None, root: Path | None = None) -> str:
    return _typst_env(root).get_template(TYPST_TEMPLATE).render(
        recs=recs, caption=clean(caption or DEFAULT_CAPTION), headings=HEADINGS)


def render_numbered(recs: Recommendations) -> str:
    """The executive summary's numbered list as pandoc markdown, one bold lead-in per theme.

    Each theme's list starts at its first number (pandoc's `startnum`), and lever actions become
    a nested a., b., c. list, so the numbering matches the publication's 1-7 with 7a-c.
    """
    blocks = []
    for group in recs.groups:
        if not group.items:
            continue
        blocks.append(f"**{md_escape(group.theme)}:**")
        lines = []
        for item in group.items:
            marker = f"{item.number}."
            lines.append(f"{marker} {md_escape(item.text)}")
            indent = " " * (len(marker) + 1)
            # No blank lines around the sub-list: they would make pandoc render the list loose.
            lines += [f"{indent}{string.ascii_lowercase[k]}. {md_escape(a)}" for k, a in enumerate(item.actions)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
