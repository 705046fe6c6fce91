"""Census 2021 outcomes follow the raw ONS files.

The expected values here are recomputed from the raw files with the csv module and this file's
own reading of the tables (columns picked by what their headers say), not with the pipeline's
code, then compared with every row `report data` wrote.
"""
from __future__ import annotations

import csv
import math
from collections import defaultdict
from pathlib import Path

import pytest
from data_support import RAW

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
CENSUS = "census2021"
ENGLAND, ALL = "England", "All areas"
DD, OD, ND = "Doubly disadvantaged", "Other deprived", "Non-deprived"

# England checks the census README lists (all LSOAs), at its precision: measure, category, value, dp.
README_CHECKS = [
    ("health", "Bad or very bad health", 5.15, 2),
    ("economically_inactive", "Economically inactive", 39.1, 1),
    ("inactive_long_term_sick_or_disabled", "Long-term sick or disabled", 4.1, 1),
    ("qualification", "No qualifications", 18.1, 1),
    ("qualification", "Level 4 and above", 33.9, 1),
]


def read_rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def england_share(rows, measure, category) -> float:
    hit = [r for r in rows if (r["measure"], r["category"], r["area_type"], r["region"])
           == (measure, category, ALL, ENGLAND)]
    assert len(hit) == 1, (measure, category)
    return float(hit[0]["share_pct"])


@pytest.mark.parametrize("measure,category,expected,dp", README_CHECKS, ids=[c[1] for c in README_CHECKS])
def test_england_totals_in_committed_data(measure, category, expected, dp):
    rows = read_rows(DATA / "census2021_outcomes.csv")
    assert round(england_share(rows, measure, category), dp) == expected


def test_england_totals_from_a_fresh_run(derived):
    rows = read_rows(derived / "data" / "census2021_outcomes.csv")
    for measure, category, expected, dp in README_CHECKS:
        assert round(england_share(rows, measure, category), dp) == expected, category
    assert (derived / "data" / "census2021_outcomes.csv").read_bytes() == (DATA / "census2021_outcomes.csv").read_bytes()


# --- an independent derivation ------------------------------------------------------------------

def _cells(area_type, region):
    """The four outcome cells an LSOA counts towards."""
    return [(area_type, region), (area_type, ENGLAND), (ALL, region), (ALL, ENGLAND)]


def _ts066_columns(header):
    squash = [h.replace(" ", "") for h in header]  # spacing after ':' varies in the Nomis headers

    def cols(test):
        found = [h for h, s in zip(header, squash) if test(s)]
        assert found
        return found

    employed = cols(lambda s: s.endswith(":Inemployment"))
    unemployed = cols(lambda s: s.endswith(":Unemployed"))
    total = cols(lambda s: s.startswith("Total:"))
    return {
        # measure: {category: numerator columns}, base columns
        "economically_inactive": ({"Economically inactive": cols(lambda s: s.startswith("Economicallyinactive"))}, total),
        "inactive_long_term_sick_or_disabled": ({"Long-term sick or disabled": cols(lambda s: "Long-termsick" in s)}, total),
        "unemployed": ({"Unemployed": unemployed}, total),
        "unemployment_rate": ({"Unemployed": unemployed}, employed + unemployed),
        "self_employed": ({"Self-employed": cols(lambda s: s.endswith(("Self-employedwithemployees",
                                                                        "Self-employedwithoutemployees")))}, employed),
        "part_time": ({"Part-time": cols(lambda s: s.endswith("Part-time"))}, employed),
    }


QUAL_WORDS = {"No qualifications": "No qualifications", "Level 1 and entry level": "Level 1",
              "Level 2": "Level 2", "Apprenticeship": "Apprenticeship", "Level 3": "Level 3",
              "Level 4 and above": "Level 4", "Other": "Other qualifications"}


def _one(header, word):
    found = [h for h in header if word in h]
    assert len(found) == 1, (word, found)
    return found


def _lsoa_table(path, code, measures_of_header, cls, sums):
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        measures = measures_of_header(reader.fieldnames)
        for row in reader:
            at, region = cls[row[code]]
            for measure, (cats, base) in measures.items():
                b = sum(int(row[c]) for c in base)
                for cat, num in cats.items():
                    n = sum(int(row[c]) for c in num)
                    for cell in _cells(at, region):
                        acc = sums[(measure, cat, *cell)]
                        acc[0] += n
                        acc[1] += b


@pytest.fixture(scope="module")
def expected():
    raw = RAW
    if not (raw / CENSUS).is_dir():
        pytest.skip(f"census raw files not available at {raw / CENSUS}")
    cls = {r["lsoa21_code"]: (r["area_type"], r["region"]) for r in read_rows(DATA / "lsoa_classification.csv")}
    sums: dict = defaultdict(lambda: [0, 0])
    _lsoa_table(raw / CENSUS / "nomis_census2021_ts066_economic_activity_lsoa21_england.csv", "mnemonic",
                _ts066_columns, cls, sums)
    _lsoa_table(raw / CENSUS / "nomis_census2021_ts067_qualification_lsoa21_england.csv", "geography code",
                lambda h: {"qualification": ({k: _one(h, w) for k, w in QUAL_WORDS.items()},
                                             _one(h, "Total"))}, cls, sums)
    _lsoa_table(raw / CENSUS / "nomis_census2021_ts063_occupation_lsoa21_england.csv", "geography code",
                lambda h: {"occupation": ({c: [c] for c in h if c[:2] in {f"{i}." for i in range(1, 10)}},
                                          _one(h, "Total"))}, cls, sums)
    _lsoa_table(raw / CENSUS / "census2021_ts038_disability_3a_lsoa21_england.csv", "lsoa21_code",
                lambda h: {"disabled": ({"Disabled under the Equality Act": ["disabled_equality_act"]},
                                        ["all_usual_residents"])}, cls, sums)
    # Health: OA percentage x OA usual residents (README: -001 very good or good, -002 fair, -003 bad).
    residents = {r["oa21_code"]: (r["lsoa21_code"], int(r["usual_residents"]))
                 for r in read_rows(raw / CENSUS / "oa21_lsoa21_usual_residents_england.csv")}
    labels = {"001": "Very good or good health", "002": "Fair health", "003": "Bad or very bad health"}
    for row in read_rows(raw / CENSUS / "oa21_pct_health_in_general_4a_england.csv"):
        lsoa, people = residents[row["oa21_code"]]
        at, region = cls[lsoa]
        for col, value in row.items():
            if col == "oa21_code":
                continue
            for cell in _cells(at, region):
                acc = sums[("health", labels[col[-3:]], *cell)]
                acc[0] += float(value) / 100 * people
                acc[1] += people
    return dict(sums)


def test_every_outcome_row_follows_the_raw_files(expected):
    rows = read_rows(DATA / "census2021_outcomes.csv")
    assert len(rows) == len(expected) == 1040
    for r in rows:
        key = (r["measure"], r["category"], r["area_type"], r["region"])
        count, base = expected[key]
        assert int(r["base"]) == base, key
        if isinstance(count, int):
            assert r["count"] == str(count), key
        else:  # one decimal place of a float sum
            assert abs(float(r["count"]) - count) <= 0.05 + 1e-6, key
        assert math.isclose(float(r["share_pct"]), 100 * float(r["count"]) / base, abs_tol=0.005 + 1e-9), key


FIGURES = {  # dataset -> (measure, category column or None, value column)
    "fig06_self_employment": ("self_employed", None, "self_employment_rate_pct"),
    "fig10_inactivity": ("economically_inactive", None, "inactivity_rate_pct"),
    "fig13_qualifications": ("qualification", "qualification", "share_pct"),
    "fig14_health": ("health", "health", "share_pct"),
    "fig15_inactivity_sickness": ("inactive_long_term_sick_or_disabled", None, "rate_pct"),
}


@pytest.mark.parametrize("name", FIGURES)
def test_every_derived_figure_row_follows_the_raw_files(expected, name):
    measure, cat_col, value_col = FIGURES[name]
    rows = [r for r in read_rows(DATA / f"{name}.csv") if r["provenance"] == "derived"]
    assert len(rows) == (3 if cat_col is None else 3 * len({k[1] for k in expected if k[0] == measure}))
    for r in rows:
        if cat_col is None:
            assert r["census_year"] == "2021"
            cats = sorted({k[1] for k in expected if k[0] == measure})
            assert len(cats) == 1
            category = cats[0]
        else:
            category = r[cat_col]
        count, base = expected[(measure, category, r["area_type"], ENGLAND)]
        assert math.isclose(float(r[value_col]), 100 * count / base, abs_tol=0.005 + 1e-4), (name, r)


def test_every_figure_dataset_ends_with_a_provenance_column():
    import json

    pkg = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    figs = [r for r in pkg["resources"] if r["name"][:3] == "fig"]
    assert [r["name"][:5] for r in figs] == [f"fig{n:02d}" for n in range(4, 17)]
    for res in figs:
        last = res["schema"]["fields"][-1]
        assert last["name"] == "provenance" and last["type"] == "string"
        assert last["constraints"] == {"required": True, "enum": ["derived", "publication", "reconstructed"]}
        rows = read_rows(DATA / res["path"])
        with (DATA / res["path"]).open(encoding="utf-8") as fh:
            assert fh.readline().rstrip("\n").split(",")[-1] == "provenance", res["name"]
        assert rows and {r["provenance"] for r in rows} <= {"derived", "publication", "reconstructed"}, res["name"]


def test_report_data_keeps_rows_it_does_not_own(project, raw_dir):
    """`report data` rewrites the derived 2021 rows and leaves the 2011 rows as it found them."""
    from click.testing import CliRunner

    from report.cli import main

    path = project / "data" / "fig10_inactivity.csv"
    committed = path.read_text(encoding="utf-8").splitlines(keepends=True)

    def edit(line):
        year, area_type, value, provenance = line.rstrip("\n").split(",")
        if area_type == DD:  # 2011: a value only its author may change; 2021: a wrong derived value
            value = value + "5" if year == "2011" else "99.9"
        return ",".join((year, area_type, value, provenance)) + "\n"

    edited = committed[:1] + [edit(ln) for ln in committed[1:]]
    path.write_text("".join(edited), encoding="utf-8")
    res = CliRunner().invoke(main, ["data", "--raw-dir", str(raw_dir)])
    assert res.exit_code == 0, res.output
    after = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert [ln for ln in after if ln.startswith("2011,")] == [ln for ln in edited if ln.startswith("2011,")]
    assert [ln for ln in after if ln.startswith("2021,")] == [ln for ln in committed if ln.startswith("2021,")]
    assert after[0] == committed[0] and len(after) == len(committed)


def test_census_file_and_classification_must_cover_the_same_lsoas(raw_dir):
    """A census table with an LSOA the classification lacks (or the reverse) is refused, named."""
    import pandas as pd

    from breaking_the_cycle import census
    from report.data.errors import RawInputError
    from breaking_the_cycle.sources import RAW_SOURCES

    files = {s["path"]: raw_dir / s["path"] for s in RAW_SOURCES}
    cls = pd.read_csv(DATA / "lsoa_classification.csv", usecols=["lsoa21_code", "area_type", "region"])
    with pytest.raises(RawInputError) as info:
        census.outcomes(files, cls[cls["lsoa21_code"] != "E01000001"])
    msg = str(info.value)
    assert census.TS066 in msg and "E01000001" in msg and "census_codes" in msg
