"""Number formatting for inline `{python}` expressions, in the publication's house style.

Every helper returns a `Stated` string: text that carries its own markdown, so both engines
insert it the same way (Quarto prefers an inline value's text/markdown to its text/plain, whose
repr would escape a no-break space as \\xa0).
"""
from __future__ import annotations

import math
import re

_MD_PUNCT = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~^$@&=:;,%/?\"'])")


class Stated(str):
    """Formatted text for the prose; its markdown escapes pandoc's punctuation."""

    def _repr_markdown_(self) -> str:
        return _MD_PUNCT.sub(r"\\\1", " ".join(self.splitlines()))


def _stated(fn):
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs) -> Stated:
        return Stated(fn(*args, **kwargs))

    return wrapper


_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
          9: "nine", 10: "ten", 11: "eleven", 12: "twelve", 13: "thirteen", 14: "fourteen",
          15: "fifteen", 16: "sixteen", 17: "seventeen", 18: "eighteen", 19: "nineteen", 20: "twenty",
          26: "twenty-six", 30: "thirty", 39: "thirty-nine", 50: "fifty"}


@_stated
def num(x: float, dp: int = 0) -> str:
    """1305 -> '1,305'; 2.345, dp=1 -> '2.3'."""
    return f"{x:,.{dp}f}"


@_stated
def pct(x: float, dp: int = 1) -> str:
    """10.0 -> '10.0%' (dp decimals, the publication's precision)."""
    return f"{x:.{dp}f}%"


@_stated
def gbp(x: float, dp: int = 0) -> str:
    return f"£{x:,.{dp}f}"


# A no-break space keeps "2.3" and "million" on one line in print and on a phone.
NBSP = "\u00a0"


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
def words(n: int) -> str:
    """Small whole numbers as words where the style asks for them (17 -> 'seventeen')."""
    n = int(round(n))
    return _WORDS.get(n, f"{n:,}")


@_stated
def times(ratio: float) -> str:
    """A ratio in words: ~2 -> 'twice', ~3 -> 'three times'."""
    r = round(ratio)
    return {1: "about the same as", 2: "twice", 3: "three times", 4: "four times"}.get(r, f"{ratio:.1f} times")
