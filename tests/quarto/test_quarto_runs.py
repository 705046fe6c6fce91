"""`report build --engine quarto` when things change after a good build: a claim the data no longer
supports stops Quarto and leaves the last good book; building one format keeps the other."""
from __future__ import annotations

import shutil

from .conftest import quarto_env, report_build

PDF = "breaking-the-cycle.pdf"


def set_dd_inactivity(root, value: str) -> None:
    path = root / "data" / "fig10_inactivity.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    year, area, rate = (header.index(c) for c in ("census_year", "area_type", "inactivity_rate_pct"))
    for i, line in enumerate(lines[1:], start=1):
        cells = line.split(",")
        if cells[year] == "2021" and cells[area] == "Doubly disadvantaged":
            cells[rate] = value
            lines[i] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def snapshot(book):
    return {p.relative_to(book): p.read_bytes() for p in book.rglob("*") if p.is_file()}


def test_a_false_claim_stops_quarto_and_keeps_the_last_good_book(quarto, quarto_build, tmp_path):
    built, _ = quarto_build
    root = tmp_path / "book"
    shutil.copytree(built, root)
    before = snapshot(root / "_book")
    set_dd_inactivity(root, "30.0")  # "close to half ... economically inactive" no longer holds
    result = report_build(root, "quarto", quarto_env(quarto), "--to", "html")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "quarto render failed" in output and "_book/ is unchanged" in output
    assert "claim no longer holds" in output and "30.0" in output
    assert snapshot(root / "_book") == before
    assert not [p for p in root.iterdir() if p.name.startswith("_book.")]


def test_building_the_pdf_alone_keeps_the_html(quarto, quarto_build, tmp_path):
    built, _ = quarto_build
    root = tmp_path / "book"
    shutil.copytree(built, root)
    html_before = (root / "_book" / "chapters" / "02-analysis.html").read_bytes()
    (root / "_book" / PDF).unlink()
    result = report_build(root, "quarto", quarto_env(quarto), "--to", "pdf")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (root / "_book" / PDF).is_file()
    assert (root / "_book" / "chapters" / "02-analysis.html").read_bytes() == html_before
    assert (root / "_book" / "index.html").is_file() and (root / "_book" / "search.json").is_file()


def test_a_build_cache_linked_out_of_the_project_is_refused_before_quarto_runs(quarto, quarto_build, tmp_path):
    """The validation record in .report-cache decides which data is not checked again; one from
    outside the project could let data that fails its checks into Quarto's book."""
    built, _ = quarto_build
    root = tmp_path / "book"
    shutil.copytree(built, root)
    before = snapshot(root / "_book")
    elsewhere = tmp_path / "elsewhere-cache"
    cache = root / ".report-cache"
    if cache.exists():
        cache.rename(elsewhere)
    else:
        elsewhere.mkdir()
    cache.symlink_to(elsewhere)
    result = report_build(root, "quarto", quarto_env(quarto), "--to", "html")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "the build cache (its entries go into the book): '.report-cache' leads outside the project" in output
    assert "quarto render" not in output
    assert snapshot(root / "_book") == before
