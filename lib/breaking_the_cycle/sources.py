"""The raw inputs this publication's pipeline accepts.

The manifest is written to `data/datapackage.json` under `raw_sources` (by `python -m
breaking_the_cycle.spec`) so the description of where the real data comes from travels with the data it
produced. Paths are relative to the raw folder (census files sit in its `census2021/` folder).
The pipeline refuses any file whose sha256 differs: a silently updated upstream file would
otherwise change the classification or the census outcomes.
"""
from __future__ import annotations

from . import census

OGL = {
    "name": "OGL-UK-3.0",
    "title": "Open Government Licence v3.0",
    "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}

# The inputs of the neighbourhood classification, its summary and the maps.
CLASSIFICATION_SOURCES: list[dict] = [
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

NOMIS = "https://www.nomisweb.co.uk/datasets/c2021"
ONS = "Office for National Statistics"
# Where the local mirror of each census file was taken from (census2021/README.md in the raw folder).
NOMIS_MIRROR = ("https://github.com/zpapagianni/london-gentrification-prediction at commit "
                "47fa72414940890789b59ce739e7d40f283e62ce (data/input/predictors/2021/census2021-*-lsoa.csv); "
                "England rows only, otherwise unchanged")
DOT_DENSITY_MIRROR = ("https://github.com/ONSvisual/dot-density-data at commit 12ecaf83f869 "
                      "({}), merged across map tiles, England only")


def _census(path, title, table, rows, sha, mirrored_from, description=None):
    src = {"path": path, "title": title, "publisher": ONS, "licenses": [OGL],
           "homepage": f"{NOMIS}{table.lower()}", "mirrored_from": mirrored_from, "rows": rows, "sha256": sha}
    if description:
        src["description"] = description
    return src


# Census 2021, England, 2021 LSOAs and OAs: real outcomes (see breaking_the_cycle.census).
CENSUS_SOURCES: list[dict] = [
    _census(census.TS066, "Census 2021 TS066 Economic activity status, England, 2021 LSOAs (counts)", "TS066",
            33755, "a14bba77ca530f50f9aebf2117921245a53cd8aba27064bbda690717be7d3c48", NOMIS_MIRROR),
    _census(census.TS067, "Census 2021 TS067 Highest level of qualification, England, 2021 LSOAs (counts)",
            "TS067", 33755, "1a6e555f678426e97e571ec54a40e07180504b309870c3bdd5edcfa93e9fd279", NOMIS_MIRROR),
    _census(census.TS063, "Census 2021 TS063 Occupation (SOC 2020 major groups), England, 2021 LSOAs (counts)",
            "TS063", 33755, "a9c3e0a276db12a6b2b3b9c0967c5f0fcb1ce89929cd99a1a54dcc4abf90b5db", NOMIS_MIRROR),
    _census(census.TS038, "Census 2021 TS038 Disability (Equality Act, 3 categories), England, 2021 LSOAs (counts)",
            "TS038", 33755, "9ced45178a40a7f65577195cd9998d6e9abe30e44ec00eb501675d5f9c3f5e0d", NOMIS_MIRROR),
    _census(census.OA_RESIDENTS, "Census 2021 TS008 usual residents per 2021 output area, with its 2021 LSOA",
            "TS008", 178605, "4e7cafe737c73c0ea6598fa0f103d2fe2ddc3bbc0c0866a87a511dff40099231",
            DOT_DENSITY_MIRROR.format("input/data/TS008_sex_2021.csv.gz")),
    _census(census.TS037_OA, "Census 2021 TS037 General health, % of usual residents per 2021 output area "
            "(3 groups, 1 decimal place)", "TS037", 178605,
            "5c15247378b5c85f103e8757bb9f26ce38e305253af86e63118cbd671669fb50",
            DOT_DENSITY_MIRROR.format("output/data/oa/<tile>/")),
    _census(census.TS059_OA, "Census 2021 TS059 Hours worked, % of residents aged 16+ in employment per 2021 "
            "output area (4 groups, 1 decimal place)", "TS059", 178605,
            "b93f76da82bb439cab9cdb5b67758d12ad1a73c86a42eca679d69d3c3cfd2ca0",
            DOT_DENSITY_MIRROR.format("output/data/oa/<tile>/"),
            description="Verified but not derived from: turning these percentages into counts needs each OA's "
                        "residents in employment, which is not published with them and would have to be "
                        "estimated, while TS066 splits everyone in employment into part-time and full-time "
                        "exactly (the part_time measure)."),
]
RAW_SOURCES: list[dict] = [*CLASSIFICATION_SOURCES, *CENSUS_SOURCES]

ATTRIBUTION = (
    "Source: Office for National Statistics, Census 2021. "
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Contains OS data © Crown copyright and database right. "
    "Community Needs Index © OCSI / Local Trust."
)


