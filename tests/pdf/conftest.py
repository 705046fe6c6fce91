"""The real book's PDF, built once per session by the embedded engine from a scratch copy of the
repository (tests/quarto reads Quarto's PDF with the same helpers, pdfview.py)."""
from __future__ import annotations

from pathlib import Path

import pytest
from project_copy import copy_project
from click.testing import CliRunner
from pypdf import PdfReader

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def book(tmp_path_factory) -> Path:
    from report.engine.cli import build

    root = copy_project(tmp_path_factory.mktemp("pdf") / "book")
    result = CliRunner().invoke(build, ["--project", str(root), "--engine", "embedded", "--quiet", "--to", "pdf"])
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture(scope="session")
def reader(book) -> PdfReader:
    return PdfReader(book / "_book" / "breaking-the-cycle.pdf")
