"""The public functions: plot, alt_text, show, figure_data."""
from __future__ import annotations

import contextlib
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
    return _draw(s, prepare(s.number, data), title, ax)


def _draw(s: Spec, p: Prepared, title: bool, ax=None) -> Figure:
    with house_style():
        return DRAW[s.kind](s if title else dataclasses.replace(s, title=""), p, ax)


def alt_text(n: int | str, data=None) -> str:
    s = spec(n)
    return _alt.describe(s, prepare(s.number, data))


def svg_text(fig: Figure, alt: str | None = None) -> str:
    """The figure as SVG with its text as text (<text> in the house font, not glyph outlines):
    one drawing serves the PDF, where Typst sets the text in the fonts it is given and a reader
    can search and copy it, and the web page. `alt` goes into the file's own description
    (dc:description), where the report extension finds it for the PDF under Quarto, whose
    Jupyter engine drops the alt text given with the output."""
    import matplotlib as mpl

    buf = io.StringIO()
    metadata = {"Date": None}
    if alt:
        metadata["Description"] = alt
    with house_style():
        mpl.rcParams["svg.fonttype"] = "none"
        fig.savefig(buf, format="svg", metadata=metadata)
    return buf.getvalue()


def shared_key(s: Spec, title: bool) -> str | None:
    """The id of a drawing the publication prints under several numbers (Figures 1 and 3), when
    it is drawn from the registry's data: the same inputs always give the same drawing."""
    if len(s.numbers) < 2:
        return None
    return f"chart-{s.stem}" + ("-titled" if title else "")


def web_html(s: Spec, data, title: bool, alt: str, key: str | None = None, page_svg: str | None = None,
             prepared: Prepared | None = None) -> str:
    """Figure `s` for web pages (report.figures.web): at page and phone size with its text as
    text, with the table it draws and that table as CSV. `page_svg` is the page-size drawing
    already made (svg_text, for print): used as it is instead of drawn again; `prepared`, what
    prepare() made of `data` for it (the drawings only read it)."""
    import matplotlib.pyplot as plt

    from . import web
    from .style import PHONE_SIZE_CM, figure_size

    p = prepared if prepared is not None else prepare(s.number, data)

    def drawn(size) -> str:
        with figure_size(size) if size else contextlib.nullcontext():
            fig = _draw(s, p, title)
        try:
            return svg_text(fig)
        finally:
            plt.close(fig)

    wide = page_svg if page_svg is not None else drawn(None)
    return web.figure_html(wide_svg=wide, narrow_svg=drawn(PHONE_SIZE_CM), alt=alt, table=p.table,
                           filename=f"{s.stem}.csv", caption=f"Data for Figure {s.number}: {s.title}",
                           illustrative=p.illustrative, key=key, repeat=key is not None and s.number != s.numbers[0])


def book_drawings(s: Spec, data, title: bool, key: str | None) -> tuple[str, str, str]:
    """What show() displays of figure `s`: the SVG (print, and the web page's page-size
    drawing), its alt text and the web page's figure."""
    import matplotlib.pyplot as plt

    p = prepare(s.number, data)  # once for all three drawings, the alt text and the table
    fig = _draw(s, p, title)
    alt = _alt.describe(s, p)
    try:
        svg = svg_text(fig, alt)
    finally:
        plt.close(fig)  # figures are not pyplot-managed; this is a no-op safeguard for inline
    return svg, alt, web_html(s, data, title, alt, key, page_svg=svg, prepared=p)


def show(n: int | str, data=None, *, title: bool = False) -> None:
    """For chapter cells: display figure n with generated alt text, shown once.

    Two representations, as Jupyter allows, each format taking its own: the SVG image with its
    alt text for the PDF, and for HTML the figure of report.figures.web (that drawing inline, a
    phone-size one, the data as table and CSV).

    Without the in-image title by default: in the book the cell's fig-cap is the title, and
    printing both says the same thing twice. Measure line and source note stay."""
    from IPython.display import display

    s = spec(n)
    # Under the embedded engine a drawing of the same inputs is reused (report.figures.cache); data
    # passed in by the caller is not a file the cache can key on, so that is always drawn.
    lookup = _cache.Lookup(s, title) if data is None else None
    key = shared_key(s, title) if data is None else None
    if lookup is not None and lookup.hit is not None:
        svg, alt, page = lookup.hit
        # Loading the data would have switched on the inline provenance check; so does a reuse.
        note_data_read(s)
    else:
        svg, alt, page = book_drawings(s, load_data(s) if data is None else data, title, key)
        if lookup is not None:
            lookup.store(svg, alt, page)
    meta = {"image/svg+xml": {"fig-alt": alt}}
    if key is not None and s.number == s.numbers[0]:
        # The embedded engine marks the figure holding a shared drawing, so the single-file page
        # knows it is in the book even where the preview renders that chapter as a skeleton.
        meta["text/html"] = {"report-chart": key}
    display({"image/svg+xml": svg, "text/html": page}, raw=True, metadata=meta)
