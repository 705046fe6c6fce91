"""The tool is not this publication: `report new` starts another that builds at once, the second
publication in examples/ builds with the tool unchanged, and every project's copy of the report
extension is the tool's own."""
from __future__ import annotations

import filecmp
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from report.cli import main
from report.new import shared_files

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "policy-spotlight"


def build(project: Path):
    return subprocess.run([sys.executable, "-m", "report.cli", "build", "--engine", "embedded", "--project", str(project)],
                          capture_output=True, text=True, timeout=600)


def test_report_new_builds_at_once_to_html_and_pdf(tmp_path):
    target = tmp_path / "new-book"
    res = CliRunner().invoke(main, ["new", str(target), "--title", "Parks and people", "--author", "A Trust",
                                    "--accent", "005EA5"])
    assert res.exit_code == 0, res.output
    cfg = (target / "_quarto.yml").read_text(encoding="utf-8")
    assert 'title: "Parks and people"' in cfg and 'accent: "005EA5"' in cfg and "output-file: parks-and-people" in cfg
    readme = (target / "README.md").read_text(encoding="utf-8")
    assert "&& report build" in readme and "&& python -m pytest" in readme
    out = build(target)
    assert out.returncode == 0, out.stdout + out.stderr
    html = (target / "_book" / "index.html").read_text(encoding="utf-8")
    # the chapter's chart through the registry, its inline number and citation, its callout
    assert "Figure 1:" in html and "251" in html and "Quarto" in html and "How a number reaches the text" in html
    assert (target / "_book" / "parks-and-people.pdf").read_bytes()[:5] == b"%PDF-"
    # and the new project's own test passes
    test = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(target / "tests")],
                          capture_output=True, text=True, cwd=target, timeout=600)
    assert test.returncode == 0, test.stdout + test.stderr


def test_report_new_refuses_a_directory_in_use(tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine", encoding="utf-8")
    res = CliRunner().invoke(main, ["new", str(tmp_path / "busy")])
    assert res.exit_code == 1 and "already exists and is not empty" in res.output
    assert (tmp_path / "busy" / "notes.txt").read_text(encoding="utf-8") == "mine"
    res = CliRunner().invoke(main, ["new", str(tmp_path / "fresh"), "--accent", "navy"])
    assert res.exit_code == 1 and "six hex digits" in res.output


def test_the_second_publication_builds_with_the_tool_unchanged(tmp_path):
    project = tmp_path / "policy-spotlight"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("_book", "_book.*", ".report-cache"))
    out = build(project)
    assert out.returncode == 0, out.stdout + out.stderr
    test = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(project / "tests")],
                          capture_output=True, text=True, cwd=project, timeout=600)
    assert test.returncode == 0, test.stdout + test.stderr


@pytest.mark.parametrize("project", [ROOT, EXAMPLE], ids=["breaking-the-cycle", "policy-spotlight"])
def test_installed_house_files_are_the_tools_own(project):
    # Like `quarto add`, each project holds copies of the report extension (the figure-numbering
    # rule both engines load), the Typst house layout and the citation style; they must be the
    # tool's (src/report/starter/shared), not drifted forks. Change them there and copy them over.
    for rel, src in shared_files().items():
        assert filecmp.cmp(src, project / rel, shallow=False), f"{project / rel} differs from the tool's {src}"
