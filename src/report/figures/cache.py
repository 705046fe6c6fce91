"""Figure renders kept between builds, keyed by everything that goes into one.

A chapter that executes again (its prose or one of its datasets changed) calls `figures.show(n)`
for each of its charts; most of them would draw exactly what they drew last time. A render is
reused when its key matches, and the key is made of every input of the drawing:

* the figure's data: the bytes of each dataset file it loads and of `data/datapackage.json`
  (schema, provenance), read through `open()` so the engine's record of what the chapter read
  is the same on a hit as on a miss;
* its registry spec (title, measure, source, options), the colours and spoken names the registry
  (`figures.yml`) gives categories, and the `title` flag;
* the code that draws it: every file of the figure framework (`report.figures`) and every module
  of the tool those import, followed through the source (`report.data`, `report.provenance`, ...);
* the fonts in the project's `fonts/` (registered with matplotlib at the first drawing);
* matplotlib's rcParams at the call (the house style is applied on top of them) and the versions
  of Python, matplotlib, numpy and pandas.

The cache is off unless `REPORT_FIGURE_CACHE` names a directory: the embedded engine sets it for
its kernels. Outside the engine (real Quarto, `report figures`, a notebook) every call draws.

Two guards keep an entry from ever holding a drawing of other inputs than its key says:

* the data files are hashed before the drawing reads them and again after; a file that changed in
  between (saved during the build) leaves nothing stored;
* a kernel whose loaded code is no longer the code on disk (the code fingerprint taken when it
  first drew differs from the current one) neither reads nor writes entries.
"""
from __future__ import annotations

import ast
import hashlib
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

from report.cachefile import read_sealed, write_sealed
from report.hashing import file_sha256_or_none

CACHE_ENV = "REPORT_FIGURE_CACHE"  # directory of entries; unset: no caching
FRESH_ENV = "REPORT_FIGURE_CACHE_FRESH"  # "1": draw everything, still store (report build --fresh)
FORMAT = 2  # 2: entries hold the web page's figure (html) too
PACKAGE_DIR = Path(__file__).resolve().parent  # report/figures
SRC_DIR = PACKAGE_DIR.parents[1]  # where the `report` package lives
PACKAGE = "report.figures"
TOOL_PACKAGES = ("report",)

# What this process drew and reused since the last `take_counts()`: the engine reports it per
# chapter, and the tests check that only the figure whose data changed was drawn again.
_counts: dict[str, list[str]] = {"drawn": [], "cached": []}
_context: dict[str, str | None] = {"loaded": None, "current": None}


def enabled() -> Path | None:
    raw = os.environ.get(CACHE_ENV, "").strip()
    return Path(raw) if raw else None


# --- the code and fonts a drawing depends on -----------------------------------------------------

def _module_file(name: str) -> Path | None:
    parts = name.split(".")
    if parts[0] not in TOOL_PACKAGES:
        return None
    base = SRC_DIR.joinpath(*parts)
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


_parsed: dict[str, set[str]] = {}  # sha256 of a source file -> the project modules it imports


def _imports(source: bytes, digest: str, package: str) -> set[str]:
    """Project modules a source file imports, at the top or inside functions (figures imports
    report.data and report.provenance lazily). Parsed once per distinct content."""
    key = f"{digest}\0{package}"
    if key in _parsed:
        return _parsed[key]
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        tree = ast.Module(body=[], type_ignores=[])
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                mod = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            found.add(mod)
            # `from . import alt` and `from report.data import constants` name modules too
            found.update(f"{mod}.{alias.name}" for alias in node.names)
    out = set()
    for name in found:
        parts = name.split(".")
        if parts[0] in TOOL_PACKAGES:
            # the package __init__ of every level runs on import as well
            out.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    _parsed[key] = out
    return out


def _read(path: Path) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def code_digests() -> dict[Path, str]:
    """sha256 of every file of the figure framework (code, style sheet) and of every module of
    the tool it imports, directly or through each other."""
    out: dict[Path, str] = {}
    for p in PACKAGE_DIR.rglob("*"):
        if p.is_file() and "__pycache__" not in p.parts and not p.name.endswith((".pyc", ".pyo")):
            data = _read(p)
            out[p] = hashlib.sha256(data).hexdigest() if data is not None else "missing"
    seen: set[str] = set()
    todo = [(f"{PACKAGE}.{p.stem}" if p.name != "__init__.py" else PACKAGE) for p in PACKAGE_DIR.glob("*.py")]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = _module_file(name)
        if path is None:
            continue
        data = _read(path)
        if data is None:
            continue
        digest = hashlib.sha256(data).hexdigest()
        out[path] = digest
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        todo.extend(_imports(data, digest, package) - seen)
    return dict(sorted(out.items()))


def _fonts_dir() -> Path | None:
    from .style import _fonts_dir as fonts_dir

    return fonts_dir()


def _sha_file(path: Path) -> str:
    return file_sha256_or_none(path) or "missing"


def context_fingerprint() -> str:
    """Hash of the code, fonts and library versions behind every drawing."""
    import matplotlib
    import numpy
    import pandas

    h = hashlib.sha256(f"figure cache {FORMAT}\0{sys.version}\0".encode())
    # The versions loaded in this process, which are the ones that draw.
    for mod in (matplotlib, numpy, pandas):
        h.update(f"{mod.__name__} {mod.__version__}\0".encode())
    for path, digest in code_digests().items():
        h.update(f"{path.relative_to(SRC_DIR).as_posix()}\0{digest}\0".encode())
    fonts = _fonts_dir()
    if fonts is not None:
        for path in sorted(p for p in fonts.iterdir() if p.is_file()):
            h.update(f"fonts/{path.name}\0{_sha_file(path)}\0".encode())
    return h.hexdigest()


def new_chapter() -> None:
    """Take the code fingerprint again. The engine calls this before a chapter starts recording
    the files it reads (these reads are the cache's business, not the chapter's); the first value
    in a process stands for the code it has loaded."""
    if enabled() is None:
        return
    current = context_fingerprint()
    _context["current"] = current
    if _context["loaded"] is None:
        _context["loaded"] = current


def _current_context() -> str | None:
    """The fingerprint, or None when this process runs older code than the files on disk."""
    if _context["current"] is None:
        new_chapter()
    if _context["loaded"] != _context["current"]:
        return None
    return _context["current"]


# --- one figure's inputs ----------------------------------------------------------------------------

def data_digests(spec) -> dict[str, str] | None:
    """sha256 of each file the figure's data comes from, or None when one cannot be named (the
    figure is drawn, not cached)."""
    from .data import resource_files

    out: dict[str, str] = {}
    for name in sorted(set(spec.datasets.values())):
        paths = resource_files(name)
        if paths is None:
            return None
        for path in paths:
            out[str(path)] = _sha_file(path)
    return out


def _rc_digest() -> str:
    import matplotlib as mpl

    items = sorted((k, repr(v)) for k, v in mpl.rcParams.items())
    return hashlib.sha256(json.dumps(items).encode()).hexdigest()


def _registry_settings() -> dict:
    """What the registry says beyond the figure's own spec: the colours of categories and how
    alt text names them (registry.colours() and spoken(), which the drawing code reads)."""
    from .registry import colours, spoken

    return {"colours": dict(sorted(colours().items())), "spoken": dict(sorted(spoken().items()))}


def figure_key(spec, title: bool, data: dict[str, str], context: str) -> str:
    body = {
        "format": FORMAT,
        "context": context,
        "spec": json.loads(json.dumps(asdict(spec), sort_keys=True, default=str)),
        "registry": _registry_settings(),
        "title": bool(title),
        "rc": _rc_digest(),
        "data": {os.path.basename(p): d for p, d in sorted(data.items())},
        "data_paths": sorted(data),
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


# --- entries ------------------------------------------------------------------------------------------

def _entry_path(directory: Path, key: str) -> Path:
    return directory / f"{key}.json"


def get(directory: Path, key: str) -> tuple[str, str, str] | None:
    """(svg, alt, html) stored under `key`; None when absent, unreadable or damaged."""
    path = _entry_path(directory, key)
    try:
        body = read_sealed(path)
        if body.get("key") != key or not all(isinstance(body.get(k), str) for k in ("svg", "alt", "html")):
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.utime(path)  # recently used entries survive pruning
    except OSError:
        pass
    return body["svg"], body["alt"], body["html"]


def put(directory: Path, key: str, svg: str, alt: str, html: str) -> None:
    try:
        write_sealed(_entry_path(directory, key), {"key": key, "svg": svg, "alt": alt, "html": html})
    except OSError:
        pass  # the cache only saves time


# --- what show() calls ----------------------------------------------------------------------------

class Lookup:
    """One show() call's dealings with the cache: `hit` after construction, `store` after drawing."""

    def __init__(self, spec, title: bool):
        self.spec = spec
        self.hit: tuple[str, str, str] | None = None
        self.directory = enabled()
        self.key: str | None = None
        self.data: dict[str, str] | None = None
        if self.directory is None:
            return
        context = _current_context()
        data = data_digests(spec)
        if context is None or data is None:
            return
        self.data = data
        self.key = figure_key(spec, title, data, context)
        if os.environ.get(FRESH_ENV) != "1":
            self.hit = get(self.directory, self.key)
        _counts["cached" if self.hit else "drawn"].append(spec.label)

    def store(self, svg: str, alt: str, html: str) -> None:
        if self.key is None or self.data is None:
            return
        # A dataset saved while the figure was drawn: the drawing may show either version, so
        # it is not stored under the key of the first.
        if data_digests(self.spec) != self.data:
            return
        put(self.directory, self.key, svg, alt, html)


def take_counts() -> dict[str, list[str]]:
    out = {k: list(v) for k, v in _counts.items()}
    for v in _counts.values():
        v.clear()
    return out
