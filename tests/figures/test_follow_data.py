"""Figures follow the data: new years/categories appear, missing ones are errors."""
from __future__ import annotations

import pandas as pd
import pytest

from report import figures
from report.figures import FigureDataError
from fig_support import AREA_TYPES


def test_new_year_adds_a_point(frames):
    df = frames[4]
    before = figures.plot(4, df)
    n0 = len(before.axes[0].lines[0].get_xdata())
    extra = pd.DataFrame({"year": 2022, "area_type": list(AREA_TYPES), "gva_per_capita_gbp": [1.0, 2.0, 3.0]})
    after = figures.plot(4, pd.concat([df, extra], ignore_index=True))
    for line in after.axes[0].lines:
        assert len(line.get_xdata()) == n0 + 1 and line.get_xdata()[-1] == 2022
    assert after.axes[0].get_xticks()[-1] == 2022
    assert "2011–2022" in figures.alt_text(4, pd.concat([df, extra], ignore_index=True))


def test_new_census_year_adds_a_group(frames):
    df = frames[10]
    extra = pd.DataFrame({"census_year": 2031, "area_type": list(AREA_TYPES), "inactivity_rate_pct": [1.0, 2.0, 3.0]})
    fig = figures.plot(10, pd.concat([df, extra], ignore_index=True))
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["2011", "2021", "2031"]


def test_unknown_extra_category_is_appended(frames):
    df = frames[8]
    extra = pd.DataFrame({"area_type": ["Coastal"], "job_access_score": [50.0]})
    fig = figures.plot(8, pd.concat([df, extra], ignore_index=True))
    ticks = [" ".join(t.get_text().split()) for t in fig.axes[0].get_xticklabels()]
    assert ticks == [*AREA_TYPES, "Coastal"]


@pytest.mark.parametrize("n", [4, 6, 8, 9, 13, 14, 16])
def test_missing_area_type_raises(n, frames):
    df = frames[n]
    with pytest.raises(FigureDataError, match=rf"{figures.spec(n).dataset}.*Other deprived"):
        figures.plot(n, df[df["area_type"] != "Other deprived"])


@pytest.mark.parametrize("n", [5, 7, 12])
def test_missing_region_raises(n, frames):
    df = frames[n]
    with pytest.raises(FigureDataError, match="London"):
        figures.plot(n, df[df["region"] != "London"])


def test_missing_england_total_raises(frames):
    df = frames[7]
    with pytest.raises(FigureDataError, match="England"):
        figures.plot(7, df[df["region"] != "England"])


def test_gap_in_a_series_raises(frames):
    df = frames[4]
    gap = df[~((df["year"] == 2015) & (df["area_type"] == AREA_TYPES[0]))]
    with pytest.raises(FigureDataError, match="2015"):
        figures.plot(4, gap)


def test_duplicate_rows_raise(frames):
    df = frames[8]
    with pytest.raises(FigureDataError, match="more than one row"):
        figures.plot(8, pd.concat([df, df.iloc[[0]]], ignore_index=True))


def test_missing_column_and_missing_panel(frames):
    with pytest.raises(FigureDataError, match="missing column"):
        figures.plot(4, frames[4].rename(columns={"gva_per_capita_gbp": "gva"}))
    df = frames[9]
    with pytest.raises(FigureDataError, match="Youth unemployment rate"):
        figures.plot(9, df[df["measure"] != "Youth unemployment rate"])
    h = frames[14]
    with pytest.raises(FigureDataError, match="Bad or very bad health"):
        figures.plot(14, h[h["health"] != "Bad or very bad health"])


def test_missing_region_on_map_raises(frames):
    m = dict(frames[1])
    m["summary"] = m["summary"][m["summary"]["region"] != "North East"]
    with pytest.raises(FigureDataError, match="North East"):
        figures.plot(1, m)


def test_figure_data_is_in_drawing_order(frames):
    shuffled = frames[4].sample(frac=1, random_state=1)
    table = figures.figure_data(4, shuffled)
    assert table["area_type"].tolist()[:: len(table) // 3] == list(AREA_TYPES)
    assert table["year"].is_monotonic_increasing is False  # grouped by area type, then year
    assert table.groupby("area_type", sort=False)["year"].apply(lambda s: s.is_monotonic_increasing).all()
