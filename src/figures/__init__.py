"""Figures of 'Breaking the cycle', drawn from the data package in one house style.

    import figures
    figures.plot(4)            # matplotlib Figure; also figures.fig04()
    figures.alt_text(4)        # alt text generated from the data
    figures.show(4)            # in a chapter cell: SVG + alt text, displayed once
    figures.REGISTRY, figures.spec(4), figures.figure_data(4)

`report figures` exports them all (see figures.export).
"""
from __future__ import annotations

from .api import (
    alt_text,
    fig01,
    fig02,
    fig03,
    fig04,
    fig05,
    fig06,
    fig07,
    fig08,
    fig09,
    fig10,
    fig11,
    fig12,
    fig13,
    fig14,
    fig15,
    fig16,
    fig17,
    figure_data,
    load_data,
    plot,
    show,
)
from .data import FigureDataError
from .registry import REGISTRY, Spec, spec

__all__ = [
    "REGISTRY", "Spec", "spec", "plot", "alt_text", "show", "figure_data", "load_data",
    "FigureDataError",
    *(f"fig{n:02d}" for n in range(1, 18)),
]
