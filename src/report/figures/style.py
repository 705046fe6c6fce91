"""House style: fonts, rcParams, and the frame every figure shares.

The frame is title and measure line top-left, an optional legend under them, the chart, and
the source note bottom-left. Those bands are measured from the rendered text and the chart is
laid out (constrained layout) in what is left, so long titles or notes never overlap the plot.
"""
from __future__ import annotations

import contextlib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import matplotlib as mpl
import matplotlib.style  # noqa: F401 - mpl.style is not loaded by `import matplotlib`
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from report import paths

from .palette import MUTED_TEXT, TEXT

FONT_FAMILY = "Source Sans Pro"
TITLE_SIZE = 11.5
MEASURE_SIZE = 9
SOURCE_SIZE = 7.5
BADGE_SIZE = 7.5
# Dark orange on pale orange: reads as a warning without borrowing an area type's colour
# (contrast 6.7:1, above WCAG AA for small text).
BADGE_TEXT = "#8A3A00"
BADGE_FILL = "#FDEBDD"
PAD_IN = 0.06  # outer margin, inches
GAP_IN = 0.06  # between stacked header items, inches


def _fonts_dir() -> Path | None:
    try:
        d = paths.project_root() / "fonts"
    except paths.ProjectNotFound:
        # Outside the project (a wheel, a test tmpdir): the repository copy next to src/.
        d = Path(__file__).resolve().parents[2] / "fonts"
    return d if d.is_dir() else None


_registered = False


def register_fonts() -> bool:
    """Add the project's Source Sans Pro TTFs to matplotlib; True if the family is available."""
    global _registered
    if not _registered:
        d = _fonts_dir()
        if d is not None:
            for ttf in sorted(d.glob("*.ttf")):
                font_manager.fontManager.addfont(str(ttf))
        _registered = True
    return any(f.name == FONT_FAMILY for f in font_manager.fontManager.ttflist)


def style_path() -> str:
    return str(resources.files(__package__).joinpath("house.mplstyle"))


@contextlib.contextmanager
def house_style():
    """rcParams of the house style for drawing *and* saving (savefig reads svg.hashsalt etc.)."""
    register_fonts()
    with mpl.rc_context():
        mpl.style.use(style_path())
        yield


PAGE_SIZE_CM = (16.0, 10.0)  # the chart on an A4 page and on a desktop screen
# A phone screen: about 330 CSS px of text column at 390 px, so the smallest text (7.5 pt = 10
# px at this size) stays at least 10 px when the web page fits the chart to the column.
PHONE_SIZE_CM = (8.6, 11.0)

_size_cm: list[tuple[float, float]] = [PAGE_SIZE_CM]


@contextlib.contextmanager
def figure_size(size_cm: tuple[float, float]):
    """Draw the figures made inside this block at `size_cm` (width, height) instead of the page
    size: the web page's phone rendering. Builders read the width to wrap their labels."""
    _size_cm.append(tuple(size_cm))
    try:
        yield
    finally:
        _size_cm.pop()


def current_size_cm() -> tuple[float, float]:
    return _size_cm[-1]


def new_figure(*, nrows: int = 1, ncols: int = 1, size_cm: tuple[float, float] | None = None, **kw):
    """A figure (not managed by pyplot, so notebooks never show it twice) and its axes."""
    size_cm = size_cm or current_size_cm()
    fig = Figure(figsize=(size_cm[0] / 2.54, size_cm[1] / 2.54))
    FigureCanvasAgg(fig)  # a canvas to measure text with; savefig still picks the format's backend
    axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    return fig, axes


def _wrap(text: str, width_px: float, prop: FontProperties, renderer) -> str:
    """Greedy word wrap to a pixel width, measured with the real font."""
    out: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split():
            trial = f"{line} {word}".strip()
            w, _, _ = renderer.get_text_width_height_descent(trial, prop, ismath=False)
            if line and w > width_px:
                out.append(line)
                line = word
            else:
                line = trial
        out.append(line)
    return "\n".join(out)


def frame(
    fig: Figure,
    *,
    title: str | None,
    measure: str | None,
    source: str | None,
    legend_handles: Sequence | None = None,
    legend_labels: Sequence[str] | None = None,
    badge: str | None = None,
) -> None:
    """Add badge, title, measure, legend and source note, and lay the axes out in the space left.

    The badge ("Illustrative values") heads the chart, where a reader looks first, so a chart
    drawn from reconstructed data cannot be mistaken for official statistics; it stays when the
    book leaves the title out in favour of its own caption."""
    renderer = fig.canvas.get_renderer()
    W, H = fig.get_size_inches() * fig.dpi
    pad = PAD_IN * fig.dpi
    gap = GAP_IN * fig.dpi
    usable = W - 2 * pad
    y = H - pad  # running top edge in pixels

    def header_text(s, size, weight, colour):
        nonlocal y
        prop = FontProperties(family=mpl.rcParams["font.family"], size=size, weight=weight)
        t = fig.text(pad / W, y / H, _wrap(s, usable, prop, renderer), ha="left", va="top",
                     fontproperties=prop, color=colour, linespacing=1.15)
        y -= t.get_window_extent(renderer).height + gap
        return t

    if badge:
        prop = FontProperties(family=mpl.rcParams["font.family"], size=BADGE_SIZE, weight="bold")
        t = fig.text(pad / W + 0.004, y / H, badge.upper(), ha="left", va="top", fontproperties=prop,
                     color=BADGE_TEXT, gid="figure-badge",
                     bbox={"boxstyle": "round,pad=0.35", "facecolor": BADGE_FILL, "edgecolor": BADGE_TEXT,
                           "lw": 0.8})
        y -= t.get_window_extent(renderer).height + 2.5 * gap
    if title:
        header_text(title, TITLE_SIZE, "bold", TEXT).set_gid("figure-title")
    if measure:
        header_text(measure, MEASURE_SIZE, "normal", TEXT).set_gid("figure-measure")
    if legend_handles:
        leg = fig.legend(legend_handles, legend_labels, loc="upper left",
                         bbox_to_anchor=(pad / W - 0.004, y / H), ncols=len(legend_handles),
                         borderaxespad=0, handletextpad=0.5)
        leg.set_in_layout(False)
        # A legend wider than the figure wraps onto two rows.
        if leg.get_window_extent(renderer).width > usable:
            leg.remove()
            leg = fig.legend(legend_handles, legend_labels, loc="upper left",
                             bbox_to_anchor=(pad / W - 0.004, y / H),
                             ncols=max(1, (len(legend_handles) + 1) // 2), borderaxespad=0,
                             handletextpad=0.5)
            leg.set_in_layout(False)
        y -= leg.get_window_extent(renderer).height + gap
    top = y

    bottom = pad
    if source:
        prop = FontProperties(family=mpl.rcParams["font.family"], size=SOURCE_SIZE)
        t = fig.text(pad / W, pad / H, _wrap(source, usable, prop, renderer), ha="left",
                     va="bottom", fontproperties=prop, color=MUTED_TEXT, linespacing=1.15)
        t.set_gid("figure-source")
        bottom = pad + t.get_window_extent(renderer).height + 1.5 * gap

    for t in fig.texts:
        t.set_in_layout(False)
    fig.set_layout_engine(
        "constrained", rect=(0, bottom / H, 1, (top - bottom) / H), w_pad=PAD_IN, h_pad=0.02,
        wspace=0.06,
    )
