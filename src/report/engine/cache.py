"""Executed chapters kept between builds in `.report-cache/`.

A chapter is re-executed when its source, the project code (src/, templates/), the tool
versions, or any project file its kernel opened last time (recorded with an audit hook in the
kernel) has changed. Files opened are only known after running, so an entry stores them with
their hashes and the lookup checks each one.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

from .execute import ChapterResult
from .qmd import Qmd

FORMAT_VERSION = 1
CODE_DIRS = ("src", "templates")
SKIP_PARTS = {"__pycache__", ".pytest_cache"}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha(path: Path) -> str | None:
    try:
        return _sha(path.read_bytes())
    except OSError:
        return None


def _tree_hash(root: Path) -> str:
    h = hashlib.sha256()
    for d in CODE_DIRS:
        base = root / d
        if not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(n for n in dirnames if n not in SKIP_PARTS and not n.endswith(".egg-info"))
            for name in sorted(filenames):
                if name.endswith((".pyc", ".pyo")):
                    continue
                p = Path(dirpath) / name
                h.update(os.path.relpath(p, root).encode() + b"\0")
                h.update((_file_sha(p) or "").encode() + b"\0")
    return h.hexdigest()


class ChapterCache:
    def __init__(self, directory: Path, root: Path, tools: dict[str, str]):
        self.dir = Path(directory)
        self.root = Path(root)
        self._base = _sha(json.dumps({"format": FORMAT_VERSION, "tools": tools, "code": _tree_hash(self.root)},
                                     sort_keys=True).encode())
        self.corrupt: list[str] = []

    def _key(self, rel: str, doc: Qmd) -> str:
        source = (self.root / rel).read_bytes()
        return _sha(self._base.encode() + b"\0" + rel.encode() + b"\0" + source)

    def _entry_path(self, rel: str) -> Path:
        return self.dir / (re.sub(r"[^A-Za-z0-9]+", "-", rel).strip("-") + ".json")

    def get(self, rel: str, doc: Qmd) -> ChapterResult | None:
        path = self._entry_path(rel)
        if not path.is_file():
            return None
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            body = entry["body"]
            if entry.get("sha256") != _sha(json.dumps(body, sort_keys=True).encode()):
                raise ValueError("checksum mismatch")
        except (ValueError, KeyError, TypeError, OSError):
            self.corrupt.append(rel)
            return None
        if body.get("key") != self._key(rel, doc):
            return None
        for dep, digest in body.get("deps", {}).items():
            if _file_sha(self.root / dep) != digest:
                return None
        result = ChapterResult.from_json(body["result"])
        result.cells_executed = 0
        return result

    def put(self, rel: str, doc: Qmd, result: ChapterResult) -> None:
        deps = {}
        for dep in result.opened:
            digest = _file_sha(self.root / dep)
            if digest is not None:
                deps[dep] = digest
        body = {"key": self._key(rel, doc), "deps": deps, "result": result.to_json()}
        entry = {"sha256": _sha(json.dumps(body, sort_keys=True).encode()), "body": body}
        self.dir.mkdir(parents=True, exist_ok=True)
        path = self._entry_path(rel)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(entry, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
