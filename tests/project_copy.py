"""A scratch copy of this repository's publication, for tests that build the real book.

Only git-tracked files, and not the tests, exported figures, benchmarks or the second
publication, so a build sees what a fresh clone would."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LEFT_OUT = ("tests/", "_figures/", "benchmarks/", "examples/")


def copy_project(dest: Path, commit: bool = False) -> Path:
    """Copy into `dest`; with `commit`, make it a one-commit git repository so the colophon names
    one commit in every build made from the copy."""
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for rel in filter(None, tracked.decode().split("\0")):
        if rel.startswith(LEFT_OUT):
            continue
        src, dst = REPO / rel, dest / rel
        if src.is_file():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    if commit:
        git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org"]
        subprocess.run(["git", "init", "-q"], cwd=dest, check=True)
        subprocess.run(["git", "add", "-A"], cwd=dest, check=True)
        subprocess.run([*git, "commit", "-q", "-m", "scratch copy"], cwd=dest, check=True)
    return dest
