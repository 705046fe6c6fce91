"""The figure cache inside real builds of the book: a changed dataset redraws only the charts drawn
from it, and the book is byte for byte the one a --fresh build makes of the same inputs."""
from __future__ import annotations

from pathlib import Path

import pytest
from project_copy import copy_project

from report.engine.build import build

from .conftest import RecordingReporter

DATASET = "data/fig16_childcare.csv"
OLD, NEW = "Non-deprived,Good or outstanding providers,23", "Non-deprived,Good or outstanding providers,22"


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """The repository's tracked book files, without the tests and exports."""
    return copy_project(tmp_path_factory.mktemp("figcache") / "book")


def test_one_dataset_changed_redraws_only_its_chart_and_matches_a_fresh_build(book: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1704067200")
    cold = build(book, "html", RecordingReporter())
    assert len(cold.figures_drawn) == 17 and not cold.figures_cached

    path = book / DATASET
    path.write_text(path.read_text(encoding="utf-8").replace(OLD, NEW, 1), encoding="utf-8")
    warm = build(book, "html", RecordingReporter())
    # Chapter 3 draws Figures 13-16; only Figure 16 reads the changed file.
    assert "chapters/03-bad-jobs-trap.qmd" in warm.chapters_executed
    assert warm.figures_drawn == ["fig-childcare"]
    assert sorted(warm.figures_cached) == ["fig-health", "fig-inactivity-sickness", "fig-qualifications"]
    incremental = (book / "_book" / "index.html").read_bytes()

    fresh = build(book, "html", RecordingReporter(), fresh=True)
    assert len(fresh.figures_drawn) == 17
    assert (book / "_book" / "index.html").read_bytes() == incremental
