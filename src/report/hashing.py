"""Content hashes for the build's keys and manifests: one way to hash a file and a tree.

Files are read with paths.read_regular, so a FIFO or device named among a build's inputs is
refused instead of blocking the build.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

# Never part of what a tree holds: interpreter and tool caches.
SKIP_DIRS = frozenset({"__pycache__", ".pytest_cache"})
SKIP_SUFFIXES = (".pyc", ".pyo")


def file_sha256(path: Path) -> str:
    from .paths import read_regular

    return hashlib.sha256(read_regular(path)).hexdigest()


def file_sha256_or_none(path: Path) -> str | None:
    try:
        return file_sha256(path)
    except OSError:
        return None


def update_tree(h, base: Path, label: str) -> None:
    """Feed `h` the names and hashes of a file, or of every file below a directory in a fixed
    order (`label` names it, so moving a file between trees changes the hash)."""
    base = Path(base)
    if base.is_file():
        h.update(f"{label}\0{file_sha256_or_none(base) or ''}\0".encode())
        return
    if not base.is_dir():
        h.update(f"{label}\0missing\0".encode())
        return
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(n for n in dirnames if n not in SKIP_DIRS and not n.endswith(".egg-info"))
        for name in sorted(filenames):
            if name.endswith(SKIP_SUFFIXES):
                continue
            p = Path(dirpath) / name
            h.update(f"{label}/{os.path.relpath(p, base)}\0{file_sha256_or_none(p) or ''}\0".encode())
