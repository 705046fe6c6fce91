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
    import figures.builders as b

    def set_(value):
        monkeypatch.setattr(b, "provenance", lambda name: value)

    set_(None)
    return set_


@pytest.fixture(autouse=True)
def _close_all():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
