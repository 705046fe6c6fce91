"""Broken data gets an error that names the file, row (CSV line), column, value and rule."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from report.cli import main
from report.data import DataValidationError, load, validate_all


def lines(project, name):
    return (project / "data" / f"{name}.csv").read_text(encoding="utf-8").splitlines(keepends=True)


def write(project, name, text, encoding="utf-8"):
    (project / "data" / f"{name}.csv").write_bytes(text.encode(encoding) if isinstance(text, str) else text)


def replace_line(project, name, lineno, old, new):
    ls = lines(project, name)
    assert old in ls[lineno - 1], (lineno, ls[lineno - 1])
    ls[lineno - 1] = ls[lineno - 1].replace(old, new, 1)
    write(project, name, "".join(ls))


def set_cell(project, name, lineno, column, value) -> str:
    """Put `value` in one cell (lines without quoted commas); returns the value it replaced."""
    ls = lines(project, name)
    header = ls[0].rstrip("\n").split(",")
    cells = ls[lineno - 1].rstrip("\n").split(",")
    old, cells[header.index(column)] = cells[header.index(column)], str(value)
    ls[lineno - 1] = ",".join(cells) + "\n"
    write(project, name, "".join(ls))
    return old


def error_of(project, name) -> str:
    with pytest.raises(DataValidationError) as info:
        load(name, project)
    return str(info.value)


def assert_names(msg, *parts):
    for p in parts:
        assert p in msg, f"{p!r} not in:\n{msg}"


def test_missing_file(project):
    (project / "data" / "fig16_childcare.csv").unlink()
    msg = error_of(project, "fig16_childcare")
    assert_names(msg, "data/fig16_childcare.csv", "file not found", "[rule: file_present]")


def test_missing_column(project):
    ls = lines(project, "fig08_job_access")
    write(project, "fig08_job_access", "".join(line.split(",")[0] + "\n" for line in ls))
    msg = error_of(project, "fig08_job_access")
    assert_names(msg, "data/fig08_job_access.csv", "row 1", "column 'job_access_score'", "missing",
                 "[rule: schema_fields]")


def test_misspelt_column_suggests_the_right_name(project):
    replace_line(project, "fig04_gva_per_capita", 1, "gva_per_capita_gbp", "gva_per_capita_gdp")
    msg = error_of(project, "fig04_gva_per_capita")
    assert_names(msg, "data/fig04_gva_per_capita.csv", "row 1", "column 'gva_per_capita_gbp'",
                 "value 'gva_per_capita_gdp'", "did you mean 'gva_per_capita_gbp'", "[rule: schema_fields]")


def test_unknown_category(project):
    replace_line(project, "fig16_childcare", 3, "Doubly disadvantaged", "Doubly deprived")
    msg = error_of(project, "fig16_childcare")
    assert_names(msg, "data/fig16_childcare.csv", "row 3", "column 'area_type'", "value 'Doubly deprived'",
                 "unknown category", "did you mean 'Doubly disadvantaged'", "[rule: enum]")


def test_non_numeric_value(project):
    set_cell(project, "fig14_health", 5, "share_pct", "n/a")
    msg = error_of(project, "fig14_health")
    assert_names(msg, "data/fig14_health.csv", "row 5", "column 'share_pct'", "value 'n/a'", "not a valid number",
                 "[rule: type: number]")


def test_out_of_range_value(project):
    set_cell(project, "fig10_inactivity", 2, "inactivity_rate_pct", "144.1")
    msg = error_of(project, "fig10_inactivity")
    assert_names(msg, "data/fig10_inactivity.csv", "row 2", "column 'inactivity_rate_pct'", "value '144.1'",
                 "above the maximum of 100", "[rule: maximum 100]")


def test_negative_value(project):
    replace_line(project, "fig11_gdhi_per_capita", 4, ",20900", ",-20900")
    msg = error_of(project, "fig11_gdhi_per_capita")
    assert_names(msg, "row 4", "column 'gdhi_per_capita_gbp'", "value '-20900'", "[rule: minimum 0]")


def test_duplicate_key(project):
    ls = lines(project, "fig08_job_access")
    ls[3] = ls[1]  # line 4 repeats line 2's area type
    write(project, "fig08_job_access", "".join(ls))
    msg = error_of(project, "fig08_job_access")
    assert_names(msg, "data/fig08_job_access.csv", "row 4", "column 'area_type'", "value 'Doubly disadvantaged'",
                 "duplicate key", "first seen on row 2", "[rule: primary_key]")


def test_gap_in_years(project):
    ls = lines(project, "fig04_gva_per_capita")
    kept = [ln for ln in ls if not ln.startswith("2015,")]
    write(project, "fig04_gva_per_capita", "".join(kept))
    line_of_2016 = next(i for i, ln in enumerate(kept, 1) if ln.startswith("2016,Doubly"))
    msg = error_of(project, "fig04_gva_per_capita")
    assert_names(msg, "data/fig04_gva_per_capita.csv", f"row {line_of_2016}", "column 'year'", "value 2016",
                 "2015 missing between 2014 and 2016", "area_type='Doubly disadvantaged'", "[rule: contiguous_years]")


def test_empty_file(project):
    write(project, "fig06_self_employment", "")
    msg = error_of(project, "fig06_self_employment")
    assert_names(msg, "data/fig06_self_employment.csv", "row 1", "the file is empty", "[rule: non_empty]")


def test_header_only_file(project):
    write(project, "fig06_self_employment", lines(project, "fig06_self_employment")[0])
    msg = error_of(project, "fig06_self_employment")
    assert_names(msg, "row 2", "no data rows", "[rule: non_empty]")


def test_semicolon_delimiter(project):
    text = "".join(lines(project, "fig15_inactivity_sickness")).replace(",", ";")
    write(project, "fig15_inactivity_sickness", text)
    msg = error_of(project, "fig15_inactivity_sickness")
    assert_names(msg, "data/fig15_inactivity_sickness.csv", "row 1", "value ';'", "semicolon-separated",
                 "[rule: comma_delimiter]")


def test_utf8_with_bom(project):
    path = project / "data" / "fig13_qualifications.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    msg = error_of(project, "fig13_qualifications")
    assert_names(msg, "data/fig13_qualifications.csv", "row 1", "byte order mark", "[rule: utf8_without_bom]")


def test_latin1_text(project):
    text = "".join(lines(project, "good_work_hierarchy")).replace("Chances to train", "Chances to train (café)")
    write(project, "good_work_hierarchy", text, encoding="latin-1")
    msg = error_of(project, "good_work_hierarchy")
    assert_names(msg, "data/good_work_hierarchy.csv", "row 4", "column 'examples'", "café",
                 "not valid UTF-8 (byte E9)", "Latin-1", "[rule: utf8_encoding]")


def test_shares_not_summing_to_100(project):
    share = float(set_cell(project, "fig14_health", 2, "share_pct", "0"))
    set_cell(project, "fig14_health", 2, "share_pct", f"{share - 2:.2f}")  # the group now sums to 98
    msg = error_of(project, "fig14_health")
    assert_names(msg, "data/fig14_health.csv", "row 2", "column 'share_pct'", "value 98", "add up to 98",
                 "area_type='Doubly disadvantaged'", "[rule: sums_to_100]")


def test_a_total_that_its_parts_do_not_add_up_to(project):
    base = int(set_cell(project, "census2021_outcomes", 11, "base", "0"))  # Doubly disadvantaged, England
    set_cell(project, "census2021_outcomes", 11, "base", base + 5)
    msg = error_of(project, "census2021_outcomes")
    assert_names(msg, "data/census2021_outcomes.csv", "row 11", "column 'base'", f"value {base + 5}",
                 f"the England total for measure='economically_inactive', category='Economically inactive', "
                 f"area_type='Doubly disadvantaged' is {base + 5} but its parts add up to {base}",
                 "[rule: group_total]")


def test_a_group_named_by_a_number_is_labelled_with_the_number():
    import pandas as pd

    from report.data.rules import CHECKERS

    df = pd.DataFrame({"year": [2020, 2020, 2020, 2021, 2021, 2021], "region": ["England", "A", "B"] * 2,
                       "n": [5, 2, 2, 4, 2, 2]})
    rule = {"rule": "group_total", "field": "n", "group_by": ["year"], "total_field": "region",
            "total_value": "England"}
    (problem,) = CHECKERS["group_total"](df, list(range(2, 8)), rule, {}, "data/f.csv")
    assert (problem.row, problem.value) == (2, 5)
    assert problem.message == "the England total for year=2020 is 5 but its parts add up to 4"


def test_missing_area_type(project):
    ls = [ln for ln in lines(project, "fig08_job_access") if not ln.startswith("Other deprived")]
    write(project, "fig08_job_access", "".join(ls))
    msg = error_of(project, "fig08_job_access")
    assert_names(msg, "column 'area_type'", "value 'Other deprived'", "every category must be present",
                 "[rule: all_categories_present]")


def test_unsorted_key_statistics(project):
    ls = lines(project, "key_statistics")
    ls[1], ls[2] = ls[2], ls[1]
    write(project, "key_statistics", "".join(ls))
    msg = error_of(project, "key_statistics")
    assert_names(msg, "data/key_statistics.csv", "row 3", "column 'key'", "[rule: sorted]")


def test_validate_all_lists_every_problem_and_cli_exits_1(project):
    (project / "data" / "fig16_childcare.csv").unlink()
    set_cell(project, "fig10_inactivity", 2, "inactivity_rate_pct", "144.1")
    with pytest.raises(DataValidationError) as info:
        validate_all(project)
    assert len(info.value.problems) == 2
    res = CliRunner().invoke(main, ["validate"])
    assert res.exit_code == 1
    assert_names(res.output, "2 data problems", "fig16_childcare.csv", "fig10_inactivity.csv", "144.1")


def test_validate_cli_ok_on_committed_data(project):
    res = CliRunner().invoke(main, ["validate"])
    assert res.exit_code == 0, res.output
    assert "ok" in res.output and "resources valid" in res.output


def test_unknown_resource_and_key_suggest_names(project):
    from report.data import stat

    with pytest.raises(KeyError, match="fig16_childcare"):
        load("fig16_childcar", project)
    with pytest.raises(KeyError, match="dd_lsoas_computed"):
        stat("dd_lsoa_computed", project)
