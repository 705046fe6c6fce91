"""Numbers carry their provenance through arithmetic; the text can print only real or stated ones."""
import numpy as np
import pandas as pd
import pytest

from report import fmt
from report.claims import claim
from report.inline import check
from report.provenance import ProvenanceError, Value, combine, track

REAL = Value(45.84, "derived", "census2021_outcomes.csv line 12")
STATED = Value(17, "publication", "fig16_childcare.csv line 2")
MADE_UP = Value(44.1, "reconstructed", "fig10_inactivity.csv line 2")


def test_worst_provenance_wins():
    assert combine("publication", "derived") == "derived"
    assert combine("derived", "reconstructed", "publication") == "reconstructed"


@pytest.mark.parametrize("expr", [
    lambda: REAL - MADE_UP, lambda: MADE_UP / REAL, lambda: 100 * (REAL / MADE_UP - 1),
    lambda: round(MADE_UP, 1), lambda: abs(-MADE_UP), lambda: max(MADE_UP, 0) + 1, lambda: 1 - MADE_UP,
])
def test_one_line_of_arithmetic_keeps_the_taint(expr):
    out = expr()
    assert isinstance(out, Value) and out.provenance == "reconstructed"
    assert out.source == "fig10_inactivity.csv line 2"
    with pytest.raises(ProvenanceError, match="fig10_inactivity.csv line 2"):
        fmt.pct(out)


def test_real_and_stated_numbers_print():
    assert fmt.pct(REAL) == "45.8%"
    assert fmt.num(STATED) == "17"
    assert fmt.pp(REAL - Value(38.5, "derived")) == "7.3 percentage points"
    assert fmt.year(Value(2021, "derived")) == "2021"


@pytest.mark.parametrize("plain", [47.6, np.float64(47.6), np.int64(2018), 3])
def test_plain_numbers_are_refused(plain):
    with pytest.raises(ProvenanceError, match="no provenance"):
        fmt.pct(plain)
    with pytest.raises(ProvenanceError, match="no provenance"):
        check(plain, "x")


def test_inline_check_refuses_digits_that_did_not_come_through_fmt():
    check(fmt.pct(REAL), "pct(x)")
    check(claim(True, "holds"), "claim(...)")
    check("three times", "words")
    check(REAL, "x")
    with pytest.raises(ProvenanceError, match="did not come through"):
        check(f"{MADE_UP:.1f}%", "f-string")
    with pytest.raises(ProvenanceError, match="reconstructed"):
        check(MADE_UP, "x")


def test_tracked_frame_tags_rows_and_years():
    df = pd.DataFrame({"year": [2011, 2011, 2021, 2021], "area": ["A", "B", "A", "B"],
                       "v": [1.0, 2.0, 3.0, 5.0],
                       "provenance": ["reconstructed", "reconstructed", "derived", "derived"]})
    t = track(df, "toy.csv")
    wide = t.pivot(index="year", columns="area", values="v")
    assert wide.loc[2021, "A"].provenance == "derived"
    assert wide.loc[2011, "B"].source == "toy.csv line 3"
    # growth from a reconstructed base year is reconstructed
    assert (wide.loc[2021] / wide.loc[2011] - 1)["A"].provenance == "reconstructed"
    # a year picked by comparing values carries the provenance of the row it came from
    peak = t[t.area == "B"].set_index("year")["v"].astype(float).idxmax()
    assert peak.provenance == "derived"
    assert t[t.year == 2011]["year"].iloc[0].provenance == "reconstructed"


def test_track_refuses_unknown_provenance():
    df = pd.DataFrame({"v": [1.0], "provenance": ["guessed"]})
    with pytest.raises(ProvenanceError, match="guessed"):
        track(df, "toy.csv")
