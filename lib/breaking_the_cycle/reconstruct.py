"""Write the reconstructed datasets behind Figures 4-16, the good-work hierarchy and the
publication rows of key_statistics.csv.

Why this exists: the small-area outcome data the report charts (GVA, BRES, claimant count, GDHI,
job access, childcare, and the 2011 Census) could not be obtained for the rebuild. Each figure's
CSV is therefore set so that every number the report states is held exactly, and every other value
follows the relations the report describes and sits near published England-level statistics.
The choices are written out here, in one place, so a reviewer can see what was assumed. Every row
says what it is in its `provenance` column: `publication` where the value is exactly one the
report states, `reconstructed` otherwise.

Census 2021 is real: `report data` derives Figures 13 and 14 and the 2021 rows of Figures 6, 10
and 15 (provenance `derived`). This tool writes only the illustrative 2011 rows of those three and
leaves the derived rows as found; it does not touch Figures 13 and 14 at all.

This is a one-off authoring tool, NOT part of `report data`: once real processed data replaces a
CSV, running this again would overwrite it. Run it only with `python -m breaking_the_cycle.reconstruct`.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from report import paths

from .constants import AREA_TYPES, DD, ENGLAND, ND, OD, REGIONS

RECONSTRUCTED, PUBLICATION = "reconstructed", "publication"

YEARS_GVA = list(range(2011, 2022))
YEARS_GDHI_AREA = list(range(2011, 2021))
YEARS_GDHI_REGION = list(range(2011, 2022))
# The LSOA-level claimant count on Nomis (including Universal Credit claimants) starts in
# January 2013; 2023 is the last full calendar year before the report appeared in October 2024.
YEARS_CLAIMANT = list(range(2013, 2024))

# Mid-2020 populations of doubly disadvantaged LSOAs by region (area_type_summary.csv): used only
# to keep regional series consistent with the England-level series when weighted together.
DD_POPULATION = {"North East": 261166, "North West": 537493, "Yorkshire and The Humber": 450347,
                 "East Midlands": 175594, "West Midlands": 260279, "East of England": 143310,
                 "London": 3623, "South East": 124743, "South West": 121170}
DD_WORKING_AGE = {"North East": 158929, "North West": 332185, "Yorkshire and The Humber": 273828,
                  "East Midlands": 104974, "West Midlands": 157818, "East of England": 87043,
                  "London": 2214, "South East": 74920, "South West": 73610}
OD_WORKING_AGE = {"North East": 170769, "North West": 696645, "Yorkshire and The Humber": 405490,
                  "East Midlands": 144515, "West Midlands": 463725, "East of England": 55575,
                  "London": 119790, "South East": 104981, "South West": 95541}
ND_WORKING_AGE = {"North East": 1336024, "North West": 3544040, "Yorkshire and The Humber": 2752796,
                  "East Midlands": 2758037, "West Midlands": 3056799, "East of England": 3657323,
                  "London": 5928824, "South East": 5452027, "South West": 3225457}


def fig04() -> pd.DataFrame:
    # DD 2021/2011 = 1.17 (the report's average DD growth), ND = 1.24 (its England average);
    # 2020 carries the pandemic fall in output, shallower where there is less output to lose.
    series = {
        DD: [9000, 9050, 9120, 9260, 9390, 9520, 9700, 9850, 10020, 9640, 10530],
        OD: [20500, 20700, 21050, 21500, 21900, 22300, 22800, 23200, 23700, 22400, 25000],
        ND: [29800, 30200, 30900, 31700, 32400, 33100, 33900, 34700, 35500, 33300, 36952],
    }
    return pd.DataFrame([{"year": y, "area_type": at, "gva_per_capita_gbp": v[i]}
                         for i, y in enumerate(YEARS_GVA) for at, v in series.items()])


def fig05() -> pd.DataFrame:
    # Each region is a multiple of the England DD series, drifting linearly from its 2011 to its
    # 2021 multiple, then rescaled so the population-weighted mean reproduces Figure 4's DD line.
    # London's 2021 value is set to exactly a third of the East of England's.
    rel = {"North East": (0.82, 0.80), "North West": (0.96, 0.95), "Yorkshire and The Humber": (0.93, 0.95),
           "East Midlands": (1.00, 1.01), "West Midlands": (0.97, 0.96), "East of England": (1.62, 1.60),
           "London": (0.56, 0.53), "South East": (1.20, 1.22), "South West": (1.10, 1.12)}
    dd = dict(zip(YEARS_GVA, fig04().query("area_type == @DD")["gva_per_capita_gbp"]))
    total = sum(DD_POPULATION.values())
    rows = []
    for i, y in enumerate(YEARS_GVA):
        t = i / (len(YEARS_GVA) - 1)
        m = {r: a + (b - a) * t for r, (a, b) in rel.items()}
        scale = total / sum(m[r] * DD_POPULATION[r] for r in REGIONS)
        vals = {r: round(dd[y] * m[r] * scale / 10) * 10 for r in REGIONS}
        if y == YEARS_GVA[-1]:
            vals["East of England"] = round(vals["East of England"] / 30) * 30
            vals["London"] = vals["East of England"] // 3
        rows += [{"year": y, "region": r, "gva_per_capita_gbp": vals[r]} for r in REGIONS]
    return pd.DataFrame(rows)


# --- 2011 rows of the census figures (illustrative) -----------------------------------------------
# No 2011 small-area data is part of this rebuild, so these values are invented. They were set
# against the REAL 2021 values `report data` derives (data/census2021_outcomes.csv, England by area
# type; shown in each comment) so that the change between the censuses is the one the report
# describes, with every type moving by less than two points. They are assumptions, not estimates
# from data; `check_census_relations` re-checks the relations whenever this runs.

# Self-employed, % of people in employment (2021 real: DD 11.77, OD 14.11, ND 17.19). The report:
# lowest in doubly disadvantaged areas, and risen there since 2011. Assumed: about a point lower
# in 2011 for every type, keeping the 2021 order.
SELF_EMPLOYMENT_2011 = {DD: 10.7, OD: 13.2, ND: 15.9}
# Economically inactive, % of residents aged 16+ (2021 real: DD 45.84, OD 44.86, ND 38.50). The
# report: highest in doubly disadvantaged areas and worse than in 2011. Assumed: one to two points
# lower in 2011 for every type (the 16+ base includes a growing retired population).
INACTIVITY_2011 = {DD: 44.2, OD: 43.6, ND: 36.9}
# Inactive through long-term sickness or disability, % of residents aged 16+ (2021 real: DD 10.51,
# OD 8.62, ND 3.53). The report: highest in doubly disadvantaged areas and risen most there.
# Assumed: the rise shrinks with deprivation (DD 1.5, OD 0.8, ND 0.2 points).
SICKNESS_2011 = {DD: 9.0, OD: 7.8, ND: 3.3}


def _census_2011(values: dict, column: str) -> pd.DataFrame:
    return pd.DataFrame([{"census_year": 2011, "area_type": at, column: values[at], "provenance": RECONSTRUCTED}
                         for at in AREA_TYPES])


def fig06() -> pd.DataFrame:
    return _census_2011(SELF_EMPLOYMENT_2011, "self_employment_rate_pct")


def fig07() -> pd.DataFrame:
    dens = {
        DD: {"North East": 36.0, "North West": 49.6, "Yorkshire and The Humber": 41.0, "East Midlands": 38.0,
             "West Midlands": 40.0, "East of England": 50.8, "London": 30.0, "South East": 44.0,
             "South West": 43.0},
        OD: {"North East": 82.0, "North West": 90.0, "Yorkshire and The Humber": 86.0, "East Midlands": 85.0,
             "West Midlands": 88.0, "East of England": 92.0, "London": 98.0, "South East": 94.0,
             "South West": 93.0},
        ND: {"North East": 84.0, "North West": 89.0, "Yorkshire and The Humber": 88.0, "East Midlands": 86.0,
             "West Midlands": 87.0, "East of England": 85.0, "London": 106.0, "South East": 90.0,
             "South West": 91.0},
    }
    weights = {DD: DD_WORKING_AGE, OD: OD_WORKING_AGE, ND: ND_WORKING_AGE}
    rows = []
    for region in [*REGIONS, ENGLAND]:
        for at in AREA_TYPES:
            if region == ENGLAND:
                w = weights[at]
                v = round(sum(dens[at][r] * w[r] for r in REGIONS) / sum(w.values()), 1)
            else:
                v = dens[at][region]
            rows.append({"region": region, "area_type": at, "jobs_density": v})
    return pd.DataFrame(rows)


def fig08() -> pd.DataFrame:
    # Onward-style score: an index of jobs reachable by car and public transport.
    return pd.DataFrame([{"area_type": DD, "job_access_score": 61.4},
                         {"area_type": OD, "job_access_score": 83.9},
                         {"area_type": ND, "job_access_score": 88.2}])


def fig09() -> pd.DataFrame:
    # Claimant count as % of residents aged 16+ (all ages) or 16-24 (youth): the 2020-21 jump is
    # the pandemic; ND tracks the England claimant rate, DD about twice it and converging.
    allage = {
        DD: [6.4, 5.0, 4.1, 3.8, 3.9, 4.2, 4.7, 7.7, 7.5, 5.6, 5.6],
        OD: [5.7, 4.4, 3.6, 3.3, 3.4, 3.7, 4.2, 7.1, 6.9, 5.1, 5.0],
        ND: [2.6, 1.9, 1.5, 1.4, 1.5, 1.7, 2.0, 4.3, 4.1, 2.8, 2.9],
    }
    youth = {
        DD: [12.2, 9.4, 7.5, 6.8, 6.9, 7.3, 7.9, 13.0, 11.6, 8.4, 8.7],
        OD: [10.9, 8.3, 6.6, 6.0, 6.1, 6.6, 7.2, 12.1, 10.7, 7.7, 7.9],
        ND: [5.0, 3.6, 2.8, 2.6, 2.7, 3.0, 3.4, 7.6, 6.6, 4.3, 4.6],
    }
    rows = []
    for i, y in enumerate(YEARS_CLAIMANT):
        for at in AREA_TYPES:
            rows.append({"year": y, "area_type": at, "measure": "Unemployment rate", "rate_pct": allage[at][i]})
            rows.append({"year": y, "area_type": at, "measure": "Youth unemployment rate", "rate_pct": youth[at][i]})
    return pd.DataFrame(rows)


def fig10() -> pd.DataFrame:
    return _census_2011(INACTIVITY_2011, "inactivity_rate_pct")


def fig11() -> pd.DataFrame:
    # DD and OD within about £100 until 2014, then OD pulls slowly ahead.
    s = {
        DD: [14200, 14150, 14100, 14180, 14260, 14240, 14200, 14260, 14300, 14350],
        OD: [14280, 14240, 14200, 14290, 14520, 14600, 14640, 14760, 14880, 15000],
        ND: [20900, 21100, 21000, 21350, 21900, 21800, 21900, 22200, 22450, 22700],
    }
    return pd.DataFrame([{"year": y, "area_type": at, "gdhi_per_capita_gbp": v[i]}
                         for i, y in enumerate(YEARS_GDHI_AREA) for at, v in s.items()])


def fig12() -> pd.DataFrame:
    s = {
        "North East": [13200, 13150, 13100, 13180, 13220, 13170, 13150, 13200, 13230, 13260, 13210],
        "North West": [14050, 14000, 13950, 14020, 14100, 14080, 14040, 14100, 14140, 14200, 14180],
        "Yorkshire and The Humber": [13900, 13860, 13820, 13890, 13960, 13940, 13910, 13960, 14000, 14050, 14030],
        "East Midlands": [14300, 14260, 14230, 14300, 14390, 14370, 14340, 14400, 14450, 14500, 14480],
        "West Midlands": [14000, 13950, 13910, 13990, 14060, 14040, 14010, 14060, 14100, 14140, 14120],
        "East of England": [15000, 14960, 14930, 15020, 15120, 15100, 15080, 15150, 15210, 15260, 15230],
        "London": [15600, 15800, 16050, 16350, 16700, 16950, 17150, 17400, 17350, 16900, 16300],
        "South East": [15300, 15270, 15240, 15330, 15440, 15420, 15400, 15470, 15530, 15580, 15560],
        "South West": [15500, 15480, 15460, 15560, 15690, 15700, 15720, 15800, 15880, 15950, 16400],
    }
    return pd.DataFrame([{"year": y, "region": r, "gdhi_per_capita_gbp": s[r][i]}
                         for i, y in enumerate(YEARS_GDHI_REGION) for r in REGIONS])


def fig15() -> pd.DataFrame:
    return _census_2011(SICKNESS_2011, "rate_pct")


# Figure 16: the values the report states (places per 100 children aged 0-7).
CHILDCARE_STATED = {("All providers", DD): 17, ("All providers", OD): 20, ("All providers", ND): 26,
                    ("Good or outstanding providers", DD): 14}


def fig16() -> pd.DataFrame:
    # Good or outstanding places outside doubly disadvantaged areas are not stated: set three
    # below each type's all-provider figure, the gap the report gives for doubly disadvantaged areas.
    v = {"All providers": {DD: 17, OD: 20, ND: 26}, "Good or outstanding providers": {DD: 14, OD: 17, ND: 23}}
    return pd.DataFrame([{"area_type": at, "provider_type": p, "places_per_100_children": v[p][at],
                          "provenance": PUBLICATION if (p, at) in CHILDCARE_STATED else RECONSTRUCTED}
                         for at in AREA_TYPES for p in v])


def good_work_hierarchy() -> pd.DataFrame:
    return pd.DataFrame([
        {"level": 1, "title": "Basic security",
         "examples": "A secure job on a permanent contract; a safe place to work; paid sick leave; paid holidays"},
        {"level": 2, "title": "Workplace values and fairness",
         "examples": "Colleagues you get on with; balance between work and home; flexibility; being treated with respect"},
        {"level": 3, "title": "Opportunity and progression",
         "examples": "Chances to train; a visible route to better pay"},
        {"level": 4, "title": "Fulfilment and purpose",
         "examples": "Work that feels worthwhile and gives a sense of purpose"},
    ])


R = "Breaking the cycle (CPP and Local Trust, 2024)"
# key, label, value, unit, year, source
PUBLICATION_STATS = [
    ("dd_lsoas_publication", "Doubly disadvantaged LSOAs identified with the 2023 index (report footnote)", 1315, "LSOAs", "2023", f"{R}, footnote 3; OCSI (2023) Community Needs Index"),
    ("dd_lsoas_rounded_publication", "Doubly disadvantaged LSOAs, as rounded in the report's text (around 1,300)", 1300, "LSOAs", "2023", f"{R}, chapter 1"),
    ("dd_wards_publication", "Wards containing doubly disadvantaged LSOAs, 2023 index (May 2022 wards)", 669, "wards", "2023", f"{R}, footnote 3"),
    ("dd_lsoas_2019_index", "Doubly disadvantaged LSOAs identified with the 2019 index", 1468, "LSOAs", "2019", f"{R}, footnote 3"),
    ("dd_wards_2019_index", "Wards identified as doubly disadvantaged with the 2019 index", 225, "wards", "2019", f"{R}, footnote 3"),
    ("dd_population_publication", "People living in doubly disadvantaged neighbourhoods (about 2.3 million)", 2300000, "people", "2023", f"{R}, executive summary"),
    ("dd_population_working_age_publication", "Working-age people in doubly disadvantaged neighbourhoods (about 1.3 million)", 1300000, "people", "2023", f"{R}, executive summary"),
    ("lsoa_average_population", "Average population of an LSOA", 1500, "people", "2021", "OCSI (2024) LSOAs, LEAs and lookups, cited in the report"),
    ("lsoa_average_households", "Average number of households in an LSOA", 650, "households", "2021", "OCSI (2024), cited in the report"),
    ("ward_average_population", "Average population of a UK electoral ward (around 7,800)", 7800, "people", "2022", f"{R}, glossary"),
    ("internet_e_withdrawn_or_passive_dd_pct", "Doubly disadvantaged LSOAs classed as e-withdrawn or passive and uncommitted internet users (stated as nearly 85%)", 85, "percent", "2023", f"{R}, chapter 3"),
    ("internet_least_engaged_dd_pct", "Doubly disadvantaged LSOAs among the least engaged with the internet", 43.4, "percent", "2023", f"{R}, chapter 3"),
    ("internet_least_engaged_england_pct", "LSOAs in England among the least engaged with the internet", 8.8, "percent", "2023", f"{R}, chapter 3"),
    ("benefit_reliance_dd_pct", "Working-age residents of doubly disadvantaged areas on income, health or out-of-work benefits (stated as over 30%; 30 is the bound)", 30, "percent", "2023", f"{R}, chapter 3"),
    ("benefit_reliance_england_pct", "Working-age people in England on income, health or out-of-work benefits", 17.8, "percent", "2023", f"{R}, chapter 3"),
    ("life_expectancy_dd_2009", "Life expectancy in doubly disadvantaged areas, 2009", 78.1, "years", "2009", f"{R}, executive summary and chapter 3"),
    ("life_expectancy_dd_2019", "Life expectancy in doubly disadvantaged areas, 2019", 77.8, "years", "2019", f"{R}, executive summary and chapter 3"),
    ("life_expectancy_nd_2009", "Life expectancy in non-deprived areas, 2009", 81.8, "years", "2009", f"{R}, executive summary and chapter 3"),
    ("life_expectancy_nd_2019", "Life expectancy in non-deprived areas, 2019", 82.0, "years", "2019", f"{R}, executive summary and chapter 3"),
    ("migration_flow_dd_pct", "Residents moving in or out in the year, doubly disadvantaged areas (around 9%)", 9, "percent", "2021", f"{R}, Box 1 (Census 2021)"),
    ("migration_flow_od_pct", "Residents moving in or out in the year, other deprived areas (around 11%)", 11, "percent", "2021", f"{R}, Box 1 (Census 2021)"),
    ("migration_flow_nd_pct", "Residents moving in or out in the year, other areas (around 14%)", 14, "percent", "2021", f"{R}, Box 1 (Census 2021)"),
    ("part_time_jobs_dd_pct", "Jobs that are part-time in doubly disadvantaged areas (stated as nearly 33%)", 33, "percent", "2022", f"{R}, chapter 2"),
    ("part_time_jobs_od_nd_pct", "Jobs that are part-time in other deprived and non-deprived areas", 31, "percent", "2022", f"{R}, chapter 2"),
    ("low_pay_sector_workers_dd_pct", "Workers in doubly disadvantaged areas employed in retail, health and education (stated as over half; 50 is the bound)", 50, "percent", "2021", f"{R}, chapter 2"),
    ("managerial_professional_dd_pct", "Workers in managerial or professional roles, doubly disadvantaged areas (stated as fewer than a quarter; 25 is the bound)", 25, "percent", "2021", f"{R}, chapter 2"),
    ("managerial_professional_od_pct", "Workers in managerial or professional roles, other deprived areas", 27, "percent", "2021", f"{R}, chapter 2"),
    ("managerial_professional_england_pct", "Workers in managerial or professional roles, England", 41, "percent", "2021", f"{R}, chapter 2"),
    ("spatial_dependence_dd_lower_pct", "How much lower the spatial-lag coefficient is for doubly disadvantaged neighbourhoods (around 10%)", 10, "percent", "2011-2021", f"{R}, Box 1 and Appendix A"),
    ("gva_growth_warwick_ahead_pct", "Real GVA growth in the Warwick Ahead Big Local area, 2011 to 2021", 153, "percent", "2011-2021", f"{R}, Warwick Ahead case study"),
    ("gva_growth_dd_avg_pct", "Average real GVA growth in other doubly disadvantaged neighbourhoods, 2011 to 2021", 17, "percent", "2011-2021", f"{R}, Warwick Ahead case study"),
    ("gva_growth_england_avg_pct", "Average real GVA growth in English neighbourhoods, 2011 to 2021", 24, "percent", "2011-2021", f"{R}, Warwick Ahead case study"),
    ("lawrence_weston_population", "Population of Lawrence Weston, Bristol (approximately)", 7000, "people", "2024", f"{R}, Lawrence Weston case study"),
    ("lawrence_weston_child_poverty_pct", "Children in poverty in Lawrence Weston (stated as nearly a third; 33.3 is one third)", 33.3, "percent", "2024", f"{R}, Lawrence Weston case study"),
    ("south_west_child_poverty_pct", "Children in poverty, South West of England average", 14, "percent", "2024", f"{R}, Lawrence Weston case study"),
    ("lawrence_weston_big_local_grant_gbp", "Big Local grant to Ambition Lawrence Weston", 1150000, "GBP", "2012-2026", f"{R}, Lawrence Weston case study"),
    ("lawrence_weston_leveraged_gbp", "External funding and investment Ambition Lawrence Weston estimates it leveraged", 15000000, "GBP", "2012-2024", f"{R}, Lawrence Weston case study"),
    ("lawrence_weston_organisations", "Organisations in the Lawrence Weston Community Network (45 or more)", 45, "organisations", "2024", f"{R}, Lawrence Weston case study"),
    ("lawrence_weston_energy_bills_struggling_pct", "Lawrence Weston residents found to be struggling with energy bills", 70, "percent", "2024", f"{R}, Lawrence Weston case study"),
    ("lawrence_weston_solar_homes", "Homes a year the community solar farm generates enough electricity for", 1000, "homes", "2024", f"{R}, Lawrence Weston case study"),
    ("lawrence_weston_wind_homes", "Homes the community wind turbine will power", 3500, "homes", "2024", f"{R}, Lawrence Weston case study"),
    ("lawrence_weston_wind_capacity_mw", "Capacity of the community wind turbine", 4.2, "MW", "2024", f"{R}, Lawrence Weston case study"),
    ("lawrence_weston_wind_income_gbp_per_year", "Expected income to the community from the wind turbine", 300000, "GBP per year", "2024", f"{R}, Lawrence Weston case study"),
    ("big_local_grant_per_area_gbp", "Big Local funding committed to each neighbourhood", 1000000, "GBP", "2012", f"{R}, About Local Trust"),
    ("big_local_neighbourhoods", "Neighbourhoods in the Big Local programme", 150, "neighbourhoods", "2012", f"{R}, About Local Trust"),
    ("big_local_endowment_gbp", "Original National Lottery Community Fund endowment for Big Local", 217000000, "GBP", "2012", f"{R}, About Local Trust"),
    ("big_local_net_benefit_gbp", "Net benefit to residents of Big Local over four years (life satisfaction)", 64000000, "GBP", "2023", "Popay et al. (2023), cited in the report"),
    ("ndc_years_since", "Years since the last dedicated neighbourhood programme (New Deal for Communities)", 14, "years", "2024", f"{R}, executive summary"),
    ("ndc_neighbourhoods", "Neighbourhoods targeted by the New Deal for Communities", 39, "neighbourhoods", "1999", f"{R}, Box 4"),
    ("ndc_funding_per_neighbourhood_gbp", "New Deal for Communities funding per neighbourhood", 50000000, "GBP", "1999-2010", f"{R}, Box 4"),
    ("ndc_indicators_improved", "NDC target indicators that improved over ten years", 32, "indicators", "1999-2010", "Batty et al. (2010), cited in the report"),
    ("ndc_indicators_total", "NDC target indicators", 36, "indicators", "1999-2010", "Batty et al. (2010), cited in the report"),
    ("ndc_benefit_per_pound_low_gbp", "NDC wider benefits per pound of public money, lower estimate", 3, "GBP per GBP", "1999-2010", "Crisp et al. (2023), cited in the report"),
    ("ndc_benefit_per_pound_high_gbp", "NDC wider benefits per pound of public money, upper estimate", 5, "GBP per GBP", "1999-2010", "Crisp et al. (2023), cited in the report"),
    ("ndc_lifetime_investment_gbp", "NDC investment over the programme's lifetime", 2500000000, "GBP", "1999-2010", f"{R}, chapter 6"),
    ("ndc_spend_1999_2008_gbp", "Spending by the 39 NDC partnerships, 1999-2000 to 2007-08", 1710000000, "GBP", "1999-2000 to 2007-08", "Batty et al. (2010), footnote 40"),
    ("ndc_projects", "Projects or interventions funded by NDC partnerships (some 6,900)", 6900, "projects", "1999-2000 to 2007-08", "Batty et al. (2010), footnote 40"),
    ("ndc_levered_gbp", "Further funding NDC partnerships levered in from other sources", 730000000, "GBP", "1999-2000 to 2007-08", "Batty et al. (2010), footnote 40"),
    ("ukspf_total_gbp", "UK Shared Prosperity Fund, total", 2560000000, "GBP", "2022-2025", f"{R}, chapter 6"),
    ("ukspf_first_year_underspend_gbp", "UK Shared Prosperity Fund underspend in its first year", 429000000, "GBP", "2022-23", "Savage (2023), cited in the report"),
    ("dormant_assets_expansion_gbp", "Funding an expanded Dormant Assets Scheme could provide (stated as nearly £900 million)", 900000000, "GBP", "2024", "DCMS consultation response, cited in the report"),
    ("cwf_earmarked_gbp", "Community Wealth Fund allocation announced in 2023 for 2024 to 2028", 87500000, "GBP", "2024-2028", f"{R}, chapter 6"),
    ("cwf_share_of_dormant_assets_pct", "Community Wealth Fund share of total dormant assets", 25, "percent", "2024-2028", f"{R}, chapter 6"),
    ("cwf_expanded_gbp", "Community Wealth Fund size over this parliament if dormant assets expand", 225000000, "GBP", "2024-2029", f"{R}, chapter 6"),
    ("ign_authorities", "Local and combined authorities in the Inclusive Growth Network", 14, "authorities", "2024", f"{R}, About CPP"),
    ("focus_groups", "Focus groups with residents of doubly disadvantaged neighbourhoods (early 2024)", 8, "focus groups", "2024", f"{R}, introduction"),
    ("practitioners_interviewed", "Practitioners interviewed (around twenty-nine)", 29, "people", "2024", f"{R}, introduction"),
]


def key_statistics_publication() -> pd.DataFrame:
    return pd.DataFrame([{"key": k, "label": lab, "value": str(v), "unit": u, "year": y, "source": s,
                          "provenance": "publication"} for k, lab, v, u, y, s in PUBLICATION_STATS])


FIGURES = {
    "fig04_gva_per_capita": fig04, "fig05_gva_per_capita_region": fig05,
    "fig07_jobs_density": fig07, "fig08_job_access": fig08, "fig09_unemployment": fig09,
    "fig11_gdhi_per_capita": fig11, "fig12_gdhi_per_capita_region": fig12, "fig16_childcare": fig16,
}
# Census figures: this tool owns only their 2011 rows; `report data` owns the derived 2021 rows.
CENSUS_2011 = {"fig06_self_employment": fig06, "fig10_inactivity": fig10, "fig15_inactivity_sickness": fig15}


def _with_provenance(df: pd.DataFrame) -> pd.DataFrame:
    """Every row of a wholly reconstructed figure carries provenance (reconstructed unless set)."""
    if "provenance" not in df:
        df = df.assign(provenance=RECONSTRUCTED)
    return df


def check_census_relations(data_dir: Path) -> list[str]:
    """The relations the report states about Figures 6, 10 and 15, checked on the files as written
    (illustrative 2011 rows against the real 2021 rows). Returns what does not hold."""
    def table(name, col):
        df = pd.read_csv(data_dir / f"{name}.csv")
        return df.pivot(index="area_type", columns="census_year", values=col)

    broken = []
    se = table("fig06_self_employment", "self_employment_rate_pct")
    if not (se[2021].idxmin() == DD and se.loc[DD, 2021] > se.loc[DD, 2011]):
        broken.append("Figure 6: self-employment lowest in doubly disadvantaged areas and risen there since 2011")
    ina = table("fig10_inactivity", "inactivity_rate_pct")
    if not (ina[2021].idxmax() == DD and ina.loc[DD, 2021] > ina.loc[DD, 2011]):
        broken.append("Figure 10: inactivity highest in doubly disadvantaged areas and risen there since 2011")
    sick = table("fig15_inactivity_sickness", "rate_pct")
    if not (sick[2021].idxmax() == DD and (sick[2021] - sick[2011]).idxmax() == DD):
        broken.append("Figure 15: sickness inactivity highest in doubly disadvantaged areas, with the largest rise")
    return broken


def write_all(root: Path | None = None) -> None:
    from .pipeline import KEY_STATISTICS, _csv_text, _write_text, merge_rows

    out = paths.data_dir(root)
    for name, fn in FIGURES.items():
        _write_text(out / f"{name}.csv", _csv_text(_with_provenance(fn())))
    for name, fn in CENSUS_2011.items():
        _write_text(out / f"{name}.csv", merge_rows(out / f"{name}.csv", fn(), ["census_year", "area_type"],
                                                    RECONSTRUCTED))
    _write_text(out / "good_work_hierarchy.csv", _csv_text(good_work_hierarchy()))
    ks_path = out / KEY_STATISTICS
    pub = key_statistics_publication()
    if ks_path.is_file():
        old = pd.read_csv(ks_path, dtype=str, keep_default_na=False)
        keep = old[old["provenance"] == "derived"]  # written by `report data`
        pub = pd.concat([pub.astype(str), keep], ignore_index=True)
    pub = pub.astype(str).sort_values("key", kind="stable")
    _write_text(ks_path, _csv_text(pub))
    years = {name: set(pd.read_csv(out / f"{name}.csv")["census_year"]) for name in CENSUS_2011}
    if any(2021 not in y for y in years.values()):
        print("the derived 2021 rows are not there yet: run `report data`, then this again to check the 2011 rows")
        return
    broken = check_census_relations(out)
    if broken:
        raise SystemExit("the illustrative 2011 values no longer fit the real 2021 values:\n- "
                         + "\n- ".join(broken) + "\nre-tune them in lib/breaking_the_cycle/reconstruct.py")


if __name__ == "__main__":  # pragma: no cover
    write_all()
