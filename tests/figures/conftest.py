"""Fixtures for the figure tests; the datasets themselves are in fig_support."""
from __future__ import annotations

import pytest
from fig_support import synthetic


@pytest.fixture
def frames():
    return synthetic()


@pytest.fixture
def provenance(monkeypatch):
    """Set what the data package says about provenance: provenance("reconstructed")."""
    import report.figures.builders as b

    def set_(value):
        monkeypatch.setattr(b, "provenance", lambda name: value)

    set_(None)
    return set_


@pytest.fixture(autouse=True)
def _this_project(monkeypatch):
    """The figures drawn here are this publication's (its registry, vocabularies and colours),
    whatever project an earlier test's command pointed QUARTO_PROJECT_DIR at."""
    from fig_support import ROOT

    monkeypatch.setenv("QUARTO_PROJECT_DIR", str(ROOT))


@pytest.fixture(autouse=True)
def _close_all():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
