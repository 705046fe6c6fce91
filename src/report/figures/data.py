"""Getting a figure's data, and checking it has what the figure needs.

Everything that touches files goes through `load_resource`, so switching between the data
package's validated loader and a plain CSV read is one place.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from report import paths


class FigureDataError(ValueError):
    """The data cannot draw the figure: a missing column, category, or a ragged series."""


def _data_dir() -> Path:
    return paths.data_dir()


def load_resource(name: str):
    """A data resource by name: DataFrame for CSVs, parsed GeoJSON dict for `map_regions`."""
    if name == "map_regions":
        path = _data_dir() / "map_regions.geojson"
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found: run `report data` to derive the map data")
        return json.loads(path.read_text(encoding="utf-8"))
    try:
        from report.data import load  # the validated loader, once the data package has it
    except ImportError:
        load = None
    if load is not None:
        return load(name)
    path = _data_dir() / f"{name}.csv"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: run `report data` to derive the figure data")
    return pd.read_csv(path)


def note_data_read(spec) -> None:
    """What loading `spec`'s datasets does besides returning them, for a drawing reused from the
    cache: reading the data package turns on the inline provenance check (report.inline)."""
    if all(name == "map_regions" for name in spec.datasets.values()):
        return
    try:
        from report import inline
        from report.data import load  # noqa: F401 - only a project with the data package checks
    except ImportError:
        return
    inline.activate()


def resource_files(name: str) -> list[Path] | None:
    """The files `load_resource(name)` takes the data from: the resource's own file and the
    descriptor that types it and states its provenance. None when they cannot be named here (a
    broken descriptor, a path outside the project): loading then reports why."""
    data_dir = _data_dir()
    if name == "map_regions":
        return [data_dir / "map_regions.geojson"]
    try:
        from report.data.validate import resource_path
    except ImportError:
        return [data_dir / f"{name}.csv"]
    from report.data.package import package_path

    try:
        pkg = package()
        desc = next(r for r in pkg["resources"] if isinstance(r, dict) and r.get("name") == name)
        return [package_path(), resource_path(desc, data_dir)]
    except (OSError, ValueError, KeyError, TypeError, StopIteration):
        return None


def package() -> dict:
    """The project's data/datapackage.json (read each call, parsed once per content; do not edit it)."""
    from report.data.package import parsed, read_bytes

    return parsed(read_bytes())


def provenance(name: str) -> str | None:
    """`provenance` of a resource in data/datapackage.json, or None if not declared."""
    try:
        pkg = package()
    except (OSError, paths.ProjectNotFound, ValueError):
        return None
    for res in pkg.get("resources", []):
        if res.get("name") == name:
            return res.get("provenance")
    return None


# --- checks ---------------------------------------------------------------------------------

def require_columns(df: pd.DataFrame, columns: Iterable[str], dataset: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise FigureDataError(
            f"{dataset}: missing column(s) {', '.join(missing)}; it has {', '.join(map(str, df.columns))}"
        )
    if df.empty:
        raise FigureDataError(f"{dataset}: no rows")


def ordered_categories(
    values: Iterable, canonical: Sequence[str] | None, dataset: str, what: str, *, require: bool = True
) -> list:
    """Categories present in the data, in the canonical order, unknown extras appended.

    A canonical category that the data lacks is an error: a chart silently missing a
    region or area type would misinform.
    """
    present = list(dict.fromkeys(values))  # data order, for categories without a canon
    if canonical is None:
        return present
    if require:
        missing = [c for c in canonical if c not in present]
        if missing:
            raise FigureDataError(f"{dataset}: no data for {what} {', '.join(missing)}")
    return [c for c in canonical if c in present] + [c for c in present if c not in canonical]


def _vocabulary(column: str):
    from report.data.vocab import vocabulary

    try:
        return vocabulary(column)
    except paths.ProjectNotFound:
        return None


def canonical_for(column: str) -> tuple[str, ...] | None:
    """The order the data package's vocabulary gives a column's categories, if it has one."""
    vocab = _vocabulary(column)
    return vocab.values if vocab else None


def totals_for(column: str) -> tuple[str, ...]:
    """Aggregate categories of a column (England, All areas): a chart sets them apart."""
    vocab = _vocabulary(column)
    return vocab.totals if vocab else ()


def subject_for(column: str) -> str | None:
    """The first category of a column's vocabulary: the publication's subject, drawn on top."""
    vocab = _vocabulary(column)
    return vocab.subject if vocab else None


def categories(df: pd.DataFrame, column: str, dataset: str) -> list:
    """Ordered categories of a column. Years and other numbers sort ascending; totals are left
    out (a national line is not one more region)."""
    values = df[column].dropna()
    totals = totals_for(column)
    if totals:
        values = values[~values.isin(totals)]
    canon = canonical_for(column)
    if canon is None and pd.api.types.is_numeric_dtype(values):
        return sorted(values.unique().tolist())
    return ordered_categories(values, canon, dataset, column.replace("_", " "))


def require_complete(df: pd.DataFrame, keys: Sequence[str], dataset: str) -> None:
    """Every combination of the key columns has exactly one row.

    Catches a year missing for one area type (a line would silently skip it) and duplicates
    (a bar would silently show only one of them).
    """
    dup = df.duplicated(list(keys), keep=False)
    if dup.any():
        rows = df.loc[dup, list(keys)].drop_duplicates().to_dict("records")
        raise FigureDataError(f"{dataset}: more than one row for {rows[:3]}")
    levels = [df[k].dropna().unique() for k in keys]
    full = pd.MultiIndex.from_product(levels, names=list(keys))
    have = pd.MultiIndex.from_frame(df[list(keys)])
    gaps = full.difference(have)
    if len(gaps):
        shown = ", ".join(" / ".join(map(str, g)) for g in list(gaps)[:5])
        raise FigureDataError(f"{dataset}: missing value(s) for {shown}" + (" …" if len(gaps) > 5 else ""))
    for k in keys:
        if df[k].isna().any():
            raise FigureDataError(f"{dataset}: empty {k} in some rows")
