"""A short, stable name for the exact data a build used: the colophon prints it, the manifest keeps it.

It hashes the package descriptor and every file a resource points at, so any edit to any dataset
(or to its description) gives a new version, and the same files always give the same one.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from report import paths

from .package import PACKAGE_FILE, read_package


def data_files(root: Path | None = None) -> list[Path]:
    data = paths.data_dir(root)
    files = {data / PACKAGE_FILE}
    for res in read_package(root).get("resources", []):
        rel = res.get("path")
        for p in [rel] if isinstance(rel, str) else (rel or []):
            files.add(data / p)
    return sorted(f for f in files if f.is_file())


def data_version(root: Path | None = None, length: int = 12) -> str:
    data = paths.data_dir(root)
    h = hashlib.sha256()
    for f in data_files(root):
        h.update(f.relative_to(data).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()[:length]
