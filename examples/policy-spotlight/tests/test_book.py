"""This publication builds with the report tool unchanged, and states only the paper's numbers."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_book_builds_and_states_the_papers_numbers():
    out = subprocess.run([sys.executable, "-m", "report.cli", "build", "--engine", "embedded", "--project", str(ROOT)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    html = (ROOT / "_book" / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Figure 1" in text and "Figure 2" in text
    for stated in ("1,028", "39", "150", "32", "36"):  # from data/, all marked publication
        assert stated in text
    assert (ROOT / "_book" / "policy-spotlight.pdf").stat().st_size > 0
