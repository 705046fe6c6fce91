"""The parts of the single page that need no browser: a chart made inline SVG, the figure's HTML,
a drawing stored once, the PDF link, named note back-links and fonts subset to WOFF2."""
from __future__ import annotations

import io
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from matplotlib.figure import Figure

from report.engine import render_html as rh
from report.figures import web
from report.figures.api import svg_text

REPO = Path(__file__).resolve().parents[2]


def _drawing() -> str:
    fig = Figure(figsize=(3, 2))
    ax = fig.subplots()
    ax.plot([0, 1, 2], [1.123456, 2.5, 1.75], label="Doubly disadvantaged")
    ax.scatter([0.5, 1.5, 1.25], [2, 1.5, 2.25], s=4, color="#801650")
    ax.bar([0, 1], [1, 2], hatch="////")
    ax.set_title("A title & <more>")
    return svg_text(fig)


def test_inline_svg_keeps_text_as_text_with_its_own_ids():
    source = _drawing()
    svg = web.inline_svg(source, "chart-x-w", 'Alt "text"', "report-chart-wide")
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" id="chart-x-w" class="report-chart-wide"')
    assert 'role="img" aria-label="Alt &quot;text&quot;"' in svg
    assert "<text" in svg and "A title &amp; &lt;more&gt;" in svg  # text, escaped, not glyph paths
    assert "<metadata" not in svg and "<?xml" not in svg and "<style" not in svg
    # every id is the chart's own, and every reference finds one
    ids = re.findall(r'\sid="([^"]+)"', svg)
    assert all(i.startswith("chart-x-w") for i in ids)
    refs = re.findall(r'url\(#([^)]+)\)', svg) + re.findall(r'href="#([^"]+)"', svg)
    assert refs and set(refs) <= set(ids)
    # numbers rounded, scatter dots as one path of round caps
    assert not re.search(r"\d\.\d{3,}", re.sub(r">[^<]*<", "><", svg))
    assert "stroke-linecap:round" in svg
    assert svg.count("<use") == source.count("<use") - 3  # the three dots; tick marks stay <use>
    assert len(svg) < len(source) * 0.6


def test_polyline_is_relative_without_accumulating_rounding():
    d = "M 10.04 10.04 L 10.08 10.12 L 20.26 20.04 L 30.04 30.04 z"
    short = web._polyline(d)
    assert short.startswith("M10 10")
    # walk it back: every kept vertex is within 0.05 of the original, however long the path
    x = y = 0.0
    points = []
    for cmd, a, b in re.findall(r"([Mml])(-?[\d.]+)[ ]?(-?[\d.]+)", short):
        if cmd == "M":
            x, y = float(a), float(b)
        else:
            x, y = x + float(a), y + float(b)
        points.append((round(x, 1), round(y, 1)))
    assert points[-1] == (30.0, 30.0) and (20.3, 20.0) in points
    assert (10.1, 10.1) not in points  # under 0.3 pt from the last kept vertex: dropped
    assert web._polyline("M 0 0 C 1 1 2 2 3 3") is None  # curves keep absolute numbers


def test_figure_html_carries_data_table_csv_and_provenance():
    table = pd.DataFrame({"year": [2011, 2021], "area_type": ["A", "B & C"], "rate_pct": [1.5, 2.25],
                          "provenance": ["reconstructed", "derived"]})
    source = _drawing()
    out = web.figure_html(wide_svg=source, narrow_svg=source, alt="alt", table=table, filename="fig09-x.csv",
                          caption="Data for Figure 9: X", illustrative=True)
    assert re.match(r'<div class="report-chart" id="chart-[0-9a-f]{10}">', out)
    assert out.count("<svg") == 2 and 'class="report-chart-narrow"' in out
    csv = re.search(r'href="data:text/csv;charset=utf-8,([^"]+)" download="fig09-x.csv"', out)
    from urllib.parse import unquote

    assert unquote(csv.group(1)) == table.to_csv(index=False, lineterminator="\n")
    assert '<tr class="reconstructed">' in out and "<td>B &amp; C</td>" in out
    assert 'data-quarto-disable-processing="true"' in out  # Quarto leaves the table alone
    assert "includes illustrative values" in out and "not official statistics" in out
    repeat = web.figure_html(wide_svg=source, narrow_svg=source, alt="alt", table=table, filename="f.csv",
                             caption="c", illustrative=False, key="chart-fig01-fig03-map", repeat=True)
    assert repeat.startswith('<div class="report-chart" data-same-as="chart-fig01-fig03-map">')


def test_a_repeated_drawing_is_stored_once_only_when_the_first_is_in_the_book():
    source = _drawing()
    table = pd.DataFrame({"x": [1]})
    first = web.figure_html(wide_svg=source, narrow_svg=source, alt="a", table=table, filename="f.csv",
                            caption="c", illustrative=False, key="chart-k")
    again = web.figure_html(wide_svg=source, narrow_svg=source, alt="a", table=table, filename="f.csv",
                            caption="c", illustrative=False, key="chart-k", repeat=True)
    page = first + again
    stored = rh.store_once(page, {"chart-k"})
    assert stored.count("<text") == page.count("<text") / 2
    assert '<use href="#chart-k-w"/>' in stored and '<use href="#chart-k-n"/>' in stored
    assert stored.count('id="chart-k-w"') == 1
    assert rh.store_once(page, set()) == page  # the first is not in this book: both drawn


def test_pdf_link_absolute_with_a_site_url_and_explained_without():
    config = SimpleNamespace(downloads=["pdf"], output_file="the-book", raw={"book": {"site-url": "https://example.org/b/"}})
    assert rh.pdf_link(config) == ("https://example.org/b/the-book.pdf", "")
    config.raw = {"book": {}}
    href, note = rh.pdf_link(config)
    assert href == "the-book.pdf" and "site-url" in note and "on its own" in note
    config.downloads = []
    assert rh.pdf_link(config) is None


def test_note_back_links_are_named():
    page = '<a href="#fnref3" class="footnote-back" role="doc-backlink">↩︎</a>'
    assert 'aria-label="Back to the text of note 3"' in rh.name_back_links(page)


def test_fonts_subset_to_woff2_deterministically(tmp_path):
    font = REPO / "fonts" / "SourceSansPro-Regular.ttf"
    a = rh._subset_woff2(font, "Hello £–", None)
    b = rh._subset_woff2(font, "Hello £–", tmp_path)
    c = rh._subset_woff2(font, "Hello £–", tmp_path)  # from the cache
    assert a == b == c and a[:4] == b"wOF2"
    assert len(a) < font.stat().st_size / 10
    from fontTools.ttLib import TTFont

    cmap = TTFont(io.BytesIO(a)).getBestCmap()
    assert {ord(ch) for ch in "Hello £–"} <= set(cmap) and ord("Z") not in cmap


def test_the_page_furniture_names_no_element_the_preview_addresses():
    """The preview splits the page at <section> tags and finds header, nav and footer elements by
    position (report.preview.fastpath); the page's own scripts and styles must not spell those
    tags, or the split would go wrong and every edit would reload the page."""
    files = [rh.RESOURCES / "reader.js", rh.RESOURCES / "reader.css", rh.EXTENSION / "figures.js",
             rh.EXTENSION / "figures.css"]
    for f in files:
        found = re.findall(r"</?(?:section|header|nav|footer)\b", f.read_text(encoding="utf-8"), re.I)
        assert not found, (f.name, found)


def test_fonts_are_subset_beside_pandoc_and_filled_in_after(tmp_path):
    """The stylesheet pandoc embeds names each font by a placeholder; the page gets the WOFF2."""
    import base64

    fonts = rh.FontSubsets()
    try:
        font = REPO / "fonts" / "SourceSansPro-Regular.ttf"
        url = fonts.placeholder(font, "Hello", None)
        page = fonts.fill(f"<style>@font-face {{ src: url({url}) format(\"woff2\"); }}</style>")
        assert "report-font-" not in page
        data = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)\)", page).group(1))
        assert data == rh._subset_woff2(font, "Hello", None)
        # a page whose font URL pandoc changed is an error, not a page without its font
        with pytest.raises(rh.BuildError, match="font URL"):
            fonts.fill("<style></style>")
    finally:
        fonts.close()


@pytest.mark.parametrize("page", [
    '<img alt="" src="_report_fig/fig.svg">',
    "<img src='https://example.org/logo.png'>",
    '<link rel="stylesheet" href="book.css">',
    '<script src="extra.js"></script>',
    '<svg><image xlink:href="photo.jpg"/></svg>',
    '<style>body { background: url("paper.png"); }</style>',
])
def test_a_page_referring_to_a_file_is_embedded_by_pandoc(page):
    assert rh.needs_embedding(page)


def test_a_self_contained_page_needs_no_embedding():
    page = ('<style>@font-face { src: url(data:font/woff2;base64,AAAA) format("woff2"); }</style>'
            '<img src="data:image/png;base64,AAAA" alt="x"><svg><use href="#chart-w"/>'
            '<path clip-path="url(#p1)"/><image href="data:image/png;base64,AAAA"/></svg>'
            '<a href="data:text/csv;charset=utf-8,a%2Cb" download="d.csv">Data</a><a href="other.html">next</a>')
    assert rh.needs_embedding(page) is None
