"""Build-time checks for qualitative claims in the prose.

A sentence such as "less than half" or "the gap has narrowed" is only true for the data it was
written against. Chapters state such claims through `claim(...)`; when a data update makes one
false, the build stops and says which sentence and which numbers, rather than printing it stale.

An inline claim must render as nothing in both engines. An empty result will not do: Quarto
keeps an inline expression's source when its value is empty. So a claim that holds returns a
marker whose markdown is an HTML comment: pandoc keeps it as an invisible comment in HTML and
drops it from Typst, and unlike an empty span it cannot fuse with the brackets of a footnote or
link just before it. A claim that fails raises, and both engines stop on an inline error.
"""
from __future__ import annotations

CLAIM_MARKDOWN = "<!-- claim -->"


class ClaimError(AssertionError):
    """A qualitative statement in the text no longer matches the data."""


class Claim:
    """What a claim that holds leaves in the text: nothing a reader sees."""

    __slots__ = ("sentence",)

    def __init__(self, sentence: str):
        self.sentence = sentence

    def _repr_markdown_(self) -> str:
        return CLAIM_MARKDOWN

    def __repr__(self) -> str:
        return f"<claim holds: {self.sentence}>"

    def __str__(self) -> str:  # never meant to be printed; if it is, print nothing
        return ""


def claim(condition: bool, sentence: str, **numbers) -> Claim:
    """Return an invisible marker when `condition` holds; raise ClaimError naming the sentence and
    numbers otherwise.

    Inline, next to the sentence it guards:
    `{python} claim(dd < od / 2, "output is less than half that of other deprived areas", dd=dd, od=od)`
    """
    if bool(condition):
        return Claim(sentence)
    shown = ", ".join(f"{k}={_plain(v)}" for k, v in numbers.items()) or "no numbers given"
    raise ClaimError(f"claim no longer holds for the data: \u201c{sentence}\u201d ({shown})")


def _plain(value) -> str:
    """numpy scalars print as np.float64(47.6); an author wants to read 47.6."""
    if isinstance(value, float):
        return repr(float(value))
    item = getattr(value, "item", None)
    if callable(item):
        try:
            value = item()
        except (TypeError, ValueError):
            pass
    return repr(value)
