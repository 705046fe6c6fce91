"""The Quarto test group: the real book rendered once per session by the real Quarto CLI (the kit
that ../shared/quarto/assemble.sh builds) and once by the embedded engine, both through
`report build`, from one scratch copy of the repository and one commit.

The kit is found at $QUARTO_KIT (default ~/.cache/quarto-kit-1.9.38). Without it the group skips,
saying so; with REPORT_REQUIRE_QUARTO=1 (set by .ci/run, which assembles the kit) it fails instead.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from project_copy import copy_project as _copy

REPO = Path(__file__).resolve().parents[2]
KIT_VERSION = "1.9.38"


def kit_dir() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / f"quarto-kit-{KIT_VERSION}"
    return Path(os.environ.get("QUARTO_KIT") or default)


def quarto_bin() -> Path | None:
    """The kit's quarto, else a quarto of the same version on PATH (a CI runner that installs
    Quarto its own way, such as GitHub Actions with quarto-actions/setup)."""
    candidate = kit_dir() / "bin" / "quarto"
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate
    import shutil

    on_path = shutil.which("quarto")
    if on_path:
        try:
            version = subprocess.run([on_path, "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None
        if version == KIT_VERSION:
            return Path(on_path)
    return None


def pytest_configure(config):
    config.addinivalue_line("markers", "quarto: renders the book with the real Quarto CLI (tests/quarto)")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.quarto)


@pytest.fixture(scope="session")
def quarto() -> Path:
    found = quarto_bin()
    if found is None:
        reason = (f"no Quarto kit at {kit_dir()} (run `bash ../shared/quarto/assemble.sh` "
                  f"or set QUARTO_KIT)")
        if os.environ.get("REPORT_REQUIRE_QUARTO"):
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def quarto_env(quarto: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{quarto.parent}{os.pathsep}{env.get('PATH', '')}"
    env["QUARTO_PYTHON"] = sys.executable
    return env


def copy_project(dest: Path) -> Path:
    return _copy(dest, commit=True)


def report_build(root: Path, engine: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "report.cli", "build", "--project", str(root),
                           "--engine", engine, *args], cwd=root, env=env, capture_output=True, text=True,
                          timeout=1800)


@pytest.fixture(scope="session")
def source(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("quarto") / "source")


@pytest.fixture(scope="session")
def quarto_build(quarto, source, tmp_path_factory):
    """`report build --engine quarto` (HTML and PDF) of a copy of `source`: (root, output)."""
    root = tmp_path_factory.mktemp("quarto") / "book"
    shutil.copytree(source, root)
    result = report_build(root, "quarto", quarto_env(quarto))
    assert result.returncode == 0, result.stdout + result.stderr
    return root, result.stdout + result.stderr


@pytest.fixture(scope="session")
def embedded_build(source, tmp_path_factory):
    root = tmp_path_factory.mktemp("embedded") / "book"
    shutil.copytree(source, root)
    env = dict(os.environ)
    env.pop("QUARTO_PROFILE", None)
    result = report_build(root, "embedded", env, "--fresh")
    assert result.returncode == 0, result.stdout + result.stderr
    return root, result.stdout + result.stderr
