"""The figure render cache (report.figures.cache): a reused drawing is byte for byte a fresh one,
and any changed input (data, registry, rcParams, code, fonts) draws again; damaged or half-made
entries are never served."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import report.figures.cache as fc
from report import figures

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project with the repository's data and fonts, the cache switched on as the engine does,
    and every figures.show() display captured."""
    root = tmp_path / "book"
    root.mkdir()
    (root / "_quarto.yml").write_text("book:\n  chapters: [index.qmd]\n", encoding="utf-8")
    shutil.copytree(REPO / "data", root / "data", ignore=shutil.ignore_patterns("raw"))
    shutil.copytree(REPO / "fonts", root / "fonts")
    shutil.copy2(REPO / "figures.yml", root / "figures.yml")
    monkeypatch.setenv("QUARTO_PROJECT_DIR", str(root))
    monkeypatch.setenv(fc.CACHE_ENV, str(root / ".report-cache" / "figures"))
    monkeypatch.delenv(fc.FRESH_ENV, raising=False)
    monkeypatch.setattr(fc, "_context", {"loaded": None, "current": None})
    fc.take_counts()
    shown: list[tuple[str, str]] = []

    def display(obj, raw=False, metadata=None):
        shown.append((obj["image/svg+xml"], metadata["image/svg+xml"]["fig-alt"]))

    import IPython.display

    monkeypatch.setattr(IPython.display, "display", display)
    yield root, shown
    fc.take_counts()


def show(n: int, shown: list) -> tuple[str, str]:
    fc.new_chapter()  # what the engine's kernel does at every chapter start
    figures.show(n)
    return shown[-1]


def set_value(root: Path, old: str, new: str) -> None:
    path = root / "data" / "fig16_childcare.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


OLD, NEW = "Non-deprived,Good or outstanding providers,23", "Non-deprived,Good or outstanding providers,22"


def test_a_reused_render_is_byte_identical_to_a_fresh_drawing(project, monkeypatch):
    root, shown = project
    first = show(16, shown)
    again = show(16, shown)
    assert fc.take_counts() == {"drawn": ["fig-childcare"], "cached": ["fig-childcare"]}
    assert again == first
    monkeypatch.delenv(fc.CACHE_ENV)
    assert show(16, shown) == first  # the cache off: drawn, and the same bytes
    assert fc.take_counts() == {"drawn": [], "cached": []}


def test_changed_data_redraws_that_figure_only(project):
    root, shown = project
    before16, before13 = show(16, shown), show(13, shown)
    fc.take_counts()
    set_value(root, OLD, NEW)
    after16, after13 = show(16, shown), show(13, shown)
    assert fc.take_counts() == {"drawn": ["fig-childcare"], "cached": ["fig-qualifications"]}
    assert after13 == before13 and after16 != before16
    # Back to the old bytes: the old drawing is still there.
    set_value(root, NEW, OLD)
    assert show(16, shown) == before16
    assert fc.take_counts()["cached"] == ["fig-childcare"]


def test_a_changed_descriptor_redraws(project):
    root, shown = project
    show(16, shown)
    pkg = root / "data" / "datapackage.json"
    pkg.write_text(pkg.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    show(16, shown)
    assert fc.take_counts()["drawn"] == ["fig-childcare", "fig-childcare"]


def test_a_changed_registry_or_rc_param_redraws(project):
    root, shown = project
    show(16, shown)
    reg = root / "figures.yml"
    text = reg.read_text(encoding="utf-8")
    # Figure 16's own measure line, then a colour the registry gives a category (used by others).
    measure = figures.spec(16).measure
    reg.write_text(text.replace(measure, measure + " (per 100)", 1), encoding="utf-8")
    changed = show(16, shown)
    assert "(per 100)" in changed[0]
    colours = figures.registry().colours
    name, colour = next(iter(colours.items()))
    reg.write_text(reg.read_text(encoding="utf-8").replace(colour, "#000000", 1), encoding="utf-8")
    show(16, shown)
    import matplotlib as mpl

    with mpl.rc_context({"svg.hashsalt": "another salt"}):
        show(16, shown)
    assert fc.take_counts()["drawn"] == ["fig-childcare"] * 4


def test_changed_drawing_code_or_fonts_redraw(project, monkeypatch, tmp_path):
    root, shown = project
    # A copy of the sources stands in for the code on disk, so an edit to it is safe here.
    src = tmp_path / "src"
    shutil.copytree(REPO / "src" / "report", src / "report", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fc, "SRC_DIR", src)
    monkeypatch.setattr(fc, "PACKAGE_DIR", src / "report" / "figures")
    digests = fc.code_digests()
    assert src / "report" / "provenance.py" in digests  # imported inside a function
    assert src / "report" / "engine" / "build.py" not in digests  # not the drawing's code
    show(16, shown)

    def fresh_process():
        # A process that loaded the edited code: its first fingerprint stands for it.
        monkeypatch.setattr(fc, "_context", {"loaded": None, "current": None})

    for edit in (src / "report" / "figures" / "builders.py", src / "report" / "provenance.py",
                 src / "report" / "figures" / "house.mplstyle", root / "fonts" / "SourceSansPro-Regular.ttf"):
        with open(edit, "ab") as f:
            f.write(b"\n")
        fresh_process()
        show(16, shown)
    assert fc.take_counts() == {"drawn": ["fig-childcare"] * 5, "cached": []}


def test_a_process_running_older_code_than_on_disk_neither_reads_nor_writes(project, monkeypatch, tmp_path):
    root, shown = project
    src = tmp_path / "src"
    shutil.copytree(REPO / "src" / "report", src / "report", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fc, "SRC_DIR", src)
    monkeypatch.setattr(fc, "PACKAGE_DIR", src / "report" / "figures")
    show(16, shown)
    entries = set((root / ".report-cache" / "figures").iterdir())
    (src / "report" / "figures" / "builders.py").write_text("# edited after this process imported it\n",
                                                            encoding="utf-8")
    set_value(root, OLD, NEW)
    show(16, shown)
    assert set((root / ".report-cache" / "figures").iterdir()) == entries
    assert fc.take_counts() == {"drawn": ["fig-childcare"], "cached": []}


def test_a_damaged_entry_is_drawn_again_and_replaced(project):
    root, shown = project
    first = show(16, shown)
    (entry,) = (root / ".report-cache" / "figures").glob("*.json")
    entry.write_text(entry.read_text(encoding="utf-8").replace("svg", "SVG", 3), encoding="utf-8")
    assert show(16, shown) == first
    assert show(16, shown) == first
    assert fc.take_counts() == {"drawn": ["fig-childcare", "fig-childcare"], "cached": ["fig-childcare"]}


def test_data_saved_while_drawing_is_not_stored(project, monkeypatch):
    root, shown = project
    from report.figures import api

    real_draw = api._draw

    def draw_then_save(*args, **kwargs):
        fig = real_draw(*args, **kwargs)
        if OLD in (root / "data" / "fig16_childcare.csv").read_text(encoding="utf-8"):
            set_value(root, OLD, NEW)  # an editor saves while the figure is drawn (once)
        return fig

    monkeypatch.setattr(api, "_draw", draw_then_save)
    show(16, shown)
    assert not list((root / ".report-cache" / "figures").glob("*.json"))


def test_fresh_draws_but_stores(project, monkeypatch):
    root, shown = project
    show(16, shown)
    monkeypatch.setenv(fc.FRESH_ENV, "1")
    show(16, shown)
    assert fc.take_counts()["drawn"] == ["fig-childcare", "fig-childcare"]


def test_a_reuse_turns_the_inline_check_on_as_loading_does(project, monkeypatch):
    from report import inline

    root, shown = project
    calls = []
    monkeypatch.setattr(inline, "activate", lambda: calls.append("on"))
    show(16, shown)  # drawn: report.data.load switches the check on
    drawn = len(calls)
    show(16, shown)  # reused: nothing is loaded, the check goes on all the same
    assert fc.take_counts() == {"drawn": ["fig-childcare"], "cached": ["fig-childcare"]}
    assert drawn >= 1 and len(calls) > drawn


def test_data_passed_in_is_always_drawn(project):
    root, shown = project
    df = figures.load_data(figures.spec(16))
    figures.show(16, df)
    figures.show(16, df)
    assert fc.take_counts() == {"drawn": [], "cached": []}
    assert not (root / ".report-cache" / "figures").exists()


def test_prune_keeps_the_most_recently_used(tmp_path):
    import os

    from report.engine.build import CACHE_DIR, FIGURE_CACHE_DIR, _prune_figure_cache

    directory = tmp_path / CACHE_DIR / FIGURE_CACHE_DIR
    for i in range(5):
        fc.put(directory, f"k{i}", "<svg/>", "alt", "<div></div>")
        os.utime(directory / f"k{i}.json", (1000 + i, 1000 + i))
    assert fc.get(directory, "k0") == ("<svg/>", "alt", "<div></div>")  # a hit counts as a use
    assert _prune_figure_cache(tmp_path, keep=2) == 3
    assert sorted(p.stem for p in directory.glob("*.json")) == ["k0", "k4"]
