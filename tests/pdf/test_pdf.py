"""The book's PDF as a reader meets it (issue 13): contents, bookmarks and links land on the page
where their heading is printed; the PDF is PDF/UA-1 with its metadata, alt text for every
equation and chart, charts' labels as text, the recommendations tables' theme rows tagged as headers of their rows; charts
stay in the section that cites them; no page is left more than half empty except the last page
of a chapter; notes are printed in the body's colour; boxes and case studies look different."""
from __future__ import annotations

import re

import yaml

from breaking_the_cycle.recommendations import THEMES

from .pdfview import (MARGIN_BOTTOM, attributes, bare_title, bookmarks, chunks, contents_entries, figure_captions,
                      figure_sections, largest_gap, links, pdf_ua_part, printed_at, squash, struct_children,
                      struct_elements, struct_text)


def chapter_starts(reader) -> set[int]:
    return {b.page for b in bookmarks(reader) if b.level == 1}


# --- where the contents, bookmarks and links take a reader ------------------------------------

def test_every_contents_entry_points_at_the_page_its_heading_is_printed_on(reader):
    entries = contents_entries(reader)
    # every chapter and appendix is listed, in the order the bookmarks give
    assert [bare_title(e.title) for e in entries] == [bare_title(b.title) for b in bookmarks(reader) if b.level == 1]
    assert len(entries) == 15
    wrong = [(e.title, e.page + 1) for e in entries if not printed_at(reader, e)]
    assert not wrong, f"contents entries landing away from their heading: {wrong}"


def test_every_bookmark_points_at_its_heading(reader):
    marks = bookmarks(reader)
    assert any(b.level == 2 for b in marks)
    wrong = [(b.title, b.page + 1) for b in marks if not printed_at(reader, b)]
    assert not wrong, f"bookmarks landing away from their heading: {wrong}"


def test_links_to_chapters_land_on_the_chapter_heading(reader):
    # "Chapter 3", "Appendix A" and the like link to the chapter's label, a named destination:
    # the place where a heading's bookmark lands, with that heading printed there.
    marks = {(b.page, round(b.top)): b for b in bookmarks(reader)}
    seen = []
    for index in range(len(reader.pages)):
        for _, name, page, top in links(reader, index):
            if name and name.startswith("sec-"):
                seen.append(name)
                mark = marks.get((page, round(top)))
                assert mark is not None and printed_at(reader, mark), \
                    f"link to {name} on page {index + 1} lands on page {page + 1} at {top:.0f}, away from its heading"
    assert {"sec-bad-jobs-trap", "sec-appendix-spatial-lag", "sec-data-methods"} <= set(seen)


# --- PDF/UA ----------------------------------------------------------------------------------

def test_the_pdf_declares_pdf_ua_1_with_its_metadata(reader, book):
    assert pdf_ua_part(reader) == "1"
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    config = yaml.safe_load((book / "_quarto.yml").read_text(encoding="utf-8"))
    info = reader.metadata
    assert info.title == config["book"]["title"]
    assert info.author == ", ".join(a["name"] for a in config["book"]["author"])
    assert squash(info.subject) == squash(config["subject"])
    assert info["/Keywords"] == ", ".join(config["keywords"])


def test_every_equation_and_chart_has_alt_text_from_its_source(reader, book):
    sources = "".join((book / "chapters" / name).read_text(encoding="utf-8")
                      for name in ("appendix-a-spatial-lag.qmd", "appendix-b-instrumental-variables.qmd"))
    display = re.findall(r"\$\$(.+?)\$\$", sources, flags=re.S)
    inline = re.findall(r"\$([^$\n]+)\$", re.sub(r"\$\$.+?\$\$", "", sources, flags=re.S))
    formulas = struct_elements(reader, "/Formula")
    assert len(formulas) == len(display) + len(inline) == 36
    assert all(str(f.get("/Alt") or "").strip() for f in formulas)
    # spoken from the TeX: Y_i(t) = \rho W Y_i(t-1) + X_i(t)\beta + Z_i\gamma + \mu_i + \varepsilon_i
    assert str(formulas[0]["/Alt"]) == ("Y sub i of t equals rho W Y sub i open bracket t minus 1 close bracket "
                                         "plus X sub i of t beta plus Z sub i gamma plus mu sub i plus epsilon sub i")
    alts = {str(f["/Alt"]) for f in formulas}
    assert {"S hat", "Y equals S hat beta plus W gamma plus u", "epsilon sub i"} <= alts
    charts = struct_elements(reader, "/Figure")
    assert len(charts) == 17 and all(str(c.get("/Alt") or "").strip() for c in charts)


def test_chart_labels_are_text_a_reader_can_search_and_copy(reader):
    """The charts are SVG whose text is text (report.figures.api.svg_text): Typst sets it in the
    book's font, so a chart's labels are found by a PDF reader's search, not drawn as outlines."""
    page, _ = figure_captions(reader)[12][0]  # GDHI by region: one labelled line per region
    words = squash(reader.pages[page].extract_text())
    assert all(region in words for region in ("North East", "South West", "Yorkshire and The Humber"))
    assert "per person" in words  # the axis title, set on its side


def test_theme_rows_head_the_rows_below_them_in_the_tags(reader):
    """Each recommendations table: the column headings, then per theme a header cell across the
    three columns that every cell of the theme's rows names among its headers (the PDF's way of
    saying scope="rowgroup", which its Scope attribute cannot)."""
    tables = [t for t in struct_elements(reader, "/Table") if "Problem" in struct_text(reader, t)[:40]]
    assert len(tables) == 2  # the executive summary's and chapter 6's
    for table in tables:
        cells = []

        def walk(node):
            if node.get("/S") in ("/TH", "/TD"):
                cells.append(node)
                return
            for kid in struct_children(node):
                walk(kid)

        walk(table)
        columns = [c for c in cells[:3] if c["/S"] == "/TH"]
        assert [struct_text(reader, c) for c in columns] == ["Problem", "Solution", "Lever"]
        column_ids = [str(c["/ID"]) for c in columns]
        themes, theme, rows = [], None, 0
        for cell in cells[3:]:
            attrs = attributes(cell)
            if cell["/S"] == "/TH":
                assert int(attrs["/ColSpan"]) == 3
                assert [str(h) for h in attrs["/Headers"]] == column_ids  # a theme sits under the column headings
                theme = str(cell["/ID"])
                themes.append(struct_text(reader, cell))
            else:
                assert theme in [str(h) for h in attrs["/Headers"]], "a cell that does not name its theme"
                rows += 1
        assert themes == list(THEMES)
        assert rows > 0 and rows % 3 == 0


# --- layout --------------------------------------------------------------------------------------

def test_charts_stay_in_the_section_that_cites_them(reader, book):
    """Each chart is printed after the heading of the section its cell sits in and before the next
    section's heading: never floated above its own heading or past the next one."""
    sections = [b for b in bookmarks(reader) if b.level <= 2]
    captions = figure_captions(reader)
    placed = []
    for number, (label, heading) in enumerate(figure_sections(book), start=1):
        index = next(i for i, s in enumerate(sections) if bare_title(s.title) == bare_title(heading))
        start = (sections[index].page, -sections[index].top)
        end = (sections[index + 1].page, -sections[index + 1].top)
        page, y = captions[number][0]  # the chart's own caption comes first; the data appendix names it later
        placed.append((number, page + 1))
        assert start < (page, -y) < end, f"Figure {number} ({label}) on page {page + 1}, outside '{heading}'"
    assert len(placed) == 17


def test_no_page_is_more_than_half_empty_except_the_last_of_a_chapter(reader):
    starts = chapter_starts(reader)
    last = len(reader.pages) - 1
    empty = [(i + 1, round(largest_gap(p), 2)) for i, p in enumerate(reader.pages)
             if largest_gap(p) > 0.5 and i + 1 not in starts and i != last]
    assert not empty, f"pages more than half empty in the middle of a chapter: {empty}"


# --- colours and styles ---------------------------------------------------------------------

def test_notes_are_printed_in_the_body_colour(reader):
    """A note is mostly its citation, a link to the reference list: printed as body text, not in
    the links' blue."""
    for page in reader.pages:
        found = chunks(page)
        note = next((c for c in found if c.text.startswith("Labour Party (2024)") and c.size < 9), None)
        if note:
            break
    assert note is not None, "the note citing Labour Party (2024) was not found"
    body = [c.fill for c in found if abs(c.size - 10.5) < 0.1]
    ink = max(set(body), key=body.count)
    # the notes at the foot of the page, above the running footer
    notes = [c for c in found if c.size < 9 and MARGIN_BOTTOM < c.y < note.y + 1]
    assert len(notes) > 3
    assert {c.fill for c in notes} == {ink}


def test_boxes_and_case_studies_are_set_apart(reader):
    """Case studies carry their title in white on a band; the numbered boxes in colour on a tint."""
    titles = {}
    for page in reader.pages:
        for c in chunks(page):
            m = re.match(r"(Case study|Box \d):", c.text)
            if m:
                titles.setdefault(m.group(1), c.fill)
    assert set(titles) == {"Case study", "Box 1", "Box 2", "Box 3", "Box 4"}
    assert titles["Case study"] in ((1.0,), (1.0, 1.0, 1.0))  # white
    assert {titles[f"Box {n}"] for n in range(1, 5)} == {titles["Box 1"]} != {titles["Case study"]}
