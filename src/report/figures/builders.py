"""Chart builders, one per kind of figure in the registry.

Each kind has `prepare_<kind>(spec, data) -> Prepared` (validate, order, and keep exactly the
table that gets drawn) and `draw_<kind>(spec, prepared, ax) -> Figure`. Alt text and the CSV
export read the same Prepared, so the picture, its description and its data cannot disagree.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from . import fmt
from .data import (
    FigureDataError,
    canonical_for,
    categories,
    ordered_categories,
    provenance,
    require_columns,
    require_complete,
    subject_for,
    totals_for,
)
from .palette import (
    CONTEXT_GREY,
    DARK_BLUE,
    DARK_PINK,
    MUTED_TEXT,
    TEXT,
    category_colour,
    tint,
)
from .registry import Spec
from .style import PAGE_SIZE_CM, frame, new_figure

PAGE_WIDTH_IN = PAGE_SIZE_CM[0] / 2.54

ILLUSTRATIVE = "reconstructed"
YEAR_COLUMNS = ("year", "census_year")  # x columns whose values fill a measure line's {years}
ILLUSTRATIVE_BADGE = "Illustrative values"
RECONSTRUCTED_NOTE = (
    "Illustrative values are reconstructed to match what the publication states, not official "
    "statistics (see Data and methods)."
)
MIXED_NOTE = {"bars": "Hatched bars show illustrative values.", "lines": "Dashed lines show illustrative values."}
VALUE_LABEL_SIZE = 7.5
HATCH = "////"


@dataclass
class Prepared:
    table: pd.DataFrame  # exactly what is drawn, in drawing order, with each row's provenance
    x: list = field(default_factory=list)
    series: list = field(default_factory=list)
    panels: list = field(default_factory=lambda: [None])
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def provenances(self) -> set[str]:
        if "provenance" in self.table.columns:
            return set(self.table["provenance"])
        return set(self.extra.get("provenances", ()))

    @property
    def illustrative(self) -> bool:
        """Some of what is drawn is reconstructed."""
        return ILLUSTRATIVE in self.provenances

    @property
    def mixed(self) -> bool:
        """Real (or stated) and reconstructed values side by side: the reconstructed ones are
        drawn distinctly."""
        return self.illustrative and len(self.provenances) > 1


def with_provenance(df: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """`df` with a `provenance` column: its own per-row one, else the resource's declared one."""
    if "provenance" in df.columns:
        return df
    out = df.copy()
    out["provenance"] = provenance(dataset) or "derived"
    return out


def source_note(spec: Spec, p: Prepared | None = None) -> str:
    note = f"Source: {spec.source.rstrip('.')}."
    illustrative = p.illustrative if p is not None else any(
        provenance(name) == ILLUSTRATIVE for name in spec.datasets.values())
    if illustrative:
        note += " " + RECONSTRUCTED_NOTE
        if p is not None and p.mixed and spec.kind in MIXED_NOTE:
            note += " " + MIXED_NOTE[spec.kind]
    return note


def _illustrative_key() -> Patch:
    return Patch(facecolor="white", edgecolor=MUTED_TEXT, hatch=HATCH, lw=0.6)


def _frame_or_legend(spec, fig, axes, own, handles=None, labels=None, p: Prepared | None = None):
    if p is not None and p.mixed:
        handles, labels = list(handles or []), list(labels or [])
        handles.append(_illustrative_key())
        labels.append("Illustrative")
    if own:
        frame(fig, title=spec.title, measure=measure_text(spec, p), source=source_note(spec, p),
              legend_handles=handles, legend_labels=labels,
              badge=ILLUSTRATIVE_BADGE if p is not None and p.illustrative else None)
    elif handles:
        axes[0].legend(handles, labels, loc="upper left", ncols=min(3, len(handles)),
                       bbox_to_anchor=(0, 1.02), fontsize=8)


def narrow() -> bool:
    """Drawing for a phone screen (style.figure_size): panels stack, labels turn to fit."""
    from .style import current_size_cm

    return current_size_cm()[0] < PAGE_SIZE_CM[0] * 0.75


def _axes_for(ax, n: int, own_kw=None) -> tuple[Figure, list[Axes], bool]:
    """Our own figure with n panels, or the caller's axes (one per panel). On a phone-width
    figure the panels stack, each a little shorter, so each keeps the screen's width."""
    if ax is None:
        if narrow() and n > 1:
            from .style import current_size_cm

            w, h = current_size_cm()
            fig, axs = new_figure(nrows=n, size_cm=(w, h * (1 + 0.55 * (n - 1))), **(own_kw or {}))
            return fig, list(axs.ravel()), True
        fig, axs = new_figure(ncols=n, **(own_kw or {}))
        return fig, list(axs.ravel()), True
    axs = list(np.ravel(ax)) if isinstance(ax, (list, tuple, np.ndarray)) else [ax]
    if len(axs) != n:
        raise ValueError(f"this figure has {n} panel(s); pass that many axes, got {len(axs)}")
    return axs[0].figure, axs, False


def _value_axis(ax: Axes, unit: str, label: str | None) -> None:
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10], min_n_ticks=3))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.tick(v, unit)))
    ax.set_ylim(bottom=0)
    if label:
        ax.set_ylabel(label, color=MUTED_TEXT, fontsize=8)


def _check_values(df: pd.DataFrame, col: str, dataset: str) -> None:
    if not pd.api.types.is_numeric_dtype(df[col]):
        raise FigureDataError(f"{dataset}: {col} is not numeric")
    if df[col].isna().any():
        raise FigureDataError(f"{dataset}: {int(df[col].isna().sum())} empty value(s) in {col}")


def _expected(spec: Spec, df: pd.DataFrame, col: str, dataset: str, listed) -> list:
    """Categories of a column with no canon of its own: the ones the registry names must be there."""
    order = categories(df, col, dataset)
    if listed:
        missing = [c for c in listed if c not in order]
        if missing:
            raise FigureDataError(f"{dataset}: no data for {col} {', '.join(map(str, missing))}")
    return order


def _series_colours(spec: Spec, series: list) -> dict[str, tuple[str, float, int]]:
    """series -> (colour, linewidth, zorder). With `highlight`, the listed categories are drawn
    in their colours and the rest in grey for context; otherwise each in its colour, the
    vocabulary's subject on top."""
    if spec.opt("highlight"):
        hl = [s for s in spec.opt("highlight", []) if s in series]
        out = {s: (CONTEXT_GREY, 1.2, 2) for s in series}
        for i, s in enumerate(hl):
            out[s] = (category_colour(s, i), 2.2, 4)
        return out
    subject = subject_for(spec.opt("series"))
    return {s: (category_colour(s, i), 2.2, 3 + (s == subject)) for i, s in enumerate(series)}


def years_text(values) -> str:
    """The years a chart covers, for its measure line: 2011–2021 for a run, 2011 and 2021 else."""
    ys = sorted({int(v) for v in values})
    if len(ys) > 2 and ys == list(range(ys[0], ys[-1] + 1)):
        return f"{ys[0]}\u2013{ys[-1]}"
    return ys[0] if len(ys) == 1 else ", ".join(map(str, ys[:-1])) + f" and {ys[-1]}"


def measure_text(spec: Spec, p: "Prepared | None") -> str:
    """The registry's measure line with `{years}` filled from the data drawn."""
    if "{years}" not in spec.measure:
        return spec.measure
    years = p.extra.get("years") if p is not None else None
    if not years:
        raise FigureDataError(f"figure {spec.number}: the measure line asks for {{years}} but the chart has no years")
    return spec.measure.replace("{years}", str(years_text(years)))


# --- lines ----------------------------------------------------------------------------------

def prepare_lines(spec: Spec, df: pd.DataFrame) -> Prepared:
    ds = spec.datasets["data"]
    x, series, value, panels = spec.opt("x"), spec.opt("series"), spec.opt("value"), spec.opt("panels")
    keys = [k for k in (panels, series, x) if k]
    require_columns(df, [*keys, value], ds)
    _check_values(df, value, ds)
    df = with_provenance(df, ds)
    panel_order = _expected(spec, df, panels, ds, list(spec.opt("panel_notes", {}))) if panels else [None]
    series_order = categories(df, series, ds)
    # categories() leaves England out of regions: a national line is not a region line.
    df = df[df[series].isin(series_order)]
    require_complete(df, keys, ds)
    xs = sorted(df[x].unique().tolist())
    if len(xs) < 2:
        raise FigureDataError(f"{ds}: a line needs at least two {x} values, got {xs}")
    table = _sort(df[[*keys, value, "provenance"]], {panels: panel_order, series: series_order} if panels else {series: series_order}, x)
    return Prepared(table=table, x=xs, series=series_order, panels=panel_order, extra={"years": xs})


def _sort(df: pd.DataFrame, orders: dict[str, list], then: str | None = None) -> pd.DataFrame:
    keys = []
    out = df.copy()
    for col, order in orders.items():
        out[f"__{col}"] = out[col].map({v: i for i, v in enumerate(order)})
        keys.append(f"__{col}")
    if then:
        keys.append(then)
    out = out.sort_values(keys, kind="stable").drop(columns=[k for k in keys if k.startswith("__")])
    return out.reset_index(drop=True)


def draw_lines(spec: Spec, p: Prepared, ax=None) -> Figure:
    x, series, value, panels = spec.opt("x"), spec.opt("series"), spec.opt("value"), spec.opt("panels")
    fig, axes, own = _axes_for(ax, len(p.panels))
    styles = _series_colours(spec, p.series)
    notes = spec.opt("panel_notes", {})
    mixed = p.mixed
    for pax, panel in zip(axes, p.panels):
        sub = p.table if panel is None else p.table[p.table[panels] == panel]
        ends = []
        for s in p.series:
            line = sub[sub[series] == s].sort_values(x)
            colour, lw, z = styles[s]
            dashed = mixed and (line["provenance"] == ILLUSTRATIVE).all()
            pax.plot(line[x], line[value], color=colour, lw=lw, zorder=z, label=s, gid=f"line-{s}",
                     solid_joinstyle="round", ls=(0, (4, 2)) if dashed else "-")
            ends.append((s, line[x].iloc[-1], line[value].iloc[-1], colour, z))
        _value_axis(pax, spec.unit, spec.opt("axis_label") if pax is axes[0] else None)
        # Every year while they fit side by side; otherwise every other one, counted back from
        # the latest year so that it is always labelled.
        fit = 11 if len(p.panels) == 1 or narrow() else 6
        if narrow():
            fit = 6
        step = 1 if len(p.x) <= fit else 2 if len(p.x) <= 2 * fit else 5
        pax.xaxis.set_major_locator(FixedLocator(p.x[::-1][::step][::-1]))
        pax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0f}"))
        pax.set_xlim(p.x[0] - 0.3, p.x[-1] + 0.3)
        pax.set_ymargin(0.08)
        if spec.opt("zero_baseline", True):
            pax.set_ylim(bottom=0)
        else:
            # Levels close together (regional incomes): a zero baseline would flatten the
            # differences the chart is about; the axis labels show the scale does not start at 0.
            pax.autoscale(axis="y")
        if panel is not None:
            note = notes.get(panel)
            pax.set_title(f"{panel}" + (f" ({note})" if note else ""), loc="left", fontsize=9,
                          fontweight="semibold")
        if len(p.panels) == 1:
            _end_labels(pax, ends)
    handles = labels = None
    if len(p.panels) > 1:
        handles = [axes[0].lines[i] for i in range(len(p.series))]
        labels = list(p.series)
    _frame_or_legend(spec, fig, axes, own, handles, labels, p)
    _place_end_labels(fig)
    return fig


def _end_labels(ax: Axes, ends) -> None:
    """Direct labels just right of each line's last point (positions settled after layout)."""
    labs = []
    for name, x, y, colour, z in ends:
        highlighted = colour != CONTEXT_GREY
        t = ax.annotate(name, xy=(x, y), xytext=(5, 0), textcoords="offset points", va="center",
                        ha="left", fontsize=8.5 if highlighted else 7.5, color=colour if highlighted else MUTED_TEXT,
                        fontweight="semibold" if highlighted else "normal", annotation_clip=False,
                        zorder=z)
        labs.append(t)
    ax._end_label_texts = labs  # noqa: SLF001 - picked up by _place_end_labels


def _place_end_labels(fig: Figure, rounds: int = 3) -> None:
    """Spread end labels vertically so none overlap, staying as close to their lines as possible."""
    axes = [a for a in fig.axes if getattr(a, "_end_label_texts", None)]
    if not axes:
        return
    for _ in range(rounds):
        fig.draw_without_rendering()  # runs the layout, so transforms are final
        for ax in axes:
            labs = ax._end_label_texts
            ys = np.array([ax.transData.transform(t.xy)[1] for t in labs])
            heights = np.array([t.get_window_extent().height for t in labs])
            gap = heights.max() * 1.05
            order = np.argsort(ys, kind="stable")
            placed = _spread(ys[order], gap)
            for i, k in enumerate(order):
                dy = (placed[i] - ys[k]) * 72 / fig.dpi
                labs[k].xyann = (8 if abs(dy) > 2 else 5, dy)
    # A label moved off its line's end gets a hairline leader back to it, so the reader can
    # tell which of several close lines it names.
    for ax in axes:
        for t in ax._end_label_texts:
            dx, dy = t.xyann
            if abs(dy) > 2:
                ax.annotate("", xy=t.xy, xytext=(dx - 1, dy), textcoords="offset points",
                            annotation_clip=False, gid="end-label-leader",
                            arrowprops={"arrowstyle": "-", "color": t.get_color(), "lw": 0.6,
                                        "shrinkA": 0, "shrinkB": 1.5})

def _spread(y: np.ndarray, gap: float) -> np.ndarray:
    """Minimal-ish moves so sorted positions are at least `gap` apart (cluster averaging)."""
    clusters = [[v] for v in y]
    pos = [v for v in y]
    merged = True
    while merged:
        merged = False
        i = 0
        while i < len(clusters) - 1:
            top_i = pos[i] + (len(clusters[i]) - 1) * gap / 2
            bot_j = pos[i + 1] - (len(clusters[i + 1]) - 1) * gap / 2
            if bot_j - top_i < gap:
                members = clusters[i] + clusters[i + 1]
                n = len(members)
                offsets = np.arange(n) * gap
                centre = float(np.mean(np.array(members) - offsets)) + (n - 1) * gap / 2
                clusters[i : i + 2] = [members]
                pos[i : i + 2] = [centre]
                merged = True
            else:
                i += 1
    out = []
    for members, centre in zip(clusters, pos):
        n = len(members)
        out.extend(centre + (np.arange(n) - (n - 1) / 2) * gap)
    return np.array(out)


# --- bars -----------------------------------------------------------------------------------

def prepare_bars(spec: Spec, df: pd.DataFrame) -> Prepared:
    ds = spec.datasets["data"]
    x, series, value, panels = spec.opt("x"), spec.opt("series"), spec.opt("value"), spec.opt("panels")
    require_columns(df, [k for k in (panels, x, series, value) if k], ds)
    _check_values(df, value, ds)
    df = with_provenance(df, ds)
    extra: dict[str, Any] = {}
    panel_order: list = [None]
    if panels and spec.opt("panel_groups"):
        df, panel_order = _group_panels(spec, df, ds)
    total = spec.opt("total_last")
    if total:
        if total not in set(df[x]):
            raise FigureDataError(f"{ds}: no rows for {x} {total!r} (the total shown last)")
        extra["total"] = total
    x_order = categories(df, x, ds)
    if total:
        x_order = [c for c in x_order if c != total] + [total]
    series_order = categories(df, series, ds) if series else []
    keys = [k for k in ("panel" if panel_order != [None] else None, x, series) if k]
    require_complete(df, keys, ds)
    orders = {x: x_order}
    if series:
        orders[series] = series_order
    if panel_order != [None]:
        orders = {"panel": panel_order, **orders}
    table = _sort(df[[*keys, value, "provenance"]], orders)
    if x in YEAR_COLUMNS:
        extra["years"] = x_order
    return Prepared(table=table, x=x_order, series=series_order, panels=panel_order, extra=extra)


def _norm(s: str) -> str:
    return " ".join(str(s).lower().replace("health", "").split())


def _group_panels(spec: Spec, df: pd.DataFrame, ds: str):
    """Sum categories into panels (Figure 14: very good + good, bad + very bad)."""
    col, value = spec.opt("panels"), spec.opt("value")
    groups: dict[str, list[str]] = spec.opt("panel_groups")
    ignored = {_norm(c) for c in spec.opt("panel_other", [])}
    present = {_norm(v): v for v in df[col].unique()}
    member_of = {}
    for panel, members in groups.items():
        missing = [m for m in members if _norm(m) not in present]
        if missing:
            raise FigureDataError(f"{ds}: no data for {col} {', '.join(missing)} (needed for panel {panel!r})")
        for m in members:
            member_of[present[_norm(m)]] = panel
    unknown = [v for k, v in present.items() if v not in member_of and k not in ignored]
    if unknown:
        raise FigureDataError(f"{ds}: {col} {', '.join(map(str, unknown))} belongs to no panel")
    sub = df[df[col].isin(member_of)].copy()
    sub["panel"] = sub[col].map(member_of)
    keys = [k for k in (spec.opt("x"), spec.opt("series")) if k]
    require_complete(sub, [col, *keys], ds)
    from report.provenance import combine

    agg = sub.groupby(["panel", *keys], sort=False, as_index=False).agg(
        **{value: (value, "sum"), "provenance": ("provenance", lambda ps: combine(*ps))})
    agg[value] = agg[value].round(6)
    return agg, list(groups)


def _wrap_label(s, width: int) -> str:
    return "\n".join(textwrap.wrap(str(s), width=max(6, width), break_long_words=False)) or str(s)


def draw_bars(spec: Spec, p: Prepared, ax=None) -> Figure:
    x, series, value = spec.opt("x"), spec.opt("series"), spec.opt("value")
    fig, axes, own = _axes_for(ax, len(p.panels))
    total = p.extra.get("total")
    n_s = max(1, len(p.series))
    # Capped so that two or three groups do not turn into slabs.
    bar_w = min(0.8 / n_s, 0.2) if n_s > 1 else 0.45
    dp = fmt.decimals(p.table[value])
    # Width of one panel's plot in points: ~0.9 of the figure (5.7 in on the page).
    panels_across = 1 if narrow() else len(p.panels)
    plot_pt = 5.7 * fig.get_size_inches()[0] / PAGE_WIDTH_IN * 72 / panels_across
    for pax, panel in zip(axes, p.panels):
        sub = p.table if panel is None else p.table[p.table["panel"] == panel]
        centres = np.arange(len(p.x), dtype=float)
        if total:
            centres[-1] += 0.35  # the England total stands apart from the regions
        for si, s in enumerate(p.series or [None]):
            rows = sub if s is None else sub[sub[series] == s]
            rows = rows.set_index(x).loc[p.x]
            vals = rows[value].to_numpy()
            made_up = (rows["provenance"] == ILLUSTRATIVE).to_numpy()
            pos = centres + (si - (n_s - 1) / 2) * bar_w
            colours = ([category_colour(c, i) for i, c in enumerate(p.x)] if s is None
                       else [category_colour(s, si)] * len(vals))
            bars = pax.bar(pos, vals, bar_w * 0.9, color=colours, label=s, zorder=3,
                           gid=f"bars-{s}" if s else "bars")
            if p.mixed:
                for bar, colour, fake in zip(bars, colours, made_up):
                    if fake:
                        bar.set(facecolor=tint(colour, 0.6), edgecolor=colour, hatch=HATCH, lw=0.6)
            wanted = spec.opt("value_labels")
            if wanted:
                # An illustrative bar is labelled only where the publication states its value
                # (those rows have provenance `publication`), never with an invented number; a
                # list labels just the groups the text quotes.
                labelled = [not fake and (wanted is True or c in wanted) for c, fake in zip(p.x, made_up)]
                texts = [fmt.value(v, spec.unit, dp) if keep else "" for v, keep in zip(vals, labelled)]
                # On a phone-width figure a label wider than its bar's share of the axis stands
                # upright above it instead of running into its neighbours' labels (the page size
                # keeps the publication's layout).
                spacing_pt = bar_w * plot_pt / (len(p.x) + 0.6)  # centre to centre
                upright = narrow() and max(map(len, texts)) * VALUE_LABEL_SIZE * 0.5 > spacing_pt
                pax.bar_label(bars, labels=texts, padding=2, fontsize=VALUE_LABEL_SIZE, color=TEXT,
                              rotation=90 if upright else 0)
        # Characters that fit under one group, at ~4.3 pt per character.
        width = int(plot_pt / 4.3 / max(len(p.x), 1))
        if narrow() and width < 9:
            # Too narrow to wrap group names under their bars (a phone-width figure with ten
            # regions): they stand upright instead.
            pax.set_xticks(centres, [_wrap_label(c, 16) for c in p.x], rotation=90)
        else:
            pax.set_xticks(centres, [_wrap_label(c, width) for c in p.x])
        pax.tick_params(axis="x", length=0, pad=4)
        if total:
            pax.get_xticklabels()[-1].set_fontweight("bold")
            pax.axvline(centres[-1] - 0.5 - 0.175, color="#B1B4B6", lw=0.8, ls=(0, (3, 2)), zorder=1)
        _value_axis(pax, spec.unit, spec.opt("axis_label") if pax is axes[0] else None)
        pax.set_ymargin(0.1 if spec.opt("value_labels") else 0.05)
        pax.set_xlim(centres[0] - 0.55, centres[-1] + 0.55)
        if panel is not None:
            pax.set_title(panel, loc="left", fontsize=9, fontweight="semibold")
    handles = labels = None
    if p.series:
        handles = [Patch(facecolor=category_colour(s, i)) for i, s in enumerate(p.series)]
        labels = list(p.series)
    _frame_or_legend(spec, fig, axes, own, handles, labels, p)
    return fig


# --- map ------------------------------------------------------------------------------------

def prepare_map(spec: Spec, data: dict) -> Prepared:
    """Points on region outlines, and a count per region beside them. Options: `region` (the
    column, and the outlines' property), `count` (the summary column counted) and `subject`
    ({column: value} picking the summary rows; default the area-type vocabulary's subject)."""
    names = spec.datasets
    points, regions, summary = data["points"], data["regions"], data["summary"]
    region, count = spec.opt("region", "region"), spec.opt("count", "lsoas")
    subject = spec.opt("subject") or {"area_type": subject_for("area_type")}
    require_columns(points, [region, "longitude", "latitude"], names["points"])
    require_columns(summary, [*subject, region, count], names["summary"])
    feats = regions.get("features", []) if isinstance(regions, dict) else []
    if not feats:
        raise FigureDataError(f"{names['regions']}: no region outlines")
    canon = canonical_for(region)
    outline_regions = [f.get("properties", {}).get(region) for f in feats]
    ordered_categories(outline_regions, canon, names["regions"], "region outline")
    rows = summary[~summary[region].isin(totals_for(region))]
    for col, val in subject.items():
        rows = rows[rows[col] == val]
    order = ordered_categories(rows[region], canon, names["summary"], f"{' '.join(map(str, subject.values()))} in region")
    counts = _sort(rows[[region, count]], {region: order})
    label = "_".join(str(v).lower().replace(" ", "_").replace("-", "_") for v in subject.values())
    counts = counts.rename(columns={count: f"{label}_{count}"})
    ordered_categories(points[region], None, names["points"], "region")
    provs = {provenance(n) or "derived" for n in names.values()}
    # Longitude squeezed by cos(latitude) at the middle of the outlines, so the country keeps its
    # shape without a projection library.
    lats = [pt[1] for f in feats for pt in _points(f.get("geometry") or {})]
    lon_scale = float(np.cos(np.radians((min(lats) + max(lats)) / 2))) if lats else 1.0
    return Prepared(table=counts, x=order, extra={"points": points, "regions": regions, "provenances": provs,
                                                   "lon_scale": lon_scale, "region": region})


def _points(geom: dict):
    polys = geom.get("coordinates") or []
    polys = polys if geom.get("type") == "MultiPolygon" else [polys]
    for poly in polys:
        for ring in poly:
            yield from ring


def _geometry_path(geom: dict, lon_scale: float) -> MplPath:
    polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
    verts, codes = [], []
    for poly in polys:
        for ring in poly:
            ring = np.asarray(ring, dtype=float)[:, :2]
            ring = np.column_stack([ring[:, 0] * lon_scale, ring[:, 1]])
            verts.extend(ring)
            codes.extend([MplPath.MOVETO] + [MplPath.LINETO] * (len(ring) - 2) + [MplPath.CLOSEPOLY])
    return MplPath(np.asarray(verts), codes)


def draw_map(spec: Spec, p: Prepared, ax=None) -> Figure:
    if ax is None:
        if narrow():
            # A phone-width figure: the counts under the map, each as wide as the screen.
            fig, axs = new_figure(nrows=2, gridspec_kw={"height_ratios": [1.5, 1]})
        else:
            fig, axs = new_figure(ncols=2, gridspec_kw={"width_ratios": [1.25, 1]})
        max_, bax = axs.ravel()
        own = True
    else:
        fig, (max_, bax), own = _axes_for(ax, 2)
    region, lon_scale = p.extra["region"], p.extra["lon_scale"]
    for f in sorted(p.extra["regions"]["features"], key=lambda f: str(f["properties"].get(region))):
        max_.add_patch(PathPatch(_geometry_path(f["geometry"], lon_scale), facecolor="#EEEFEF", edgecolor="white",
                                 lw=0.8, zorder=1, gid=f"region-{f['properties'].get(region)}"))
    pts = p.extra["points"]
    colour = category_colour(next(iter((spec.opt("subject") or {"area_type": subject_for("area_type")}).values())))
    max_.scatter(pd.to_numeric(pts["longitude"]) * lon_scale, pd.to_numeric(pts["latitude"]), s=2.2, color=colour,
                 alpha=0.85,
                 linewidths=0, zorder=3, gid="lsoa-points", rasterized=False)
    max_.set_aspect("equal")
    max_.autoscale_view()
    max_.axis("off")

    counts = p.table
    y = np.arange(len(counts))[::-1]
    count_col = counts.columns[-1]
    vals = counts[count_col].to_numpy()
    bars = bax.barh(y, vals, height=0.7, color=DARK_PINK, zorder=3, gid="region-counts")
    bax.bar_label(bars, labels=[f"{v:,.0f}" for v in vals], padding=2, fontsize=VALUE_LABEL_SIZE)
    bax.set_yticks(y, counts[region])
    bax.tick_params(axis="y", length=0)
    bax.grid(False)
    bax.spines["bottom"].set_visible(False)
    bax.set_xticks([])
    bax.set_xlim(0, vals.max() * 1.15)
    bax.set_title(f"Number by region (England: {vals.sum():,.0f})", loc="left", fontsize=8.5,
                  fontweight="semibold", color=TEXT)
    if own:
        frame(fig, title=spec.title, measure=spec.measure, source=source_note(spec, p))
    return fig


# --- hierarchy (Figures 2 and 17) -----------------------------------------------------------

def prepare_hierarchy(spec: Spec, df: pd.DataFrame) -> Prepared:
    ds = spec.datasets["data"]
    require_columns(df, ["level", "title", "examples"], ds)
    if df["level"].duplicated().any():
        raise FigureDataError(f"{ds}: repeated level numbers")
    table = df[["level", "title", "examples"]].sort_values("level", kind="stable").reset_index(drop=True)
    return Prepared(table=table, x=table["title"].tolist(), extra={"provenances": {provenance(ds) or "publication"}})


def draw_hierarchy(spec: Spec, p: Prepared, ax=None) -> Figure:
    fig, axes, own = _axes_for(ax, 1)
    a = axes[0]
    n = len(p.table)
    a.set_xlim(0, 1)
    a.set_ylim(0, n)
    a.axis("off")
    # Foundations darkest: the base of the hierarchy carries the most weight.
    shades = [tint(DARK_BLUE, t) for t in np.linspace(0, 0.62, n)]
    pyr_w, left = 0.48, 0.0
    # axes ~6 in wide on the page, ~4.6 pt per bold character at 8.5 pt
    scale = fig.get_size_inches()[0] / PAGE_WIDTH_IN
    chars_per_unit = 6.0 * scale * 72 / 4.6
    for i, row in enumerate(p.table.itertuples(index=False)):
        w = pyr_w * (1 - i / (n + 0.6))
        x0 = left + (pyr_w - w) / 2
        a.add_patch(Rectangle((x0, i + 0.06), w, 0.88, facecolor=shades[i], edgecolor="none",
                              gid=f"level-{row.level}"))
        light = i < n / 2
        a.text(left + pyr_w / 2, i + 0.5, _wrap_label(row.title, int(w * chars_per_unit) - 2), ha="center", va="center",
               fontsize=8.5, fontweight="bold", color="white" if light else TEXT, linespacing=1.1)
        a.text(pyr_w + 0.04, i + 0.5, _wrap_label(row.examples, int(62 * scale)), ha="left", va="center", fontsize=8,
               color=TEXT, linespacing=1.15)
        a.plot([x0 + w + 0.008, pyr_w + 0.03], [i + 0.5, i + 0.5], color=shades[i], lw=0.8)
    if own:
        frame(fig, title=spec.title, measure=spec.measure, source=source_note(spec, p))
    return fig


PREPARE = {"lines": prepare_lines, "bars": prepare_bars, "map": prepare_map, "hierarchy": prepare_hierarchy}
DRAW = {"lines": draw_lines, "bars": draw_bars, "map": draw_map, "hierarchy": draw_hierarchy}
