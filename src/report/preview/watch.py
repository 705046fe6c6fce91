"""Which file changes should trigger a rebuild."""
from __future__ import annotations

import os
import re
from pathlib import Path

import yaml
from watchfiles import Change

WATCH_DIRS = ("chapters", "data", "src", "lib", "templates")  # lib/: the publication's own code
WATCH_FILES = ("index.qmd", "_quarto.yml", "references.bib")
# Build products, caches and VCS state: the engine writes some of these during every build, so
# watching them would rebuild forever.
IGNORE_PARTS = {".git", "__pycache__", ".pytest_cache", ".mypy_cache", ".ipynb_checkpoints", "node_modules",
                "_book", ".report-cache"}
# data/raw holds the raw public downloads that `report data` derives from; the book never reads them.
IGNORE_PREFIXES = ("data/raw/",)
# Editor droppings: swap files, backups, lock files, vim's write test file "4913".
IGNORE_NAME = re.compile(r"(~$|\.sw[a-z]$|^\.#|^#.*#$|^4913$|^\.DS_Store$|\.py[cod]$|\.tmp$|^flycheck_)")
BOOK_FILE_SUFFIXES = (".qmd", ".bib", ".csl", ".css", ".typ", ".yml", ".yaml", ".json", ".lua")


def _config_files(root: Path) -> set[str]:
    """Files named anywhere in _quarto.yml (chapters outside chapters/, the bibliography, CSL...)."""
    try:
        raw = yaml.safe_load((root / "_quarto.yml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        # A broken _quarto.yml is the build's error to report; keep watching the defaults.
        return set()
    found: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str) and node.endswith(BOOK_FILE_SUFFIXES) and "\n" not in node:
            found.add(os.path.normpath(node).replace(os.sep, "/"))

    walk(raw)
    return found


class BookFilter:
    """A watchfiles filter accepting only the sources a build reads."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self.refresh()

    def refresh(self) -> None:
        self.files = set(WATCH_FILES) | _config_files(self.root)

    def relative(self, path: str) -> str | None:
        try:
            rel = Path(path).resolve().relative_to(self.root)
        except ValueError:
            return None
        return rel.as_posix()

    def wanted(self, rel: str) -> bool:
        parts = rel.split("/")
        if any(p in IGNORE_PARTS or p.endswith(".egg-info") or p.startswith("_book.build-") for p in parts):
            return False
        if rel.startswith(IGNORE_PREFIXES) or IGNORE_NAME.search(parts[-1]):
            return False
        return parts[0] in WATCH_DIRS or rel in self.files

    def __call__(self, change: Change, path: str) -> bool:
        rel = self.relative(path)
        return rel is not None and self.wanted(rel)

    def newest_mtime(self) -> float:
        """The latest modification time of any watched source, to tell whether _book is stale."""
        newest = 0.0
        for rel in self.files:
            try:
                newest = max(newest, (self.root / rel).stat().st_mtime)
            except OSError:
                pass
        for d in WATCH_DIRS:
            for dirpath, dirnames, filenames in os.walk(self.root / d):
                dirnames[:] = [n for n in dirnames if n not in IGNORE_PARTS and not n.endswith(".egg-info")]
                for name in filenames:
                    p = Path(dirpath) / name
                    rel = p.relative_to(self.root).as_posix()
                    if self.wanted(rel):
                        try:
                            newest = max(newest, p.stat().st_mtime)
                        except OSError:
                            pass
        return newest


def needs_fresh_worker(changed: set[str]) -> bool:
    """Python under src/ (the tool) or lib/ (the publication's code, which the tool calls) is
    imported by the build process itself; a running worker has the old code."""
    return any(rel.startswith(("src/", "lib/")) and rel.endswith(".py") for rel in changed)
