from __future__ import annotations

import pytest

from report import figures

from fig_support import needs_real_data


def test_line_alt_names_extremes_and_trend(frames, provenance):
    provenance("derived")
    alt = figures.alt_text(4, frames[4])
    assert alt.startswith("Line chart of real GVA per head, 2011–2021, for 3 area types.")
    assert "Doubly disadvantaged areas rise from £9,000" in alt and "the lowest throughout" in alt
    assert "non-deprived areas rise from £27,000 to £29,000, the highest throughout" in alt


def test_region_alt_names_highest_lowest_and_highlights(frames):
    alt = figures.alt_text(5, frames[5])
    assert "North East" in alt and "South West" in alt  # lowest and highest in the test data
    assert "East of England and London are highlighted" in alt


def test_alt_text_says_which_values_are_illustrative(frames, provenance):
    provenance("reconstructed")
    from report.figures.alt import ILLUSTRATIVE_ALL, ILLUSTRATIVE_SOME

    assert figures.alt_text(4, frames[4]).startswith(ILLUSTRATIVE_ALL)
    mixed = figures.alt_text(6, frames[6])  # 2011 illustrative, 2021 real
    assert mixed.startswith(ILLUSTRATIVE_SOME)
    assert "2011: doubly disadvantaged areas 8% (illustrative)" in mixed
    assert "2021: doubly disadvantaged areas 9%, " in mixed  # real values carry no flag


def test_bar_alt_lists_values(frames):
    alt = figures.alt_text(16, frames[16])
    assert ("All providers: doubly disadvantaged areas 17, other deprived areas 20, non-deprived areas 26. "
            "Good or outstanding providers: doubly disadvantaged areas 14, other deprived areas 17 (illustrative)") in alt
    alt14 = figures.alt_text(14, frames[14])
    assert "doubly disadvantaged areas 10.0%" in alt14 and "non-deprived areas 4.7%" in alt14


def test_many_bars_alt_summarises(frames):
    alt = figures.alt_text(7, frames[7])
    assert "Doubly disadvantaged areas: highest" in alt and "England:" in alt


def test_map_and_hierarchy_alt(frames):
    alt = figures.alt_text(1, frames[1])
    assert "45 doubly disadvantaged neighbourhoods" in alt
    assert "most are in South West (9)" in alt and "fewest in North East (1)" in alt
    assert "From the base up: Basic security" in figures.alt_text(2, frames[2])


@needs_real_data
@pytest.mark.parametrize("n", range(1, 18))
def test_every_figure_has_alt_text(n):
    alt = figures.alt_text(n)
    assert len(alt) > 80 and "nan" not in alt.lower().split()


def test_show_displays_svg_with_alt(frames, monkeypatch):
    shown = []
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append((a, k)))
    figures.show(8, frames[8])
    (args, kwargs), = shown
    assert args[0]["image/svg+xml"].lstrip().startswith("<?xml")
    assert kwargs["raw"] is True
    assert kwargs["metadata"]["image/svg+xml"]["fig-alt"] == figures.alt_text(8, frames[8])


def test_show_leaves_the_title_to_the_caption(frames):
    from fig_support import texts_by_gid

    assert "figure-title" not in texts_by_gid(figures.plot(4, frames[4], title=False))
    t = texts_by_gid(figures.plot(4, frames[4]))
    assert t["figure-title"] == figures.spec(4).title
