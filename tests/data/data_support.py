"""Shared by the data tests: which files `report data` writes."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The shared local mirror of the raw public files, or $REPORT_RAW_DIR (read at import, before any
# test's monkeypatch clears it).
RAW = Path(os.environ.get("REPORT_RAW_DIR") or ROOT / ".." / "shared" / "data" / "raw").resolve()

# Wholly written by `report data`. The census figure files in MIXED_FILES hold derived 2021 rows
# next to reconstructed 2011 rows, which `report data` leaves as found.
DERIVED_FILES = ["lsoa_classification.csv", "area_type_summary.csv", "map_points.csv", "map_regions.geojson",
                 "census2021_outcomes.csv", "fig13_qualifications.csv", "fig14_health.csv"]
MIXED_FILES = ["fig06_self_employment.csv", "fig10_inactivity.csv", "fig15_inactivity_sickness.csv"]
