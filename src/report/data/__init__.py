"""The report's data package: load validated tables, look up key statistics, validate everything.

    from report.data import facts, load, stat
    df = load("fig16_childcare")          # validated pandas DataFrame (plain numbers, for charts)
    care = facts("fig16_childcare")       # the same, its numbers tagged with their provenance
    n = stat("dd_lsoas_computed")         # 1305, tagged derived

Chapters state numbers from `facts()` and `stat()`: see report.provenance. Reading the data
package from a chapter turns on the inline check (report.inline), so from then on the text can
print no number whose origin is unknown or reconstructed.

Nothing is cached in memory: every call reads the file again, so a build tool that watches file
access sees exactly which data a chapter used, and an edited CSV is picked up at once.
"""
from __future__ import annotations

import difflib
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import DataValidationError, Problem

if TYPE_CHECKING:  # imported on first use: a cached validation needs no pandas
    import pandas as pd

__all__ = ["load", "facts", "stat", "stat_row", "validate_all", "resource_names", "DataValidationError", "Problem"]


def _root(root) -> Path:
    from report import paths

    return Path(root) if root is not None else paths.project_root()


def _package(root: Path) -> dict:
    """data/datapackage.json, read and checked for the shape everything else relies on (an
    object whose `resources` is a list of objects with a name); DataValidationError otherwise."""
    import json

    from .package import parsed, read_bytes

    file = "data/datapackage.json"

    def fail(rule: str, message: str, **where) -> DataValidationError:
        return DataValidationError([Problem(file=file, rule=rule, message=message, **where)])

    try:
        raw = read_bytes(root)
    except FileNotFoundError:
        raise fail("file_present", "data package descriptor not found") from None
    except OSError as exc:
        raise fail("file_present", f"cannot read the data package descriptor: {exc.strerror or exc}") from None
    try:
        pkg = parsed(raw)
    except UnicodeDecodeError as exc:
        raise fail("utf8_encoding", f"not valid UTF-8 (byte {raw[exc.start]:02X}); re-save it as UTF-8",
                   row=raw.count(b"\n", 0, exc.start) + 1) from None
    except json.JSONDecodeError as exc:
        raise fail("valid_json", f"not valid JSON: {exc.msg} (line {exc.lineno}, character {exc.colno})",
                   row=exc.lineno) from None
    if not isinstance(pkg, dict):
        raise fail("data_package", f"expected a JSON object at the top, found {type(pkg).__name__}")
    resources = pkg.get("resources")
    if not isinstance(resources, list):
        raise fail("data_package", "`resources` must be a list of resource descriptors, found "
                   + ("nothing" if resources is None else f"a {type(resources).__name__}"), column="resources")
    problems = []
    for i, res in enumerate(resources):
        if not isinstance(res, dict) or not isinstance(res.get("name"), str) or not res.get("name"):
            problems.append(Problem(file=file, rule="data_package", column=f"resources[{i}]",
                                    message="each resource must be an object with a \"name\""))
        elif "schema" in res and not isinstance(res["schema"], dict):
            problems.append(Problem(file=file, rule="table_schema", column=f"resources[{i}].schema",
                                    value=res["name"], message="the schema must be an object"))
    if problems:
        raise DataValidationError(problems)
    return pkg


def resource_names(root=None) -> list[str]:
    return [r["name"] for r in _package(_root(root)).get("resources", [])]


def load(name: str, root=None) -> pd.DataFrame:
    """Validate resource `name` and return it as a DataFrame (raises DataValidationError).

    For `map_regions` (GeoJSON) each row is a region: `region`, `region_code` and `geometry`
    (a GeoJSON geometry dict).
    """
    from report import paths

    from .package import resource_descriptor
    from .validate import check_resource, trusted_frame

    from report import inline

    inline.activate()
    root = _root(root)
    pkg = _package(root)
    desc = resource_descriptor(pkg, name)
    if desc is None:
        names = [r["name"] for r in pkg.get("resources", [])]
        close = difflib.get_close_matches(name, names, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise KeyError(f"no resource {name!r} in data/datapackage.json{hint}")
    # Inside a build's kernel the build has just validated the data; bytes it validated are
    # parsed directly (still read from disk, so the build sees which files a chapter used).
    df = trusted_frame(desc, paths.data_dir(root))
    if df is not None:
        return df
    problems, df = check_resource(desc, paths.data_dir(root), root)
    if problems:
        raise DataValidationError(problems)
    return df


def facts(name: str, root=None) -> pd.DataFrame:
    """`load(name)` with every number a `report.provenance.Value`: its provenance is the row's
    `provenance` column, else the resource's, and it remembers the file and line it came from."""
    from report.provenance import track

    from .package import resource_descriptor

    df = load(name, root)
    desc = resource_descriptor(_package(_root(root)), name) or {}
    return track(df, desc.get("path", name), desc.get("provenance"))


def stat_row(key: str, root=None) -> dict:
    """The key_statistics row for `key` as a dict (value as int when it is a whole number)."""
    df = load("key_statistics", root)
    hit = df[df["key"] == key]
    if hit.empty:
        close = difflib.get_close_matches(key, df["key"].tolist(), n=3)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise KeyError(f"no key statistic {key!r} in data/key_statistics.csv{hint}")
    row = hit.iloc[0].to_dict()
    value = float(row["value"])
    row["value"] = int(value) if value.is_integer() else value
    return {k: (v if k == "value" else str(v)) for k, v in row.items()}


def stat(key: str, root=None):
    """The value of key statistic `key`, as a `report.provenance.Value` tagged with the row's
    provenance."""
    from report.provenance import Value

    row = stat_row(key, root)
    return Value(row["value"], row["provenance"], f"key_statistics.csv {key}")


def validate_all(root=None, cache=None, refresh: bool = False) -> int:
    """Validate every resource in the package; raise DataValidationError listing every problem.

    With `cache` (a file path), resources that passed before with the same bytes, descriptor and
    validator code are not checked again, and this run's passes are written there; `refresh`
    ignores what the file holds. Returns the number of resources in the package.
    """
    from pathlib import Path

    from report import paths

    from report import project

    from .validate import (check_resource_cached, package_check_key, read_validation_cache, run_package_check,
                           write_validation_cache)

    root = _root(root)
    pkg = _package(root)
    problems: list[Problem] = []
    names = [r.get("name") for r in pkg.get("resources", [])]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.append(Problem(file="data/datapackage.json", rule="unique_resource_name", value=dup,
                                message="two resources share this name"))
    known = set() if cache is None or refresh else read_validation_cache(Path(cache))
    passed: set[str] = set()
    failed: set[str] = set()
    for desc in pkg.get("resources", []):
        found = check_resource_cached(desc, paths.data_dir(root), root, known, passed)
        if found:
            failed.add(desc["name"])
        problems.extend(found)
    descs = {d["name"]: d for d in pkg["resources"]}
    cfg = project.config(root)
    for spec in cfg.checks:
        check = cfg.hook(spec, "checks")
        needs = tuple(getattr(check, "resources", ()))
        if not all(name in descs for name in needs) or failed & set(needs):
            continue
        key = package_check_key(check, descs, paths.data_dir(root), root)
        if key is not None and key in known:
            passed.add(key)
            continue
        found = run_package_check(check, descs, paths.data_dir(root), root)
        problems.extend(found)
        if not found and key is not None and package_check_key(check, descs, paths.data_dir(root), root) == key:
            passed.add(key)
    if cache is not None and (passed != known or refresh):
        write_validation_cache(Path(cache), passed)
    if problems:
        raise DataValidationError(problems)
    return len(names)
