"""Cross-field rules, declared as data in each resource's `rules` list in datapackage.json.

A rule is a dict: {"rule": <name>, "field": ..., "group_by": [...], ...}. Each checker gets the
parsed table plus the 1-based CSV line of every row, and returns Problems pointing at a line.
Adding a rule to a resource is a package edit; adding a new kind of rule is one function here.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from .errors import Problem, plain

Checker = Callable[[pd.DataFrame, list[int], dict, dict, str], list[Problem]]
CHECKERS: dict[str, Checker] = {}


def checker(*names):
    def deco(fn):
        for n in names:
            CHECKERS[n] = fn
        return fn
    return deco


def _group_rows(df: pd.DataFrame, group_by: list[str]) -> list[tuple[dict, np.ndarray]]:
    """Each group (the whole table without `group_by`) with its rows' positions, in the order the
    groups first appear."""
    if not group_by:
        return [({}, np.arange(len(df)))]
    found = sorted(df.groupby(group_by, sort=False).indices.items(), key=lambda item: item[1][0])
    # groupby's index holds numpy scalars where iterating it gives Python values; labels show the latter
    return [(dict(zip(group_by, map(plain, key if isinstance(key, tuple) else (key,)))), where)
            for key, where in found]


def _groups(df: pd.DataFrame, group_by: list[str]):
    if not group_by:
        yield {}, df
        return
    for group, where in _group_rows(df, group_by):
        yield group, df.iloc[where]


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
    # Row positions per group rather than a frame per group: the census table has ~1,000 groups.
    is_total = (df[tfield] == tvalue).to_numpy()
    values = df[field]
    out = []
    for group, where in _group_rows(df, rule.get("group_by", [])):
        total = where[is_total[where]]
        if len(total) != 1:
            continue  # all_categories_present reports a missing total row
        want, got = values.iloc[total[0]], values.iloc[where[~is_total[where]]].sum()
        if want != got:
            out.append(Problem(
                file=file, rule="group_total", row=lines[df.index[total[0]]], column=field, value=want,
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
