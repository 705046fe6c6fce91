"""Where things are. Every module asks here instead of guessing from its own location."""
from __future__ import annotations

import os
from pathlib import Path

RAW_DIR_ENV = "REPORT_RAW_DIR"


class ProjectNotFound(RuntimeError):
    pass


def project_root(start: Path | None = None) -> Path:
    """The directory holding `_quarto.yml`.

    Quarto sets QUARTO_PROJECT_DIR for code it runs; the embedded engine does the same, so code
    in chapters and figures finds the project the same way under both engines.
    """
    env = os.environ.get("QUARTO_PROJECT_DIR")
    if env and (Path(env) / "_quarto.yml").is_file():
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / "_quarto.yml").is_file():
            return d
    raise ProjectNotFound(f"no _quarto.yml in {here} or any parent directory: run this inside the report project")


def data_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "data"


def raw_dir(root: Path | None = None, override: str | os.PathLike | None = None) -> Path:
    """Raw public inputs: --raw-dir, else $REPORT_RAW_DIR, else data/raw (git-ignored)."""
    if override:
        return Path(override).resolve()
    env = os.environ.get(RAW_DIR_ENV)
    if env:
        return Path(env).resolve()
    return data_dir(root) / "raw"


def figures_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "figures"


def templates_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "templates"


def resolve_project(project: str | os.PathLike | None) -> Path:
    """The project a command works on: --project if given (it must hold _quarto.yml), else the
    one around the current directory."""
    if project:
        root = Path(project).resolve()
        if not (root / "_quarto.yml").is_file():
            raise ProjectNotFound(f"{root}: no _quarto.yml here")
        return root
    return project_root()
