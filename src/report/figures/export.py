"""Export every figure for print and web: SVG, PNG (300 dpi), PDF, and the data as CSV.

Figures the publication prints twice (1 = 3, 2 = 17) are exported once, named after both
numbers: fig01-fig03-map.*, fig02-fig17-good-work.*.

Output is deterministic: the same data gives byte-identical SVG and PDF (fixed SVG id salt,
no creation dates, and SOURCE_DATE_EPOCH pinned for anything else that reads the clock).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

import matplotlib.pyplot as plt

from .api import load_data, plot, prepare
from .registry import Spec, spec, unique_specs
from .style import house_style

FORMATS = ("svg", "png", "pdf")
_METADATA = {
    "svg": {"Date": None, "Creator": "breaking-the-cycle-report (matplotlib)"},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": "breaking-the-cycle-report (matplotlib)"},
    "png": {"Software": None},
}


def targets(only: Iterable[int] | None = None) -> list[Spec]:
    if not only:
        return unique_specs()
    seen, out = set(), []
    for n in only:
        s = spec(n)
        if s.numbers[0] not in seen:  # --only 3 and --only 1 are the same file
            seen.add(s.numbers[0])
            out.append(spec(s.numbers[0]))
    return out


def export_one(s: Spec, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    data = load_data(s)
    table = prepare(s.number, data).table
    fig = plot(s.number, data)
    written = []
    try:
        with house_style():
            for ext in FORMATS:
                path = out_dir / f"{s.stem}.{ext}"
                fig.savefig(path, format=ext, metadata=_METADATA[ext],
                            **({"dpi": 300} if ext == "png" else {}))
                written.append(path)
    finally:
        plt.close(fig)
    csv = out_dir / f"{s.stem}.csv"
    csv.write_text(table.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
    written.append(csv)
    if s.kind == "map":
        # The dots too, so the map can be redrawn elsewhere.
        pts = out_dir / f"{s.stem}-points.csv"
        pts.write_text(data["points"].to_csv(index=False, lineterminator="\n"), encoding="utf-8")
        written.append(pts)
    return written


def export(out_dir: Path, only: Iterable[int] | None = None,
           progress: Callable[[Spec], None] | None = None) -> list[Path]:
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    written: list[Path] = []
    for s in targets(only):
        written += export_one(s, out_dir)
        if progress:
            progress(s)
    return written
