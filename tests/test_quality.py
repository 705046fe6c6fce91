"""Project-wide checks CI runs with the tests: own words (copycheck) and Quarto syntax (panache)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COPYCHECK = ROOT.parent / "shared" / "tools" / "copycheck"


@pytest.mark.skipif(not COPYCHECK.exists(), reason=f"copycheck not found at {COPYCHECK}")
def test_no_text_copied_from_the_publication():
    # copycheck scans the git-tracked text files; exit 1 lists each copied span.
    run = subprocess.run([sys.executable, str(COPYCHECK)], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, f"copied spans found:\n{run.stdout}{run.stderr}"


def book_sources():
    return [ROOT / "index.qmd", *sorted((ROOT / "chapters").glob("*.qmd"))]


@pytest.mark.skipif(shutil.which("panache") is None, reason="panache-cli not installed (pip install -e '.[dev]')")
def test_chapters_pass_panache_lint():
    sources = [str(p.relative_to(ROOT)) for p in book_sources() if p.exists()]
    assert sources, "no chapters to lint"
    run = subprocess.run(["panache", "lint", *sources], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, f"panache lint found problems:\n{run.stdout}{run.stderr}"
