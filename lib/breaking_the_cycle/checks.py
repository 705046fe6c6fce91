"""Checks across this publication's tables, declared under `report: checks:` in _quarto.yml.

`report data` derives area_type_summary and map_points from lsoa_classification; a hand edit to
one of them (an LSOA's area type, say) leaves each valid on its own and the three in
disagreement. The tool's validator runs this once the three have passed on their own.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from report.data.errors import Problem

from .constants import DD, ENGLAND

if TYPE_CHECKING:  # annotations only: a build whose checks passed before imports no pandas
    import pandas as pd

MAX_PER_CHECK = 20  # disagreements listed per kind; one edited row can upset a whole region


def derived_tables_agree(frames: dict[str, pd.DataFrame], files: dict[str, str]) -> list[Problem]:
    """area_type_summary and map_points say what `report data` computes from lsoa_classification
    (see pipeline.summarise and map_points); every disagreement names the row."""

    cls, summary, points = frames["lsoa_classification"], frames["area_type_summary"], frames["map_points"]
    out: list[Problem] = []
    agree = "; the derived tables disagree: run `report data` to derive them again, or undo the hand edit"

    # One point per doubly disadvantaged LSOA, in that LSOA's region.
    dd = cls[cls["area_type"] == DD].set_index("lsoa21_code")
    where = {code: i + 2 for i, code in enumerate(cls["lsoa21_code"])}
    wrong = []
    for idx, row in points.iterrows():
        code = row["lsoa21_code"]
        if code not in dd.index:
            line = where.get(code)
            if line is None:
                wrong.append(Problem(file=files["map_points"], rule="derived_tables_agree", row=idx + 2,
                                     column="lsoa21_code", value=code,
                                     message=f"no such LSOA in {files['lsoa_classification']}{agree}"))
            else:
                area = cls.iloc[line - 2]["area_type"]
                wrong.append(Problem(file=files["lsoa_classification"], rule="derived_tables_agree", row=line,
                                     column="area_type", value=area,
                                     message=f"LSOA {code} has a point in {files['map_points']} (row {idx + 2}), "
                                             f"which holds doubly disadvantaged LSOAs only{agree}"))
        elif dd.at[code, "region"] != row["region"]:
            wrong.append(Problem(file=files["map_points"], rule="derived_tables_agree", row=idx + 2,
                                 column="region", value=row["region"],
                                 message=f"LSOA {code} is in {dd.at[code, 'region']} in "
                                         f"{files['lsoa_classification']} (row {where[code]}){agree}"))
    missing = sorted(set(dd.index) - set(points["lsoa21_code"]))
    for code in missing:
        wrong.append(Problem(file=files["lsoa_classification"], rule="derived_tables_agree", row=where[code],
                             column="area_type", value=DD,
                             message=f"LSOA {code} has no point in {files['map_points']}{agree}"))
    out += wrong[:MAX_PER_CHECK]
    if len(wrong) > MAX_PER_CHECK:
        out.append(Problem(file=files["map_points"], rule="derived_tables_agree",
                           message=f"{len(wrong) - MAX_PER_CHECK} more disagreements not listed"))
    # Counts by area type and region, and England totals, as summarise() computes them.
    measures = {"lsoas": ("lsoa21_code", "size"), "wards": ("ward24_code", "nunique"),
                "population": ("population", "sum"), "working_age_population": ("population_16_64", "sum")}
    by_region = cls.groupby(["area_type", "region"]).agg(**measures)
    by_type = cls.groupby("area_type").agg(**measures)
    wrong = []
    for idx, row in summary.iterrows():
        key = (row["area_type"], row["region"])
        if row["region"] == ENGLAND:
            expected = by_type.loc[row["area_type"]] if row["area_type"] in by_type.index else None
        else:
            expected = by_region.loc[key] if key in by_region.index else None
        for col in measures:
            want = int(expected[col]) if expected is not None else 0
            if int(row[col]) != want:
                wrong.append(Problem(
                    file=files["area_type_summary"], rule="derived_tables_agree", row=idx + 2, column=col,
                    value=int(row[col]),
                    message=f"{files['lsoa_classification']} gives {want} for {row['area_type']}, {row['region']}{agree}"))
    out += wrong[:MAX_PER_CHECK]
    if len(wrong) > MAX_PER_CHECK:
        out.append(Problem(file=files["area_type_summary"], rule="derived_tables_agree",
                           message=f"{len(wrong) - MAX_PER_CHECK} more disagreements not listed"))

    return out


derived_tables_agree.resources = ("lsoa_classification", "area_type_summary", "map_points")
