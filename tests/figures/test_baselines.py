"""The look of every figure, compared pixel by pixel with a reviewed baseline (pytest-mpl).

Drawn from the synthetic test frames, not the committed data, so a data update never breaks
these; a change to the house style, a builder or the registry does, on purpose. After a
deliberate change, look at the new images and regenerate:
    python -m pytest tests/figures/test_baselines.py --mpl-generate-path=tests/figures/baseline
"""
from __future__ import annotations

import pytest
from fig_support import synthetic

from report import figures
from report.figures.style import style_path

# Each distinct chart once (1 = 3 and 2 = 17 draw the same figure).
NUMBERS = [1, 2, *range(4, 17)]


@pytest.mark.parametrize("n", NUMBERS)
# The house style must also be in force while pytest-mpl saves: fonts resolve at draw time.
@pytest.mark.mpl_image_compare(baseline_dir="baseline", tolerance=2, style=style_path(),
                               savefig_kwargs={"dpi": 100})
def test_figure_looks_as_reviewed(n, provenance):
    provenance("reconstructed")  # the source note carries the reconstructed-data label
    return figures.plot(n, synthetic()[n])
