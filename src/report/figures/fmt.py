"""Number formats by unit, shared by axes, value labels and alt text."""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def decimals(values: Iterable[float]) -> int:
    """0 when every value is whole (e.g. childcare places 17, 20, 26), else 1."""
    arr = np.asarray(list(values), dtype=float)
    return 0 if np.allclose(arr, np.round(arr)) else 1


def value(v: float, unit: str, dp: int = 1) -> str:
    if unit == "gbp":
        return f"£{v:,.0f}"
    if unit == "pct":
        return f"{v:.{dp}f}%"
    return f"{v:,.{dp}f}"


def tick(v: float, unit: str) -> str:
    if unit == "gbp":
        return f"£{v:,.0f}"
    if unit == "pct":
        return f"{v:g}%"
    return f"{v:,g}"


def approx(v: float, unit: str) -> str:
    """Rounded for prose: £8,100 rather than £8,137."""
    if unit == "gbp":
        step = 100 if abs(v) < 100_000 else 1000
        return f"£{round(v / step) * step:,.0f}"
    if unit == "pct":
        return f"{v:.1f}%"
    return f"{v:,.1f}".rstrip("0").rstrip(".") if not float(v).is_integer() else f"{v:,.0f}"
