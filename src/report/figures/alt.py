"""Alt text written from the data: what is compared, the extremes, and the trend."""
from __future__ import annotations

import pandas as pd

from . import fmt
from .builders import Prepared
from .registry import Spec


def _name(s) -> str:
    """A category as alt text says it: the registry's `spoken:` phrase for its column's
    vocabulary ('Doubly disadvantaged' -> 'doubly disadvantaged areas'), else as it is."""
    from report.data.vocab import vocabularies

    from .registry import spoken

    s = str(s)
    phrases = spoken()
    if phrases:
        for column, vocab in vocabularies().items():
            if column in phrases and s in vocab.values:
                return phrases[column].format(f"{s[0].lower()}{s[1:]}")
    return s


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _trend(first: float, last: float, unit: str, plural: bool = False) -> str:
    change = (last - first) / abs(first) if first else 0
    if abs(change) < 0.03:
        return f"{'stay' if plural else 'stays'} near {fmt.approx(last, unit)}"
    verb = ("rise" if plural else "rises") if last > first else ("fall" if plural else "falls")
    return f"{verb} from {fmt.approx(first, unit)} to {fmt.approx(last, unit)}"


def _says(s, wide, unit) -> str:
    """'doubly disadvantaged areas rise from £9,000 to £10,500' (verb agrees with the name)."""
    name = _name(s)
    return f"{name} {_trend(wide[s].iloc[0], wide[s].iloc[-1], unit, plural=name.endswith('areas'))}"


ILLUSTRATIVE_ALL = "Illustrative values, reconstructed to match the publication, not official statistics."
ILLUSTRATIVE_SOME = "Values marked illustrative are reconstructed, not official statistics."


def _flag(row) -> str:
    """' (illustrative)' after a value a mixed chart draws from reconstructed data."""
    return " (illustrative)" if row.get("provenance") == "reconstructed" else ""


def lines(spec: Spec, p: Prepared) -> str:
    x, series, value, panels = spec.opt("x"), spec.opt("series"), spec.opt("value"), spec.opt("panels")
    what = f"{series.replace('_', ' ')}s"
    span = f"{p.x[0]}–{p.x[-1]}"
    parts = []
    if p.panels != [None]:
        parts.append(f"Two-panel line chart, {span}, for {len(p.series)} {what}: "
                     + " and ".join(str(pn).lower() for pn in p.panels) + ".")
    else:
        parts.append(f"Line chart of {spec.noun}, {span}, for {len(p.series)} {what}.")
    for panel in p.panels:
        sub = p.table if panel is None else p.table[p.table[panels] == panel]
        wide = sub.pivot(index=x, columns=series, values=value)[p.series]
        last = wide.iloc[-1]
        low, high = last.idxmin(), last.idxmax()
        prefix = f"{panel}: " if panel is not None else ""
        low_always = (wide.idxmin(axis=1) == low).all()
        high_always = (wide.idxmax(axis=1) == high).all()
        s_low = (f"{_says(low, wide, spec.unit)}, "
                 f"{'the lowest throughout' if low_always else f'the lowest in {p.x[-1]}'}")
        s_high = (f"{_says(high, wide, spec.unit)}, "
                  f"{'the highest throughout' if high_always else f'the highest in {p.x[-1]}'}")
        sentence = f"{prefix}{s_low}; {s_high}."
        if series != "region" and len(p.series) > 2:
            mids = [s for s in p.series if s not in (low, high)]
            sentence = sentence[:-1] + "; " + "; ".join(
                _says(m, wide, spec.unit) for m in mids) + "."
        parts.append(_cap(sentence))
        if series == "area_type" and len(p.series) > 1:
            if panel is None:
                parts.append(_gap(wide, p.series[0], p.series[1], p.x))
            elif spec.unit == "pct":
                parts.append(_points_gap(wide, p.series[0], p.series[-1], p.x))
    hl = [h for h in spec.opt("highlight", []) if h in p.series]
    if hl:
        wide = p.table.pivot(index=x, columns=series, values=value)
        peaks = [_peak(h, wide[h], spec.unit) for h in hl]
        parts.append(f"{_join(hl)} are highlighted; other regions are shown in grey."
                     + "".join(f" {pk}" for pk in peaks if pk))
    return " ".join(parts)


def _gap(wide: pd.DataFrame, a, b, xs) -> str:
    """How the first area type compares with the second, at the start and the end."""
    r0, r1 = wide[a].iloc[0] / wide[b].iloc[0], wide[a].iloc[-1] / wide[b].iloc[-1]
    how = "widens" if abs(1 - r1) > abs(1 - r0) + 0.01 else "narrows" if abs(1 - r1) < abs(1 - r0) - 0.01 else "holds"
    return (f"{_cap(_name(a))} are at {r0:.0%} of the level of {_name(b)} in {xs[0]} and {r1:.0%} in "
            f"{xs[-1]}, so the gap {how}.")


def _points_gap(wide: pd.DataFrame, a, b, xs) -> str:
    d0, d1 = wide[a].iloc[0] - wide[b].iloc[0], wide[a].iloc[-1] - wide[b].iloc[-1]
    return (f"The gap between {_name(a)} and {_name(b)} goes from {d0:.1f} percentage points in {xs[0]} "
            f"to {d1:.1f} in {xs[-1]}.")


def _peak(name, s: pd.Series, unit: str) -> str:
    """A rise and fall worth describing: the peak is inside the period and well above the end."""
    top = s.idxmax()
    if top in (s.index[0], s.index[-1]) or s.max() < 1.03 * s.iloc[-1]:
        return ""
    return (f"{name} rises from {fmt.approx(s.iloc[0], unit)} to a peak of {fmt.approx(s.max(), unit)} "
            f"in {top}, then falls back to {fmt.approx(s.iloc[-1], unit)}.")


def bars(spec: Spec, p: Prepared) -> str:
    x, series, value = spec.opt("x"), spec.opt("series"), spec.opt("value")
    flag = _flag if p.mixed else (lambda _row: "")
    dp = fmt.decimals(p.table[value])
    v = lambda n: fmt.value(n, spec.unit, dp)  # noqa: E731
    xname = x.replace("_", " ")
    parts = []
    if p.panels != [None]:
        parts.append(f"Bar chart in {len(p.panels)} panels comparing {spec.noun} across {len(p.x)} {x.replace('_', ' ')}s.")
        for panel in p.panels:
            sub = p.table[p.table["panel"] == panel]
            vals = ", ".join(f"{_name(r[x])} {v(r[value])}{flag(r)}" for _, r in sub.iterrows())
            parts.append(f"{panel}: {vals}.")
        return " ".join(parts)
    if not p.series:
        parts.append(f"Bar chart of {spec.noun} for {len(p.x)} {x.replace('_', ' ')}s: "
                     + ", ".join(f"{_name(r[x])} {v(r[value])}{flag(r)}" for _, r in p.table.iterrows()) + ".")
        hi, lo = p.table.loc[p.table[value].idxmax()], p.table.loc[p.table[value].idxmin()]
        parts.append(f"Highest in {_name(hi[x])}, lowest in {_name(lo[x])}.")
        return " ".join(parts)
    n_bars = len(p.table)
    parts.append(f"Grouped bar chart of {spec.noun} by {xname}, comparing {len(p.series)} {series.replace('_', ' ')}s.")
    # Every value while a listener can follow them (Figure 13: seven groups of three).
    if n_bars <= 24:
        for g in p.x:
            sub = p.table[p.table[x] == g]
            parts.append(f"{g}: " + ", ".join(f"{_name(r[series])} {v(r[value])}{flag(r)}" for _, r in sub.iterrows()) + ".")
        return " ".join(parts)
    # Many bars: say where each area type is highest and lowest, and how often the first trails.
    total = p.extra.get("total")
    for s in p.series:
        sub = p.table[(p.table[series] == s) & (p.table[x] != total)]
        hi, lo = sub.loc[sub[value].idxmax()], sub.loc[sub[value].idxmin()]
        parts.append(f"{_cap(_name(s))}: highest {v(hi[value])} ({hi[x]}), lowest {v(lo[value])} ({lo[x]}).")
    if total:
        sub = p.table[p.table[x] == total]
        parts.append(f"{total}: " + ", ".join(f"{_name(r[series])} {v(r[value])}{flag(r)}" for _, r in sub.iterrows()) + ".")
    wide = p.table.pivot(index=x, columns=series, values=value)
    first = p.series[0]
    lowest_in = int((wide.idxmin(axis=1) == first).sum())
    parts.append(f"{_cap(_name(first))} have the lowest value in {lowest_in} of {len(wide)} {xname} groups.")
    return " ".join(parts)


def map_(spec: Spec, p: Prepared) -> str:
    counts = p.table
    region, col = p.extra.get("region", "region"), counts.columns[-1]
    total = int(counts[col].sum())
    top = counts.sort_values(col, ascending=False, kind="stable")
    hi, lo = top.iloc[0], top.iloc[-1]
    return (f"Map with each of {total:,} {spec.noun} marked as a dot, and a bar chart of how many lie in "
            f"each {region.replace('_', ' ')}. The most are in {hi[region]} ({int(hi[col]):,}) and the fewest in "
            f"{lo[region]} ({int(lo[col]):,}). They are spread across every {region.replace('_', ' ')}, with "
            f"clusters in {_join(top[region].head(3).tolist())}.")


def hierarchy(spec: Spec, p: Prepared) -> str:
    levels = [f"{r.title} ({str(r.examples).rstrip('.')})" for r in p.table.itertuples(index=False)]
    return (f"Diagram of good work as a {len(levels)}-level hierarchy of needs, drawn as a stepped "
            f"pyramid. From the base up: " + "; ".join(levels) + ".")


ALT = {"lines": lines, "bars": bars, "map": map_, "hierarchy": hierarchy}


def describe(spec: Spec, p: Prepared) -> str:
    """Alt text from the data; a chart drawn wholly or partly from reconstructed values says so
    first, as the badge on the chart does."""
    text = ALT[spec.kind](spec, p)
    if p.mixed:
        return f"{ILLUSTRATIVE_SOME} {text}"
    if p.illustrative:
        return f"{ILLUSTRATIVE_ALL} {text}"
    return text
