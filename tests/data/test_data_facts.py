"""Every number the report states about Figures 4-16 and the key statistics, checked against the
committed datasets. One table of facts: (description, function of the loaded data, expected)."""
from __future__ import annotations

from pathlib import Path

import pytest

from report.data import load, resource_names, stat, stat_row

ROOT = Path(__file__).resolve().parents[2]
DD, OD, ND = "Doubly disadvantaged", "Other deprived", "Non-deprived"


def v(name, value_col, **where):
    df = load(name, ROOT)
    for k, want in where.items():
        df = df[df[k] == want]
    assert len(df) == 1, (name, where, len(df))
    return df[value_col].iloc[0]


def series(name, value_col, index, **where):
    df = load(name, ROOT)
    for k, want in where.items():
        df = df[df[k] == want]
    return df.set_index(index)[value_col].sort_index()


def fig4(at):
    return series("fig04_gva_per_capita", "gva_per_capita_gbp", "year", area_type=at)


def fig9(at, measure):
    return series("fig09_unemployment", "rate_pct", "year", area_type=at, measure=measure)


def health(at, cats):
    df = load("fig14_health", ROOT)
    return round(df[(df["area_type"] == at) & df["health"].isin(cats)]["share_pct"].sum(), 2)


def near(value, stated, within):
    """A real (derived) value against the one the report states: its classification (1,315 LSOAs)
    and method differ slightly from this rebuild's (1,305), so equality is not expected."""
    return abs(value - stated) <= within


BAD = ["Bad or very bad health"]
GOOD = ["Very good or good health"]
U, Y = "Unemployment rate", "Youth unemployment rate"

# (fact as stated, value computed from the data, expected)
STATED = [
    # Figure 4
    ("Fig 4: DD GVA per head on average below half of OD",
     lambda: fig4(DD).mean() / fig4(OD).mean() < 0.5, True),
    ("Fig 4: DD grows 17% 2011-2021 (case study average)", lambda: round(fig4(DD)[2021] / fig4(DD)[2011], 2), 1.17),
    ("Fig 4: gap DD-OD wider in 2021 than 2011",
     lambda: (fig4(OD) - fig4(DD))[2021] > (fig4(OD) - fig4(DD))[2011], True),
    ("Fig 4: gap DD-ND wider in 2021 than 2011",
     lambda: (fig4(ND) - fig4(DD))[2021] > (fig4(ND) - fig4(DD))[2011], True),
    ("Fig 4: DD nearly flat (rises by < £2,000 while ND rises by > £5,000)",
     lambda: (fig4(DD)[2021] - fig4(DD)[2011] < 2000) and (fig4(ND)[2021] - fig4(ND)[2011] > 5000), True),
    ("Fig 4: years 2011-2021", lambda: list(fig4(DD).index), list(range(2011, 2022))),
    # Figure 5
    ("Fig 5: East of England DD = 3 x London DD in 2021",
     lambda: v("fig05_gva_per_capita_region", "gva_per_capita_gbp", year=2021, region="East of England")
     / v("fig05_gva_per_capita_region", "gva_per_capita_gbp", year=2021, region="London"), 3.0),
    ("Fig 5: about three times on average over the years",
     lambda: round(series("fig05_gva_per_capita_region", "gva_per_capita_gbp", "year", region="East of England").mean()
                   / series("fig05_gva_per_capita_region", "gva_per_capita_gbp", "year", region="London").mean()), 3),
    # Figure 6
    ("Fig 6: DD self-employment lowest in 2021",
     lambda: min((AT for AT in (DD, OD, ND)), key=lambda a: v("fig06_self_employment", "self_employment_rate_pct",
                                                            census_year=2021, area_type=a)), DD),
    ("Fig 6: DD self-employment higher in 2021 than 2011",
     lambda: v("fig06_self_employment", "self_employment_rate_pct", census_year=2021, area_type=DD)
     > v("fig06_self_employment", "self_employment_rate_pct", census_year=2011, area_type=DD), True),
    # Figure 7
    ("Fig 7: DD jobs density just under half of OD (England)",
     lambda: 0.45 < v("fig07_jobs_density", "jobs_density", region="England", area_type=DD)
     / v("fig07_jobs_density", "jobs_density", region="England", area_type=OD) < 0.5, True),
    ("Fig 7: DD jobs density just under half of ND (England)",
     lambda: 0.45 < v("fig07_jobs_density", "jobs_density", region="England", area_type=DD)
     / v("fig07_jobs_density", "jobs_density", region="England", area_type=ND) < 0.5, True),
    ("Fig 7: around fifty in the East of England",
     lambda: round(v("fig07_jobs_density", "jobs_density", region="East of England", area_type=DD)), 51),
    ("Fig 7: around fifty in the North West",
     lambda: round(v("fig07_jobs_density", "jobs_density", region="North West", area_type=DD)), 50),
    ("Fig 7: EoE and NW are the highest DD regions",
     lambda: set(series("fig07_jobs_density", "jobs_density", "region", area_type=DD).drop("England")
                 .nlargest(2).index), {"East of England", "North West"}),
    ("Fig 7: DD below both others in every region",
     lambda: all(v("fig07_jobs_density", "jobs_density", region=r, area_type=DD)
                 < min(v("fig07_jobs_density", "jobs_density", region=r, area_type=a) for a in (OD, ND))
                 for r in load("fig07_jobs_density", ROOT)["region"].unique()), True),
    # Figure 8
    ("Fig 8: DD job access markedly lowest (< 80% of the next)",
     lambda: v("fig08_job_access", "job_access_score", area_type=DD)
     < 0.8 * min(v("fig08_job_access", "job_access_score", area_type=a) for a in (OD, ND)), True),
    # Figure 9
    ("Fig 9: DD unemployment at least double ND in most years",
     lambda: (fig9(DD, U) >= 2 * fig9(ND, U)).mean() > 0.5, True),
    ("Fig 9: DD youth unemployment at least double ND in most years",
     lambda: (fig9(DD, Y) >= 2 * fig9(ND, Y)).mean() > 0.5, True),
    ("Fig 9: unemployment gap narrower at the end than the start",
     lambda: (fig9(DD, U) - fig9(ND, U)).iloc[-1] < (fig9(DD, U) - fig9(ND, U)).iloc[0], True),
    ("Fig 9: youth gap narrower at the end than the start",
     lambda: (fig9(DD, Y) - fig9(ND, Y)).iloc[-1] < (fig9(DD, Y) - fig9(ND, Y)).iloc[0], True),
    ("Fig 9: youth rate above all-age rate everywhere",
     lambda: all((fig9(a, Y) > fig9(a, U)).all() for a in (DD, OD, ND)), True),
    # Figure 10
    ("Fig 10: DD inactivity almost half (45-50%) in 2021",
     lambda: 45 <= v("fig10_inactivity", "inactivity_rate_pct", census_year=2021, area_type=DD) < 50, True),
    ("Fig 10: DD highest in 2021",
     lambda: v("fig10_inactivity", "inactivity_rate_pct", census_year=2021, area_type=DD)
     > max(v("fig10_inactivity", "inactivity_rate_pct", census_year=2021, area_type=a) for a in (OD, ND)), True),
    ("Fig 10: DD up on 2011",
     lambda: v("fig10_inactivity", "inactivity_rate_pct", census_year=2021, area_type=DD)
     > v("fig10_inactivity", "inactivity_rate_pct", census_year=2011, area_type=DD), True),
    # Figure 11
    ("Fig 11: years 2011-2020",
     lambda: list(series("fig11_gdhi_per_capita", "gdhi_per_capita_gbp", "year", area_type=DD).index),
     list(range(2011, 2021))),
    ("Fig 11: DD and OD close (within 5%) every year",
     lambda: ((series("fig11_gdhi_per_capita", "gdhi_per_capita_gbp", "year", area_type=OD)
               / series("fig11_gdhi_per_capita", "gdhi_per_capita_gbp", "year", area_type=DD)) < 1.05).all(), True),
    ("Fig 11: gap after 2014 larger than any gap up to 2014",
     lambda: (lambda gap: gap[gap.index > 2014].max() > 2 * gap[gap.index <= 2014].max())(
         series("fig11_gdhi_per_capita", "gdhi_per_capita_gbp", "year", area_type=OD)
         - series("fig11_gdhi_per_capita", "gdhi_per_capita_gbp", "year", area_type=DD)), True),
    ("Fig 11: ND far higher (> 1.3 x DD) every year",
     lambda: ((series("fig11_gdhi_per_capita", "gdhi_per_capita_gbp", "year", area_type=ND)
               / series("fig11_gdhi_per_capita", "gdhi_per_capita_gbp", "year", area_type=DD)) > 1.3).all(), True),
    # Figure 12
    ("Fig 12: London and South West highest in 2021",
     lambda: set(load("fig12_gdhi_per_capita_region", ROOT).query("year == 2021")
                 .nlargest(2, "gdhi_per_capita_gbp")["region"]), {"London", "South West"}),
    ("Fig 12: London and South West highest on average",
     lambda: set(load("fig12_gdhi_per_capita_region", ROOT).groupby("region")["gdhi_per_capita_gbp"].mean()
                 .nlargest(2).index), {"London", "South West"}),
    ("Fig 12: North East lowest every year",
     lambda: (load("fig12_gdhi_per_capita_region", ROOT).loc[
         lambda d: d.groupby("year")["gdhi_per_capita_gbp"].idxmin()]["region"] == "North East").all(), True),
    ("Fig 12: North East flat (range under 2% of its mean)",
     lambda: (lambda s: (s.max() - s.min()) / s.mean() < 0.02)(
         series("fig12_gdhi_per_capita_region", "gdhi_per_capita_gbp", "year", region="North East")), True),
    ("Fig 12: London peaks in the late 2010s and ends below its peak",
     lambda: (lambda s: 2016 <= s.idxmax() <= 2019 and s[2021] < s.max() and s.max() > s[2011])(
         series("fig12_gdhi_per_capita_region", "gdhi_per_capita_gbp", "year", region="London")), True),
    ("Fig 12: years 2011-2021",
     lambda: sorted(load("fig12_gdhi_per_capita_region", ROOT)["year"].unique().tolist()), list(range(2011, 2022))),
    # Figure 13
    ("Fig 13: DD most likely no qualifications",
     lambda: load("fig13_qualifications", ROOT).query("qualification == 'No qualifications'")
     .set_index("area_type")["share_pct"].idxmax(), DD),
    ("Fig 13: DD least likely Level 4+",
     lambda: load("fig13_qualifications", ROOT).query("qualification == 'Level 4 and above'")
     .set_index("area_type")["share_pct"].idxmin(), DD),
    # Figure 14 (real Census 2021): the report's 10%, 8% and 4.7% for bad or very bad health
    ("Fig 14: bad or very bad health, DD, about 10%", lambda: near(health(DD, BAD), 10.0, 0.5), True),
    ("Fig 14: bad or very bad health, OD, about 8%", lambda: near(health(OD, BAD), 8.0, 0.5), True),
    ("Fig 14: bad or very bad health, ND, about 4.7%", lambda: near(health(ND, BAD), 4.7, 0.2), True),
    ("Fig 14: DD worst bad health", lambda: max((DD, OD, ND), key=lambda a: health(a, BAD)), DD),
    ("Fig 14: DD lowest good health", lambda: min((DD, OD, ND), key=lambda a: health(a, GOOD)), DD),
    # Figure 15 (2021 real): the report's 10.5% and 3.5%, at the report's precision
    ("Fig 15: DD 2021", lambda: round(v("fig15_inactivity_sickness", "rate_pct", census_year=2021, area_type=DD), 1),
     10.5),
    ("Fig 15: ND 2021", lambda: round(v("fig15_inactivity_sickness", "rate_pct", census_year=2021, area_type=ND), 1),
     3.5),
    ("Fig 15: DD highest in 2021",
     lambda: load("fig15_inactivity_sickness", ROOT).query("census_year == 2021")
     .set_index("area_type")["rate_pct"].idxmax(), DD),
    ("Fig 15: DD largest rise since 2011",
     lambda: (load("fig15_inactivity_sickness", ROOT).pivot(index="area_type", columns="census_year",
                                                            values="rate_pct").pipe(lambda p: p[2021] - p[2011])
              .idxmax()), DD),
    # Figure 16
    ("Fig 16: all providers DD", lambda: v("fig16_childcare", "places_per_100_children", area_type=DD,
                                           provider_type="All providers"), 17),
    ("Fig 16: all providers OD", lambda: v("fig16_childcare", "places_per_100_children", area_type=OD,
                                           provider_type="All providers"), 20),
    ("Fig 16: all providers ND", lambda: v("fig16_childcare", "places_per_100_children", area_type=ND,
                                           provider_type="All providers"), 26),
    ("Fig 16: good or outstanding DD", lambda: v("fig16_childcare", "places_per_100_children", area_type=DD,
                                                 provider_type="Good or outstanding providers"), 14),
    ("Fig 16: good or outstanding never more than all providers",
     lambda: (load("fig16_childcare", ROOT).pivot(index="area_type", columns="provider_type",
                                                  values="places_per_100_children")
              .pipe(lambda p: p["Good or outstanding providers"] <= p["All providers"]).all()), True),
    # Figures 2 and 17
    ("Good work hierarchy: four levels bottom to top",
     lambda: load("good_work_hierarchy", ROOT)["title"].tolist(),
     ["Basic security", "Workplace values and fairness", "Opportunity and progression", "Fulfilment and purpose"]),
]

KEY_STATS = {
    "dd_lsoas_computed": 1305, "dd_wards_computed": 657,
    "dd_lsoas_publication": 1315, "dd_wards_publication": 669, "dd_lsoas_2019_index": 1468,
    "dd_wards_2019_index": 225, "dd_population_publication": 2_300_000,
    "dd_population_working_age_publication": 1_300_000,
    "internet_e_withdrawn_or_passive_dd_pct": 85, "internet_least_engaged_dd_pct": 43.4,
    "internet_least_engaged_england_pct": 8.8, "benefit_reliance_dd_pct": 30, "benefit_reliance_england_pct": 17.8,
    "life_expectancy_dd_2009": 78.1, "life_expectancy_dd_2019": 77.8, "life_expectancy_nd_2009": 81.8,
    "life_expectancy_nd_2019": 82, "migration_flow_dd_pct": 9, "migration_flow_od_pct": 11,
    "migration_flow_nd_pct": 14, "part_time_jobs_dd_pct": 33, "part_time_jobs_od_nd_pct": 31,
    "managerial_professional_dd_pct": 25, "managerial_professional_od_pct": 27,
    "managerial_professional_england_pct": 41, "gva_growth_warwick_ahead_pct": 153, "gva_growth_dd_avg_pct": 17,
    "gva_growth_england_avg_pct": 24, "lawrence_weston_population": 7000,
    "lawrence_weston_big_local_grant_gbp": 1_150_000, "lawrence_weston_leveraged_gbp": 15_000_000,
    "lawrence_weston_energy_bills_struggling_pct": 70, "lawrence_weston_solar_homes": 1000,
    "lawrence_weston_wind_homes": 3500, "lawrence_weston_wind_income_gbp_per_year": 300_000,
    "lawrence_weston_wind_capacity_mw": 4.2, "lawrence_weston_child_poverty_pct": 33.3,
    "south_west_child_poverty_pct": 14, "big_local_grant_per_area_gbp": 1_000_000, "big_local_neighbourhoods": 150,
    "big_local_endowment_gbp": 217_000_000, "big_local_net_benefit_gbp": 64_000_000, "ndc_neighbourhoods": 39,
    "ndc_funding_per_neighbourhood_gbp": 50_000_000, "ndc_indicators_improved": 32, "ndc_indicators_total": 36,
    "ndc_benefit_per_pound_low_gbp": 3, "ndc_benefit_per_pound_high_gbp": 5,
    "ndc_lifetime_investment_gbp": 2_500_000_000, "ndc_spend_1999_2008_gbp": 1_710_000_000, "ndc_projects": 6900,
    "ndc_levered_gbp": 730_000_000, "ukspf_total_gbp": 2_560_000_000, "ukspf_first_year_underspend_gbp": 429_000_000,
    "dormant_assets_expansion_gbp": 900_000_000, "cwf_earmarked_gbp": 87_500_000, "cwf_share_of_dormant_assets_pct": 25,
    "cwf_expanded_gbp": 225_000_000, "ign_authorities": 14, "focus_groups": 8, "practitioners_interviewed": 29,
}


@pytest.mark.parametrize("fact,compute,expected", STATED, ids=[s[0] for s in STATED])
def test_stated_fact_holds_in_committed_data(fact, compute, expected):
    assert compute() == expected, fact


@pytest.mark.parametrize("key,expected", sorted(KEY_STATS.items()))
def test_key_statistic(key, expected):
    assert stat(key, ROOT) == expected


def test_computed_population_matches_raw_readme():
    assert round(stat("dd_population_computed", ROOT) / 1e6, 2) == 2.08
    assert round(stat("dd_population_16_64_computed", ROOT) / 1e6, 2) == 1.27


def test_bounds_say_so_in_their_label():
    for key in ("benefit_reliance_dd_pct", "managerial_professional_dd_pct"):
        assert "bound" in stat_row(key, ROOT)["label"]


CENSUS_DERIVED = {13, 14}       # every row real Census 2021
CENSUS_MIXED = {6, 10, 15}      # 2021 rows real, 2011 rows illustrative


def test_provenance_of_every_resource():
    import json

    pkg = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    res = {r["name"]: r for r in pkg["resources"]}
    for n in range(4, 17):
        name = next(k for k in res if k.startswith(f"fig{n:02d}_"))
        desc, rows = res[name]["description"], set(load(name, ROOT)["provenance"])
        if n in CENSUS_DERIVED:
            assert res[name]["provenance"] == "derived" and rows == {"derived"}, name
            assert "Census 2021" in desc and "Reconstructed" not in desc
        elif n in CENSUS_MIXED:
            # marked reconstructed as a whole: it holds invented rows, and the source note must say so
            assert res[name]["provenance"] == "reconstructed" and rows == {"derived", "reconstructed"}, name
            assert "illustrative" in desc and "TS066" in desc
        else:
            assert res[name]["provenance"] == "reconstructed" and "derived" not in rows, name
            assert "Reconstructed" in desc
    for name in ("lsoa_classification", "area_type_summary", "map_points", "map_regions", "census2021_outcomes"):
        assert res[name]["provenance"] == "derived"
    stats = load("key_statistics", ROOT)
    derived = set(stats.loc[stats["provenance"] == "derived", "key"])
    assert derived == {k for k in stats["key"] if k.endswith("_computed")}
    assert {"dd_lsoas_computed", "dd_wards_computed", "dd_population_computed",
            "dd_population_16_64_computed"} <= derived
    assert set(stats["provenance"]) == {"derived", "publication"}


def test_census_year_rows_by_provenance():
    """2011 rows are the illustrative ones, 2021 rows the real ones, in every mixed census figure."""
    for n in CENSUS_MIXED:
        name = next(r for r in resource_names(ROOT)
                    if r.startswith(f"fig{n:02d}_"))
        df = load(name, ROOT)
        assert set(df.loc[df["census_year"] == 2011, "provenance"]) == {"reconstructed"}, name
        assert set(df.loc[df["census_year"] == 2021, "provenance"]) == {"derived"}, name


def test_publication_rows_hold_stated_values():
    """A row marked publication carries exactly a value the report states (Figure 16's are the only ones)."""
    care = load("fig16_childcare", ROOT)
    pub = care[care["provenance"] == "publication"]
    got = {(r.area_type, r.provider_type): r.places_per_100_children for r in pub.itertuples()}
    assert got == {(DD, "All providers"): 17, (OD, "All providers"): 20, (ND, "All providers"): 26,
                   (DD, "Good or outstanding providers"): 14}
    for n in range(4, 16):
        name = next(r for r in resource_names(ROOT)
                    if r.startswith(f"fig{n:02d}_"))
        assert "publication" not in set(load(name, ROOT)["provenance"]), name


def test_package_file_format_is_stable():
    import json

    text = (ROOT / "data" / "datapackage.json").read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
