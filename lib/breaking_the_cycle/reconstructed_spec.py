"""Descriptors of the figure datasets (Figures 4-16), the good-work hierarchy and key statistics.

Every figure dataset ends with a `provenance` column saying where each row's value comes from.
Figures 13 and 14 are wholly derived from Census 2021; Figures 6, 10 and 15 mix derived 2021 rows
with illustrative 2011 rows; the rest are reconstructed (Figure 16 holds the publication's values).
"""
from __future__ import annotations

from . import census
from .constants import ENGLAND, REGIONS
from .sources import CENSUS_SOURCES, OGL
from .reconstruct import YEARS_CLAIMANT
from .spec import (CC_BY, CENSUS_ATTRIBUTION, DERIVED_LICENSES, RAW_DERIVED_SOURCES, RECONSTRUCTED_NOTE,
                   REPORT_SOURCE, area_type_field, csv_resource, field, provenance_field, region_field,
                   source_refs)

ONS = "Office for National Statistics"


def _src(title, path, publisher=None):
    s = {"title": title, "path": path}
    if publisher:
        s["publisher"] = publisher
    return s


GVA_SRC = _src("ONS UK small area gross value added estimates (2024)",
               "https://www.ons.gov.uk/economy/grossvalueaddedgva/datasets/uksmallareagvaestimates", ONS)
GDHI_SRC = _src("ONS Disposable household income estimates for other geographic areas (2024)",
                "https://www.ons.gov.uk/economy/regionalaccounts/grossdisposablehouseholdincome", ONS)
CENSUS11_SRC = _src("ONS Census 2011 (the publication's 2011 values; no 2011 data in this rebuild)",
                    "https://www.ons.gov.uk/census/2011census", ONS)


def _census21_src(*files):
    """The census raw files a derived figure reads, and the classification it is summed over."""
    return source_refs(s for s in CENSUS_SOURCES if s["path"] in files) + RAW_DERIVED_SOURCES
BRES_SRC = _src("ONS Business Register and Employment Survey (2022), via Nomis", "https://www.nomisweb.co.uk/", ONS)
CLAIMANT_SRC = _src("Claimant count by LSOA, via Nomis", "https://www.nomisweb.co.uk/", ONS)
ONWARD_SRC = _src("Onward job access score (with the TravelTime API)", "https://www.ukonward.com/", "Onward")
CHILDCARE_SRC = _src("ONS Childcare accessibility by neighbourhood (2024)", "https://www.ons.gov.uk/", ONS)
SURVATION_SRC = _src("Survation, Qualitative Research Report: Good Work (for CPP and Local Trust)",
                     REPORT_SOURCE["path"], "Survation")

RECON_LICENSES = [CC_BY]
YEAR_AREA_RULES = [
    {"rule": "contiguous_years", "field": "year", "group_by": ["area_type"]},
    {"rule": "all_categories_present", "field": "area_type", "group_by": ["year"]},
]
YEAR_REGION_RULES = [
    {"rule": "contiguous_years", "field": "year", "group_by": ["region"]},
    {"rule": "all_categories_present", "field": "region", "group_by": ["year"]},
]
CENSUS_RULES = [
    {"rule": "all_categories_present", "field": "area_type", "group_by": ["census_year"]},
    {"rule": "all_categories_present", "field": "census_year", "group_by": ["area_type"]},
]


def _year(lo, name="year", description="Calendar year"):
    # No maximum: a data update that adds a year needs no edit outside data/ (the chart's years,
    # alt text and prose follow the data).
    return field(name, "integer", description, minimum=lo)


def _census_year():
    return field("census_year", "integer", "Census year (2011, 2021, and any later census)", minimum=1801)


def _pct(name, description):
    return field(name, "number", description, minimum=0, maximum=100, unit="percent")


def _recon(name, title, description, fields, pk, sources, unit, rules, figure):
    return csv_resource(name, title, description + RECONSTRUCTED_NOTE, [*fields, provenance_field()], pk,
                        provenance="reconstructed", sources=[*sources, REPORT_SOURCE], licenses=RECON_LICENSES,
                        unit=unit, rules=rules, extra={"figure": figure})


MIXED_NOTE = (
    " Rows by provenance: the 2021 rows are derived by `report data` from Census 2021 table TS066 (LSOA counts "
    "summed by area type over lsoa_classification; the same numbers as census2021_outcomes, England) and are "
    "real; the 2011 rows are reconstructed and illustrative only, because no 2011 small-area data is part of "
    "this rebuild: they were set so that the change the report describes holds against the real 2021 values, "
    "and are not official statistics (see lib/breaking_the_cycle/reconstruct.py). `report data` rewrites the derived "
    "rows and leaves the others as found. The resource as a whole is marked reconstructed because it holds "
    "reconstructed rows. " + CENSUS_ATTRIBUTION
)


def _mixed(name, title, description, fields, pk, unit, rules, figure):
    """A census figure dataset with real 2021 rows and illustrative 2011 rows."""
    return csv_resource(name, title, description + MIXED_NOTE, [*fields, provenance_field()], pk,
                        provenance="reconstructed",
                        sources=[*_census21_src(census.TS066), CENSUS11_SRC, REPORT_SOURCE],
                        licenses=[OGL, *DERIVED_LICENSES[1:], CC_BY], unit=unit, rules=rules,
                        extra={"figure": figure})


def _derived(name, title, description, fields, pk, files, unit, rules, figure):
    """A figure dataset written wholly by `report data` from Census 2021."""
    return csv_resource(name, title, f"{description} {CENSUS_ATTRIBUTION}", [*fields, provenance_field()], pk,
                        provenance="derived", sources=[*_census21_src(*files), REPORT_SOURCE],
                        licenses=DERIVED_LICENSES, unit=unit, rules=rules, extra={"figure": figure})


def other_resources() -> list[dict]:
    return [
        _recon("fig04_gva_per_capita", "Real GVA per head by area type, 2011-2021",
               "Real gross value added per resident, pounds, by area type and year. The report states that "
               "output in doubly disadvantaged areas is on average less than half that of other deprived areas, "
               "nearly flat, with the gap widening; its case study puts average growth 2011-2021 at 17% for "
               "doubly disadvantaged neighbourhoods and 24% for England, which the series follows.",
               [_year(2011), area_type_field(),
                field("gva_per_capita_gbp", "integer", "Real GVA per head", minimum=0, unit="GBP")],
               ["year", "area_type"], [GVA_SRC], "GBP per person (real terms)", YEAR_AREA_RULES, 4),
        _recon("fig05_gva_per_capita_region", "Real GVA per head in doubly disadvantaged areas by region, 2011-2021",
               "Real GVA per resident, pounds, in doubly disadvantaged areas of each region. The report states "
               "that the East of England's figure is about three times London's.",
               [_year(2011), region_field(),
                field("gva_per_capita_gbp", "integer", "Real GVA per head", minimum=0, unit="GBP")],
               ["year", "region"], [GVA_SRC], "GBP per person (real terms)", YEAR_REGION_RULES, 5),
        _mixed("fig06_self_employment", "Self-employment rate by area type, 2011 and 2021",
               "Self-employed people (with or without employees) as a share of all people in employment, full-time "
               "students included, by area type, Census 2011 and 2021. The report states the rate is lowest in "
               "doubly disadvantaged areas and has risen since 2011.",
               [_census_year(), area_type_field(),
                _pct("self_employment_rate_pct", "Self-employed, % of people in employment")],
               ["census_year", "area_type"], "percent", CENSUS_RULES, 6),
        _recon("fig07_jobs_density", "Jobs density by region and area type",
               "Jobs located in the area per 100 residents aged 16 to 64, by region and area type; region "
               "England holds the working-age-weighted average of the regions. The report states doubly "
               "disadvantaged areas have just under half the density of other areas, around 50 in the East of "
               "England and North West.",
               [field("region", "string", "Region (ONS 2024 names), or England",
                      enum=[*REGIONS, ENGLAND]), area_type_field(),
                field("jobs_density", "number", "Jobs per 100 working-age residents", minimum=0, maximum=1000,
                      unit="jobs per 100 residents aged 16-64")],
               ["region", "area_type"], [BRES_SRC], "jobs per 100 residents aged 16-64",
               [{"rule": "all_categories_present", "field": "area_type", "group_by": ["region"]},
                {"rule": "all_categories_present", "field": "region", "group_by": ["area_type"]}], 7),
        _recon("fig08_job_access", "Job access score by area type, 2021",
               "Onward's job access score (a weighted index of jobs reachable by car and public transport within "
               "15 to 90 minutes; higher is better), averaged by area type. The report states doubly "
               "disadvantaged areas score markedly lowest.",
               [area_type_field(), field("job_access_score", "number", "Job access score (index)", minimum=0,
                                         maximum=1000, unit="index")],
               ["area_type"], [ONWARD_SRC], "index",
               [{"rule": "all_categories_present", "field": "area_type", "group_by": []}], 8),
        _recon("fig09_unemployment", f"Unemployment and youth unemployment by area type, {YEARS_CLAIMANT[0]}-{YEARS_CLAIMANT[-1]}",
               "Annual average claimant count as a share of residents aged 16+ (unemployment rate) and of "
               "residents aged 16 to 24 (youth unemployment rate), by area type. The years start in 2013, when "
               "the LSOA claimant count including Universal Credit begins, and end in 2023, the last full year "
               "before publication. The report states doubly disadvantaged rates are often double those of "
               "non-deprived areas, especially for young people, with the gap narrowing.",
               [_year(2013), area_type_field(),
                field("measure", "string", "Which rate", enum=["Unemployment rate", "Youth unemployment rate"]),
                _pct("rate_pct", "Claimants, % of the age group")],
               ["year", "area_type", "measure"], [CLAIMANT_SRC], "percent",
               [{"rule": "contiguous_years", "field": "year", "group_by": ["area_type", "measure"]},
                {"rule": "all_categories_present", "field": "area_type", "group_by": ["year", "measure"]},
                {"rule": "all_categories_present", "field": "measure", "group_by": ["year", "area_type"]}], 9),
        _mixed("fig10_inactivity", "Economic inactivity by area type, 2011 and 2021",
               "Economically inactive residents (retired, students, looking after home or family, long-term sick "
               "or disabled, other) as a share of usual residents aged 16+, Census 2011 and 2021. The report "
               "states almost half are inactive in doubly disadvantaged areas, the highest of the three and "
               "worse than in 2011.",
               [_census_year(), area_type_field(), _pct("inactivity_rate_pct", "Inactive, % of residents aged 16+")],
               ["census_year", "area_type"], "percent", CENSUS_RULES, 10),
        _recon("fig11_gdhi_per_capita", "Real GDHI per head by area type, 2011-2020",
               "Real gross disposable household income per resident, pounds. The report states doubly "
               "disadvantaged and other deprived areas are close, with a small gap from 2014, and both far "
               "below non-deprived areas.",
               [_year(2011), area_type_field(),
                field("gdhi_per_capita_gbp", "integer", "Real GDHI per head", minimum=0, unit="GBP")],
               ["year", "area_type"], [GDHI_SRC], "GBP per person (real terms)", YEAR_AREA_RULES, 11),
        _recon("fig12_gdhi_per_capita_region", "Real GDHI per head in doubly disadvantaged areas by region, 2011-2021",
               "Real gross disposable household income per resident, pounds, in doubly disadvantaged areas of "
               "each region. The report states London and the South West lead and the North East lags and is "
               "flat; London rose through the 2010s and then fell back.",
               [_year(2011), region_field(),
                field("gdhi_per_capita_gbp", "integer", "Real GDHI per head", minimum=0, unit="GBP")],
               ["year", "region"], [GDHI_SRC], "GBP per person (real terms)", YEAR_REGION_RULES, 12),
        _derived("fig13_qualifications", "Highest qualification by area type, 2021",
                 "Share of usual residents aged 16+ by highest level of qualification, the seven Census 2021 "
                 "categories, by area type; derived by `report data` from Census 2021 table TS067 (LSOA counts "
                 "summed by area type over lsoa_classification: the qualification rows of census2021_outcomes, "
                 "England), so every row is real. Shares sum to 100 for each area type within rounding. The "
                 "report states doubly disadvantaged areas have the most people without qualifications and the "
                 "fewest at Level 4 or above.",
                 [field("qualification", "string", "Highest level of qualification", enum=list(census.QUALIFICATIONS)),
                  area_type_field(), _pct("share_pct", "% of residents aged 16+, 2 decimal places")],
                 ["qualification", "area_type"], [census.TS067], "percent",
                 [{"rule": "sums_to_100", "field": "share_pct", "group_by": ["area_type"], "tolerance": 0.1},
                  {"rule": "all_categories_present", "field": "qualification", "group_by": ["area_type"]},
                  {"rule": "all_categories_present", "field": "area_type", "group_by": ["qualification"]}], 13),
        _derived("fig14_health", "General health by area type, 2021",
                 "Share of all usual residents by self-reported general health in three groups (very good or "
                 "good; fair; bad or very bad), by area type; derived by `report data` from Census 2021 table "
                 "TS037, published for output areas as percentages to one decimal place: each OA's percentage "
                 "times its usual residents (TS008), summed to LSOA and then by area type over "
                 "lsoa_classification (the health rows of census2021_outcomes, England), so every row is real. "
                 "Three groups rather than the five Census categories, because only the grouped OA table could "
                 "be obtained. Shares sum to 100 for each area type within rounding. The report states bad or "
                 "very bad health at 10% in doubly disadvantaged, 8% in other deprived and 4.7% in non-deprived "
                 "areas, and the lowest share in good health in doubly disadvantaged areas; its classification "
                 "differs slightly from this rebuild's, so the derived shares are close to, not equal to, these.",
                 [field("health", "string", "General health group", enum=list(census.HEALTH)),
                  area_type_field(), _pct("share_pct", "% of all usual residents, 2 decimal places")],
                 ["health", "area_type"], [census.TS037_OA, census.OA_RESIDENTS], "percent",
                 [{"rule": "sums_to_100", "field": "share_pct", "group_by": ["area_type"], "tolerance": 0.1},
                  {"rule": "all_categories_present", "field": "health", "group_by": ["area_type"]},
                  {"rule": "all_categories_present", "field": "area_type", "group_by": ["health"]}], 14),
        _mixed("fig15_inactivity_sickness", "Inactivity through long-term sickness or disability, 2011 and 2021",
               "Usual residents economically inactive because of long-term sickness or disability, % of usual "
               "residents aged 16+, Census 2011 and 2021. The report states 10.5% in doubly disadvantaged and "
               "3.5% in non-deprived areas in 2021, with the highest level and largest rise in doubly "
               "disadvantaged areas.",
               [_census_year(), area_type_field(), _pct("rate_pct", "% of residents aged 16+")],
               ["census_year", "area_type"], "percent", CENSUS_RULES, 15),
        _recon("fig16_childcare", "Childcare places per 100 children aged 0 to 7",
               "Equivalent childcare places per 100 children aged 0 to 7, for all providers and for providers "
               "rated good or outstanding by Ofsted. The report states 17 (doubly disadvantaged), 20 (other "
               "deprived) and 26 (non-deprived) for all providers, and 14 in doubly disadvantaged areas for good "
               "or outstanding providers.",
               [area_type_field(),
                field("provider_type", "string", "Which providers",
                      enum=["All providers", "Good or outstanding providers"]),
                field("places_per_100_children", "number", "Places per 100 children aged 0-7", minimum=0,
                      maximum=200, unit="places per 100 children")],
               ["area_type", "provider_type"], [CHILDCARE_SRC], "places per 100 children aged 0-7",
               [{"rule": "all_categories_present", "field": "area_type", "group_by": ["provider_type"]},
                {"rule": "all_categories_present", "field": "provider_type", "group_by": ["area_type"]}], 16),
        csv_resource(
            "good_work_hierarchy", "What is good work? A hierarchy of needs",
            "The four levels of the hierarchy of good work that focus-group participants described, from the "
            "foundation (level 1) to the top (level 4), with examples, summarised in this project's own words "
            "(Figures 2 and 17).",
            [field("level", "integer", "Level, 1 = foundation", minimum=1, maximum=4, unique=True),
             field("title", "string", "Name of the level"),
             field("examples", "string", "What people named at this level, separated by semicolons")],
            ["level"], provenance="publication", sources=[SURVATION_SRC, REPORT_SOURCE], licenses=[CC_BY],
            unit="", rules=[{"rule": "contiguous_integers", "field": "level", "group_by": []}],
            extra={"figure": [2, 17]},
        ),
        csv_resource(
            "key_statistics", "Key statistics quoted in the text",
            "Numbers the report's prose uses that no figure plots. provenance `derived` rows (keys ending "
            "`_computed`) are written by `report data` from the real raw files and left alone by everything "
            "else; `publication` rows are copied from the report (where the report gives a bound such as "
            "'over 30%' the bound is stored and the label says so). Sorted by key.",
            [field("key", "string", "Identifier used by stat()", pattern="^[a-z][a-z0-9_]*$", unique=True),
             field("label", "string", "What the number is"),
             field("value", "number", "The number"),
             field("unit", "string", "Unit of value"),
             field("year", "string", "Year or period the number refers to"),
             field("source", "string", "Where the number comes from"),
             field("provenance", "string", "derived (by report data from real raw files) or publication "
                                           "(copied from the report)", enum=["derived", "publication", "reconstructed"])],
            ["key"], provenance="publication", sources=[REPORT_SOURCE], licenses=[OGL, CC_BY], unit="various",
            rules=[{"rule": "sorted", "field": "key"}],
        ),
    ]
