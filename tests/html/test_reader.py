"""The single-file page as a reader meets it (issue 13): navigation, search, previews, figures
(text as text, legible on a phone, enlarge, data), weight and accessibility, at 390 and 1280 px,
opened from file:// with no request leaving it."""
from __future__ import annotations

import csv
import io
import re

import pytest

MAX_BYTES = 1_500_000


def _xref(page, prefix: str):
    return page.locator(f'main a.quarto-xref[href^="#{prefix}"]').first


def test_no_request_leaves_the_file_and_no_script_fails(page):
    page.mouse.wheel(0, 20000)
    page.wait_for_timeout(300)
    outside = [u for u in page.requests if not u.startswith(("file:", "data:", "blob:", "about:"))]
    assert not outside, outside
    assert not page.errors, page.errors


def test_skip_link_comes_first_and_lands_on_the_text(page):
    page.keyboard.press("Tab")
    first = page.evaluate("document.activeElement.className")
    assert first == "report-skip"
    assert page.locator(".report-skip").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_contents_sidebar_or_drawer_marks_the_section_read(page):
    toc = page.locator("#TOC")
    if page.width_name == "desktop":
        assert toc.is_visible()
        assert toc.evaluate("el => getComputedStyle(el).position") == "sticky"
        page.locator('#TOC a[href="#sec-bad-jobs-trap"]').click()
    else:
        # a drawer: hidden until the bar's Contents button opens it; a link closes it again
        assert not toc.is_visible()
        button = page.locator(".report-bar-toc")
        assert button.is_visible()
        button.click()
        toc.wait_for(state="visible", timeout=2000)  # it slides in
        assert button.get_attribute("aria-expanded") == "true"
        page.locator('#TOC a[href="#sec-bad-jobs-trap"]').click()
        toc.wait_for(state="hidden", timeout=2000)
        assert button.get_attribute("aria-expanded") == "false"
    page.wait_for_timeout(500)
    assert page.evaluate("location.hash") == "#sec-bad-jobs-trap"
    current = page.locator("#TOC a[aria-current]")
    assert current.count() == 1
    assert current.get_attribute("href") == "#sec-bad-jobs-trap"
    # the bar stays on screen deep in the book: the contents are a tap away from chapter 4 on
    assert page.locator(".report-bar").is_visible()
    assert page.locator(".report-bar").bounding_box()["y"] == 0


def test_contents_mark_follows_reading_not_unrendered_chapters(page):
    # at the cover nothing past the first chapter is marked (chapters not yet laid out must not
    # count as read), and scrolling into a chapter marks a section of that chapter
    page.wait_for_timeout(400)
    current = page.locator("#TOC a[aria-current]")
    assert current.count() == page.locator("#TOC > ul > li").first.locator("a[aria-current]").count()
    page.evaluate("document.getElementById('sec-bad-jobs-trap').scrollIntoView()")
    page.evaluate("window.scrollBy(0, 600)")
    page.wait_for_timeout(500)
    href = page.locator("#TOC a[aria-current]").get_attribute("href")
    chapter = page.evaluate(f"document.querySelector('{href}').closest('section.level1').id")
    assert chapter == "sec-bad-jobs-trap", href


def test_search_finds_prose_and_chart_text_offline(page):
    page.locator(".report-bar-search").click()
    box = page.locator("#report-search-input")
    assert box.evaluate("el => el === document.activeElement")
    box.fill("childcare places")
    results = page.locator(".report-search-results a")
    results.first.wait_for()
    assert results.count() >= 1
    assert "match" in page.locator(".report-search-status").inner_text()
    assert page.locator(".report-search-results mark").count() >= 2
    # a chart's text is text: a phrase found only in a chart (its measure line) is found too
    box.fill("jobs per 100 working-age residents")
    results.first.wait_for()
    target = results.first.get_attribute("href")
    results.first.click()
    page.wait_for_timeout(300)
    assert page.evaluate("location.hash") == target
    assert not page.locator(".report-search").is_visible()


def test_cross_reference_and_note_previews(page):
    link = _xref(page, "fig-")
    link.scroll_into_view_if_needed()
    number = link.inner_text().strip()
    if page.width_name == "desktop":
        link.hover()
    else:
        link.focus()  # no hover on a phone; keyboard focus shows it too
    peek = page.locator(".report-peek")
    peek.wait_for()
    assert number + ":" in peek.inner_text()
    assert peek.locator("svg text").count() > 5  # the chart comes with it
    assert link.get_attribute("aria-describedby") == "report-peek"
    page.keyboard.press("Escape")
    assert peek.count() == 0
    note = page.locator("main a.footnote-ref").first
    note.focus()
    peek.wait_for()
    assert len(peek.inner_text().strip()) > 10
    section = page.locator('main a.quarto-xref[href^="#sec-"]').first
    section.focus()
    page.wait_for_timeout(100)
    assert page.locator(".report-peek h1, .report-peek h2").count() == 1


def test_figures_caption_above_enlarge_and_data(page):
    fig = page.locator("figure#fig-gva")
    fig.scroll_into_view_if_needed()
    # the numbered title is the figure's first child, above the chart
    assert fig.evaluate("f => f.firstElementChild.tagName") == "FIGCAPTION"
    assert fig.locator("figcaption").text_content().startswith("Figure 4:")
    # enlarge
    fig.locator(".report-chart-enlarge").click()
    dialog = page.locator(".report-chart-dialog")
    assert dialog.is_visible()
    svg = dialog.locator("svg")
    assert svg.bounding_box()["width"] >= min(600, page.viewport_size["width"] * 0.9)
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    # data: the CSV the chart draws, provenance included, saved from inside the page
    with page.expect_download() as dl:
        fig.locator("a.report-chart-csv").click()
    download = dl.value
    assert download.suggested_filename == "fig04-gva.csv"
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8").read())))
    assert rows and "provenance" in rows[0] and {r["provenance"] for r in rows} == {"reconstructed"}
    # the table, for screen readers and for anyone who wants the numbers
    details = fig.locator("details.report-chart-details")
    details.locator("summary").click()
    table = details.locator("table")
    assert table.is_visible()
    assert table.locator("tbody tr").count() == len(rows)
    assert "illustrative" in details.inner_text().lower()


def test_chart_text_is_text_and_legible_at_the_width(page):
    fig = page.locator("figure#fig-inactivity")
    fig.scroll_into_view_if_needed()
    kind = "narrow" if page.width_name == "phone" else "wide"
    svg = fig.locator(f"svg.report-chart-{kind}")
    assert svg.is_visible()
    assert not fig.locator(f"svg.report-chart-{'wide' if kind == 'narrow' else 'narrow'}").is_visible()
    # "Illustrative values": provenance marking stays visible and is now text
    assert svg.locator("text", has_text=re.compile(r"^ILLUSTRATIVE VALUES$")).count() == 1
    sizes = page.evaluate("""() => Array.from(document.querySelectorAll('main svg.report-chart-%s text'))
        .filter(t => t.getClientRects().length && t.textContent.trim())
        .map(t => { const m = t.getScreenCTM(); return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b); })""" % kind)
    assert len(sizes) > 200
    if page.width_name == "phone":
        assert min(sizes) >= 10, f"smallest chart text {min(sizes):.1f} px"
    # selectable: a chart label can be selected as text
    picked = page.evaluate("""() => { const t = document.querySelector('#fig-inactivity svg.report-chart-%s text');
        const r = document.createRange(); r.selectNodeContents(t); const s = getSelection();
        s.removeAllRanges(); s.addRange(r); return s.toString(); }""" % kind)
    assert picked.strip()


def test_a_chart_printed_twice_is_stored_once_and_shown_twice(page, book):
    html = book.read_text(encoding="utf-8")
    assert html.count('data-uses="chart-fig01-fig03-map-w"') == 1
    assert html.count('data-uses="chart-fig02-fig17-good-work-w"') == 1
    # figures.js copies the drawing in, so Figure 3's text is text too
    fig3 = page.locator("figure#fig-map svg.report-chart-wide")
    assert fig3.get_attribute("data-uses") is None
    assert fig3.locator("text").count() > 5


def test_headings_have_anchors_and_chapters_a_pager(page):
    chapter = page.locator("section#sec-bad-jobs-trap")
    assert chapter.locator(":scope > h1 .report-anchor").get_attribute("href") == "#sec-bad-jobs-trap"
    pager = chapter.locator(":scope > .report-pager")
    assert pager.locator("a.report-prev").get_attribute("href") == "#sec-analysis"
    assert pager.locator("a.report-next").count() == 1


def test_back_to_top_appears_deep_in_the_book(page):
    top = page.locator(".report-top")
    assert not top.is_visible()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight / 2)")
    page.wait_for_timeout(400)
    assert top.is_visible()
    top.click()
    page.wait_for_timeout(400)
    assert page.evaluate("window.scrollY") < 200


def test_dark_mode_keeps_charts_on_light_ground(page):
    page.emulate_media(color_scheme="dark")
    bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert bg != "rgb(255, 255, 255)"
    art = page.evaluate("getComputedStyle(document.querySelector('.report-chart-art')).backgroundColor")
    assert art == "rgb(255, 255, 255)"  # chart colours were chosen for white


def test_print_hides_the_reading_aids(page):
    page.emulate_media(media="print")
    assert not page.locator(".report-bar").is_visible()
    assert not page.locator(".report-chart-tools").first.is_visible()
    assert page.locator("#fig-gva svg.report-chart-wide").is_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_wcag22_a_aa_finds_no_violation(page, axe_source, scheme):
    page.emulate_media(color_scheme=scheme)
    # every chapter laid out, not only those near the screen (content-visibility: auto would
    # leave the rest unrendered, and axe cannot measure what is not drawn)
    page.add_style_tag(content="main.report-body > section.level1 { content-visibility: visible !important; }")
    page.add_script_tag(content=axe_source)
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values:
            ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']}, resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.failureSummary)}));
    }""")
    assert result == [], result


def test_weight_and_self_contained(book):
    data = book.read_bytes()
    assert len(data) <= MAX_BYTES, len(data)
    html = data.decode("utf-8")
    # no resource from elsewhere: scripts, styles, images, fonts all inline
    assert not re.findall(r'<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)="(?!data:|#)', html)
    assert "font/ttf" not in html and html.count("font/woff2") >= 4
    assert "data:image/svg+xml" not in html  # charts are inline SVG, not base64 images
    # the download link says where it goes; this book names no site-url
    assert re.search(r'<a href="breaking-the-cycle\.pdf" download>Download PDF</a>', html)
    assert "names no web address (book: site-url)" in html
    # note back-links say where they go
    backs = re.findall(r'<a [^>]*class="footnote-back"[^>]*>', html)
    assert backs and all("aria-label=" in b for b in backs)
