"""Bad data, each kind once: `report validate` names file, row, column, value and rule, exits 1,
and leaves `_book/` alone; a few go through `report build` to show the build stops the same way."""
from __future__ import annotations

import csv
import io
import json
import os

import pytest


def rows_of(book, name):
    text = book.path(f"data/{name}.csv").read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


def write_rows(book, name, rows):
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(rows)
    book.write(f"data/{name}.csv", buf.getvalue())


def set_cell(book, name, row, column, value):
    """Data row `row` (1 = first row after the header, CSV line row + 1)."""
    rows = rows_of(book, name)
    rows[row][rows[0].index(column)] = value
    write_rows(book, name, rows)


def stat_row(book, key):
    rows = rows_of(book, "key_statistics")
    return next(i for i, r in enumerate(rows) if r[0] == key)


def package(book):
    return json.loads(book.path("data/datapackage.json").read_text(encoding="utf-8"))


def save_package(book, pkg):
    book.write("data/datapackage.json", json.dumps(pkg, indent=2))


def resource(pkg, name):
    return next(r for r in pkg["resources"] if r["name"] == name)


def original(book, name) -> bytes:
    return book.path(f"data/{name}.csv").read_bytes()


# (case, change to the data, text the message must hold)
CASES = {
    "inf in key statistics": (
        lambda b: set_cell(b, "key_statistics", stat_row(b, "dd_wards_computed"), "value", "inf"),
        ["data/key_statistics.csv", "column 'value'", "value 'inf'", "not a finite number", "[rule: finite_number]"]),
    "nan in key statistics": (
        lambda b: set_cell(b, "key_statistics", stat_row(b, "dd_wards_computed"), "value", "nan"),
        ["data/key_statistics.csv", "value 'nan'", "[rule: finite_number]"]),
    "NaN is reported once, not as below the minimum and above the maximum": (
        lambda b: set_cell(b, "fig08_job_access", 1, "job_access_score", "NaN"),
        ["data/fig08_job_access.csv, row 2, column 'job_access_score', value 'NaN'", "1 data problem found"]),
    "-Infinity in a figure": (
        lambda b: set_cell(b, "fig10_inactivity", 2, "inactivity_rate_pct", "-Infinity"),
        ["data/fig10_inactivity.csv, row 3", "value '-Infinity'", "[rule: finite_number]"]),
    "a number too large for a float": (
        lambda b: set_cell(b, "fig08_job_access", 1, "job_access_score", "1e999"),
        ["data/fig08_job_access.csv, row 2", "value '1e999'", "[rule: finite_number]"]),
    "binary garbage": (
        lambda b: b.write("data/fig08_job_access.csv", bytes(range(256)) * 4),
        ["data/fig08_job_access.csv, row 1", "binary data", "[rule: text_file]"]),
    "a NUL byte in a cell": (
        lambda b: b.write("data/fig08_job_access.csv", original(b, "fig08_job_access").replace(b"61.4", b"61\x004")),
        ["data/fig08_job_access.csv, row 2", "binary data (byte 00)", "[rule: text_file]"]),
    "UTF-16 with its byte order mark": (
        lambda b: b.write("data/fig08_job_access.csv", original(b, "fig08_job_access").decode().encode("utf-16")),
        ["data/fig08_job_access.csv, row 1", "UTF-16", "[rule: utf8_encoding]"]),
    "UTF-16 without a byte order mark": (
        lambda b: b.write("data/fig08_job_access.csv", original(b, "fig08_job_access").decode().encode("utf-16-le")),
        ["data/fig08_job_access.csv, row 1", "UTF-16", "[rule: utf8_encoding]"]),
    "Latin-1": (
        lambda b: b.write("data/fig08_job_access.csv",
                          original(b, "fig08_job_access").replace(b"Other deprived", "Other d\u00e9prived".encode("latin-1"))),
        ["data/fig08_job_access.csv, row 3", "column 'area_type'", "byte E9", "Latin-1", "[rule: utf8_encoding]"]),
    "a UTF-8 byte order mark": (
        lambda b: b.write("data/fig08_job_access.csv", b"\xef\xbb\xbf" + original(b, "fig08_job_access")),
        ["data/fig08_job_access.csv, row 1", "byte order mark", "[rule: utf8_without_bom]"]),
    "a cell longer than 128 KB (a quote left open)": (
        lambda b: b.write("data/fig08_job_access.csv",
                          original(b, "fig08_job_access").replace(b"Other deprived", b'"Other ' + b"x" * 140_000)),
        ["data/fig08_job_access.csv, row 3", "longer than 128 KB", "quote", "[rule: cell_size]"]),
    "trailing blank lines are one problem, not a duplicate key": (
        lambda b: b.write("data/fig08_job_access.csv", original(b, "fig08_job_access") + b"\n\n\n"),
        ["data/fig08_job_access.csv, row 5", "3 blank lines at the end", "1 data problem found", "[rule: no_blank_rows]"]),
    "a blank line in the middle": (
        lambda b: b.write("data/fig08_job_access.csv", original(b, "fig08_job_access").replace(b"\nOther", b"\n\nOther")),
        ["data/fig08_job_access.csv, row 3", "blank line", "[rule: no_blank_rows]"]),
    "100,000 bad rows say that more were cut": (
        lambda b: b.write("data/fig08_job_access.csv", (
            "area_type,job_access_score,provenance\n"
            + "".join(f"Doubly disadvantaged,x{i},reconstructed\n" for i in range(100_000))).encode()),
        ["data/fig08_job_access.csv", "stopped looking after 1000 problems", "more problems not listed",
         "[rule: error_limit]"]),
    "a directory where a file belongs": (
        lambda b: (b.path("data/fig08_job_access.csv").unlink(), b.path("data/fig08_job_access.csv").mkdir()),
        ["data/fig08_job_access.csv", "is a directory, not a file", "[rule: file_present]"]),
    "a FIFO where a file belongs (no hang)": (
        lambda b: (b.path("data/fig08_job_access.csv").unlink(), os.mkfifo(b.path("data/fig08_job_access.csv"))),
        ["data/fig08_job_access.csv", "named pipe", "[rule: file_present]"]),
    "a missing file": (
        lambda b: b.path("data/fig08_job_access.csv").unlink(),
        ["data/fig08_job_access.csv", "file not found", "[rule: file_present]"]),
    "an empty file": (
        lambda b: b.write("data/fig08_job_access.csv", b""),
        ["data/fig08_job_access.csv, row 1", "empty", "[rule: non_empty]"]),
    "a header and no rows": (
        lambda b: b.write("data/fig08_job_access.csv", b"area_type,job_access_score,provenance\n"),
        ["data/fig08_job_access.csv, row 2", "no data rows", "[rule: non_empty]"]),
    "semicolons instead of commas": (
        lambda b: b.write("data/fig08_job_access.csv", original(b, "fig08_job_access").replace(b",", b";")),
        ["data/fig08_job_access.csv, row 1", "semicolon-separated", "[rule: comma_delimiter]"]),
    "a misspelt column": (
        lambda b: b.write("data/fig08_job_access.csv",
                          original(b, "fig08_job_access").replace(b"job_access_score", b"job_acess_score", 1)),
        ["data/fig08_job_access.csv, row 1", "column 'job_access_score'", "did you mean", "[rule: schema_fields]"]),
    "columns out of order": (
        lambda b: write_rows(b, "fig08_job_access", [r[::-1] for r in rows_of(b, "fig08_job_access")]),
        ["data/fig08_job_access.csv, row 1", "out of order", "[rule: schema_field_order]"]),
    "an unknown category": (
        lambda b: set_cell(b, "fig08_job_access", 2, "area_type", "Other deprivd"),
        ["data/fig08_job_access.csv, row 3", "column 'area_type'", "value 'Other deprivd'",
         "did you mean 'Other deprived'", "[rule: enum]"]),
    "a value below its minimum": (
        lambda b: set_cell(b, "fig08_job_access", 1, "job_access_score", "-5"),
        ["data/fig08_job_access.csv, row 2", "value '-5'", "below the minimum", "[rule: minimum"]),
    "text in a number column": (
        lambda b: set_cell(b, "fig08_job_access", 1, "job_access_score", "sixty"),
        ["data/fig08_job_access.csv, row 2", "value 'sixty'", "not a valid number", "[rule: type: number]"]),
    "a duplicate key": (
        lambda b: set_cell(b, "fig08_job_access", 2, "area_type", "Doubly disadvantaged"),
        ["data/fig08_job_access.csv, row 3", "duplicate key (first seen on row 2)", "[rule: primary_key]"]),
    "shares that do not add up to 100": (
        lambda b: set_cell(b, "fig13_qualifications", 1, "share_pct", "90"),
        ["data/fig13_qualifications.csv", "add up to", "not 100", "[rule: sums_to_100]"]),
    "an LSOA's area type edited by hand (derived tables disagree)": (
        lambda b: edit_first_dd(b),
        ["data/lsoa_classification.csv, row", "column 'area_type'", "value 'Other deprived'",
         "has a point in data/map_points.csv", "data/area_type_summary.csv", "[rule: derived_tables_agree]"]),
    "a map point moved to another region": (
        lambda b: set_cell(b, "map_points", 1, "region",
                           "North East" if rows_of(b, "map_points")[1][1] != "North East" else "London"),
        ["data/map_points.csv, row 2, column 'region'", "[rule: derived_tables_agree]"]),
    "a summary count edited by hand": (
        lambda b: set_cell(b, "area_type_summary", 1, "wards", str(int(rows_of(b, "area_type_summary")[1][3]) + 1)),
        ["data/area_type_summary.csv, row 2, column 'wards'", "data/lsoa_classification.csv gives",
         "[rule: derived_tables_agree]"]),
    "datapackage.json that is not JSON": (
        lambda b: b.write("data/datapackage.json", '{"resources": [\n  {"name": "x",}\n]}\n'),
        ["data/datapackage.json, row 2", "not valid JSON", "line 2", "[rule: valid_json]"]),
    "resources that are not a list": (
        lambda b: b.write("data/datapackage.json", '{"resources": {"name": "x"}}'),
        ["data/datapackage.json, column 'resources'", "must be a list", "[rule: data_package]"]),
    "a resource without a name": (
        lambda b: save_package(b, {**package(b), "resources": [*package(b)["resources"], {"path": "x.csv"}]}),
        ["data/datapackage.json", "each resource must be an object with a \"name\"", "[rule: data_package]"]),
    "an unknown field type": (
        lambda b: retype(b, "fig08_job_access", "job_access_score", "decimal"),
        ["data/datapackage.json, column 'job_access_score', value 'decimal'", "data/fig08_job_access.csv",
         "not supported", "[rule: table_schema]"]),
    "a resource path out of the project": (
        lambda b: repath(b, "fig08_job_access", "../../../../../../etc/passwd"),
        ["data/datapackage.json, column 'path'", "'../../../../../../etc/passwd' leads outside the project",
         "[rule: path_inside_project]"]),
    "an absolute resource path": (
        lambda b: repath(b, "fig08_job_access", "/etc/passwd"),
        ["'/etc/passwd' leads outside the project", "[rule: path_inside_project]"]),
    "a data file that is a symbolic link out of the project": (
        lambda b: (b.path("data/fig08_job_access.csv").unlink(),
                   b.path("data/fig08_job_access.csv").symlink_to("/etc/passwd")),
        ["fig08_job_access.csv", "leads outside the project through a symbolic link", "[rule: path_inside_project]"]),
    "GeoJSON that is not JSON": (
        lambda b: b.write("data/map_regions.geojson", '{"type": "FeatureCollection",\n "features": [}\n'),
        ["data/map_regions.geojson, row 2", "not valid JSON", "character", "[rule: valid_json]"]),
    "GeoJSON that is not a FeatureCollection": (
        lambda b: b.write("data/map_regions.geojson", "[1, 2, 3]\n"),
        ["data/map_regions.geojson", "not a GeoJSON FeatureCollection", "[rule: geojson_feature_collection]"]),
    "a GeoJSON position that is not a number pair": (
        lambda b: break_geometry(b),
        ["data/map_regions.geojson, column 'features[1].geometry.coordinates'", "feature 2", "[longitude, latitude]",
         "[rule: geojson_geometry]"]),
    "a GeoJSON region that does not exist": (
        lambda b: rename_region(b, "Mercia"),
        ["data/map_regions.geojson, column 'features[0].properties.region', value 'Mercia'", "unknown region",
         "[rule: enum]"]),
    "an emoji code in a value is printed as typed": (
        lambda b: set_cell(b, "fig08_job_access", 2, "area_type", ":x: deprived"),
        ["value ':x: deprived'", "[rule: enum]"]),
    "rich markup in a value is printed as typed": (
        lambda b: set_cell(b, "fig08_job_access", 2, "area_type", "[bold]Other[/] [/deprived]"),
        ["value '[bold]Other[/] [/deprived]'", "[rule: enum]"]),
    "no datapackage.json at all": (
        lambda b: b.path("data/datapackage.json").unlink(),
        ["data/datapackage.json", "not found", "[rule: file_present]"]),
}


def edit_first_dd(book):
    rows = rows_of(book, "lsoa_classification")
    at = rows[0].index("area_type")
    i = next(i for i, r in enumerate(rows) if r[at] == "Doubly disadvantaged")
    rows[i][at] = "Other deprived"
    write_rows(book, "lsoa_classification", rows)


def retype(book, name, field, type_):
    pkg = package(book)
    next(f for f in resource(pkg, name)["schema"]["fields"] if f["name"] == field)["type"] = type_
    save_package(book, pkg)


def repath(book, name, path):
    pkg = package(book)
    resource(pkg, name)["path"] = path
    save_package(book, pkg)


def geojson(book):
    return json.loads(book.path("data/map_regions.geojson").read_text(encoding="utf-8"))


def break_geometry(book):
    obj = geojson(book)
    geom = obj["features"][1]["geometry"]
    ring = geom["coordinates"][0] if geom["type"] == "Polygon" else geom["coordinates"][0][0]
    ring[3] = ["east", "north"]
    book.write("data/map_regions.geojson", json.dumps(obj))


def rename_region(book, name):
    obj = geojson(book)
    obj["features"][0]["properties"]["region"] = name
    book.write("data/map_regions.geojson", json.dumps(obj))


@pytest.mark.parametrize("case", list(CASES))
def test_validate_names_the_problem(book, case):
    change, needles = CASES[case]
    change(book)
    out = book.assert_refused(book.run("validate"), *needles)
    assert "\x00" not in out  # control characters are escaped, never printed raw
    if "emoji" in case:
        assert "\u274c" not in out


@pytest.mark.parametrize("case", ["inf in key statistics", "a FIFO where a file belongs (no hang)",
                                  "datapackage.json that is not JSON", "a resource path out of the project",
                                  "an LSOA's area type edited by hand (derived tables disagree)"])
def test_build_stops_on_bad_data_before_any_chapter(book, case):
    change, needles = CASES[case]
    change(book)
    out = book.assert_refused(book.build(), "data validation failed", *needles)
    assert "chapters executed" not in out
