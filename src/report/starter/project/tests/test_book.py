"""The book builds to HTML and PDF, and the text states the data's numbers."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_book_builds_and_states_its_numbers():
    out = subprocess.run([sys.executable, "-m", "report.cli", "build", "--engine", "embedded", "--project", str(ROOT)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    html = (ROOT / "_book" / "index.html").read_text(encoding="utf-8")
    assert "Figure 1" in html
    assert "251" in html  # the latest library visits, from data/visits.csv
    assert next((ROOT / "_book").glob("*.pdf")).stat().st_size > 0
