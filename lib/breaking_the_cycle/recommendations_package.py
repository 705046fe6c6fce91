"""The recommendations' entries in `data/datapackage.json`.

The descriptors are generated from the same constants the validator uses (THEMES, the columns),
so the package's schema and `load_recommendations` cannot drift apart; a test compares them.
`python -m breaking_the_cycle.spec` writes them with the rest of the package.
"""
from __future__ import annotations

from pathlib import Path

from report.data.package import merge_resources, read_package, write_package

from .spec import csv_resource
from .recommendations import ACTION_SEPARATOR, LIST_RESOURCE, TABLE_RESOURCE, THEMES

PUBLICATION = {
    "title": "Centre for Progressive Policy and Local Trust (2024) Breaking the cycle: Delivering good jobs "
             "for 'doubly disadvantaged' neighbourhoods",
    "path": "https://www.progressive-policy.net/publications/breaking-the-cycle",
}
LICENCE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
           "path": "https://creativecommons.org/licenses/by/4.0/"}


def _text(name, description, required=True):
    return {"name": name, "type": "string", "description": description, "constraints": {"required": required}}


def _theme_field():
    return {"name": "theme", "type": "string", "description": "One of the three themes, in the publication's order",
            "constraints": {"required": True, "enum": list(THEMES)}}


def _common(name, title, description, fields, primary_key, rules):
    return csv_resource(name, title, description, fields, primary_key, provenance="publication",
                        sources=[dict(PUBLICATION)], licenses=[dict(LICENCE)], unit="", rules=rules)


def descriptors() -> list[dict]:
    table = _common(
        TABLE_RESOURCE, "Table of recommendations: first steps for neighbourhood renewal",
        "One row per row of the recommendations table (executive summary and chapter 6), in this project's "
        "own words. `number` is the recommendation's number in the executive summary's list, whose text is "
        f"`lever`; `lever_actions` holds a lever's list of actions separated by ' {ACTION_SEPARATOR} ', lettered "
        f"a, b, c in that list. Numbered recommendations with no table row are in {LIST_RESOURCE}.csv. "
        "Rendered by breaking_the_cycle.recommendations.",
        [
            _theme_field(),
            {"name": "order", "type": "integer", "description": "Position of the row in the table",
             "constraints": {"required": True, "unique": True, "minimum": 1}},
            {"name": "number", "type": "integer", "description": "Number of this recommendation in the numbered list",
             "constraints": {"required": True, "unique": True, "minimum": 1}},
            _text("problem", "Problem column"),
            _text("solution", "Solution column"),
            _text("lever", "Lever column; also the text of the numbered recommendation"),
            _text("lever_actions", f"Optional list of actions under the lever, separated by ' {ACTION_SEPARATOR} '",
                  required=False),
        ],
        ["order"],
        [{"rule": "sorted", "field": "order"}, {"rule": "contiguous_integers", "field": "order", "group_by": []}])

    numbered = _common(
        LIST_RESOURCE, "Numbered recommendations that have no row in the table",
        f"Recommendations of the executive summary's numbered list that the table does not show; the rest of "
        f"the list is built from {TABLE_RESOURCE}.csv. Numbers across both files run 1..N without gaps and "
        "rise with the themes. Rendered by breaking_the_cycle.recommendations.",
        [
            {"name": "number", "type": "integer", "description": "Number of this recommendation in the numbered list",
             "constraints": {"required": True, "unique": True, "minimum": 1}},
            _theme_field(),
            _text("text", "Text of the recommendation"),
        ],
        ["number"],
        [{"rule": "sorted", "field": "number"}])
    return [table, numbered]


def update_package(root: Path | None = None) -> Path:
    """Put this module's descriptors into datapackage.json, replacing old versions in place."""
    # Re-read right before writing: the data module owns the rest of the file.
    return write_package(merge_resources(read_package(root), descriptors()), root)
