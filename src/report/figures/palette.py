"""Colours every figure shares, and the colour of each category a publication names.

The house colours are the UK Government Analysis Function palette (as packaged by `afcharts`),
tested for colour-blind safety as a set. Which category takes which colour is the publication's
choice, made once in its figure registry (`colours:` in figures.yml) so that a reader who learns
it on one chart can rely on it in every other: an area type, or a highlighted region, keeps its
colour from chart to chart.
"""
from __future__ import annotations

DARK_BLUE = "#12436D"
TURQUOISE = "#28A197"
DARK_PINK = "#801650"
ORANGE = "#F46A25"
DARK_GREY = "#3D3D3D"
LIGHT_PURPLE = "#A285D1"
HOUSE_SEQUENCE = (DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE, DARK_GREY, LIGHT_PURPLE)

TEXT = "#0B0C0C"
MUTED_TEXT = "#505A5F"
GRID = "#D9D9D9"
AXIS = "#B1B4B6"
CONTEXT_GREY = "#BFC1C3"  # series shown only for context (regions not highlighted)


def category_colour(name: str, i: int = 0) -> str:
    """The publication's colour for a category; otherwise the i-th house colour, so an extra
    category the data brings is still drawn in a distinct colour rather than failing."""
    from .registry import colours

    return colours().get(str(name), HOUSE_SEQUENCE[i % len(HOUSE_SEQUENCE)])


def tint(hex_colour: str, amount: float) -> str:
    """Mix a colour with white; amount 0 = unchanged, 1 = white (shades inside one colour)."""
    hex_colour = hex_colour.lstrip("#")
    rgb = [int(hex_colour[i : i + 2], 16) for i in (0, 2, 4)]
    mixed = [round(c + (255 - c) * amount) for c in rgb]
    return "#" + "".join(f"{c:02X}" for c in mixed)
