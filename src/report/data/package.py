"""Reading and writing `data/datapackage.json`.

Every reader goes through `read_bytes` and `parsed`: the file is read on each call (a build's
kernel records the files a chapter opens, and an edit must be seen at once) and parsed once per
content (a build asks a few hundred times). Several helpers edit the same package (the tables
module adds its own resources), so writes keep one exact format and never reorder entries this
module does not own.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

from report import paths

PACKAGE_FILE = "datapackage.json"


def package_path(root: Path | None = None) -> Path:
    return paths.data_dir(root) / PACKAGE_FILE


def read_bytes(root: Path | None = None) -> bytes:
    """The descriptor's bytes; OSError if it is missing or not a regular file (never blocks on a FIFO)."""
    return paths.read_regular(package_path(root))


@functools.lru_cache(maxsize=4)
def parsed(raw: bytes):
    """The descriptor's JSON, parsed once per content and shared by every caller: read it, never
    edit it (read_package gives a copy to edit). UnicodeDecodeError or json.JSONDecodeError
    (both ValueError) for bytes that are not a JSON text."""
    return json.loads(raw.decode("utf-8"))


def read_package(root: Path | None = None) -> dict:
    """A copy of the package to edit and write back; {} when there is none yet."""
    path = package_path(root)
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def dumps(obj: dict) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def write_package(obj: dict, root: Path | None = None) -> Path:
    path = package_path(root)
    text = dumps(obj)
    # Leave the file untouched when nothing changed so a re-run keeps its timestamp too.
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def resource_descriptor(package: dict, name: str) -> dict | None:
    for res in package.get("resources", []):
        if res.get("name") == name:
            return res
    return None


def merge_resources(package: dict, mine: list[dict]) -> dict:
    """Replace this module's resources in place and append new ones; others stay where they are."""
    by_name = {r["name"]: r for r in mine}
    out, seen = [], set()
    for res in package.get("resources", []):
        name = res.get("name")
        if name in by_name:
            out.append(by_name[name])
            seen.add(name)
        else:
            out.append(res)
    out.extend(r for r in mine if r["name"] not in seen)
    package["resources"] = out
    return package
