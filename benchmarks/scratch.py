"""A scratch copy of the repository's book for a benchmark to build (run.py, lighthouse/run.py),
and the edits the benchmarks make to it (run.py, preview_bench.py)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# The edits: one value of Figure 16's data (Chapter 3 and the Data and methods appendix read the
# file), and a sentence in one chapter.
DATASET = "data/fig16_childcare.csv"
ROW = "Non-deprived,Good or outstanding providers,"
CHAPTER = "chapters/05-social-capital.qmd"


def set_value(project: Path, value: int) -> None:
    """The first number of DATASET's row ROW set to `value`."""
    path = project / DATASET
    out = []
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith(ROW):
            line = f"{ROW}{value},{line[len(ROW):].split(',', 1)[1]}"
        out.append(line)
    path.write_text("".join(out), encoding="utf-8")


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
