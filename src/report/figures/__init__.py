"""The figure framework: charts drawn from a project's data package in one house style, as the
project's figure registry (figures.yml) describes them.

    from report import figures
    figures.plot(4)            # matplotlib Figure of the current project's Figure 4
    figures.alt_text(4)        # alt text generated from the data
    figures.show(4)            # in a chapter cell: SVG + alt text, displayed once
    figures.spec(4), figures.figure_data(4), figures.REGISTRY

`report figures` exports them all (see figures.export).
"""
from __future__ import annotations

from .api import alt_text, figure_data, load_data, plot, show
from .data import FigureDataError
from .registry import REGISTRY, RegistryError, Spec, registry, spec

__all__ = ["REGISTRY", "Spec", "spec", "registry", "plot", "alt_text", "show", "figure_data", "load_data",
           "FigureDataError", "RegistryError"]
