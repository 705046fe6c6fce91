"""Tables through Jinja: HTML, Typst and markdown, each escaped for its format.

A publication keeps its table templates in `templates/tables/` and renders them with
`render_html` / `render_typst` (a context of plain values) and `raw_block`. Pandoc copies raw
blocks into its output untouched, so the escaping done here is the only escaping the HTML and the
PDF get. Data only ever reaches a template as a variable's value, so template syntax in the data
is never parsed as template.
"""
from __future__ import annotations

import re
import string
from pathlib import Path

import jinja2

from report import paths

# The tool's own copies: used when a project (a test's tmp dir, say) has no templates/tables.
_SOURCE_TEMPLATES = Path(__file__).resolve().parents[3] / "templates" / "tables"


def clean(value: str | None) -> str:
    """Spreadsheets leave stray spaces and line breaks in cells; a table wants one line of text.

    Collapsing line breaks also means no cell can ever start a line of the generated markdown,
    so data cannot close a raw block's fence or start a list.
    """
    return re.sub(r"\s+", " ", value or "").strip()


def templates_dir(root: Path | None = None, template: str | None = None) -> Path:
    try:
        d = paths.templates_dir(root) / "tables"
    except paths.ProjectNotFound:
        return _SOURCE_TEMPLATES
    return d if template is None or (d / template).is_file() else _SOURCE_TEMPLATES


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

def _html_env(root, template) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir(root, template)),
        autoescape=True,  # every CSV value is escaped; the .j2 suffix would not trigger select_autoescape
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _typst_env(root, template) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir(root, template)),
        autoescape=False,
        finalize=_typst_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(template: str, root: Path | None = None, **context) -> str:
    """An HTML template from templates/tables, every value autoescaped."""
    return _html_env(root, template).get_template(template).render(**context)


def render_typst(template: str, root: Path | None = None, **context) -> str:
    """A Typst template from templates/tables; every printed value becomes a Typst string literal
    unless it is TypstCode."""
    return _typst_env(root, template).get_template(template).render(**context)
