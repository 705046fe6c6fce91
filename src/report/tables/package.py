"""The recommendations' entries in `data/datapackage.json`.

The descriptors are generated from the same constants the validator uses (THEMES, the columns),
so the package's schema and `load_recommendations` cannot drift apart; a test compares them.
`report tables --update-package` writes them, touching no other resource.
"""
from __future__ import annotations

import json
from pathlib import Path

from report import paths
from report.tables.model import ACTION_SEPARATOR, LIST_RESOURCE, TABLE_RESOURCE, THEMES

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


def _common(name, title, description):
    return {
        "name": name,
        "path": f"{name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "title": title,
        "description": description,
        "provenance": "publication",
        "unit": "",
        "sources": [dict(PUBLICATION)],
        "licenses": [dict(LICENCE)],
        "dialect": {"delimiter": ",", "header": True},
    }


def descriptors() -> list[dict]:
    table = _common(
        TABLE_RESOURCE, "Table of recommendations: first steps for neighbourhood renewal",
        "One row per row of the recommendations table (executive summary and chapter 6), in this project's "
        "own words. `number` is the recommendation's number in the executive summary's list, whose text is "
        f"`lever`; `lever_actions` holds a lever's list of actions separated by ' {ACTION_SEPARATOR} ', lettered "
        f"a, b, c in that list. Numbered recommendations with no table row are in {LIST_RESOURCE}.csv. "
        "Rendered by report.tables.")
    table["schema"] = {
        "fields": [
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
        "primaryKey": ["order"],
    }
    table["rules"] = [{"rule": "sorted", "field": "order"},
                      {"rule": "contiguous_integers", "field": "order", "group_by": []}]

    numbered = _common(
        LIST_RESOURCE, "Numbered recommendations that have no row in the table",
        f"Recommendations of the executive summary's numbered list that the table does not show; the rest of "
        f"the list is built from {TABLE_RESOURCE}.csv. Numbers across both files run 1..N without gaps and "
        "rise with the themes. Rendered by report.tables.")
    numbered["schema"] = {
        "fields": [
            {"name": "number", "type": "integer", "description": "Number of this recommendation in the numbered list",
             "constraints": {"required": True, "unique": True, "minimum": 1}},
            _theme_field(),
            _text("text", "Text of the recommendation"),
        ],
        "primaryKey": ["number"],
    }
    numbered["rules"] = [{"rule": "sorted", "field": "number"}]
    return [table, numbered]


def update_package(root: Path | None = None) -> Path:
    """Put this module's descriptors into datapackage.json, replacing old versions in place."""
    path = paths.data_dir(root) / "datapackage.json"
    mine = {d["name"]: d for d in descriptors()}
    # Re-read right before writing: other helpers edit the same file.
    package = json.loads(path.read_text(encoding="utf-8"))
    resources = package.setdefault("resources", [])
    for i, res in enumerate(resources):
        if res.get("name") in mine:
            resources[i] = mine.pop(res["name"])
    resources.extend(mine.values())
    text = json.dumps(package, indent=2, ensure_ascii=False) + "\n"
    if path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path
