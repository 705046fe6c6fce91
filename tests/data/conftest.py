"""Fixtures: a throwaway copy of the project's data, so tests can break files freely."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RAW = (ROOT / ".." / "shared" / "data" / "raw").resolve()


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A minimal project (``_quarto.yml`` + a copy of ``data/``) that project_root() resolves to."""
    root = tmp_path / "proj"
    root.mkdir()
    (root / "_quarto.yml").write_text("project:\n  type: book\n", encoding="utf-8")
    shutil.copytree(ROOT / "data", root / "data", ignore=shutil.ignore_patterns("raw"))
    monkeypatch.setenv("QUARTO_PROJECT_DIR", str(root))
    monkeypatch.delenv("REPORT_RAW_DIR", raising=False)
    return root


@pytest.fixture
def raw_dir() -> Path:
    if not RAW.is_dir():
        pytest.skip(f"raw inputs not available at {RAW} (the shared local mirror of the public files)")
    return RAW
