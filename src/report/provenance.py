"""Where a number comes from, carried with the number.

Every value the prose can print is one of:

* ``derived``: computed by ``report data`` from real public files;
* ``publication``: a number the publication itself states;
* ``reconstructed``: invented to be consistent with the publication, for drawing only.

Chapters read data through ``facts(name)`` and ``stat(key)`` (in ``report.data``), which hand out
``Value`` numbers: floats that remember their provenance and where they came from. Arithmetic
keeps the worst provenance of its operands, so a difference, ratio or growth rate computed from a
reconstructed number is itself reconstructed; anything that drops the tag (``int(v)``, numpy
reductions) gives a plain number, which the formatters and the inline check refuse. The default is
to deny: a number whose origin is unknown is not printed.
"""
from __future__ import annotations

import math
import numbers
from typing import Any

DERIVED = "derived"
PUBLICATION = "publication"
RECONSTRUCTED = "reconstructed"
PROVENANCES = (DERIVED, PUBLICATION, RECONSTRUCTED)
# Worst first: a result is as weak as its weakest input.
_RANK = {RECONSTRUCTED: 0, DERIVED: 1, PUBLICATION: 2}


class ProvenanceError(ValueError):
    """A number that may not be printed as a fact, or whose origin is unknown."""


def combine(*provenances: str) -> str:
    return min(provenances, key=lambda p: _RANK.get(p, -1))


class Value(float):
    """A float that knows its provenance and source (e.g. ``fig10_inactivity line 5``)."""

    __slots__ = ("provenance", "source")

    def __new__(cls, x, provenance: str, source: str = ""):
        if provenance not in _RANK:
            raise ValueError(f"unknown provenance {provenance!r}; expected one of {', '.join(PROVENANCES)}")
        obj = float.__new__(cls, x)
        obj.provenance = provenance
        obj.source = source
        return obj

    def __repr__(self) -> str:
        return repr(float(self))

    def __reduce__(self):
        return (Value, (float(self), self.provenance, self.source))

    @property
    def printable(self) -> bool:
        return self.provenance != RECONSTRUCTED

    def _with(self, result: float, *others: Any) -> "Value":
        tagged = [self, *(o for o in others if isinstance(o, Value))]
        worst = min(tagged, key=lambda v: _RANK[v.provenance])
        return Value(result, worst.provenance, worst.source)

    # Arithmetic keeps the tag; comparisons return plain booleans (claims need nothing more).
    def __add__(self, o): return self._with(float(self) + float(o), o) if _num(o) else NotImplemented
    def __radd__(self, o): return self._with(float(o) + float(self), o) if _num(o) else NotImplemented
    def __sub__(self, o): return self._with(float(self) - float(o), o) if _num(o) else NotImplemented
    def __rsub__(self, o): return self._with(float(o) - float(self), o) if _num(o) else NotImplemented
    def __mul__(self, o): return self._with(float(self) * float(o), o) if _num(o) else NotImplemented
    def __rmul__(self, o): return self._with(float(o) * float(self), o) if _num(o) else NotImplemented
    def __truediv__(self, o): return self._with(float(self) / float(o), o) if _num(o) else NotImplemented
    def __rtruediv__(self, o): return self._with(float(o) / float(self), o) if _num(o) else NotImplemented
    def __floordiv__(self, o): return self._with(float(self) // float(o), o) if _num(o) else NotImplemented
    def __rfloordiv__(self, o): return self._with(float(o) // float(self), o) if _num(o) else NotImplemented
    def __mod__(self, o): return self._with(float(self) % float(o), o) if _num(o) else NotImplemented
    def __pow__(self, o): return self._with(float(self) ** float(o), o) if _num(o) else NotImplemented
    def __rpow__(self, o): return self._with(float(o) ** float(self), o) if _num(o) else NotImplemented
    def __neg__(self): return self._with(-float(self))
    def __pos__(self): return self
    def __abs__(self): return self._with(abs(float(self)))

    def __round__(self, ndigits=None):
        return self._with(round(float(self), ndigits or 0))

    def __hash__(self) -> int:  # equal to the plain number, so it can be a pandas label
        return float.__hash__(self)


def _num(o: Any) -> bool:
    # Scalars only: a Series or array must get the chance to broadcast (its reflected method).
    return isinstance(o, numbers.Real) and not isinstance(o, bool)


def describe(v: Any) -> str:
    if isinstance(v, Value):
        where = f" from {v.source}" if v.source else ""
        return f"{_plain(v)} ({v.provenance}{where})"
    return repr(v)


def _plain(v: float) -> str:
    f = float(v)
    return str(int(f)) if f.is_integer() else repr(f)


def require_printable(x: Any, what: str) -> Value:
    """The number, if it may be printed as a fact; otherwise a ProvenanceError saying why."""
    if isinstance(x, Value):
        if math.isnan(x) or math.isinf(x):
            raise ProvenanceError(f"{what}: {describe(x)} is not a finite number")
        if x.printable:
            return x
        raise ProvenanceError(
            f"{what}: {describe(x)} is a reconstructed value and may not be printed as a fact; "
            "use the real value, a number the publication states, or the publication's own words "
            "guarded by claim()")
    raise ProvenanceError(
        f"{what}: {x!r} is a plain number with no provenance; take it from facts() or stat() "
        "(report.data) so the build knows whether it is real, stated by the publication or reconstructed")


def track(df, resource: str, provenance: str | None = None, first_line: int = 2):
    """A copy of `df` whose numeric cells are Values.

    Each row's provenance comes from its `provenance` column, else from `provenance` (the
    resource's). Numeric key columns (years) are tagged too: a year picked out by comparing
    reconstructed values (a peak) is then as reconstructed as the values were.
    """
    import pandas as pd

    out = df.copy()
    if "provenance" in out.columns:
        rows = out["provenance"].astype(str).tolist()
    elif provenance is not None:
        rows = [provenance] * len(out)
    else:
        raise ProvenanceError(f"{resource}: no provenance column and no provenance declared for the resource")
    bad = sorted({p for p in rows if p not in _RANK})
    if bad:
        raise ProvenanceError(f"{resource}: unknown provenance {', '.join(map(repr, bad))}; "
                              f"expected one of {', '.join(PROVENANCES)}")
    for col in out.columns:
        if col == "provenance" or not pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col]):
            continue
        values = out[col].tolist()
        out[col] = pd.Series(
            [v if pd.isna(v) else Value(v, p, f"{resource} line {first_line + i}")
             for i, (v, p) in enumerate(zip(values, rows))],
            index=out.index, dtype=object)
    out.attrs["resource"] = resource
    return out
