from __future__ import annotations

import re

import pytest

from breaking_the_cycle.recommendations import (THEMES, load_recommendations, numbered_recommendations, recommendations_table,
                           render_html, render_typst)
from report.data.errors import DataValidationError

from ._helpers import DATA, LIST_COLUMNS, TABLE_COLUMNS, compile_typst, parse_table, read_csv, squash, write_csv


def split(actions: str) -> list[str]:
    return [a.strip() for a in actions.split("|")] if actions.strip() else []


def expected_rows(root):
    """The CSV as the table should show it, read independently of the code under test."""
    rows = sorted(read_csv(root / "data" / "recommendations.csv"), key=lambda r: int(r["order"]))
    return rows


def blocks(markdown: str) -> dict[str, str]:
    found = re.findall(r"^(`{3,})\{=(html|typst)\}\n(.*?)\n\1$", markdown, flags=re.S | re.M)
    return {fmt: body for _, fmt, body in found}


# --- the real data --------------------------------------------------------------------------

def test_real_data_validates():
    recs = load_recommendations(DATA.parent)
    assert [g.theme for g in recs.groups] == list(THEMES)
    assert all(g.rows for g in recs.groups)
    # The publication: 1-3, 4-6 and 7 (with a-c) under the three themes.
    assert [[i.number for i in g.items] for g in recs.groups] == [[1, 2, 3], [4, 5, 6], [7]]
    assert [len(i.actions) for i in recs.items] == [0, 0, 0, 0, 0, 0, 3]


def test_html_table_matches_csv_cell_by_cell(project):
    html = render_html(load_recommendations(project))
    t = parse_table(html)
    assert len(t.tables) == 1
    assert t.tables[0]["data-quarto-disable-processing"] == "true"
    # The chapter's `#tbl-` float numbers and captions the table; it has no caption of its own.
    assert "<caption" not in html and t.caption == ""

    head = [r for r in t.rows if r["in_thead"]]
    assert [(c["tag"], c["attrs"].get("scope"), c["text"]) for c in head[0]["cells"]] == [
        ("th", "col", "Problem"), ("th", "col", "Solution"), ("th", "col", "Lever")]

    body = [r for r in t.rows if not r["in_thead"]]
    seen = []
    theme = None
    for r in body:
        cells = r["cells"]
        if len(cells) == 1:
            c = cells[0]
            # a theme heads the rows of its <tbody>, not the columns
            assert (c["tag"], c["attrs"].get("scope"), c["attrs"].get("colspan")) == ("th", "rowgroup", "3")
            theme = c["text"]
            continue
        assert [c["tag"] for c in cells] == ["td"] * 3
        assert [c["attrs"]["data-label"] for c in cells] == ["Problem", "Solution", "Lever"]
        seen.append((theme, cells[0]["text"], cells[1]["text"], cells[2]["text"], cells[2]["items"]))

    want = [(r["theme"], r["problem"], r["solution"], r["lever"], split(r["lever_actions"])) for r in expected_rows(project)]
    assert seen == want
    assert [r["cells"][0]["text"] for r in body if len(r["cells"]) == 1] == list(THEMES)
    assert "<ul>" in html  # the list of actions is a real list inside its cell


def test_typst_compiles_and_pdf_has_every_row(project, tmp_path):
    recs = load_recommendations(project)
    typ = render_typst(recs)
    assert "table.header(" in typ and "repeat: true" in typ
    assert typ.count("table.cell(colspan: 3") == len(THEMES)
    # bare: the engine's table float is the figure, and a figure inside it would be tagged twice
    assert "#figure(" not in typ
    _, pages = compile_typst(tmp_path, typ)
    text = squash("".join(pages))
    for r in expected_rows(project):
        for col in ("theme", "problem", "solution", "lever"):
            assert squash(r[col]) in text, (col, r[col])
        for action in split(r["lever_actions"]):
            assert squash(action) in text, action


def test_header_repeats_on_every_page(project, tmp_path):
    """A table longer than a page breaks across pages and shows its header on each."""
    rows = read_csv(project / "data" / "recommendations.csv")
    long = []
    for k in range(60):
        r = dict(rows[min(k * len(rows) // 60, len(rows) - 1)])
        r["order"] = str(k + 1)
        long.append(r)
    # Keep the numbering valid: one number per row, the extra list item moved after them.
    for k, r in enumerate(long):
        r["number"] = str(k + 1)
    write_csv(project / "data" / "recommendations.csv", TABLE_COLUMNS, long)
    write_csv(project / "data" / "recommendations_numbered.csv", LIST_COLUMNS,
              [{"number": "61", "theme": THEMES[-1], "text": "Extra."}])
    _, pages = compile_typst(tmp_path, render_typst(load_recommendations(project)))
    assert len(pages) > 1
    for page in pages:
        assert re.search(r"Problem\s*Solution\s*Lever", page), page[:200]


def test_recommendations_table_has_both_raw_blocks(project):
    md = recommendations_table(project, caption="My caption")
    found = blocks(md)
    assert set(found) == {"html", "typst"}
    assert "<caption>My caption</caption>" in found["html"]
    # given a caption, the table captions itself, unnumbered (the book's floats number theirs)
    assert '#figure(kind: table, numbering: none, caption: [#"My caption"]' in found["typst"]


def test_numbered_list_comes_from_the_table(project):
    recs = load_recommendations(project)
    md = numbered_recommendations(project)
    by_number = {i.number: i for i in recs.items}
    for row in recs.rows:  # each table row's lever is the text of its numbered recommendation
        assert by_number[row.number].text == row.lever
        assert by_number[row.number].actions == row.actions
    import pypandoc
    html = pypandoc.convert_text(md, "html", format="markdown")
    assert re.findall(r'<ol start="(\d+)"', html) == ["4", "7"]
    assert html.count('<ol type="a">') == 1
    for theme in THEMES:
        assert f"<strong>{theme}:</strong>" in re.sub(r"\s+", " ", html)


# --- hostile content ------------------------------------------------------------------------

HOSTILE = [
    '<script>alert("x")</script> & <b>bold</b> &amp; "dq" \'sq\'',
    "#set page(width: 1cm) #panic(\"x\") #{1 + 1} #let a = 1",
    "{{ 7*7 }} {% for x in range(3) %}loop{% endfor %} {# c #}",
    "$x$ and $$y$$ and \\(z\\) *bold* _it_ __u__ `code` ```fence```",
    "@cite [link](http://example.com) [@key] ![img](x.png) <!-- c --> <http://x.y>",
    "back\\slash \\\\ \\\" \\n ] [ } { ) ( -- --- ... ~ ^ = + / <label>",
    "£2.5 billion – en dash ’curly’ “double” é ü 😀 {{< shortcode >}} :smile:",
]


@pytest.fixture
def hostile(project):
    rows = read_csv(project / "data" / "recommendations.csv")
    for k, r in enumerate(rows):
        r["problem"] = HOSTILE[k % len(HOSTILE)]
        r["solution"] = HOSTILE[(k + 1) % len(HOSTILE)]
        r["lever"] = HOSTILE[(k + 2) % len(HOSTILE)]
        if r["lever_actions"]:
            r["lever_actions"] = " | ".join(HOSTILE[3:6])
    write_csv(project / "data" / "recommendations.csv", TABLE_COLUMNS, rows)
    extra = read_csv(project / "data" / "recommendations_numbered.csv")
    for r in extra:
        r["text"] = HOSTILE[0] + " " + HOSTILE[3]
    write_csv(project / "data" / "recommendations_numbered.csv", LIST_COLUMNS, extra)
    return project


def test_hostile_text_is_literal_in_html(hostile):
    html = render_html(load_recommendations(hostile), caption=HOSTILE[2])
    t = parse_table(html)
    assert "script" not in t.tags and "b" not in t.tags  # markup stayed text
    assert t.caption == HOSTILE[2]
    cells = [c for r in t.rows if not r["in_thead"] and len(r["cells"]) == 3 for c in r["cells"]]
    texts = {c["text"] for c in cells} | {i for c in cells for i in c["items"]}
    for h in HOSTILE:
        assert h in texts, h
    assert "49" not in html  # {{ 7*7 }} was not evaluated


def test_hostile_text_is_literal_in_pdf(hostile, tmp_path):
    typ = render_typst(load_recommendations(hostile), caption=HOSTILE[1])
    _, pages = compile_typst(tmp_path, typ)  # #panic would fail the compile
    text = squash("".join(pages))
    for h in HOSTILE:
        assert squash(h) in text, h


def test_hostile_page_setting_not_applied(hostile, tmp_path):
    import io

    import pypdf
    pdf, _ = compile_typst(tmp_path, render_typst(load_recommendations(hostile)))
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        assert round(float(page.mediabox.width)) == 595  # still A4, not 1cm wide


def test_hostile_text_survives_pandoc(hostile, tmp_path):
    """Through pandoc, as in the book: raw blocks pass untouched, the list's markdown is escaped."""
    import html as htmllib

    import pypandoc
    md = numbered_recommendations(hostile) + recommendations_table(hostile)
    html = pypandoc.convert_text(md, "html", format="markdown")
    t = parse_table(html)
    assert "script" not in t.tags
    list_items = re.findall(r"<li>(.*?)(?:</li>|<ol)", html, flags=re.S)
    items = [htmllib.unescape(re.sub(r"\s+", " ", i)).strip() for i in list_items]
    rows = read_csv(hostile / "data" / "recommendations.csv")
    expected = ([r["lever"] for r in rows] + [a for r in rows for a in split(r["lever_actions"])]
                + [r["text"] for r in read_csv(hostile / "data" / "recommendations_numbered.csv")])
    for text in expected:  # each appears in the numbered list, after pandoc read the markdown
        assert any(i.startswith(text) for i in items), text
    assert not re.search(r"<(em|code|a|img|span class=\"math)\b", html)

    typ = pypandoc.convert_text(md, "typst", format="markdown")
    _, pages = compile_typst(tmp_path, typ)
    text = squash("".join(pages))
    for h in HOSTILE:
        assert squash(h) in text, h


# --- validation -----------------------------------------------------------------------------

@pytest.fixture
def checked(project):
    """A project whose recommendations CSVs a test may break; validation runs through report.data.load."""
    return project


def problems_for(project, edit_table=None, edit_list=None):
    rows = read_csv(project / "data" / "recommendations.csv")
    extra = read_csv(project / "data" / "recommendations_numbered.csv")
    if edit_table:
        edit_table(rows)
    if edit_list:
        edit_list(extra)
    write_csv(project / "data" / "recommendations.csv", TABLE_COLUMNS, rows)
    write_csv(project / "data" / "recommendations_numbered.csv", LIST_COLUMNS, extra)
    with pytest.raises(DataValidationError) as e:
        load_recommendations(project)
    return e.value.problems, str(e.value)


def _set(i, col, value):
    def edit(rows):
        rows[i][col] = value
    return edit


# (edit of the table, edit of the list, accepted rule names (ours, the data package's), file, row, column, value)
CASES = [
    (_set(1, "theme", "Level up everywhere"), None, {"known-theme", "enum"}, "recommendations.csv", 3, "theme",
     "Level up everywhere"),
    (_set(2, "solution", "  "), None, {"not-empty"}, "recommendations.csv", 4, "solution", "  "),
    (_set(3, "order", "1"), None, {"unique-order", "unique", "primary_key"}, "recommendations.csv", 5, "order", "1"),
    (_set(0, "order", "first"), None, {"positive-integer", "type: integer"}, "recommendations.csv", 2, "order", "first"),
    (_set(5, "order", "0"), None, {"positive-integer", "minimum 1"}, "recommendations.csv", 7, "order", "0"),
    (None, _set(0, "number", "4"), {"unique-number"}, "recommendations_numbered.csv", 2, "number", "4"),
    (_set(5, "lever_actions", "One | | Three"), None, {"not-empty"}, "recommendations.csv", 7, "lever_actions",
     "One | | Three"),
]


@pytest.mark.parametrize("edit_table, edit_list, rules, file, row, column, value", CASES)
def test_validation_errors_name_file_row_column_value_rule(checked, edit_table, edit_list, rules, file, row, column,
                                                           value):
    problems, message = problems_for(checked, edit_table, edit_list)
    match = [p for p in problems if p.rule in rules]
    assert match, message
    p = match[0]
    assert p.file.endswith(file) and (p.row, p.column, str(p.value)) == (row, column, value), message
    assert f"{file}, row {row}, column '{column}', value {value!r}" in message
    assert f"[rule: {p.rule}]" in message


def test_theme_order_is_checked(checked):
    def swap(rows):
        rows[0]["order"], rows[5]["order"] = rows[5]["order"], rows[0]["order"]
    problems, message = problems_for(checked, swap)
    assert any(p.rule in ("theme-order", "sorted") for p in problems), message


def test_theme_order_is_checked_even_when_sorted(checked):
    def swap(rows):
        rows[0], rows[5] = rows[5], rows[0]
        rows[0]["order"], rows[5]["order"] = "1", "6"
        rows[0]["number"], rows[5]["number"] = "1", "7"
    problems, message = problems_for(checked, swap)
    assert any(p.rule == "theme-order" for p in problems), message


def test_numbering_gap_is_reported(checked):
    problems, message = problems_for(checked, edit_list=_set(0, "number", "8"))
    assert any(p.rule == "numbering" for p in problems) and "missing: 3" in message, message


def test_numbering_follows_themes(checked):
    def edit(extra):
        extra[0]["theme"] = THEMES[2]
    problems, message = problems_for(checked, edit_list=edit)
    assert any(p.rule == "numbering" for p in problems), message
    assert "recommendations_numbered.csv row 2" in message


def test_missing_and_unknown_columns(checked):
    path = checked / "data" / "recommendations.csv"
    text = path.read_text(encoding="utf-8").replace("lever_actions", "actions", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError) as e:
        load_recommendations(checked)
    assert "lever_actions" in str(e.value) and "actions" in str(e.value), str(e.value)
    assert all(p.row in (None, 1) for p in e.value.problems), str(e.value)


def test_multiline_cell_reports_start_line(checked):
    """Line numbers are CSV lines, so a quoted cell spanning lines shifts the rows after it."""
    rows = read_csv(checked / "data" / "recommendations.csv")
    rows[0]["problem"] = "First line\nsecond line"
    rows[2]["theme"] = "Nope"
    write_csv(checked / "data" / "recommendations.csv", TABLE_COLUMNS, rows)
    with pytest.raises(DataValidationError) as e:
        load_recommendations(checked)
    assert [(p.rule in ("known-theme", "enum"), p.row) for p in e.value.problems] == [(True, 5)], str(e.value)


def test_missing_file(checked):
    (checked / "data" / "recommendations_numbered.csv").unlink()
    with pytest.raises(DataValidationError) as e:
        load_recommendations(checked)
    assert "recommendations_numbered.csv" in str(e.value)


# --- data package ---------------------------------------------------------------------------

def test_datapackage_entries_match_the_validator():
    """The package's schema is generated from the validator's constants; run
    `report tables --update-package` after changing them."""
    import json

    from breaking_the_cycle.recommendations_package import descriptors
    package = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    by_name = {r["name"]: r for r in package["resources"]}
    for d in descriptors():
        assert by_name.get(d["name"]) == d, d["name"]


def test_csv_passes_frictionless_schema():
    import json

    from frictionless import Resource, validate
    package = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    for r in package["resources"]:
        if r["name"].startswith("recommendations"):
            desc = {k: v for k, v in r.items() if k not in ("rules", "provenance", "unit")}
            report = validate(Resource(desc, basepath=str(DATA)))
            assert report.valid, [e.message for t in report.tasks for e in t.errors]


def test_book_layout_breaks_table_cleanly(project, tmp_path):
    """Under the book's own Typst layout, pushed near the foot of a page, the table breaks across
    pages with its headings repeated and no theme row stranded apart from its first row."""
    import shutil
    template = DATA.parent / "templates" / "typst" / "typst-template.typ"
    if not template.is_file():
        pytest.skip("book Typst template not present")
    shutil.copy(template, tmp_path / "typst-template.typ")
    (tmp_path / "table.typ").write_text(render_typst(load_recommendations(project)), encoding="utf-8")
    recs = load_recommendations(project)
    for words in (380, 420, 460, 500):
        body = ('#import "typst-template.typ": *\n#show: doc => report(title: [T], toc: false, doc)\n'
                f'= Chapter\n#lorem({words})\n#include "table.typ"\n')
        _, pages = compile_typst(tmp_path, body)
        flat = [squash(p) for p in pages]
        table_pages = [p for p in flat if squash(recs.rows[0].problem) in p or squash(recs.rows[-1].problem) in p]
        for g in recs.groups:
            first = next(i for i, p in enumerate(flat) if squash(g.theme) in p)
            assert squash(g.rows[0].problem)[:40] in flat[first], (words, g.theme)
        if len(table_pages) > 1:
            assert all(squash("ProblemSolutionLever") in p for p in table_pages)


def test_duplicate_number_names_the_number_column(checked):
    # Row 2 reuses row 1's recommendation number: the message must point at `number`, not the key.
    problems, message = problems_for(checked, _set(1, "number", "1"))
    dupes = [p for p in problems if p.rule in ("unique", "unique-number") and p.row == 3]
    assert dupes and all(p.column == "number" for p in dupes), message
