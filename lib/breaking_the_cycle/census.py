"""Census 2021 outcomes by area type: real ONS counts summed over the project's own classification.

Every measure is population-weighted in the plain sense: the counts of all the LSOAs of an area
type (in a region, or in England) are added up, and the share is that sum over the summed base.
No average of LSOA percentages is taken anywhere, so a small LSOA weighs as little as it should.

Two kinds of raw table (see census2021/README.md in the raw folder):

* exact counts per 2021 LSOA (TS066 economic activity, TS067 qualifications, TS063 occupation,
  TS038 disability): the LSOA counts are summed as they are;
* percentages per 2021 output area (TS037 general health): each OA's percentage times the OA's
  usual residents (TS008, exact) gives a count, summed to the LSOA and then as above. The base is
  the exact OA residents, so these counts carry only the error of the 1-decimal percentages.

TS059 (hours worked, OA percentages) is verified but not used: its base, the OA's residents in
employment, is not published with it and would have to be estimated, while TS066 already splits
everyone in employment exactly into part-time and full-time.

Cell-key perturbation means ONS tables need not agree exactly with one another (the OA residents
summed to an LSOA can differ from TS038's LSOA total by a few people); each measure therefore uses
the base from its own table.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .constants import AREA_TYPES, ENGLAND, REGIONS
from report.data.errors import Problem, RawInputError

CENSUS_DIR = "census2021"
TS066 = f"{CENSUS_DIR}/nomis_census2021_ts066_economic_activity_lsoa21_england.csv"
TS067 = f"{CENSUS_DIR}/nomis_census2021_ts067_qualification_lsoa21_england.csv"
TS063 = f"{CENSUS_DIR}/nomis_census2021_ts063_occupation_lsoa21_england.csv"
TS038 = f"{CENSUS_DIR}/census2021_ts038_disability_3a_lsoa21_england.csv"
OA_RESIDENTS = f"{CENSUS_DIR}/oa21_lsoa21_usual_residents_england.csv"
TS037_OA = f"{CENSUS_DIR}/oa21_pct_health_in_general_4a_england.csv"
TS059_OA = f"{CENSUS_DIR}/oa21_pct_hours_per_week_worked_england.csv"  # verified, not derived from

ALL_AREAS = "All areas"
AREA_TYPES_ALL = [*AREA_TYPES, ALL_AREAS]
REGIONS_ALL = [*REGIONS, ENGLAND]
COLUMNS = ["measure", "category", "area_type", "region", "count", "base", "share_pct", "table", "method"]

LSOA_COUNTS = "LSOA counts summed"
OA_PERCENTAGES = "OA percentages x OA usual residents, summed to LSOA"

# --- raw column names ---------------------------------------------------------------------------
# Nomis headers are used as published, except that the spacing after ':' (which varies within
# one file) is normalised to ': ' by `_normalise`.
ACTIVE = "Economically active (excluding full-time students)"
STUDENT = "Economically active and a full-time student"
TOTAL_16 = "Total: All usual residents aged 16 years and over"
INACTIVE = [f"Economically inactive: {r}" for r in
            ("Retired", "Student", "Looking after home or family", "Long-term sick or disabled", "Other")]
SICK = "Economically inactive: Long-term sick or disabled"
KINDS = ("Employee", "Self-employed with employees", "Self-employed without employees")


def _in_work(group: str, kind: str | None = None, hours: str | None = None) -> str:
    return ": ".join(p for p in (group, "In employment", kind, hours) if p)


EMPLOYED = [_in_work(g) for g in (ACTIVE, STUDENT)]
UNEMPLOYED = [f"{g}: Unemployed" for g in (ACTIVE, STUDENT)]
SELF_EMPLOYED = [_in_work(g, k) for g in (ACTIVE, STUDENT) for k in KINDS[1:]]
PART_TIME = [_in_work(g, k, "Part-time") for g in (ACTIVE, STUDENT) for k in KINDS]
FULL_TIME = [_in_work(g, k, "Full-time") for g in (ACTIVE, STUDENT) for k in KINDS]

QUAL_PREFIX = "Highest level of qualification: "
QUAL_TOTAL = f"{QUAL_PREFIX}Total: All usual residents aged 16 years and over"
# label in our datasets (Figure 13's categories) -> TS067 column
QUALIFICATIONS = {
    "No qualifications": f"{QUAL_PREFIX}No qualifications",
    "Level 1 and entry level": f"{QUAL_PREFIX}Level 1 and entry level qualifications",
    "Level 2": f"{QUAL_PREFIX}Level 2 qualifications",
    "Apprenticeship": f"{QUAL_PREFIX}Apprenticeship",
    "Level 3": f"{QUAL_PREFIX}Level 3 qualifications",
    "Level 4 and above": f"{QUAL_PREFIX}Level 4 qualifications and above",
    "Other": f"{QUAL_PREFIX}Other qualifications",
}

OCC_TOTAL = "Total: All usual residents aged 16 years and over in employment the week before the census"
# SOC 2020 major groups, labelled as ONS prints them (the number is the major group).
OCCUPATIONS = [
    "1. Managers, directors and senior officials", "2. Professional occupations",
    "3. Associate professional and technical occupations", "4. Administrative and secretarial occupations",
    "5. Skilled trades occupations", "6. Caring, leisure and other service occupations",
    "7. Sales and customer service occupations", "8. Process, plant and machine operatives",
    "9. Elementary occupations",
]

# label (Figure 14's categories) -> TS037 OA percentage column
HEALTH = {
    "Very good or good health": "health_in_general_4a-001",
    "Fair health": "health_in_general_4a-002",
    "Bad or very bad health": "health_in_general_4a-003",
}


@dataclass(frozen=True)
class Measure:
    name: str
    table: str
    file: str                               # raw file (path under the raw folder)
    categories: dict[str, tuple[str, ...]]  # category label -> columns summed for its count
    base: tuple[str, ...]                   # columns summed for the base
    method: str = LSOA_COUNTS


def _one(label: str, *cols: str) -> dict[str, tuple[str, ...]]:
    return {label: tuple(cols)}


MEASURES = [
    Measure("economically_inactive", "TS066", TS066, _one("Economically inactive", *INACTIVE), (TOTAL_16,)),
    Measure("inactive_long_term_sick_or_disabled", "TS066", TS066,
            _one("Long-term sick or disabled", SICK), (TOTAL_16,)),
    Measure("unemployed", "TS066", TS066, _one("Unemployed", *UNEMPLOYED), (TOTAL_16,)),
    # Share of the economically active: everyone in work or unemployed, full-time students included.
    Measure("unemployment_rate", "TS066", TS066, _one("Unemployed", *UNEMPLOYED), (*EMPLOYED, *UNEMPLOYED)),
    Measure("self_employed", "TS066", TS066, _one("Self-employed", *SELF_EMPLOYED), tuple(EMPLOYED)),
    Measure("part_time", "TS066", TS066, _one("Part-time", *PART_TIME), tuple(EMPLOYED)),
    Measure("qualification", "TS067", TS067, {k: (v,) for k, v in QUALIFICATIONS.items()}, (QUAL_TOTAL,)),
    Measure("health", "TS037", TS037_OA, {k: (v,) for k, v in HEALTH.items()}, ("usual_residents",),
            method=OA_PERCENTAGES),
    Measure("occupation", "TS063", TS063, {k: (k,) for k in OCCUPATIONS}, (OCC_TOTAL,)),
    Measure("disabled", "TS038", TS038, _one("Disabled under the Equality Act", "disabled_equality_act"),
            ("all_usual_residents",)),
]
MEASURE_NAMES = [m.name for m in MEASURES]
TABLES = sorted({m.table for m in MEASURES})
CATEGORIES = list(dict.fromkeys(c for m in MEASURES for c in m.categories))

# What each table's columns must add up to, as the README promises: a check that the columns
# above were read as meant (a mislabelled column would break an identity).
IDENTITIES = {
    TS066: [(TOTAL_16, [*EMPLOYED, *UNEMPLOYED, *INACTIVE])]
           + [(e, [c for c in (*PART_TIME, *FULL_TIME) if c.startswith(e)]) for e in EMPLOYED],
    TS067: [(QUAL_TOTAL, list(QUALIFICATIONS.values()))],
    TS063: [(OCC_TOTAL, OCCUPATIONS)],
    TS038: [("all_usual_residents", ["disabled_equality_act", "not_disabled"])],
}
CODE_COLUMNS = ("mnemonic", "geography code", "lsoa21_code")


@dataclass(frozen=True)
class FigureRows:
    """Which outcome rows (England, by area type) a figure dataset takes, and into which columns."""
    measure: str
    value: str                     # the dataset's value column
    category: str | None = None    # column holding the category; None = one-category measure by census_year
    whole: bool = False            # True: every row is derived; False: only the 2021 rows (2011 is not)


FIGURES = {
    "fig06_self_employment": FigureRows("self_employed", "self_employment_rate_pct"),
    "fig10_inactivity": FigureRows("economically_inactive", "inactivity_rate_pct"),
    "fig13_qualifications": FigureRows("qualification", "share_pct", "qualification", whole=True),
    "fig14_health": FigureRows("health", "share_pct", "health", whole=True),
    "fig15_inactivity_sickness": FigureRows("inactive_long_term_sick_or_disabled", "rate_pct"),
}
CENSUS_YEAR = "2021"


def _normalise(header: str) -> str:
    return ": ".join(part.strip() for part in header.split(":"))


def _read_lsoa_table(path: Path, name: str, lsoas: pd.Index) -> pd.DataFrame:
    """An LSOA table indexed by 2021 LSOA code, in the order of `lsoas`, which must be exactly its rows."""
    df = pd.read_csv(path)
    df.columns = [_normalise(c) for c in df.columns]
    code = next((c for c in CODE_COLUMNS if c in df.columns), None)
    if code is None:
        raise RawInputError([Problem(file=name, rule="census_code_column", row=1,
                                     message=f"no LSOA code column (looked for {', '.join(CODE_COLUMNS)})")])
    df = df.set_index(code)
    _check_codes(df.index, lsoas, name, "2021 LSOA")
    return df.loc[lsoas]


def _check_codes(have: pd.Index, want: pd.Index, name: str, what: str) -> None:
    problems = []
    if have.has_duplicates:
        problems.append(Problem(file=name, rule="census_codes", value=have[have.duplicated()][0],
                                message=f"{what} code appears more than once"))
    missing, extra = want.difference(have), have.difference(want)
    if len(missing):
        problems.append(Problem(file=name, rule="census_codes", value=missing[0],
                                message=f"{len(missing)} {what}(s) of the classification have no row here"))
    if len(extra):
        problems.append(Problem(file=name, rule="census_codes", value=extra[0],
                                message=f"{len(extra)} {what}(s) here are not in the classification"))
    if problems:
        raise RawInputError(problems)


def _check_columns(df: pd.DataFrame, needed, name: str) -> None:
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise RawInputError([Problem(file=name, rule="census_columns", row=1, column=c,
                                     message="expected column not found in the header") for c in missing])


def _check_identities(df: pd.DataFrame, name: str) -> None:
    for total, parts in IDENTITIES.get(name, []):
        _check_columns(df, [total, *parts], name)
        bad = df.index[df[total] != df[parts].sum(axis=1)]
        if len(bad):
            raise RawInputError([Problem(file=name, rule="census_categories_add_up", column=total, value=bad[0],
                                         message=f"{len(bad)} LSOA(s) where {total!r} is not the sum of its "
                                                 f"{len(parts)} categories")])


def _health_by_lsoa(files: dict[str, Path], lsoas: pd.Index) -> pd.DataFrame:
    """TS037 counts per LSOA: OA percentage / 100 x OA usual residents, summed over the LSOA's OAs."""
    oa = pd.read_csv(files[OA_RESIDENTS]).sort_values("oa21_code").set_index("oa21_code")
    pct = pd.read_csv(files[TS037_OA]).set_index("oa21_code")
    _check_codes(oa.index, pct.index, OA_RESIDENTS, "2021 OA")
    _check_codes(pct.index, oa.index, TS037_OA, "2021 OA")
    _check_codes(pd.Index(oa["lsoa21_code"].unique()), lsoas, OA_RESIDENTS, "2021 LSOA")
    _check_columns(pct, HEALTH.values(), TS037_OA)
    pct = pct.loc[oa.index, list(HEALTH.values())]
    # 1-decimal percentages of three groups add to 100 within rounding (at most 3 x 0.05).
    off = pct.index[(pct.sum(axis=1) - 100).abs() > 0.15 + 1e-9]
    if len(off):
        raise RawInputError([Problem(file=TS037_OA, rule="census_percentages_add_up", value=off[0],
                                     message=f"{len(off)} OA(s) whose percentages do not add up to 100")])
    counts = pct.div(100).mul(oa["usual_residents"], axis=0)
    counts["usual_residents"] = oa["usual_residents"]
    counts["lsoa21_code"] = oa["lsoa21_code"]
    # Summed in OA-code order, so the floating-point total does not depend on the file's row order.
    return counts.groupby("lsoa21_code", sort=True).sum().loc[lsoas]


def _aggregate(values: pd.DataFrame, cls: pd.DataFrame) -> pd.DataFrame:
    """Sum LSOA values by area type x region, adding England and All areas totals (4 x 10 rows)."""
    keyed = values.join(cls.set_index("lsoa21_code")[["area_type", "region"]])
    cols = list(values.columns)
    parts = [
        keyed.groupby(["area_type", "region"])[cols].sum(),
        keyed.groupby("area_type")[cols].sum().assign(region=ENGLAND).set_index("region", append=True),
        keyed.groupby("region")[cols].sum().assign(area_type=ALL_AREAS).set_index("area_type", append=True)
             .reorder_levels(["area_type", "region"]),
        keyed[cols].sum().to_frame().T.assign(area_type=ALL_AREAS, region=ENGLAND)
             .set_index(["area_type", "region"]),
    ]
    full = pd.MultiIndex.from_product([AREA_TYPES_ALL, REGIONS_ALL], names=["area_type", "region"])
    out = pd.concat(parts).reindex(full)
    if out.isna().any().any():
        gap = out.index[out.isna().any(axis=1)][0]
        raise ValueError(f"the classification has no LSOA of area type {gap[0]!r} in {gap[1]}: "
                         "census shares cannot be computed there")
    return out


def outcomes(files: dict[str, Path], cls: pd.DataFrame) -> pd.DataFrame:
    """The tidy census2021_outcomes table (all values as text, exactly as written to the CSV)."""
    lsoas = pd.Index(sorted(cls["lsoa21_code"]), name="lsoa21_code")
    tables: dict[str, pd.DataFrame] = {}
    for name in (TS066, TS067, TS063, TS038):
        df = _read_lsoa_table(files[name], name, lsoas)
        _check_identities(df, name)
        tables[name] = df
    tables[TS037_OA] = _health_by_lsoa(files, lsoas)

    rows = []
    for m in MEASURES:
        src = tables[m.file]
        _check_columns(src, [c for cols in m.categories.values() for c in cols] + list(m.base), m.file)
        values = pd.DataFrame({lab: src[list(cols)].sum(axis=1) for lab, cols in m.categories.items()})
        values["__base"] = src[list(m.base)].sum(axis=1)
        agg = _aggregate(values, cls)
        for label in m.categories:
            for (at, region), r in agg.iterrows():
                base = int(round(r["__base"]))
                if m.method == LSOA_COUNTS:
                    count, count_text = int(r[label]), str(int(r[label]))
                else:  # estimated from percentages: one decimal is all the precision there is
                    count_text = f"{r[label]:.1f}"
                    count = float(count_text)
                rows.append([m.name, label, at, region, count_text, str(base), f"{100 * count / base:.2f}",
                             m.table, m.method])
    return pd.DataFrame(rows, columns=COLUMNS)


def figure_rows(out: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The 2021 rows of Figures 6, 10, 13, 14 and 15 (England, by area type), provenance derived."""
    eng = out[(out["region"] == ENGLAND) & (out["area_type"].isin(AREA_TYPES))]
    frames = {}
    for name, f in FIGURES.items():
        sub = eng[eng["measure"] == f.measure]
        first = {"census_year": CENSUS_YEAR} if f.category is None else {f.category: sub["category"]}
        df = pd.DataFrame({**first, "area_type": sub["area_type"], f.value: sub["share_pct"]})
        frames[name] = df.assign(provenance="derived").reset_index(drop=True)
    return frames


def headline(out: pd.DataFrame) -> pd.DataFrame:
    """Shares (%) for the end-of-run summary: rows = measure, columns = area types and England."""
    eng = out[out["region"] == ENGLAND].astype({"count": float, "base": int})

    def share(measure, cats=None):
        sub = eng[eng["measure"] == measure]
        if cats is not None:
            sub = sub[sub["category"].isin(cats)]
        # categories of one measure share a base: sum the counts, keep one base
        g = sub.groupby("area_type").agg(count=("count", "sum"), base=("base", "first"))
        return (100 * g["count"] / g["base"]).reindex(AREA_TYPES_ALL)

    lines = {
        "Inactive (% 16+)": share("economically_inactive"),
        "Inactive, long-term sick (% 16+)": share("inactive_long_term_sick_or_disabled"),
        "Unemployed (% active)": share("unemployment_rate"),
        "Self-employed (% in work)": share("self_employed"),
        "Part-time (% in work)": share("part_time"),
        "SOC 1-2 (% in work)": share("occupation", OCCUPATIONS[:2]),
        "SOC 1-3 (% in work)": share("occupation", OCCUPATIONS[:3]),
        "No qualifications (% 16+)": share("qualification", ["No qualifications"]),
        "Level 4 and above (% 16+)": share("qualification", ["Level 4 and above"]),
        "Bad or very bad health (%)": share("health", ["Bad or very bad health"]),
        "Disabled (%)": share("disabled"),
    }
    table = pd.DataFrame(lines).T
    table.columns = ["DD", "OD", "ND", ENGLAND]
    return table


