"""A publication's own parts, as its `_quarto.yml` declares them under `report:`.

The tool (engine, preview, validation, figure framework, tables through Jinja, claims,
formatting) knows nothing about any one publication. What belongs to a publication is declared
in its `_quarto.yml`, which Quarto passes through as plain metadata:

    report:
      figures: figures.yml                           # the figure registry (default: figures.yml)
      data: breaking_the_cycle.pipeline              # module behind `report data` (optional)
      tables:                                        # what `report tables` can render (optional)
        recommendations: breaking_the_cycle.recommendations:recommendations_table
      checks: [breaking_the_cycle.checks:derived_tables_agree]   # data checks across tables
      python-path: [lib]                             # project code, if it is not installed

Modules named here are imported only when the command that needs them runs, and the error for a
bad entry names the key and the value.
"""
from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from . import paths

KEY = "report"


class ProjectConfigError(ValueError):
    """An entry under `report:` in _quarto.yml that cannot be used."""


@dataclass(frozen=True)
class ProjectConfig:
    root: Path
    figures: Path
    data: str | None = None
    tables: dict[str, str] = field(default_factory=dict)
    checks: tuple[str, ...] = ()
    python_path: tuple[Path, ...] = ()

    def hook(self, spec: str, key: str) -> Callable[..., Any] | Any:
        """`module:attribute` (or a module) named under `report.<key>`, imported on demand."""
        add_python_path(self)
        module, _, attr = spec.partition(":")
        try:
            obj = importlib.import_module(module)
        except ImportError as exc:
            raise ProjectConfigError(
                f"{self.root / '_quarto.yml'}: report.{key}: cannot import {module!r} ({exc}); is the "
                "project's own package installed, or listed under report.python-path?") from None
        if not attr:
            return obj
        try:
            return getattr(obj, attr)
        except AttributeError:
            raise ProjectConfigError(f"{self.root / '_quarto.yml'}: report.{key}: {module} has no {attr!r}") from None


_cache: dict[Path, tuple[float, ProjectConfig]] = {}


def config(root: Path | None = None) -> ProjectConfig:
    """The `report:` section of the project's _quarto.yml (re-read when the file changes)."""
    root = Path(root).resolve() if root is not None else paths.project_root()
    path = root / "_quarto.yml"
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise paths.ProjectNotFound(f"{path}: {exc.strerror or exc}") from None
    hit = _cache.get(root)
    if hit and hit[0] == mtime:
        return hit[1]
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ProjectConfigError(f"{path}: invalid YAML: {exc}") from None
    section = data.get(KEY) if isinstance(data, dict) else None
    section = section or {}
    if not isinstance(section, dict):
        raise ProjectConfigError(f"{path}: `{KEY}:` must be a mapping")

    def rel(value, key: str) -> Path:
        if not isinstance(value, str) or not value:
            raise ProjectConfigError(f"{path}: {KEY}.{key} must be a file name, got {value!r}")
        return paths.confine(root, value, f"{KEY}.{key} in _quarto.yml")

    tables = section.get("tables") or {}
    if not isinstance(tables, dict) or not all(isinstance(v, str) for v in tables.values()):
        raise ProjectConfigError(f"{path}: {KEY}.tables must map names to module:function")
    checks = section.get("checks") or []
    if isinstance(checks, str):
        checks = [checks]
    pp = section.get("python-path") or []
    if isinstance(pp, str):
        pp = [pp]
    cfg = ProjectConfig(
        root=root,
        figures=rel(section.get("figures", "figures.yml"), "figures"),
        data=section.get("data"),
        tables={str(k): str(v) for k, v in tables.items()},
        checks=tuple(str(c) for c in checks),
        python_path=tuple(rel(p, "python-path") for p in pp),
    )
    _cache[root] = (mtime, cfg)
    return cfg


def add_python_path(cfg: ProjectConfig) -> None:
    for p in cfg.python_path:
        if str(p) not in sys.path:
            sys.path.insert(0, str(p))
