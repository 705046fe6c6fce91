"""The raw inputs the pipeline accepts, and the check that a raw directory holds exactly them.

The manifest lives in `data/datapackage.json` under `raw_sources` so the description of where the
real data comes from travels with the data it produced. The pipeline refuses any file whose
sha256 differs: a silently updated upstream file would otherwise change the classification.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from .errors import Problem, RawInputError

OGL = {
    "name": "OGL-UK-3.0",
    "title": "Open Government Licence v3.0",
    "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}

RAW_SOURCES: list[dict] = [
    {
        "path": "cni2023_england_lsoa21.csv",
        "title": "Community Needs Index 2023, England, 2021 LSOAs",
        "publisher": "OCSI for Local Trust",
        "licenses": [{
            "name": "OCSI-CNI-derived-facts-only",
            "title": "Not open data: derived facts (which LSOAs fall in which group) may be used; "
                     "scores and ranks must not be republished",
        }],
        "homepage": "https://localtrust.org.uk/policy/left-behind-neighbourhoods/",
        "mirrored_from": "https://github.com/humaniverse/IMD (data-raw/cni2023_england_lsoa21.csv)",
        "rows": 33755,
        "sha256": "55dbfe2577163197fac641faca38ed07ef0c761a4b7a945d6404992e4f573596",
    },
    {
        "path": "imd2019_england_lsoa11.csv",
        "title": "English Indices of Deprivation 2019, 2011 LSOAs",
        "publisher": "Ministry of Housing, Communities and Local Government",
        "licenses": [OGL],
        "homepage": "https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019",
        "mirrored_from": "https://github.com/humaniverse/IMD (data/imd2019_england_lsoa11.rda)",
        "rows": 32844,
        "sha256": "60356fefd7ed2a44b911d1428759adce259b1f4320f940def5eab6bebc5032ef",
    },
    {
        "path": "lookup_lsoa11_lsoa21_ltla22.csv",
        "title": "LSOA (2011) to LSOA (2021) to local authority district (2022) lookup, England and Wales",
        "publisher": "Office for National Statistics (Open Geography Portal)",
        "licenses": [OGL],
        "homepage": "https://geoportal.statistics.gov.uk/search?q=LUP_LSOA11_LSOA21_LAD22",
        "mirrored_from": "https://github.com/humaniverse/geographr (data/lookup_lsoa11_lsoa21_ltla22.rda)",
        "rows": 35795,
        "sha256": "ddc782616aab916dc373169ff6d87bf3763c1c6fcb06068902f6de9bd3a02725",
    },
    {
        "path": "lookup_lsoa21_ward24_ltla24.csv",
        "title": "LSOA (2021) to electoral ward (May 2024) to local authority district (2024) lookup",
        "publisher": "Office for National Statistics (Open Geography Portal)",
        "licenses": [OGL],
        "homepage": "https://geoportal.statistics.gov.uk/search?q=LUP_LSOA21_WD24_LAD24",
        "mirrored_from": "https://github.com/humaniverse/geographr",
        "rows": 35672,
        "sha256": "f6e5e7faaf254e28b36747247524928dbc5023259653ace095a704203382b8ae",
    },
    {
        "path": "lookup_ltla24_region24.csv",
        "title": "Local authority district (2024) to region (2024) lookup, England",
        "publisher": "Office for National Statistics (Open Geography Portal)",
        "licenses": [OGL],
        "homepage": "https://geoportal.statistics.gov.uk/search?q=LUP_LAD24_RGN24",
        "mirrored_from": "https://github.com/humaniverse/geographr",
        "rows": 296,
        "sha256": "9456743a873fc5d564e6fc8084c53189f0fa9b67ce3d4393fed3143aa6625c92",
    },
    {
        "path": "population_mid2020_lsoa11.csv",
        "title": "Lower layer super output area population estimates, mid-2020 (2011 LSOAs), banded",
        "publisher": "Office for National Statistics",
        "licenses": [OGL],
        "homepage": "https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/"
                    "populationestimates/datasets/lowersuperoutputareamidyearpopulationestimates",
        "mirrored_from": "https://github.com/humaniverse/demographr (data/population20_lsoa11.rda)",
        "rows": 34753,
        "sha256": "6f88b906c7114754d9595b09ccb69f37481bda4d472bd9e10a680a3b2e93aada",
    },
    {
        "path": "lsoa21_england_points.csv",
        "title": "One point inside each English 2021 LSOA (WGS84), from generalised LSOA boundaries",
        "publisher": "Office for National Statistics (Open Geography Portal)",
        "licenses": [OGL],
        "homepage": "https://geoportal.statistics.gov.uk/search?q=BDY_LSOA%202021",
        "mirrored_from": "computed from https://github.com/humaniverse/geographr (data/boundaries_lsoa21.rda)",
        "rows": 33755,
        "sha256": "a5bab8b2b6890343b24c3f94a074d9804828e6348fb3b294de6fe8135497a8a0",
    },
    {
        "path": "regions_england.geojson",
        "title": "English region outlines (WGS84), dissolved from 2021 LSOA boundaries and simplified",
        "publisher": "Office for National Statistics (Open Geography Portal)",
        "licenses": [OGL],
        "homepage": "https://geoportal.statistics.gov.uk/search?q=BDY_RGN",
        "mirrored_from": "computed from https://github.com/humaniverse/geographr (data/boundaries_lsoa21.rda)",
        "rows": 9,
        "sha256": "03f8352377e13f67dfa805cd86d49b1b8663821bcb50823b959bf7dd3f43a1ac",
    },
]

ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Contains OS data © Crown copyright and database right. "
    "Community Needs Index © OCSI / Local Trust."
)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verify_raw(raw_dir: Path, sources: list[dict], on_file=None) -> dict[str, Path]:
    """Check every manifest entry against `raw_dir`; raise RawInputError listing every mismatch."""
    if not raw_dir.is_dir():
        raise RawInputError([Problem(
            file=str(raw_dir), rule="raw_dir_present",
            message="raw-data directory not found; pass --raw-dir or set $REPORT_RAW_DIR to the folder holding "
                    f"the {len(sources)} files listed under raw_sources in data/datapackage.json",
        )])
    problems: list[Problem] = []
    found: dict[str, Path] = {}
    for src in sources:
        path = raw_dir / src["path"]
        if on_file:
            on_file(src["path"])
        if not path.is_file():
            problems.append(Problem(
                file=str(path), rule="raw_file_present",
                message=f"raw input is missing (download it from {src.get('homepage', 'its publisher')} "
                        f"or point --raw-dir / $REPORT_RAW_DIR at a directory holding it)",
            ))
            continue
        actual = sha256(path)
        if actual != src["sha256"]:
            problems.append(Problem(
                file=str(path), rule="raw_checksum", value=actual,
                message=f"sha256 mismatch: expected {src['sha256']}, actual {actual}; "
                        "the file differs from the one the manifest describes",
            ))
            continue
        found[src["path"]] = path
    if problems:
        raise RawInputError(problems)
    return found
