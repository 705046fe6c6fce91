"""Build-time checks for qualitative claims in the prose.

A sentence such as "less than half" or "the gap has narrowed" is only true for the data it was
written against. Chapters state such claims through `claim(...)`; when a data update makes one
false, the build stops and says which sentence and which numbers, rather than printing it stale.
"""
from __future__ import annotations


class ClaimError(AssertionError):
    """A qualitative statement in the text no longer matches the data."""


def claim(condition: bool, sentence: str, **numbers) -> str:
    """Return "" when `condition` holds; raise ClaimError naming the sentence and numbers otherwise.

    Use it in a hidden cell next to the sentence it guards, or inline (it renders as nothing):
    `{python} claim(dd < od / 2, "output is less than half that of other deprived areas", dd=dd, od=od)`
    """
    if bool(condition):
        return ""
    shown = ", ".join(f"{k}={_plain(v)}" for k, v in numbers.items()) or "no numbers given"
    raise ClaimError(f"claim no longer holds for the data: \u201c{sentence}\u201d ({shown})")


def _plain(value) -> str:
    """numpy scalars print as np.float64(47.6); an author wants to read 47.6."""
    item = getattr(value, "item", None)
    if callable(item):
        try:
            value = item()
        except (TypeError, ValueError):
            pass
    return repr(value)
