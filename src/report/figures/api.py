"""The public functions: plot, alt_text, show, figure_data."""
from __future__ import annotations

import dataclasses
import io

import pandas as pd
from matplotlib.figure import Figure

from . import alt as _alt
from . import cache as _cache
from .builders import DRAW, PREPARE, Prepared
from .data import load_resource, note_data_read
from .registry import Spec, spec
from .style import house_style


def load_data(s: Spec):
    """The figure's data from the data package: a DataFrame, or a dict of roles for the map."""
    if s.kind == "map":
        return {role: load_resource(name) for role, name in s.datasets.items()}
    return load_resource(s.datasets["data"])


def prepare(n: int | str, data=None) -> Prepared:
    s = spec(n)
    if data is None:
        data = load_data(s)
    return PREPARE[s.kind](s, data)


def figure_data(n: int | str, data=None) -> pd.DataFrame:
    """Exactly the table figure n draws (validated, in drawing order)."""
    return prepare(n, data).table


def plot(n: int | str, data=None, ax=None, *, title: bool = True) -> Figure:
    """Draw figure n (number or label). data=None loads its dataset; ax draws into your axes
    (a sequence of axes for figures with panels; the map needs two), without title or source.
    title=False leaves the title out (the book's figure caption already says it)."""
    s = spec(n)
    with house_style():
        p = prepare(s.number, data)
        return DRAW[s.kind](s if title else dataclasses.replace(s, title=""), p, ax)


def alt_text(n: int | str, data=None) -> str:
    s = spec(n)
    return _alt.describe(s, prepare(s.number, data))


def svg_text(fig: Figure) -> str:
    buf = io.StringIO()
    with house_style():
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def show(n: int | str, data=None, *, title: bool = False) -> None:
    """For chapter cells: display figure n as SVG with generated alt text, shown once.

    Without the in-image title by default: in the book the cell's fig-cap is the title, and
    printing both says the same thing twice. Measure line and source note stay."""
    from IPython.display import display

    import matplotlib.pyplot as plt

    s = spec(n)
    # Under the embedded engine a drawing of the same inputs is reused (report.figures.cache); data
    # passed in by the caller is not a file the cache can key on, so that is always drawn.
    lookup = _cache.Lookup(s, title) if data is None else None
    if lookup is not None and lookup.hit is not None:
        svg, alt = lookup.hit
        # Loading the data would have switched on the inline provenance check; so does a reuse.
        note_data_read(s)
    else:
        if data is None:
            data = load_data(s)
        fig = plot(s.number, data, title=title)
        try:
            svg = svg_text(fig)
        finally:
            plt.close(fig)  # figures are not pyplot-managed; this is a no-op safeguard for inline
        alt = alt_text(s.number, data)
        if lookup is not None:
            lookup.store(svg, alt)
    display({"image/svg+xml": svg}, raw=True, metadata={"image/svg+xml": {"fig-alt": alt}})

