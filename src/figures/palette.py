"""Colours and category order shared by every figure.

Based on the UK Government Analysis Function palette (as packaged by `afcharts`), which is
tested for colour-blind safety as a set. The mapping from area type to colour is fixed here so
a reader who learns it on Figure 4 can rely on it through Figure 16.
"""
from __future__ import annotations

from report.data import constants

DARK_BLUE = "#12436D"
TURQUOISE = "#28A197"
DARK_PINK = "#801650"
ORANGE = "#F46A25"
DARK_GREY = "#3D3D3D"
LIGHT_PURPLE = "#A285D1"

TEXT = "#0B0C0C"
MUTED_TEXT = "#505A5F"
GRID = "#D9D9D9"
AXIS = "#B1B4B6"
CONTEXT_GREY = "#BFC1C3"  # series shown only for context (non-highlighted regions)

# The contract's names, in the contract's order: one list for data and figures alike.
AREA_TYPES = tuple(constants.AREA_TYPES)
REGIONS = tuple(constants.REGIONS)
ENGLAND = constants.ENGLAND

# Dark pink carries the report's subject so it stands out against the two comparison groups.
AREA_TYPE_COLOURS = {
    "Doubly disadvantaged": DARK_PINK,
    "Other deprived": DARK_BLUE,
    "Non-deprived": TURQUOISE,
}

# Colours for highlighted regions. Deliberately not the area-type colours, because every
# region chart shows doubly disadvantaged areas only and reusing pink/blue/turquoise would
# suggest area types.
HIGHLIGHT_COLOURS = (ORANGE, DARK_BLUE, LIGHT_PURPLE, DARK_GREY, TURQUOISE)
# A region keeps its colour from chart to chart (London is orange in Figures 5 and 12 alike);
# regions not listed take the highlight colours in order.
REGION_COLOURS = {
    "London": ORANGE,
    "South West": DARK_BLUE,
    "North East": LIGHT_PURPLE,
    "East of England": DARK_GREY,
}


def region_colour(name: str, i: int = 0) -> str:
    return REGION_COLOURS.get(name, HIGHLIGHT_COLOURS[i % len(HIGHLIGHT_COLOURS)])

# Shades for a second dimension inside one area type's colour (e.g. census year, provider
# quality): earlier/broader categories lighter, the latest/narrower one full strength.
def tint(hex_colour: str, amount: float) -> str:
    """Mix a colour with white; amount 0 = unchanged, 1 = white."""
    hex_colour = hex_colour.lstrip("#")
    rgb = [int(hex_colour[i : i + 2], 16) for i in (0, 2, 4)]
    mixed = [round(c + (255 - c) * amount) for c in rgb]
    return "#" + "".join(f"{c:02X}" for c in mixed)


def area_type_colour(name: str) -> str:
    try:
        return AREA_TYPE_COLOURS[name]
    except KeyError:
        # An extra category appended by the data gets a neutral colour rather than crashing;
        # it is still drawn and labelled, so it cannot go unnoticed.
        return DARK_GREY
