"""Fixtures: a throwaway copy of the project's data, so tests can break files freely."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from data_support import DERIVED_FILES, MIXED_FILES, RAW

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A minimal project (``_quarto.yml`` + a copy of ``data/``) that project_root() resolves to."""
    root = tmp_path / "proj"
    root.mkdir()
    # The real _quarto.yml: its `report:` section names the publication's pipeline and checks.
    shutil.copy2(ROOT / "_quarto.yml", root / "_quarto.yml")
    shutil.copytree(ROOT / "data", root / "data", ignore=shutil.ignore_patterns("raw"))
    monkeypatch.setenv("QUARTO_PROJECT_DIR", str(root))
    monkeypatch.delenv("REPORT_RAW_DIR", raising=False)
    return root


@pytest.fixture
def raw_dir() -> Path:
    if not RAW.is_dir():
        pytest.skip(f"raw inputs not available at {RAW} (the shared local mirror of the public files)")
    return RAW


@pytest.fixture
def derived(project, raw_dir) -> Path:
    """A scratch project after a fresh `report data` run. Before it, the files `report data` writes
    were deleted, and the derived rows taken out of the files it shares with the reconstruction."""
    from report.cli import main

    data = project / "data"
    for name in DERIVED_FILES:
        (data / name).unlink()
    for name in MIXED_FILES:
        lines = (data / name).read_text(encoding="utf-8").splitlines(keepends=True)
        (data / name).write_text("".join(ln for ln in lines if not ln.rstrip("\n").endswith(",derived")),
                                 encoding="utf-8")
    res = CliRunner().invoke(main, ["data", "--raw-dir", str(raw_dir)])
    assert res.exit_code == 0, res.output
    return project
