"""Descriptors of the resources this module owns in `data/datapackage.json`.

Run `python -m breaking_the_cycle.spec` after changing a descriptor here: it rewrites only these
resources (in place) and the package-level metadata, leaving other modules' resources alone.
The package file, not this module, is what validation reads, so a hand edit there also works.
"""
from __future__ import annotations

from . import census
from .constants import AREA_TYPES, ENGLAND, REGIONS
from .sources import ATTRIBUTION, CENSUS_SOURCES, CLASSIFICATION_SOURCES, OGL, RAW_SOURCES

CC_BY = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
         "path": "https://creativecommons.org/licenses/by/4.0/"}
REPORT_SOURCE = {
    "title": "Centre for Progressive Policy and Local Trust (2024) Breaking the cycle: Delivering good jobs "
             "for 'doubly disadvantaged' neighbourhoods",
    "path": "https://www.progressive-policy.net/publications/breaking-the-cycle",
}
RECONSTRUCTED_NOTE = (
    " Reconstructed: the underlying small-area data could not be obtained for this rebuild, so the values "
    "were set to equal every number the report states about this chart and to follow the relations it "
    "describes; every other value is a plausible estimate, not an official statistic. Replace this file with "
    "real processed data of the same shape to update the figure."
)


def field(name, type_, description, *, required=True, enum=None, minimum=None, maximum=None,
          pattern=None, unique=None, unit=None):
    f = {"name": name, "type": type_, "description": description}
    c = {}
    if required:
        c["required"] = True
    if unique:
        c["unique"] = True
    if enum is not None:
        c["enum"] = list(enum)
    if minimum is not None:
        c["minimum"] = minimum
    if maximum is not None:
        c["maximum"] = maximum
    if pattern is not None:
        c["pattern"] = pattern
    if c:
        f["constraints"] = c
    if unit:
        f["unit"] = unit
    return f


ROW_PROVENANCE = ["derived", "publication", "reconstructed"]


def provenance_field():
    """The last column of every figure dataset: where each row's value comes from."""
    return field("provenance", "string",
                 "Where this row's value comes from: derived = computed by `report data` from real raw files; "
                 "publication = exactly a value the publication states; reconstructed = set to be consistent "
                 "with the publication, not an official statistic", enum=ROW_PROVENANCE)


def area_type_field():
    return field("area_type", "string", "Neighbourhood type (see lsoa_classification)", enum=AREA_TYPES)


def region_field(with_england=False, description="Region (ONS 2024 names)"):
    return field("region", "string", description, enum=[*REGIONS, ENGLAND] if with_england else REGIONS)


def csv_resource(name, title, description, fields, primary_key, *, provenance, sources, licenses,
                 unit, rules=(), extra=None):
    res = {
        "name": name,
        "path": f"{name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "title": title,
        "description": description,
        "provenance": provenance,
        "unit": unit,
        "sources": sources,
        "licenses": licenses,
        "dialect": {"delimiter": ",", "header": True},
        "schema": {"fields": fields, "primaryKey": primary_key},
        "rules": list(rules),
    }
    if extra:
        res.update(extra)
    return res


def source_refs(raw_sources) -> list[dict]:
    """Raw-source manifest entries as a resource's `sources` (title, download page, publisher)."""
    return [{"title": s["title"], "path": s["homepage"], "publisher": s["publisher"]} for s in raw_sources]


RAW_DERIVED_SOURCES = source_refs(CLASSIFICATION_SOURCES)
REGIONS_SOURCE = source_refs(s for s in CLASSIFICATION_SOURCES if s["path"] == "regions_england.geojson")
# Census outcomes: the census tables used plus the classification they are summed over.
CENSUS_DERIVED_SOURCES = source_refs(s for s in CENSUS_SOURCES if s["path"] != census.TS059_OA) + RAW_DERIVED_SOURCES
CENSUS_ATTRIBUTION = ("Source: Office for National Statistics, Census 2021. Contains public sector information "
                      "licensed under the Open Government Licence v3.0.")
DERIVED_LICENSES = [OGL, {"name": "OCSI-CNI-derived-facts-only",
                          "title": "Community Needs Index © OCSI / Local Trust: derived group membership only"}]

YEARS_ALL_AREAS = [
    {"rule": "all_categories_present", "field": "area_type", "group_by": ["year"]},
]


def derived_resources() -> list[dict]:
    return [
        csv_resource(
            "lsoa_classification", "Classification of every 2021 LSOA in England",
            "Each English 2021 LSOA with its area type (doubly disadvantaged = bottom CNI 2023 decile by rank and "
            "IMD 2019 decile 1; other deprived = IMD 2019 decile 1 only; non-deprived = the rest), its May 2024 "
            "ward, 2024 local authority and region, and mid-2020 population. 2011 to 2021 LSOA changes: each 2011 "
            "LSOA's population is divided equally between the 2021 LSOAs it maps to (U carried over, S split "
            "equally, M summed, X treated as split then merged), rounded by largest remainder; a 2021 LSOA takes "
            "the most deprived IMD decile of its 2011 parents. CNI scores and ranks are deliberately not included.",
            [
                field("lsoa21_code", "string", "2021 LSOA code", pattern="^E01[0-9]{6}$", unique=True),
                field("lsoa21_name", "string", "2021 LSOA name"),
                area_type_field(),
                region_field(),
                field("ward24_code", "string", "May 2024 electoral ward code", pattern="^E05[0-9]{6}$"),
                field("ward24_name", "string", "May 2024 electoral ward name"),
                field("ltla24_code", "string", "2024 local authority district code", pattern="^E0[6-9][0-9]{6}$"),
                field("ltla24_name", "string", "2024 local authority district name"),
                field("population", "integer", "Mid-2020 population estimate, all ages", minimum=0, unit="people"),
                field("population_16_64", "integer", "Mid-2020 population estimate, aged 16 to 64", minimum=0,
                      unit="people"),
            ],
            ["lsoa21_code"], provenance="derived", sources=RAW_DERIVED_SOURCES, licenses=DERIVED_LICENSES,
            unit="people",
            rules=[{"rule": "all_categories_present", "field": "area_type", "group_by": []},
                   {"rule": "all_categories_present", "field": "region", "group_by": []},
                   {"rule": "not_greater_than", "field": "population_16_64", "other": "population"}],
        ),
        csv_resource(
            "area_type_summary", "Neighbourhoods and people by area type and region",
            "Counts of 2021 LSOAs, May 2024 wards containing at least one such LSOA, mid-2020 population and "
            "population aged 16 to 64, by area type and region, with England totals (region = England).",
            [
                area_type_field(),
                region_field(with_england=True, description="Region (ONS 2024 names), or England for the total"),
                field("lsoas", "integer", "Number of 2021 LSOAs", minimum=0, unit="LSOAs"),
                field("wards", "integer", "Number of May 2024 wards with at least one LSOA of this type", minimum=0,
                      unit="wards"),
                field("population", "integer", "Mid-2020 population, all ages", minimum=0, unit="people"),
                field("working_age_population", "integer", "Mid-2020 population aged 16 to 64", minimum=0,
                      unit="people"),
            ],
            ["area_type", "region"], provenance="derived", sources=RAW_DERIVED_SOURCES, licenses=DERIVED_LICENSES,
            unit="LSOAs, wards and people",
            rules=[{"rule": "all_categories_present", "field": "area_type", "group_by": ["region"]},
                   {"rule": "all_categories_present", "field": "region", "group_by": ["area_type"]},
                   {"rule": "group_total", "field": "lsoas", "group_by": ["area_type"], "total_field": "region",
                    "total_value": ENGLAND}],
        ),
        csv_resource(
            "map_points", "Where doubly disadvantaged neighbourhoods are (points)",
            "One representative point (WGS84) inside each doubly disadvantaged 2021 LSOA, for the maps in "
            "Figures 1 and 3.",
            [
                field("lsoa21_code", "string", "2021 LSOA code", pattern="^E01[0-9]{6}$", unique=True),
                region_field(),
                field("longitude", "number", "Longitude, WGS84 degrees", minimum=-6.5, maximum=2.0, unit="degrees"),
                field("latitude", "number", "Latitude, WGS84 degrees", minimum=49.8, maximum=56.0, unit="degrees"),
            ],
            ["lsoa21_code"], provenance="derived", sources=RAW_DERIVED_SOURCES, licenses=[OGL], unit="degrees",
        ),
        {
            "name": "map_regions",
            "path": "map_regions.geojson",
            "format": "geojson",
            "mediatype": "application/geo+json",
            "encoding": "utf-8",
            "title": "English region outlines",
            "description": "The nine English regions (WGS84), dissolved from generalised 2021 LSOA boundaries "
                           "and simplified, as map backgrounds for Figures 1 and 3. Feature property `region` "
                           "holds the ONS 2024 region name, `region_code` its code.",
            "provenance": "derived",
            "unit": "degrees",
            "sources": REGIONS_SOURCE,
            "licenses": [OGL],
            "rules": [{"rule": "geojson_vocabulary", "property": "region", "vocabulary": "region"}],
        },
    ]


def census_resource() -> dict:
    measures = "; ".join(
        f"{m.name} ({m.table}: {', '.join(m.categories) if len(m.categories) > 1 else next(iter(m.categories))})"
        for m in census.MEASURES)
    return csv_resource(
        "census2021_outcomes", "Census 2021 outcomes by area type and region, England",
        "Real Census 2021 results for England, summed over this project's classification of 2021 LSOAs "
        "(lsoa_classification): for each measure and category, `count` is the number of people in the category "
        "and `base` the number it is a share of, both summed over every LSOA of the area type (in a region, or "
        "in all of England: region = England; area_type = All areas for every LSOA), and share_pct = 100 x "
        "count / base, rounded to 2 decimal places. Shares are therefore population-weighted, never averages "
        "of LSOA percentages. Method `LSOA counts summed`: exact ONS counts per LSOA (TS066 economic activity, "
        "TS067 highest qualification, TS063 occupation, TS038 disability), integer counts. Method `OA "
        "percentages x OA usual residents, summed to LSOA`: TS037 general health is published here as "
        "percentages per output area to one decimal place, so each OA's percentage times its exact usual "
        "residents (TS008) gives a count, summed to the LSOA; these counts are kept to one decimal place and "
        "their shares add up to 100 only within a few hundredths. Bases: usual residents aged 16+ for "
        "economically_inactive, inactive_long_term_sick_or_disabled, unemployed and qualification; the "
        "economically active (in work or unemployed, full-time students included) for unemployment_rate; "
        "everyone in employment, full-time students included, for self_employed (with or without employees) "
        "and part_time (TS066 splits every worker into part-time or full-time); residents aged 16+ in "
        "employment for occupation (SOC 2020 major groups, labelled as ONS prints them); all usual residents "
        "for health and disabled. Each measure uses the base of its own table: ONS perturbs small counts, so "
        "tables can differ by a few people. TS059 hours worked is verified but not used (see raw_sources). "
        f"Measures and categories: {measures}. Rows are ordered by measure and category as listed here, then "
        "area type (doubly disadvantaged, other deprived, non-deprived, all areas), then region (north to "
        f"south, England last). {CENSUS_ATTRIBUTION}",
        [
            field("measure", "string", "What is measured", enum=census.MEASURE_NAMES),
            field("category", "string", "Category of the measure (the one category's name for single-category "
                                        "measures)", enum=census.CATEGORIES),
            field("area_type", "string", "Neighbourhood type (see lsoa_classification), or All areas",
                  enum=census.AREA_TYPES_ALL),
            region_field(with_england=True, description="Region (ONS 2024 names), or England for the total"),
            field("count", "number", "People in the category (one decimal place for OA-percentage tables)",
                  minimum=0, unit="people"),
            field("base", "integer", "People the share is of", minimum=1, unit="people"),
            field("share_pct", "number", "100 x count / base, 2 decimal places", minimum=0, maximum=100,
                  unit="percent"),
            field("table", "string", "Census 2021 table the count comes from", enum=census.TABLES),
            field("method", "string", "How the count was obtained",
                  enum=[census.LSOA_COUNTS, census.OA_PERCENTAGES]),
        ],
        ["measure", "category", "area_type", "region"], provenance="derived", sources=CENSUS_DERIVED_SOURCES,
        licenses=DERIVED_LICENSES, unit="people and percent",
        rules=[{"rule": "all_categories_present", "field": "measure", "group_by": []},
               {"rule": "all_categories_present", "field": "area_type", "group_by": ["measure", "category", "region"]},
               {"rule": "all_categories_present", "field": "region", "group_by": ["measure", "category", "area_type"]},
               {"rule": "not_greater_than", "field": "count", "other": "base"},
               {"rule": "group_total", "field": "base", "group_by": ["measure", "category", "area_type"],
                "total_field": "region", "total_value": ENGLAND},
               {"rule": "group_total", "field": "base", "group_by": ["measure", "category", "region"],
                "total_field": "area_type", "total_value": census.ALL_AREAS}],
    )


def package_metadata() -> dict:
    return {
        "profile": "data-package",
        "name": "breaking-the-cycle",
        "title": "Breaking the cycle: data behind the report",
        "description": "Every dataset the rebuilt report draws on. `provenance` on each resource says whether "
                       "it is derived from real public files by `report data`, reconstructed to match the "
                       "numbers the publication states, or copied from the publication. See data/README.md.",
        "homepage": REPORT_SOURCE["path"],
        "licenses": [OGL, CC_BY],
        "sources": [REPORT_SOURCE],
        "attribution": ATTRIBUTION,
        # Categories in the order the book shows them; totals are set apart in charts.
        "vocabularies": {
            "area_type": {"values": list(AREA_TYPES), "totals": [census.ALL_AREAS]},
            "region": {"values": list(REGIONS), "totals": [ENGLAND]},
        },
    }


def all_resources() -> list[dict]:
    from .recommendations_package import descriptors
    from .reconstructed_spec import other_resources
    return [*derived_resources(), census_resource(), *other_resources(), *descriptors()]


def update_package(root=None) -> None:
    from report.data.package import merge_resources, read_package, write_package

    pkg = read_package(root)
    meta = package_metadata()
    out = {k: pkg.get(k, v) if k not in meta else meta[k] for k, v in meta.items()}
    out.update({k: v for k, v in pkg.items() if k not in meta and k not in ("resources", "raw_sources")})
    out["raw_sources"] = RAW_SOURCES
    out["resources"] = pkg.get("resources", [])
    write_package(merge_resources(out, all_resources()), root)


if __name__ == "__main__":  # pragma: no cover
    update_package()
