"""The real book, built from a scratch copy of the repository: what a reader gets, and how the text
follows the data (a changed value changes the prose; a claim the data no longer supports stops the build)."""
from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from project_copy import copy_project
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[2]


def build(root: Path, *args: str):
    from report.engine.cli import build as build_cmd

    return CliRunner().invoke(build_cmd, ["--project", str(root), "--engine", "embedded", "--quiet", *args])


class Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.imgs: list[dict] = []

    def handle_starttag(self, tag, attrs):
        # images, and charts drawn inline as SVG (named by aria-label, as an image by its alt)
        a = dict(attrs)
        if tag == "img":
            self.imgs.append(a)
        elif tag == "svg" and a.get("role") == "img":
            self.imgs.append({"alt": a.get("aria-label")})


def text_of(html: str) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", body.replace("&nbsp;", " ").replace("\u00a0", " "))


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    root = copy_project(tmp_path_factory.mktemp("real") / "book")
    result = build(root, "--fresh")
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture(scope="module")
def html(book):
    return (book / "_book" / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pdf_text(book):
    from pypdf import PdfReader

    reader = PdfReader(book / "_book" / "breaking-the-cycle.pdf")
    return re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in reader.pages))


def test_figures_numbered_1_to_17_as_the_publication(html, pdf_text):
    captions = " ".join(re.findall(r"<figcaption\b.*?</figcaption>", html, flags=re.S))
    numbers = [int(n) for n in re.findall(r"Figure (\d+):", text_of(captions))]
    assert numbers == list(range(1, 18)), numbers
    for n in range(1, 18):
        assert f"Figure {n}:" in pdf_text or f"Figure {n}" in pdf_text


def test_every_image_has_alt_text(html):
    parser = Images()
    parser.feed(html)
    assert len(parser.imgs) >= 17
    assert all((img.get("alt") or "").strip() for img in parser.imgs)


def test_chapters_and_appendices_numbered_as_the_publication(html):
    text = text_of(html)
    for n, words in [(1, "Defining our approach"), (2, "Analysis"), (6, "Recommendations")]:
        assert re.search(rf"\b{n}\s+{words}", text), words
    assert "Appendix A" in text and "Appendix B" in text


def test_recommendations_table_in_both_formats(html, pdf_text):
    assert html.count("<table") >= 2  # executive summary and chapter 6
    assert "Neighbourhoods Unit" in pdf_text
    # Shown twice, each time as a table of the book's own: numbered in reading order, with its
    # own caption, above the table, in the HTML and the PDF alike.
    captions = {"tbl-recommendations-summary": "Table 1: The recommendations in summary",
                "tbl-recommendations": "Table 2: First steps towards neighbourhood renewal"}
    for ident, caption in captions.items():
        m = re.search(rf'<figure id="{ident}"[^>]*>(.*?)</figure>', html, flags=re.S)
        assert m, ident
        first, _, rest = m.group(1).partition("</figcaption>")
        assert text_of(first).strip().startswith(caption), text_of(first)
        assert "<table" in rest and "<caption" not in rest
        assert caption in pdf_text
    assert "Table 2 sets out, for each recommendation" in text_of(html)
    assert "Table 2 sets out, for each recommendation" in pdf_text


def test_references_and_boxes(html, pdf_text):
    for box in ("Box 1", "Box 2", "Box 3", "Box 4"):
        assert box in text_of(html) and box in pdf_text
    assert "References" in pdf_text and "bowling alone" in pdf_text.lower()


def _set_cell(path: Path, match: dict[str, str], column: str, value: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cols = {c: header.index(c) for c in [*match, column]}
    hits = 0
    for i, line in enumerate(lines[1:], start=1):
        cells = line.split(",")
        if len(cells) == len(header) and all(cells[cols[c]] == v for c, v in match.items()):
            cells[cols[column]] = value
            lines[i] = ",".join(cells)
            hits += 1
    assert hits == 1, (path, match)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def set_dd_inactivity(root: Path, value: str) -> None:
    """What `report data` would write if the Census said `value`: the figure's 2021 row and the
    outcomes table the prose reads, kept consistent."""
    _set_cell(root / "data" / "fig10_inactivity.csv", {"census_year": "2021", "area_type": "Doubly disadvantaged"},
              "inactivity_rate_pct", value)
    _set_cell(root / "data" / "census2021_outcomes.csv",
              {"measure": "economically_inactive", "area_type": "Doubly disadvantaged", "region": "England"},
              "share_pct", value)


def test_a_data_update_changes_the_prose(book, tmp_path):
    root = copy_project(tmp_path / "book")
    shutil.copytree(book / ".report-cache", root / ".report-cache")
    set_dd_inactivity(root, "48.3")
    result = build(root, "--to", "html")
    assert result.exit_code == 0, result.output
    text = text_of((root / "_book" / "index.html").read_text(encoding="utf-8"))
    assert "48.3%" in text
    assert "45.8%" not in text


def test_a_claim_the_data_no_longer_supports_stops_the_build(book, tmp_path):
    root = copy_project(tmp_path / "book")
    shutil.copytree(book / ".report-cache", root / ".report-cache")
    shutil.copytree(book / "_book", root / "_book")
    before = (root / "_book" / "index.html").read_bytes()
    set_dd_inactivity(root, "30.0")  # no longer "close to half"
    result = build(root, "--to", "html")
    assert result.exit_code != 0
    assert "claim no longer holds" in result.output
    assert "inactive" in result.output and "30.0" in result.output
    assert (root / "_book" / "index.html").read_bytes() == before


def test_colophon_states_the_data_version(book, html, pdf_text):
    from report.data.version import data_version

    line = f"data version {data_version(book)}"
    assert line in text_of(html)
    assert line in pdf_text


@pytest.mark.parametrize("expr, dataset", [
    ("gbp(gva_last[DD] - gva_first[DD])", "fig04_gva_per_capita.csv"),  # a difference
    ("pct(100 * (gdhi[DD].iloc[-1] / gdhi[DD].iloc[0] - 1))", "fig11_gdhi_per_capita.csv"),  # a growth rate
    ("year(gr['London'].astype(float).idxmax())", "fig12_gdhi_per_capita_region.csv"),  # "peaking in 2018"
])
def test_an_illustrative_number_in_the_prose_stops_the_build(book, tmp_path, expr, dataset):
    root = copy_project(tmp_path / "book")
    shutil.copytree(book / ".report-cache", root / ".report-cache")
    shutil.copytree(book / "_book", root / "_book")
    before = (root / "_book" / "index.html").read_bytes()
    chapter = root / "chapters" / "02-analysis.qmd"
    text = chapter.read_text(encoding="utf-8").replace("from report.fmt import num, pct, pp, year",
                                                       "from report.fmt import num, pct, pp, year, gbp")
    lines = text.splitlines()
    lines.append("")
    lines.append(f"A number no one should quote: `{{python}} {expr}`.")
    chapter.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = build(root, "--to", "html")
    assert result.exit_code != 0
    out = " ".join(result.output.split())
    assert f"chapters/02-analysis.qmd:{len(lines)}:" in out
    assert "reconstructed" in out and dataset in out
    assert (root / "_book" / "index.html").read_bytes() == before



def _add_gva_year(root: Path, year: int, values: dict[str, float]) -> None:
    path = root / "data" / "fig04_gva_per_capita.csv"
    text = path.read_text(encoding="utf-8")
    rows = "".join(f"{year},{area},{value},reconstructed\n" for area, value in values.items())
    path.write_text(text + rows, encoding="utf-8")


def test_a_new_year_needs_no_edit_outside_data(book, tmp_path):
    root = copy_project(tmp_path / "book")
    shutil.copytree(book / ".report-cache", root / ".report-cache")
    header = (root / "data" / "fig04_gva_per_capita.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "year,area_type,gva_per_capita_gbp,provenance"
    _add_gva_year(root, 2022, {"Doubly disadvantaged": 10600, "Other deprived": 25200, "Non-deprived": 37300})
    result = build(root, "--to", "html")
    assert result.exit_code == 0, result.output
    html = (root / "_book" / "index.html").read_text(encoding="utf-8")
    # the chart's years follow the data: alt text here, the measure line in the chart itself
    assert "real GVA per head, 2011–2022" in html
    from report.figures.api import plot
    from report.figures.style import house_style  # noqa: F401 - plot applies it

    import os
    os.environ["QUARTO_PROJECT_DIR"] = str(root)
    try:
        texts = {t.get_gid(): t.get_text() for t in plot(4).texts if t.get_gid()}
    finally:
        os.environ.pop("QUARTO_PROJECT_DIR", None)
    assert texts["figure-measure"].endswith("2011–2022")


def test_the_prose_is_checked_against_the_newest_year(book, tmp_path):
    root = copy_project(tmp_path / "book")
    shutil.copytree(book / ".report-cache", root / ".report-cache")
    # a 2022 in which doubly disadvantaged areas catch up: the text's claims about the latest
    # year (lowest growth, less than half) no longer hold, and the build says so
    _add_gva_year(root, 2022, {"Doubly disadvantaged": 14000, "Other deprived": 25200, "Non-deprived": 37300})
    result = build(root, "--to", "html")
    assert result.exit_code != 0
    out = " ".join(result.output.split())
    assert "claim no longer holds" in out and "'Doubly disadvantaged': 14000.0" in out
