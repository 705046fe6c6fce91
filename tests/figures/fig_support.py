"""Small in-test datasets for every figure, shaped like the data contract (docs/architecture.md)."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from report.data.vocab import vocabulary

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
# This publication's categories, from its data package (the framework itself knows none).
AREA_TYPES = vocabulary("area_type", ROOT).values
REGIONS = vocabulary("region", ROOT).values
ENGLAND = vocabulary("region", ROOT).totals[0]


def _lines(years, col, name, base):
    return pd.DataFrame([{"year": y, col: c, name: base * (1 + i) + 200 * k}
                         for i, c in enumerate(AREA_TYPES if col == "area_type" else REGIONS)
                         for k, y in enumerate(years)])


def synthetic() -> dict[int, object]:
    years = list(range(2011, 2022))
    at = AREA_TYPES
    d: dict[int, object] = {}
    d[4] = _lines(years, "area_type", "gva_per_capita_gbp", 9000)
    d[5] = _lines(years, "region", "gva_per_capita_gbp", 5000)
    # Census charts as in the data: 2021 real, 2011 illustrative
    census = lambda y: "derived" if y == 2021 else "reconstructed"  # noqa: E731
    d[6] = pd.DataFrame([{"census_year": y, "area_type": a, "self_employment_rate_pct": 8.0 + i + (y == 2021),
                          "provenance": census(y)}
                         for y in (2011, 2021) for i, a in enumerate(at)])
    d[7] = pd.DataFrame([{"region": r, "area_type": a, "jobs_density": 40.0 + 20 * i + j}
                         for j, r in enumerate([*REGIONS, ENGLAND]) for i, a in enumerate(at)])
    d[8] = pd.DataFrame({"area_type": list(at), "job_access_score": [61.4, 83.9, 88.2]})
    d[9] = pd.DataFrame([{"year": y, "area_type": a, "measure": m, "rate_pct": (6 - 2 * i) * (1 + (m[0] == "Y")) - 0.1 * k}
                         for m in ("Unemployment rate", "Youth unemployment rate")
                         for i, a in enumerate(at) for k, y in enumerate(range(2013, 2024))])
    d[10] = pd.DataFrame([{"census_year": y, "area_type": a, "inactivity_rate_pct": 47.0 - 5 * i - (y == 2011),
                           "provenance": census(y)}
                          for y in (2011, 2021) for i, a in enumerate(at)])
    d[11] = _lines(list(range(2011, 2021)), "area_type", "gdhi_per_capita_gbp", 14000)
    d[12] = _lines(years, "region", "gdhi_per_capita_gbp", 13000)
    quals = ["No qualifications", "Level 1 and entry level", "Level 2", "Apprenticeship", "Level 3",
             "Level 4 and above", "Other"]
    d[13] = pd.DataFrame([{"qualification": q, "area_type": a, "share_pct": 100 / 7}
                          for q in quals for a in at])
    # The three Census 2021 groups; panel sums as with the five categories before, so the baseline holds.
    health = {"Very good or good health": [72.5, 75.4, 83.5], "Fair health": [17.5, 16.6, 11.8],
              "Bad or very bad health": [10.0, 8.0, 4.7]}
    d[14] = pd.DataFrame([{"health": h, "area_type": a, "share_pct": v[i]}
                          for h, v in health.items() for i, a in enumerate(at)])
    d[15] = pd.DataFrame([{"census_year": y, "area_type": a, "rate_pct": [10.5, 8.2, 3.5][i] - (y == 2011),
                           "provenance": census(y)}
                          for y in (2011, 2021) for i, a in enumerate(at)])
    # The publication states four of the six childcare values; the other two are illustrative.
    d[16] = pd.DataFrame([{"area_type": a, "provider_type": p, "places_per_100_children": v[i],
                           "provenance": "publication" if p == "All providers" or i == 0 else "reconstructed"}
                          for p, v in {"All providers": [17, 20, 26],
                                       "Good or outstanding providers": [14, 17, 23]}.items()
                          for i, a in enumerate(at)])
    d[2] = pd.DataFrame({"level": [1, 2, 3, 4],
                         "title": ["Basic security", "Workplace values and fairness",
                                   "Opportunity and progression", "Fulfilment and purpose"],
                         "examples": ["Secure contract", "Respect", "Training", "Purpose"]})
    d[1] = synthetic_map()
    return d


def synthetic_map() -> dict:
    feats, pts = [], []
    for i, r in enumerate(REGIONS):
        x0, y0 = -5 + (i % 3) * 2, 50 + (i // 3) * 2
        ring = [[x0, y0], [x0 + 2, y0], [x0 + 2, y0 + 2], [x0, y0 + 2], [x0, y0]]
        feats.append({"type": "Feature", "properties": {"region": r},
                      "geometry": {"type": "Polygon", "coordinates": [ring]}})
        for k in range(i + 1):
            pts.append({"lsoa21_code": f"E0{i}{k:05d}", "region": r,
                        "longitude": x0 + 0.1 + 0.1 * k, "latitude": y0 + 1})
    summary = pd.DataFrame([{"area_type": a, "region": r, "lsoas": (i + 1) if a == AREA_TYPES[0] else 100,
                             "wards": 1, "population": 1000, "working_age_population": 600}
                            for a in AREA_TYPES for i, r in enumerate([*REGIONS])]
                           + [{"area_type": AREA_TYPES[0], "region": ENGLAND, "lsoas": 45, "wards": 9,
                               "population": 9000, "working_age_population": 5400}])
    return {"points": pd.DataFrame(pts), "regions": {"type": "FeatureCollection", "features": feats},
            "summary": summary}



def real_data_available() -> bool:
    return (DATA / "datapackage.json").is_file() and (DATA / "fig16_childcare.csv").is_file()


def package_provenance() -> dict[str, str]:
    pkg = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    return {r["name"]: r.get("provenance") for r in pkg["resources"]}


needs_real_data = pytest.mark.skipif(not real_data_available(), reason="data/ not derived yet")


def texts_by_gid(fig) -> dict[str, str]:
    return {t.get_gid(): t.get_text().replace("\n", " ") for t in fig.texts if t.get_gid()}


def unwrap(label: str) -> str:
    return " ".join(str(label).split())
