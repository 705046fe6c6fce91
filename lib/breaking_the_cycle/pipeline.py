"""Raw public files -> the derived, committed classification of England's neighbourhoods.

Definitions (from the report and the raw README):

* doubly disadvantaged: in the bottom decile of the Community Needs Index 2023 by rank (rank 1 =
  highest need, so rank <= 10% of all English LSOAs) AND in IMD 2019 decile 1;
* other deprived: IMD 2019 decile 1 but not in the CNI bottom decile;
* non-deprived: every other LSOA.

2011 -> 2021 LSOA changes, one rule for all change codes: every 2011 LSOA hands its population
out equally to the 2021 LSOAs it maps to, and a 2021 LSOA sums what it receives and takes the
most deprived IMD decile among its 2011 parents. For the codes this means:
  U (unchanged) carries over; S (split) divides the parent equally between the parts; M (merged)
  sums the parents and takes the most deprived parent decile; X (irregular: parts of several 2011
  LSOAs recombined) is treated as split-then-merge under the same rule.
Equal division yields fractions of people; each parent's share is rounded with largest
remainders (ties to the lower 2021 code) so the parts always add back to the parent's count.

CNI scores and ranks are never written out: OCSI allows derived facts only.

The same run derives the Census 2021 outcomes by area type (see `census`) and writes the rows of
the figure datasets that come from them.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from report import paths

from report.data import manifest

from . import census, sources
from .constants import AREA_TYPES, DD, ENGLAND, ND, OD, REGIONS
from report.data.package import read_package

CLASSIFICATION = "lsoa_classification.csv"
SUMMARY = "area_type_summary.csv"
MAP_POINTS = "map_points.csv"
MAP_REGIONS = "map_regions.geojson"
KEY_STATISTICS = "key_statistics.csv"
CENSUS_OUTCOMES = "census2021_outcomes.csv"

CNI_RANK = "Community Needs Index 2023 Rank"
# The computed rows `report data` owns in key_statistics.csv; every other row is left as found.
COMPUTED_KEYS = {
    "dd_lsoas_computed", "dd_wards_computed", "dd_population_computed",
    "dd_population_16_64_computed", "od_lsoas_computed", "england_lsoas_computed",
}


def _write_text(path: Path, text: str) -> bool:
    """Write only when the content changes, so a re-run touches nothing."""
    if path.is_file() and path.read_bytes() == text.encode("utf-8"):
        return False
    path.write_bytes(text.encode("utf-8"))
    return True


def _csv_text(df: pd.DataFrame) -> str:
    return df.to_csv(index=False, lineterminator="\n")


def _apportion(lookup: pd.DataFrame, pop: pd.DataFrame) -> pd.DataFrame:
    """Population per 2021 LSOA under the equal-division rule (see module docstring)."""
    links = lookup[["lsoa11_code", "lsoa21_code"]].drop_duplicates().sort_values(["lsoa11_code", "lsoa21_code"])
    links = links.merge(pop, on="lsoa11_code", how="left", validate="many_to_one")
    if links["total_population"].isna().any():
        missing = links.loc[links["total_population"].isna(), "lsoa11_code"].iloc[0]
        raise ValueError(f"population_mid2020_lsoa11.csv has no row for 2011 LSOA {missing}")
    n = links.groupby("lsoa11_code")["lsoa21_code"].transform("size")
    i = links.groupby("lsoa11_code").cumcount()
    out = pd.DataFrame({"lsoa21_code": links["lsoa21_code"]})
    for src, dst in (("total_population", "population"), ("aged_16_64", "population_16_64")):
        total = links[src].astype("int64")
        # Largest remainder with equal fractions: the first `rem` parts (by 2021 code) get one more.
        out[dst] = total // n + (i < total % n).astype("int64")
    return out.groupby("lsoa21_code", as_index=False)[["population", "population_16_64"]].sum()


def classify(files: dict[str, Path]) -> pd.DataFrame:
    cni = pd.read_csv(files["cni2023_england_lsoa21.csv"], usecols=["lsoa21_code", "lsoa21_name", CNI_RANK])
    imd = pd.read_csv(files["imd2019_england_lsoa11.csv"], usecols=["lsoa11_code", "IMD_decile"])
    lookup = pd.read_csv(files["lookup_lsoa11_lsoa21_ltla22.csv"])
    wards = pd.read_csv(files["lookup_lsoa21_ward24_ltla24.csv"])
    regions = pd.read_csv(files["lookup_ltla24_region24.csv"])
    pop = pd.read_csv(files["population_mid2020_lsoa11.csv"], usecols=["lsoa11_code", "total_population", "aged_16_64"])

    lookup = lookup[lookup["lsoa21_code"].str.startswith("E")]
    decile = (lookup.merge(imd, on="lsoa11_code", how="left")
              .groupby("lsoa21_code")["IMD_decile"].min())  # merged: most deprived parent
    n = len(cni)
    cni_bottom = cni[CNI_RANK] <= n / 10
    imd_first = cni["lsoa21_code"].map(decile) == 1
    if cni["lsoa21_code"].map(decile).isna().any():
        raise ValueError("an English 2021 LSOA in the CNI file has no 2011 parent in the LSOA lookup")
    area_type = pd.Series(ND, index=cni.index)
    area_type[imd_first] = OD
    area_type[imd_first & cni_bottom] = DD

    df = pd.DataFrame({"lsoa21_code": cni["lsoa21_code"], "lsoa21_name": cni["lsoa21_name"], "area_type": area_type})
    df = df.merge(wards[["lsoa21_code", "ward24_code", "ward24_name", "ltla24_code", "ltla24_name"]],
                  on="lsoa21_code", how="left", validate="one_to_one")
    df = df.merge(regions[["ltla24_code", "region24_name"]].rename(columns={"region24_name": "region"}),
                  on="ltla24_code", how="left", validate="many_to_one")
    df = df.merge(_apportion(lookup, pop), on="lsoa21_code", how="left", validate="one_to_one")
    for col in ("ward24_code", "region", "population"):
        if df[col].isna().any():
            code = df.loc[df[col].isna(), "lsoa21_code"].iloc[0]
            raise ValueError(f"2021 LSOA {code} has no {col} after joining the lookups")
    cols = ["lsoa21_code", "lsoa21_name", "area_type", "region", "ward24_code", "ward24_name",
            "ltla24_code", "ltla24_name", "population", "population_16_64"]
    df = df[cols].sort_values("lsoa21_code").reset_index(drop=True)
    df["population"] = df["population"].astype("int64")
    df["population_16_64"] = df["population_16_64"].astype("int64")
    return df


def summarise(cls: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for at in AREA_TYPES:
        sub = cls[cls["area_type"] == at]
        for region in [*REGIONS, ENGLAND]:
            part = sub if region == ENGLAND else sub[sub["region"] == region]
            rows.append({
                "area_type": at, "region": region, "lsoas": len(part),
                "wards": part["ward24_code"].nunique(),
                "population": int(part["population"].sum()),
                "working_age_population": int(part["population_16_64"].sum()),
            })
    return pd.DataFrame(rows)


def map_points(cls: pd.DataFrame, points_file: Path) -> pd.DataFrame:
    pts = pd.read_csv(points_file, usecols=["lsoa21_code", "longitude", "latitude"], dtype={"longitude": str, "latitude": str})
    dd = cls.loc[cls["area_type"] == DD, ["lsoa21_code", "region"]]
    out = dd.merge(pts, on="lsoa21_code", how="left", validate="one_to_one")
    if out["longitude"].isna().any():
        raise ValueError(f"no map point for LSOA {out.loc[out['longitude'].isna(), 'lsoa21_code'].iloc[0]}")
    return out.sort_values("lsoa21_code").reset_index(drop=True)


def map_regions(regions_file: Path) -> str:
    src = json.loads(regions_file.read_text(encoding="utf-8"))
    order = {r: i for i, r in enumerate(REGIONS)}
    feats = []
    for f in src["features"]:
        props = f["properties"]
        feats.append({"type": "Feature",
                      "properties": {"region": props["region_name"], "region_code": props["region_code"]},
                      "geometry": f["geometry"]})
    unknown = [f["properties"]["region"] for f in feats if f["properties"]["region"] not in order]
    if unknown:
        raise ValueError(f"regions_england.geojson has regions outside the contract: {unknown}")
    feats.sort(key=lambda f: order[f["properties"]["region"]])
    out = {"type": "FeatureCollection", "features": feats}
    return json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n"


def computed_statistics(cls: pd.DataFrame) -> pd.DataFrame:
    dd = cls[cls["area_type"] == DD]
    src = "Derived by `report data` from CNI 2023, IMD 2019, ONS lookups and mid-2020 population estimates"
    rows = [
        ("dd_lsoas_computed", "Doubly disadvantaged 2021 LSOAs (bottom CNI 2023 decile and IMD 2019 decile 1)",
         len(dd), "LSOAs", "2023"),
        ("dd_wards_computed", "May 2024 electoral wards containing at least one doubly disadvantaged LSOA",
         dd["ward24_code"].nunique(), "wards", "2024"),
        ("dd_population_computed", "People living in doubly disadvantaged LSOAs (mid-2020 estimate)",
         int(dd["population"].sum()), "people", "2020"),
        ("dd_population_16_64_computed", "People aged 16 to 64 living in doubly disadvantaged LSOAs (mid-2020 estimate)",
         int(dd["population_16_64"].sum()), "people", "2020"),
        ("od_lsoas_computed", "Other deprived 2021 LSOAs (IMD 2019 decile 1, not bottom CNI decile)",
         int((cls["area_type"] == OD).sum()), "LSOAs", "2023"),
        ("england_lsoas_computed", "2021 LSOAs in England", len(cls), "LSOAs", "2021"),
    ]
    assert {r[0] for r in rows} == COMPUTED_KEYS
    return pd.DataFrame([{"key": k, "label": lab, "value": v, "unit": u, "year": y, "source": src,
                          "provenance": "derived"} for k, lab, v, u, y in rows])


def merge_key_statistics(path: Path, computed: pd.DataFrame) -> str:
    cols = ["key", "label", "value", "unit", "year", "source", "provenance"]
    if path.is_file():
        old = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        old = old[~old["key"].isin(COMPUTED_KEYS)]
    else:
        old = pd.DataFrame(columns=cols)
    new = pd.concat([old[cols], computed.astype(str)[cols]], ignore_index=True)
    new = new.sort_values("key", kind="stable").reset_index(drop=True)
    return _csv_text(new)


def _display_order(s: pd.Series) -> pd.Series:
    """Sort key for a column of a figure dataset: area types in their fixed order, years as numbers."""
    if s.name == "area_type":
        return s.map({a: i for i, a in enumerate(AREA_TYPES)}).fillna(len(AREA_TYPES))
    return pd.to_numeric(s, errors="coerce")


def merge_rows(path: Path, new: pd.DataFrame, key: list[str], owner: str) -> str:
    """The file's text with `new` in place of the rows `owner` wrote before; every other row as found.

    A figure dataset can hold rows of more than one provenance: `report data` owns the `derived`
    rows, the reconstruction tool the `reconstructed` ones. Each replaces its own rows (and any row
    at a key it now supplies) and leaves the rest byte for byte, the way `report data` treats the
    publication rows of key_statistics.csv. Rows are sorted by `key` (area types in their order).
    """
    cols = list(new.columns)
    new = new.astype(str)
    if path.is_file():
        old = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        if "provenance" not in old:
            old["provenance"] = "reconstructed"  # written before rows had provenance: all were reconstructed
        supplied = pd.MultiIndex.from_frame(new[key])
        at_key = pd.MultiIndex.from_frame(old[key]).isin(supplied)
        old = old.loc[(old["provenance"] != owner) & ~at_key, cols]
        new = pd.concat([old, new], ignore_index=True)
    new = new.sort_values(key, key=_display_order, kind="stable").reset_index(drop=True)
    return _csv_text(new)


def figure_texts(data_dir: Path, frames: dict[str, pd.DataFrame]) -> dict[str, str]:
    """CSV text of each figure dataset fed by the census outcomes."""
    out = {}
    for name, df in frames.items():
        spec = census.FIGURES[name]
        if spec.whole:  # every row is derived: the file is ours
            out[f"{name}.csv"] = _csv_text(df)
        else:
            out[f"{name}.csv"] = merge_rows(data_dir / f"{name}.csv", df, ["census_year", "area_type"], "derived")
    return out


def run(root: Path | None = None, raw: Path | None = None, console=None) -> dict[str, object]:
    """Verify the raw files, derive every output and write those that changed. Returns a summary."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

    root = root or paths.project_root()
    raw = raw or paths.raw_dir(root)
    out_dir = paths.data_dir(root)
    console = console or Console(stderr=True)
    manifest_sources = read_package(root).get("raw_sources") or sources.RAW_SOURCES

    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                        TextColumn("{task.completed}/{task.total}"), console=console, transient=False)
    steps = ["checksums", "classification", "summary", "map data", "key statistics", "census", "figure rows"]
    with progress:
        task = progress.add_task("Verifying raw inputs", total=len(steps))
        files = manifest.verify_raw(Path(raw), manifest_sources,
                                    on_file=lambda p: progress.update(task, description=f"Checking {p}"))
        progress.advance(task)
        progress.update(task, description="Classifying 2021 LSOAs")
        cls = classify(files)
        progress.advance(task)
        progress.update(task, description="Summarising by area type and region")
        summary = summarise(cls)
        progress.advance(task)
        progress.update(task, description="Writing map data")
        points = map_points(cls, files["lsoa21_england_points.csv"])
        regions_geo = map_regions(files["regions_england.geojson"])
        progress.advance(task)
        progress.update(task, description="Updating key statistics")
        stats_text = merge_key_statistics(out_dir / KEY_STATISTICS, computed_statistics(cls))
        progress.advance(task)
        progress.update(task, description="Census 2021 outcomes by area type and region")
        outcomes = census.outcomes(files, cls)
        progress.advance(task)
        progress.update(task, description="Census rows of Figures 6, 10, 13, 14 and 15")
        figure_csv = figure_texts(out_dir, census.figure_rows(outcomes))
        progress.advance(task)
        progress.update(task, description="Done")

    out_dir.mkdir(parents=True, exist_ok=True)
    written = {
        CLASSIFICATION: _write_text(out_dir / CLASSIFICATION, _csv_text(cls)),
        SUMMARY: _write_text(out_dir / SUMMARY, _csv_text(summary)),
        MAP_POINTS: _write_text(out_dir / MAP_POINTS, _csv_text(points)),
        MAP_REGIONS: _write_text(out_dir / MAP_REGIONS, regions_geo),
        KEY_STATISTICS: _write_text(out_dir / KEY_STATISTICS, stats_text),
        CENSUS_OUTCOMES: _write_text(out_dir / CENSUS_OUTCOMES, _csv_text(outcomes)),
        **{name: _write_text(out_dir / name, text) for name, text in figure_csv.items()},
    }
    dd = cls[cls["area_type"] == DD]
    return {
        "written": written,
        "lsoas": len(cls),
        "dd_lsoas": len(dd),
        "dd_wards": int(dd["ward24_code"].nunique()),
        "dd_population": int(dd["population"].sum()),
        "dd_population_16_64": int(dd["population_16_64"].sum()),
        "od_lsoas": int((cls["area_type"] == OD).sum()),
        "dd_by_region": dd["region"].value_counts().to_dict(),
        "census_rows": len(outcomes),
        "census_measures": outcomes["measure"].nunique(),
        "census_headline": census.headline(outcomes),
    }


def summary(res: dict) -> list[str]:
    """What `report data` prints after the files: the classification, then the Census headline
    shares by area type as plain aligned lines (never wrapped in a pipe)."""
    lines = [
        f"ok {res['lsoas']:,} LSOAs classified: {res['dd_lsoas']:,} doubly disadvantaged in "
        f"{res['dd_wards']:,} wards, {res['dd_population']:,} people ({res['dd_population_16_64']:,} aged 16-64); "
        f"{res['od_lsoas']:,} other deprived",
        f"ok Census 2021: {res['census_measures']} measures, {res['census_rows']:,} rows by area type and region "
        "(data/census2021_outcomes.csv); 2021 rows of Figures 6, 10, 15 and all of 13, 14 derived",
    ]
    frame = res["census_headline"]
    cols = [str(c) for c in frame.columns]
    width = max(len(str(m)) for m in frame.index)
    lines += ["Census 2021, England, share (%) by area type (DD doubly disadvantaged, OD other deprived, "
              "ND non-deprived):", f"  {'':<{width}}  " + "  ".join(f"{c:>7}" for c in cols)]
    for measure, row in frame.iterrows():
        lines.append(f"  {str(measure):<{width}}  " + "  ".join(f"{v:>7.1f}" for v in row))
    return lines
