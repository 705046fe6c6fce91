"""The book's "Data and methods" entries, written from the registry and the data package.

For each figure: which of its values are real (derived from public files), which the publication
states, and which are illustrative (reconstructed), named by what sets them apart (the 2011 bars,
say), with the registry's `method` note and the dataset's sources. For the text: every key
statistic with its provenance and source. Generated, so a data update that makes a value real
changes its entry without anyone editing the appendix.
"""
from __future__ import annotations

import pandas as pd

from .api import load_data, prepare
from .data import package
from .registry import Spec, unique_specs

KIND_WORDS = {
    "derived": "Real",
    "publication": "Stated in the publication",
    "reconstructed": "Illustrative",
}
ORDER = ("derived", "publication", "reconstructed")


def anchor(spec: Spec) -> str:
    """Heading id of a figure's entry; captions link to it as `#data-<label>`. A figure the
    publication prints twice (3 = 1, 17 = 2) has one entry, under its first number's label."""
    from .registry import REGISTRY

    return f"data-{REGISTRY[spec.numbers[0]].label}"


def _resource(name: str | None) -> dict:
    pkg = package()
    return next((r for r in pkg.get("resources", []) if r.get("name") == name), {})


def _keys(spec: Spec, table: pd.DataFrame) -> list[str]:
    keys = [k for k in ("panel", spec.opt("panels"), spec.opt("x"), spec.opt("series")) if k and k in table.columns]
    return list(dict.fromkeys(keys))


def _which(rows: pd.DataFrame, others: pd.DataFrame, keys: list[str]) -> str:
    """Name a group of rows by a key that sets them apart (the 2011 values), else list them."""
    for k in keys:
        mine, theirs = set(rows[k]), set(others[k])
        if mine and not mine & theirs:
            vals = sorted(mine, key=lambda v: (isinstance(v, str), v))
            return "the " + ", ".join(_plain(v) for v in vals) + " values"
    if len(rows) <= 6:
        return "; ".join(", ".join(_plain(r[k]) for k in keys) for _, r in rows.iterrows())
    return f"{len(rows)} values"


def _plain(v) -> str:
    return f"{v:.0f}" if isinstance(v, float) and v.is_integer() else str(v)


def _titles(name: str | None) -> set[str]:
    return {str(s.get("title")) for s in _resource(name).get("sources", [])} if name else set()


def _publication_titles() -> set[str]:
    pkg = package()
    return {str(s.get("title")) for s in pkg.get("sources", [])}


def _sources(names: list[str], common: str | None) -> str:
    """The datasets' sources, each once, leaving out the publication itself and the sources of
    the `common` resource that many datasets build on (it has an entry of its own)."""
    shared = _titles(common)
    own = _publication_titles()
    items: dict[str, str] = {}
    for name in names:
        for s in _resource(name).get("sources", []):
            title = str(s.get("title", "")).strip()
            path = s.get("path")
            if not title or title in own or (title in shared and name != common):
                continue
            items.setdefault(title, f"[{title}]({path})" if path and str(path).startswith("http") else title)
    return "; ".join(items.values())


def figure_entry(spec: Spec, common: str | None = None, common_note: str = "") -> str:
    """Markdown: a heading for the figure (id `data-<label>`) and what its values are. `common`
    names a resource many datasets are built on (its sources are not repeated; `common_note`
    is added where a figure uses them)."""
    p = prepare(spec.number, load_data(spec))
    from .registry import REGISTRY

    # Cross-references, not typed numbers: the book's numbering rule (both engines) says which
    # number each figure has, so the entry cannot drift from the caption it serves.
    refs = " and ".join(f"@{REGISTRY[n].label}" for n in spec.numbers)
    lines = [f"### {refs}: {spec.title} {{#{anchor(spec)} .unnumbered}}", ""]
    table = p.table
    if "provenance" in table.columns:
        keys = _keys(spec, table)
        groups = {prov: table[table["provenance"] == prov] for prov in ORDER if (table["provenance"] == prov).any()}
        if len(groups) == 1:
            (prov, _), = groups.items()
            lines.append(f"**{KIND_WORDS[prov]}**: every value in the chart.")
        else:
            for prov, rows in groups.items():
                lines.append(f"**{KIND_WORDS[prov]}**: {_which(rows, table[table['provenance'] != prov], keys)}.")
                lines.append("")
    else:
        provs = sorted(p.provenances, key=ORDER.index) if p.provenances else ["derived"]
        lines.append(f"**{KIND_WORDS[provs[0]]}**: every value in the chart.")
    lines.append("")
    if spec.method:
        lines += [spec.method.strip(), ""]
    names = list(spec.datasets.values())
    srcs = _sources(names, common)
    if srcs:
        lines += [f"Sources: {srcs}.", ""]
    if common_note and any(_titles(n) & _titles(common) for n in names):
        lines += [common_note, ""]
    return "\n".join(lines)


def figures_markdown(common: str | None = None, common_note: str = "") -> str:
    return "\n".join(figure_entry(s, common, common_note) for s in unique_specs())


def _stat_value(value: str, unit: str) -> str:
    v = float(value)
    whole = v.is_integer()
    if unit == "percent":
        return f"{v:g}%"
    if unit.startswith("GBP"):
        rest = unit[3:].strip()
        money = f"£{v / 1e6:,.3g} million" if v >= 1e6 else f"£{v:,.0f}" if whole else f"£{v:,.2f}"
        return f"{money} {rest}".strip()
    return f"{v:,.0f} {unit}" if whole else f"{v:,g} {unit}"


def statistics_markdown(provenances=("derived", "publication")) -> str:
    """A pipe table per provenance of the key statistics the text can quote."""
    from report.data import load

    stats = load("key_statistics")
    out = []
    for prov in provenances:
        rows = stats[stats["provenance"] == prov]
        if rows.empty:
            continue
        out += [f"**{KIND_WORDS[prov]}** ({len(rows)})", "", "| Number | Value | Year | Source |", "|---|---|---|---|"]
        for r in rows.itertuples(index=False):
            cells = [str(r.label), _stat_value(str(r.value), str(r.unit)), str(r.year), str(r.source)]
            out.append("| " + " | ".join(c.replace("|", "\\|").replace("`", "") for c in cells) + " |")
        out.append("")
    return "\n".join(out)
