"""Number formatting for inline `{python}` expressions, in ONS / GOV.UK style (numerals).

Each helper takes a number from the data package (a `report.provenance.Value`, handed out by
`facts()` and `stat()`) and refuses one that is reconstructed or of unknown origin, so the text
can only state real numbers and numbers the publication states. It returns a `Stated` string that
carries its own markdown, so both engines insert it the same way (Quarto prefers an inline value's
text/markdown to its text/plain, whose repr would write a no-break space as \\xa0).
"""
from __future__ import annotations

import functools
import math
import re

from .provenance import require_printable

_MD_PUNCT = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~^$@&=:;,%/?\"'])")
# A no-break space keeps "2.3" and "million" on one line in print and on a phone.
NBSP = "\u00a0"


class Stated(str):
    """Formatted text for the prose, made from numbers that may be printed; its markdown escapes
    pandoc's punctuation."""

    provenance = "stated"

    def _repr_markdown_(self) -> str:
        return _MD_PUNCT.sub(r"\\\1", " ".join(self.splitlines()))


def _stated(fn):
    @functools.wraps(fn)
    def wrapper(x, *args, **kwargs) -> Stated:
        return Stated(fn(float(require_printable(x, f"{fn.__name__}()")), *args, **kwargs))

    return wrapper


@_stated
def num(x: float, dp: int = 0) -> str:
    """1305 -> '1,305'; 2.345, dp=1 -> '2.3'."""
    return f"{x:,.{dp}f}"


@_stated
def pct(x: float, dp: int = 1) -> str:
    """10.0 -> '10.0%' (dp decimals, the publication's precision)."""
    return f"{x:.{dp}f}%"


@_stated
def pp(x: float, dp: int = 1) -> str:
    """A difference of two percentages: 7.0 -> '7.0 percentage points'."""
    return f"{x:.{dp}f} percentage points"


@_stated
def gbp(x: float, dp: int = 0) -> str:
    return f"£{x:,.{dp}f}"


@_stated
def millions(x: float, dp: int = 1) -> str:
    """2_080_000 -> '2.1 million' (with a no-break space)."""
    return f"{x / 1e6:.{dp}f}{NBSP}million"


@_stated
def gbp_millions(x: float, dp: int = 1) -> str:
    """87_500_000 -> '£87.5 million'; whole numbers lose the decimals: 225e6 -> '£225 million'."""
    m = x / 1e6
    return f"£{m:,.0f}{NBSP}million" if math.isclose(m, round(m)) else f"£{m:,.{dp}f}{NBSP}million"


@_stated
def year(x: float) -> str:
    """A year from the data: 2021.0 -> '2021'."""
    return f"{x:.0f}"


@_stated
def times(ratio: float) -> str:
    """A ratio in words: ~2 -> 'twice', ~3 -> 'three times' (the publication's way of putting it)."""
    r = round(ratio)
    return {1: "about the same as", 2: "twice", 3: "three times", 4: "four times"}.get(r, f"{ratio:.1f} times")


@_stated
def one_in(share_pct: float) -> str:
    """A share as 'one in N': 10.5 -> 'one in 10'."""
    return f"one in {round(100 / share_pct):,}"


@_stated
def gbp_billions(x: float, dp: int = 2) -> str:
    """2_560_000_000 -> '£2.56 billion'; 2_500_000_000 -> '£2.5 billion' (no trailing zeros)."""
    return f"£{x / 1e9:.{dp}f}".rstrip("0").rstrip(".") + f"{NBSP}billion"
