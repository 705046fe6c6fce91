"""A scratch copy of the repository's book for a benchmark to build (run.py, lighthouse/run.py)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def scratch_copy(dest: Path) -> Path:
    """The repository's tracked files as they are in the working tree; nothing built or cached."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for rel in files.decode().split("\0"):
        # Not the book: the test suite, these benchmarks, the second publication, the exports.
        if not rel or rel.startswith(("tests/", "benchmarks/", "examples/", "_figures/")):
            continue
        src = REPO / rel
        if not src.is_file():  # deleted in the working tree, or a submodule
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)
    for built in ("_book", ".report-cache"):
        shutil.rmtree(dest / built, ignore_errors=True)
    return dest
