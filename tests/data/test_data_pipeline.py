"""`report data` reproduces the classification from the real raw files, byte for byte."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from report.cli import main

ROOT = Path(__file__).resolve().parents[2]

from data_support import DERIVED_FILES, MIXED_FILES

DERIVED = [*DERIVED_FILES, *MIXED_FILES, "key_statistics.csv"]
EXPECTED_BY_REGION = {"North West": 339, "Yorkshire and The Humber": 288, "North East": 172, "West Midlands": 161,
                      "East Midlands": 107, "East of England": 85, "South West": 76, "South East": 75, "London": 2}


def _digests(folder):
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.iterdir()) if p.is_file()}


def test_reproduces_expected_numbers(derived):
    cls = pd.read_csv(derived / "data" / "lsoa_classification.csv")
    assert len(cls) == 33755
    dd = cls[cls["area_type"] == "Doubly disadvantaged"]
    assert len(dd) == 1305
    assert dd["ward24_code"].nunique() == 657
    assert dd["region"].value_counts().to_dict() == EXPECTED_BY_REGION
    assert round(dd["population"].sum() / 1e6, 2) == 2.08
    assert round(dd["population_16_64"].sum() / 1e6, 2) == 1.27
    assert 2034 <= (cls["area_type"] == "Other deprived").sum() <= 2041
    # OCSI licence: derived facts only, never the CNI scores or ranks.
    assert not any("cni" in c.lower() or "rank" in c.lower() or "score" in c.lower() for c in cls.columns)


def test_summary_and_map_agree_with_classification(derived):
    summary = pd.read_csv(derived / "data" / "area_type_summary.csv")
    eng = summary[(summary["region"] == "England") & (summary["area_type"] == "Doubly disadvantaged")].iloc[0]
    assert (eng["lsoas"], eng["wards"]) == (1305, 657)
    points = pd.read_csv(derived / "data" / "map_points.csv")
    assert len(points) == 1305 and points["lsoa21_code"].is_unique
    assert points["region"].value_counts().to_dict() == EXPECTED_BY_REGION
    stats = pd.read_csv(derived / "data" / "key_statistics.csv").set_index("key")["value"]
    assert stats["dd_lsoas_computed"] == 1305 and stats["dd_wards_computed"] == 657
    assert stats["dd_population_computed"] == eng["population"]
    assert stats["dd_population_16_64_computed"] == eng["working_age_population"]


def test_output_matches_committed_files(derived):
    for name in DERIVED:
        assert (derived / "data" / name).read_bytes() == (ROOT / "data" / name).read_bytes(), name


def test_second_run_changes_no_byte(derived, raw_dir):
    before = _digests(derived / "data")
    res = CliRunner().invoke(main, ["data", "--raw-dir", str(raw_dir)])
    assert res.exit_code == 0, res.output
    assert _digests(derived / "data") == before


def test_raw_dir_from_environment(project, raw_dir, monkeypatch):
    monkeypatch.setenv("REPORT_RAW_DIR", str(raw_dir))
    res = CliRunner().invoke(main, ["data"])
    assert res.exit_code == 0, res.output
    assert "1,305 doubly disadvantaged" in res.output


def _raw_files(raw_dir):
    """Every file under the raw folder, as a path relative to it (census files sit in census2021/)."""
    return sorted(str(p.relative_to(raw_dir)) for p in raw_dir.rglob("*") if p.is_file())


def _raw_copy(raw_dir, tmp_path):
    """A raw folder of symlinks (folders made for real, so replacing a link never touches the original)."""
    dest = tmp_path / "raw"
    for rel in _raw_files(raw_dir):
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).symlink_to(raw_dir / rel)
    return dest


def _replace(path, old: bytes, new: bytes):
    data = path.read_bytes()
    assert old in data
    path.unlink()  # drop the symlink, write a changed copy in its place
    path.write_bytes(data.replace(old, new, 1))
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_raw_file_with_wrong_checksum_is_refused(project, raw_dir, tmp_path):
    raw = _raw_copy(raw_dir, tmp_path)
    actual = _replace(raw / "imd2019_england_lsoa11.csv", b"E01000001,9,", b"E01000001,1,")
    before = (project / "data" / "lsoa_classification.csv").read_bytes()
    res = CliRunner().invoke(main, ["data", "--raw-dir", str(raw)])
    assert res.exit_code == 1
    assert "imd2019_england_lsoa11.csv" in res.output
    assert "60356fefd7ed2a44b911d1428759adce259b1f4320f940def5eab6bebc5032ef" in res.output  # expected
    assert actual in res.output
    assert "raw_checksum" in res.output
    assert (project / "data" / "lsoa_classification.csv").read_bytes() == before  # nothing written


def test_changed_census_file_is_refused(project, raw_dir, tmp_path):
    from breaking_the_cycle.sources import RAW_SOURCES

    raw = _raw_copy(raw_dir, tmp_path)
    name = "census2021/nomis_census2021_ts066_economic_activity_lsoa21_england.csv"
    expected = next(s["sha256"] for s in RAW_SOURCES if s["path"] == name)
    # One LSOA's count of long-term sick moved to "other" inactive: totals still add up, only the bytes differ.
    actual = _replace(raw / name, b",3,317,88,111,137,83\n", b",3,317,88,111,136,84\n")
    before = {n: (project / "data" / n).read_bytes() for n in ("census2021_outcomes.csv", "fig15_inactivity_sickness.csv")}
    res = CliRunner().invoke(main, ["data", "--raw-dir", str(raw)])
    assert res.exit_code == 1
    assert name in res.output and "raw_checksum" in res.output
    assert expected in res.output and actual in res.output and expected != actual
    assert {n: (project / "data" / n).read_bytes() for n in before} == before  # nothing written


def test_missing_raw_file_is_refused(project, raw_dir, tmp_path):
    raw = _raw_copy(raw_dir, tmp_path)
    (raw / "lookup_ltla24_region24.csv").unlink()
    res = CliRunner().invoke(main, ["data", "--raw-dir", str(raw)])
    assert res.exit_code == 1
    assert "lookup_ltla24_region24.csv" in res.output and "missing" in res.output
    assert "raw_file_present" in res.output


def test_manifest_lists_every_raw_file_with_provenance(raw_dir):
    import json

    pkg = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    sources = {s["path"]: s for s in pkg["raw_sources"]}
    # README files describe a mirror (where it came from, its checks); they are not inputs.
    files = [f for f in _raw_files(raw_dir) if Path(f).name != "README.md"]
    assert set(sources) == set(files)
    for path, s in sources.items():
        assert s["publisher"] and s["licenses"] and s["homepage"].startswith("https://")
        assert s["mirrored_from"] and s["title"]
        assert len(s["sha256"]) == 64
        assert s["sha256"] == hashlib.sha256((raw_dir / path).read_bytes()).hexdigest(), path
        with (raw_dir / path).open("rb") as fh:  # rows = data rows (features for the GeoJSON)
            if path.endswith(".csv"):
                assert s["rows"] == sum(1 for _ in fh) - 1, path
    census = [s for p, s in sources.items() if p.startswith("census2021/")]
    assert len(census) == 7
    for s in census:
        assert s["publisher"] == "Office for National Statistics"
        assert [lic["name"] for lic in s["licenses"]] == ["OGL-UK-3.0"]
        assert s["homepage"].startswith("https://www.nomisweb.co.uk/datasets/c2021ts")


def test_missing_raw_dir_is_refused(project, tmp_path):
    res = CliRunner().invoke(main, ["data", "--raw-dir", str(tmp_path / "nowhere")])
    assert res.exit_code == 1
    assert "nowhere" in res.output and "raw_dir_present" in res.output
