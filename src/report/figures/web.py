"""A figure for web pages: the chart as inline SVG whose text is text, drawn at the page's size
and at a phone's, with its data as a table and a CSV link.

`figures.show(n)` displays this as the `text/html` of its output, beside the SVG image the PDF
uses. Quarto's HTML takes `text/html` before images (its display priority); the embedded engine
does the same for HTML. Everything here is plain markup: it reads without script, and the
extension's figures.js adds the enlarge button.

Inline SVG shares the page's ids and fonts, so each drawing's ids are prefixed with the chart's
key, unreferenced ids are dropped and numbers are rounded (0.01 pt is far below a pixel). The
text is set in the page's Source Sans Pro, the font matplotlib measured it with.
"""
from __future__ import annotations

import hashlib
import html
import re
import urllib.parse

import pandas as pd

FONT_STACK = "'Source Sans Pro', 'Source Sans 3', sans-serif"


_NUMBER = re.compile(r"-?\d+\.\d{3,}")
_TAG = re.compile(r"<[^<>]+>")


def _round(match: re.Match) -> str:
    text = f"{float(match.group(0)):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _num(v: int) -> str:
    """Tenths of a point as the shortest decimal: 12 -> 1.2, -3 -> -.3, 40 -> 4."""
    text = f"{abs(v) / 10:.1f}".rstrip("0").rstrip(".")
    if text.startswith("0."):
        text = text[1:]
    return ("-" if v < 0 else "") + (text or "0")


def _polyline(d: str) -> str | None:
    """A path of straight lines (outlines, chart lines) in relative moves of tenths of a point,
    computed from rounded absolute positions so rounding never accumulates; vertices less than
    0.3 pt from the last one kept are dropped (region outlines carry thousands of them)."""
    if re.search(r"[A-DF-KN-Ya-df-km-y]", d):
        return None  # curves and arcs keep their absolute numbers
    tokens = re.findall(r"[MLZz]|-?[\d.]+(?:e-?\d+)?", d)
    if not tokens or len([t for t in tokens if not t.isalpha()]) % 2:
        return None
    out, i, cur, start, cmd = [], 0, (0, 0), (0, 0), None
    while i < len(tokens):
        t = tokens[i]
        if t in ("Z", "z"):
            out.append("z")
            cur, cmd, i = start, None, i + 1
            continue
        if t in ("M", "L"):
            cmd, i = t, i + 1
            continue
        if cmd is None or i + 1 >= len(tokens):
            return None
        x, y = round(float(tokens[i]) * 10), round(float(tokens[i + 1]) * 10)
        i += 2
        if cmd == "M":
            out.append(f"M{_num(x)} {_num(y)}" if not out else f"m{_num(x - cur[0])} {_num(y - cur[1])}")
            cur = start = (x, y)
            cmd = "L"
            continue
        last_vertex = i >= len(tokens) or tokens[i] in ("Z", "z", "M")
        if abs(x - cur[0]) + abs(y - cur[1]) < 3 and not last_vertex:
            continue
        dx, dy = x - cur[0], y - cur[1]
        out.append(f"l{_num(dx)}{'' if dy < 0 else ' '}{_num(dy)}")
        cur = (x, y)
    return "".join(out)


def _squeeze_tag(tag: str) -> str:
    d = re.search(r'\sd="([^"]*)"', tag)
    if d:
        short = _polyline(d.group(1))
        if short is not None:
            tag = tag[:d.start(1)] + short + tag[d.end(1):]
    tag = _NUMBER.sub(_round, tag)
    tag = re.sub(r"\s+", " ", tag)
    tag = re.sub(r'\s*transform="rotate\(-?0(?: [\d.\-]+ [\d.\-]+)?\)"', "", tag)
    # every text is in the house font, named once on the <svg>
    tag = re.sub(r"font-family: [^;\"]*;? ?", "", tag)
    return tag.replace(' style=""', "").replace("; \"", "\"")


def _dots(svg: str) -> str:
    """Scatter markers (one <use> per dot, the map's 1,300 neighbourhoods) as one path of
    zero-length strokes with round caps: the same dots in a fifth of the bytes."""
    marker = {}
    for m in re.finditer(r'<path id="([^"]+)" d="M 0 ([\d.]+)\s+C[^"]*"', svg):
        marker[m.group(1)] = float(m.group(2))  # matplotlib's circle marker starts at (0, r)

    def run(m: re.Match) -> str:
        uses = re.findall(r'<use xlink:href="#([^"]+)" x="([\d.\-]+)" y="([\d.\-]+)" style="([^"]*)"\s*/>', m.group(0))
        if not uses or len({(u[0], u[3]) for u in uses}) != 1 or uses[0][0] not in marker:
            return m.group(0)
        r = marker[uses[0][0]]
        style = dict(part.split(":", 1) for part in uses[0][3].replace(" ", "").split(";") if ":" in part)
        d = "".join(f"M{float(x):.1f} {float(y):.1f}h0" for _, x, y, _ in uses)
        return (f'<path d="{d}" style="fill:none;stroke:{style.get("fill", "#000")};'
                f'stroke-opacity:{style.get("fill-opacity", "1")};stroke-width:{2 * r:.2f};stroke-linecap:round"/>')

    return re.sub(r'(?:<use xlink:href="#[^"]+" x="[^"]+" y="[^"]+" style="[^"]*"\s*/>\s*){2,}', run, svg)


def inline_svg(source: str, prefix: str, label: str, cls: str) -> str:
    """matplotlib's SVG document made an element for an HTML page (see the module's docstring)."""
    svg = source[source.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    # matplotlib's <style>*{stroke-linejoin: round; stroke-linecap: butt}</style> would be a rule
    # for the whole page once inline; the same said as inherited attributes of this drawing
    svg = re.sub(r"<defs>\s*<style[^>]*>[^<]*</style>\s*</defs>", "", svg)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    svg = _dots(svg)
    referenced = set(re.findall(r'url\(#([^)]+)\)', svg)) | set(re.findall(r'xlink:href="#([^"]+)"', svg))

    def ident(m: re.Match) -> str:
        return f' id="{prefix}-{m.group(1)}"' if m.group(1) in referenced else ""

    svg = re.sub(r'\sid="([^"]*)"', ident, svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", svg)
    svg = re.sub(r'xlink:href="#([^"]+)"', lambda m: f'href="#{prefix}-{m.group(1)}"', svg)
    # the font list matplotlib laid the text out with, said once for the whole drawing
    family = re.search(r"font-family: ([^;\"]+)", svg)
    family = family.group(1).strip().replace('"', "'") if family else FONT_STACK
    svg = _TAG.sub(lambda m: _squeeze_tag(m.group(0)), svg)
    svg = re.sub(r">\s+<", "><", svg).strip()
    # matplotlib wraps every artist in a <g> that only carried its id
    while True:
        shorter = re.sub(r"<g/>|<g>((?:(?!<g[ >/]|</g>).)*)</g>", r"\1", svg, flags=re.S)
        if shorter == svg:
            break
        svg = shorter
    view = re.search(r'viewBox="([^"]+)"', svg).group(1)
    width, height = (float(v) for v in view.split()[2:])
    opening = (f'<svg xmlns="http://www.w3.org/2000/svg" id="{prefix}" class="{cls}" viewBox="{view}" '
               # natural size in CSS px (the drawing's points at 96/72), the widest it is shown
               f'width="{width * 4 / 3:.0f}" height="{height * 4 / 3:.0f}" '
               f'font-family="{family}" stroke-linejoin="round" role="img" aria-label="{html.escape(label, quote=True)}">')
    return opening + svg[svg.index(">") + 1:]


def _cell(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return html.escape(str(value))


def _heading(column: str) -> str:
    return column.replace("_", " ").capitalize()


def data_table(table: pd.DataFrame, caption: str) -> str:
    """The chart's data as an HTML table, each row's provenance in its own column."""
    numeric = [pd.api.types.is_numeric_dtype(table[c]) for c in table.columns]
    num_cls = ' class="num"'
    head = "".join(f'<th scope="col"{num_cls if num else ""}>{html.escape(_heading(c))}</th>'
                   for c, num in zip(table.columns, numeric))
    rows = []
    for rec in table.itertuples(index=False):
        cells = "".join(f'<td{num_cls if num else ""}>{_cell(v)}</td>' for v, num in zip(rec, numeric))
        illustrative = "provenance" in table.columns and getattr(rec, "provenance") == "reconstructed"
        rows.append(f'<tr class="reconstructed">{cells}</tr>' if illustrative else f"<tr>{cells}</tr>")
    # data-quarto-disable-processing: Quarto would otherwise turn a raw HTML table into a pandoc
    # table of the page (and number or restyle it).
    return (f'<table class="report-chart-data" data-quarto-disable-processing="true">'
            f"<caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def csv_link(table: pd.DataFrame, filename: str) -> str:
    """A link that saves the chart's data, carried in the link itself (works offline)."""
    text = table.to_csv(index=False, lineterminator="\n")
    href = "data:text/csv;charset=utf-8," + urllib.parse.quote(text, safe=" ,.-_()/:'")
    href = href.replace(" ", "%20")
    size = len(text.encode("utf-8"))
    shown = f"{size / 1024:.0f} KB" if size >= 1024 else f"{size} bytes"
    return (f'<a class="report-chart-csv" href="{href}" download="{html.escape(filename)}">'
            f'Data <span class="report-chart-meta">(CSV, {shown})</span></a>')


def figure_html(*, wide_svg: str, narrow_svg: str, alt: str, table: pd.DataFrame, filename: str,
                caption: str, illustrative: bool, key: str | None = None, repeat: bool = False) -> str:
    """The figure's body for HTML (see the module's docstring).

    `key` names a drawing the publication prints more than once (Figures 1 and 3): the first
    carries it as its id, a `repeat` points at it with `data-same-as`, and the single-file page
    keeps one copy of the drawing (report.engine.render_html). Without a key, one is made from
    the content, so ids stay unique on a page."""
    table_html = data_table(table, caption)
    if key is None:
        key = "chart-" + hashlib.sha256((wide_svg + narrow_svg + table_html).encode("utf-8")).hexdigest()[:10]
        repeat = False
    wide = inline_svg(wide_svg, f"{key}-w", alt, "report-chart-wide")
    narrow = inline_svg(narrow_svg, f"{key}-n", alt, "report-chart-narrow")
    marker = f'data-same-as="{key}"' if repeat else f'id="{key}"'
    note = ("<p>Rows whose provenance is <em>reconstructed</em> are illustrative values, set to match "
            "what the publication states, not official statistics.</p>") if illustrative else ""
    return (f'<div class="report-chart" {marker}>'
            f'<div class="report-chart-art">{wide}{narrow}</div>'
            f'<div class="report-chart-tools">{csv_link(table, filename)}</div>'
            f'<details class="report-chart-details"><summary>Data table{" (includes illustrative values)" if illustrative else ""}</summary>'
            f'{note}<div class="report-table-scroll" tabindex="0" role="group" aria-label="{html.escape(caption, quote=True)}">'
            f"{table_html}</div></details></div>")


