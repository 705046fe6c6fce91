"""Cross-field rules, declared as data in each resource's `rules` list in datapackage.json.

A rule is a dict: {"rule": <name>, "field": ..., "group_by": [...], ...}. Each checker gets the
parsed table plus the 1-based CSV line of every row, and returns Problems pointing at a line.
Adding a rule to a resource is a package edit; adding a new kind of rule is one function here.
"""
from __future__ import annotations

from typing import Callable

import pandas as pd

from .errors import Problem

Checker = Callable[[pd.DataFrame, list[int], dict, dict, str], list[Problem]]
CHECKERS: dict[str, Checker] = {}


def checker(*names):
    def deco(fn):
        for n in names:
            CHECKERS[n] = fn
        return fn
    return deco


def _groups(df: pd.DataFrame, group_by: list[str]):
    if not group_by:
        yield {}, df
        return
    for key, sub in df.groupby(group_by, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        yield dict(zip(group_by, key)), sub


def _label(group: dict) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in group.items()) or "the whole table"


def _field_enum(schema: dict, name: str) -> list | None:
    for f in schema.get("fields", []):
        if f["name"] == name:
            return f.get("constraints", {}).get("enum")
    return None


@checker("all_categories_present")
def all_categories_present(df, lines, rule, schema, file):
    field = rule["field"]
    expected = rule.get("values") or _field_enum(schema, field) or []
    out = []
    for group, sub in _groups(df, rule.get("group_by", [])):
        present = set(sub[field].tolist())
        for value in expected:
            if value not in present:
                out.append(Problem(
                    file=file, rule="all_categories_present", row=lines[sub.index[0]], column=field, value=value,
                    message=f"no row for {field} {value!r} in the group {_label(group)} (every category must be present)",
                ))
    return out


@checker("contiguous_years", "contiguous_integers")
def contiguous(df, lines, rule, schema, file):
    field = rule["field"]
    out = []
    for group, sub in _groups(df, rule.get("group_by", [])):
        order = sub.sort_values(field)
        values = order[field].astype("int64").tolist()
        for prev, (idx, cur) in zip(values, list(zip(order.index, values))[1:]):
            if cur - prev > 1:
                missing = list(range(prev + 1, cur))
                shown = ", ".join(map(str, missing))
                out.append(Problem(
                    file=file, rule=rule["rule"], row=lines[idx], column=field, value=cur,
                    message=f"gap in {field} for {_label(group)}: {shown} missing between {prev} and {cur}",
                ))
    return out


@checker("sums_to_100")
def sums_to_100(df, lines, rule, schema, file):
    field, tol = rule["field"], float(rule.get("tolerance", 0.1))
    out = []
    for group, sub in _groups(df, rule.get("group_by", [])):
        total = round(float(sub[field].sum()), 6)
        if abs(total - 100) > tol + 1e-9:
            out.append(Problem(
                file=file, rule="sums_to_100", row=lines[sub.index[0]], column=field, value=total,
                message=f"shares for {_label(group)} add up to {total:g}, not 100 (tolerance ±{tol:g}); "
                        f"rows on lines {', '.join(str(lines[i]) for i in sub.index)}",
            ))
    return out


@checker("not_greater_than")
def not_greater_than(df, lines, rule, schema, file):
    field, other = rule["field"], rule["other"]
    bad = df[df[field] > df[other]]
    return [Problem(file=file, rule="not_greater_than", row=lines[i], column=field, value=row[field],
                    message=f"{field} must not exceed {other} ({row[other]!r})")
            for i, row in bad.head(20).iterrows()]


@checker("group_total")
def group_total(df, lines, rule, schema, file):
    field, tfield, tvalue = rule["field"], rule["total_field"], rule["total_value"]
    out = []
    for group, sub in _groups(df, rule.get("group_by", [])):
        tot = sub[sub[tfield] == tvalue]
        parts = sub[sub[tfield] != tvalue]
        if len(tot) != 1:
            continue  # all_categories_present reports a missing total row
        want, got = tot[field].iloc[0], parts[field].sum()
        if want != got:
            out.append(Problem(
                file=file, rule="group_total", row=lines[tot.index[0]], column=field, value=want,
                message=f"the {tvalue} total for {_label(group)} is {want} but its parts add up to {got}",
            ))
    return out


@checker("sorted")
def sorted_by(df, lines, rule, schema, file):
    field = rule["field"]
    values = df[field].tolist()
    for i in range(1, len(values)):
        if values[i] < values[i - 1]:
            return [Problem(file=file, rule="sorted", row=lines[df.index[i]], column=field, value=values[i],
                            message=f"rows must be sorted by {field}: {values[i]!r} comes after {values[i - 1]!r}")]
    return []


def run_rules(df: pd.DataFrame, lines: list[int], rules: list[dict], schema: dict, file: str) -> list[Problem]:
    out = []
    for rule in rules:
        fn = CHECKERS.get(rule.get("rule"))
        if fn is None:
            out.append(Problem(file=file, rule="known_rule", value=rule.get("rule"),
                               message=f"datapackage.json names an unknown rule; known: {', '.join(sorted(CHECKERS))}"))
            continue
        out.extend(fn(df, lines, rule, schema, file))
    return out


# --- Across tables ------------------------------------------------------------------------------

MAX_PER_CHECK = 20  # disagreements listed per kind; one edited row can upset a whole region


def derived_tables_agree(frames: dict[str, pd.DataFrame], files: dict[str, str]) -> list[Problem]:
    """area_type_summary and map_points say what `report data` computes from lsoa_classification
    (see report.data.pipeline.summarise and map_points); every disagreement names the row."""
    from .constants import ENGLAND

    cls, summary, points = frames["lsoa_classification"], frames["area_type_summary"], frames["map_points"]
    out: list[Problem] = []
    agree = "; the derived tables disagree: run `report data` to derive them again, or undo the hand edit"

    # One point per doubly disadvantaged LSOA, in that LSOA's region.
    dd = cls[cls["area_type"] == "Doubly disadvantaged"].set_index("lsoa21_code")
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
                             column="area_type", value="Doubly disadvantaged",
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
