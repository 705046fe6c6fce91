"""Each figure's structure checked against its data: series, points, bars, labels, notes."""
from __future__ import annotations

import re

import pandas as pd
import pytest
from matplotlib.patches import Rectangle

from report import figures
from report.figures.registry import unique_specs
from report.figures.builders import RECONSTRUCTED_NOTE
from report.figures.palette import category_colour

from fig_support import AREA_TYPES, ENGLAND, REGIONS, needs_real_data, package_provenance, texts_by_gid, unwrap

LINE_FIGS = [4, 5, 9, 11, 12]
BAR_FIGS = [6, 7, 8, 10, 13, 14, 15, 16]


def test_registry_covers_every_publication_figure():
    assert sorted(figures.REGISTRY) == list(range(1, 18))
    labels = [s.label for s in figures.REGISTRY.values()]
    assert len(set(labels)) == 17 and all(lab.startswith("fig-") for lab in labels)
    assert figures.spec(3).numbers == (1, 3) and figures.spec(17).numbers == (2, 17)
    assert figures.spec("fig-gva") is figures.REGISTRY[4]
    for s in figures.REGISTRY.values():
        assert s.title and s.measure and s.source
        assert len(s.title.split()) <= 10  # own short titles, not the publication's sentences


def test_lines_follow_the_vocabulary_order(frames):
    fig = figures.plot(4, frames[4])
    assert [l.get_gid() for l in fig.axes[0].lines] == [f"line-{a}" for a in AREA_TYPES]


@pytest.mark.parametrize("n", LINE_FIGS)
def test_line_figures(n, frames, provenance):
    s = figures.spec(n)
    df = frames[n]
    fig = figures.plot(n, df)
    series = s.opt("series")
    expected_series = list(AREA_TYPES if series == "area_type" else REGIONS)
    years = sorted(df[s.opt("x")].unique())
    panels = list(dict.fromkeys(df[s.opt("panels")])) if s.opt("panels") else [None]
    assert len(fig.axes) == len(panels)
    for ax, panel in zip(fig.axes, panels):
        lines = [l for l in ax.lines if (l.get_gid() or "").startswith("line-")]
        assert [l.get_label() for l in lines] == expected_series
        for l in lines:
            assert list(l.get_xdata()) == years
        if panel is not None:
            assert ax.get_title(loc="left").startswith(panel)
    assert fig.axes[0].get_ylabel() == s.opt("axis_label")
    if panels == [None]:
        end_labels = [t.get_text() for t in fig.axes[0].texts]
        assert end_labels == expected_series  # direct labels, one per line
    else:
        assert [t.get_text() for t in fig.legends[0].get_texts()] == expected_series
    t = texts_by_gid(fig)
    assert t["figure-title"] == s.title
    assert t["figure-measure"] == s.measure.replace("{years}", f"{years[0]}\u2013{years[-1]}")
    assert t["figure-source"] == f"Source: {s.source}."


def _bars(ax):
    return [p for c in ax.containers for p in c.patches]


@pytest.mark.parametrize("n", BAR_FIGS)
def test_bar_figures(n, frames, provenance):
    s = figures.spec(n)
    df = frames[n]
    fig = figures.plot(n, df)
    x = s.opt("x")
    t = texts_by_gid(fig)
    assert t["figure-title"] == s.title and t["figure-source"].startswith(f"Source: {s.source}.")
    assert fig.axes[0].get_ylabel() == s.opt("axis_label")
    if s.opt("panel_groups"):
        assert [ax.get_title(loc="left") for ax in fig.axes] == list(s.opt("panel_groups"))
        for ax in fig.axes:
            assert len(_bars(ax)) == len(AREA_TYPES)
            assert [unwrap(l.get_text()) for l in ax.get_xticklabels()] == list(AREA_TYPES)
        return
    ax = fig.axes[0]
    assert len(_bars(ax)) == len(df)  # one bar per row of data
    ticks = [unwrap(l.get_text()) for l in ax.get_xticklabels()]
    if x == "region":
        assert ticks == [*REGIONS, ENGLAND]  # England last, apart
        assert ax.get_xticklabels()[-1].get_fontweight() == "bold"
    elif x == "area_type":
        assert ticks == list(AREA_TYPES)
    else:
        values = sorted(df[x].unique()) if pd.api.types.is_numeric_dtype(df[x]) else df[x]
        assert ticks == [str(v) for v in dict.fromkeys(values)]  # numbers ascending, else data order
    if s.opt("series"):
        legend = [t.get_text() for t in fig.legends[0].get_texts()]
        mixed = "provenance" in df and df["provenance"].nunique() > 1 and (df["provenance"] == "reconstructed").any()
        assert legend == list(AREA_TYPES) + (["Illustrative"] if mixed else [])
        from matplotlib.colors import to_rgba
        for c in ax.containers:
            colour = to_rgba(category_colour(c.get_label()))
            for p in c.patches:
                # a hatched (illustrative) bar keeps its area type's colour in its outline
                assert (p.get_edgecolor() if p.get_hatch() else p.get_facecolor()) == colour
    wanted = s.opt("value_labels")
    if wanted:
        # labelled: the listed groups (or all), never a bar drawn from reconstructed data
        shown = df if wanted is True else df[df[x].isin(wanted)]
        if "provenance" in shown:
            shown = shown[shown["provenance"] != "reconstructed"]
        assert len([t for t in ax.texts if t.get_text()]) == len(shown)


def test_health_panels_sum_categories(frames):
    table = figures.figure_data(14, frames[14])
    bad_dd = table[(table["panel"].str.startswith("B")) & (table["area_type"] == AREA_TYPES[0])]["share_pct"]
    assert bad_dd.item() == pytest.approx(10.0)
    fig = figures.plot(14, frames[14])
    labels = [t.get_text() for t in fig.axes[1].texts]
    assert labels == ["10.0%", "8.0%", "4.7%"]


def test_childcare_labels_only_the_values_the_publication_states(frames):
    fig = figures.plot(16, frames[16])
    by_series = {c.get_label(): list(c.datavalues) for c in fig.axes[0].containers}
    labels = sorted(t.get_text() for t in fig.axes[0].texts if t.get_text())
    assert labels == sorted(["17", "20", "26", "14"])  # whole numbers; no label on the two illustrative bars
    assert by_series["Doubly disadvantaged"] == [17, 14]  # all providers, then good or outstanding


def test_mixed_chart_hatches_illustrative_bars_and_says_so(frames):
    from report.figures.builders import HATCH, ILLUSTRATIVE_BADGE, MIXED_NOTE

    fig = figures.plot(6, frames[6])  # 2011 illustrative, 2021 real
    bars = {c.get_label(): c.patches for c in fig.axes[0].containers}
    for patches in bars.values():
        assert [p.get_hatch() for p in patches] == [HATCH, None]  # 2011 hatched, 2021 plain
    t = texts_by_gid(fig)
    assert t["figure-badge"] == ILLUSTRATIVE_BADGE.upper()
    assert t["figure-source"].endswith(MIXED_NOTE["bars"])
    assert [x.get_text() for x in fig.legends[0].get_texts()][-1] == "Illustrative"
    # value labels on the real bars only
    assert [x.get_text() for x in fig.axes[0].texts if x.get_text()] == ["9%", "10%", "11%"]


def test_real_chart_has_no_badge(frames):
    fig = figures.plot(13, frames[13].assign(provenance="derived"))
    assert "figure-badge" not in texts_by_gid(fig)
    assert all(p.get_hatch() is None for c in fig.axes[0].containers for p in c.patches)


def test_map(frames, provenance):
    fig = figures.plot(1, frames[1])
    map_ax, bar_ax = fig.axes
    assert len([p for p in map_ax.patches if (p.get_gid() or "").startswith("region-")]) == len(REGIONS)
    pts = map_ax.collections[0]
    assert pts.get_gid() == "lsoa-points" and len(pts.get_offsets()) == len(frames[1]["points"])
    assert [t.get_text() for t in bar_ax.get_yticklabels()] == list(REGIONS)
    assert [t.get_text() for t in bar_ax.texts] == [str(i + 1) for i in range(len(REGIONS))]
    assert figures.plot(3, frames[1]).axes[1].get_yticklabels()[0].get_text() == REGIONS[0]


def test_hierarchy(frames):
    fig = figures.plot(17, frames[2])
    levels = [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]
    assert len(levels) == 4
    widths = [p.get_width() for p in sorted(levels, key=lambda p: p.get_y())]
    assert widths == sorted(widths, reverse=True)  # a pyramid: the base is widest
    words = " ".join(t.get_text().replace("\n", " ") for t in fig.axes[0].texts)
    for title in frames[2]["title"]:
        assert title in words


def test_reconstructed_label_follows_provenance(frames, provenance):
    provenance("reconstructed")
    t = texts_by_gid(figures.plot(4, frames[4]))
    assert t["figure-source"].endswith(RECONSTRUCTED_NOTE) and t["figure-source"].startswith("Source: ONS small area")
    assert "figure-badge" in t
    provenance("derived")
    t = texts_by_gid(figures.plot(4, frames[4]))
    assert RECONSTRUCTED_NOTE not in t["figure-source"] and "figure-badge" not in t


def test_caller_axes(frames):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert figures.plot(4, frames[4], ax=ax) is fig
    assert len(ax.lines) == 3 and not fig.texts  # no title/source on someone else's figure
    fig, axs = plt.subplots(1, 2)
    figures.plot(9, frames[9], ax=axs)
    with pytest.raises(ValueError, match="2 panel"):
        figures.plot(9, frames[9], ax=ax)


# --- with the real data package ---------------------------------------------------------------

@needs_real_data
@pytest.mark.parametrize("n", [s.number for s in unique_specs()])
def test_real_data_draws(n):
    s = figures.spec(n)
    fig = figures.plot(n)
    table = figures.figure_data(n)
    assert len(table) > 0
    src = texts_by_gid(fig)["figure-source"]
    reconstructed = "provenance" in table and (table["provenance"] == "reconstructed").any() or (
        "provenance" not in table and any(package_provenance().get(n) == "reconstructed" for n in s.datasets.values()))
    assert (RECONSTRUCTED_NOTE in src) == reconstructed
    assert ("figure-badge" in texts_by_gid(fig)) == reconstructed
    if s.kind == "lines" and not s.opt("panels"):
        data = figures.load_data(s)
        assert len(fig.axes[0].lines) == data[s.opt("series")].nunique()
        assert len(fig.axes[0].lines[0].get_xdata()) == data[s.opt("x")].nunique()
    if s.kind == "bars" and not s.opt("panels"):
        assert len(_bars(fig.axes[0])) == len(table)


@pytest.mark.parametrize("n", [2, 4, 10])
def test_the_print_drawing_is_the_web_pages(n, frames, provenance):
    # show() makes one page-size SVG for the PDF and the web page; handed to the web figure it must
    # give what a fresh drawing there gives, and its text is text (Typst sets it in the house font).
    from report.figures.api import svg_text, web_html

    s = figures.spec(n)
    fig = figures.plot(n, frames[n], title=False)
    svg = svg_text(fig, "alt")
    assert "<text" in svg and "<dc:description>alt</dc:description>" in svg
    # the chart's id hashes its source, which here carries the alt text as well
    same = [re.sub(r"chart-[0-9a-f]{10}", "chart-id", page)
            for page in (web_html(s, frames[n], False, "alt", page_svg=svg), web_html(s, frames[n], False, "alt"))]
    assert same[0] == same[1] and "chart-id" in same[0]


@pytest.mark.parametrize("n", [1, 2, 4, 6])  # one of each kind: map, hierarchy, lines, bars
def test_the_book_drawings_share_one_preparation_and_match_separate_ones(n, frames, provenance):
    # book_drawings prepares the data once for the page and phone drawings, the alt text and the
    # data table; the drawings only read it, so each part is what it is when prepared on its own.
    from report.figures.api import alt_text, book_drawings, svg_text, web_html

    s = figures.spec(n)
    svg, alt, page = book_drawings(s, frames[n], False, None)
    assert alt == alt_text(n, frames[n])
    assert svg == svg_text(figures.plot(n, frames[n], title=False), alt)
    assert page == web_html(s, frames[n], False, alt, page_svg=svg)

