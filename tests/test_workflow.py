"""The GitHub Actions workflow is valid and runs exactly the README's two commands."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "report.yml"


def readme_commands() -> list[str]:
    block = re.search(r"## Two commands.*?```sh\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    assert block, "README has no 'Two commands' block"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_workflow_validates_against_the_github_schema():
    # check-jsonschema carries SchemaStore's workflow schema, so this runs offline.
    out = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                          str(WORKFLOW)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_workflow_runs_the_readme_commands_and_publishes():
    wf = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = wf[True]  # YAML 1.1 reads the key `on` as true
    assert {"push", "pull_request", "repository_dispatch"} <= set(triggers)
    build = wf["jobs"]["build"]["steps"]
    runs = [s.get("run") for s in build if s.get("run")]
    install_build, tests = readme_commands()
    assert install_build in runs and tests in runs
    assert runs.index(install_build) < runs.index(tests)
    uses = [s.get("uses", "") for s in build]
    assert any(u.startswith("actions/upload-artifact@") for u in uses)
    publish = wf["jobs"]["publish"]
    assert publish["needs"] == "build" and "refs/heads/main" in publish["if"]
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in publish["steps"])
    assert publish["permissions"] == {"pages": "write", "id-token": "write"}
