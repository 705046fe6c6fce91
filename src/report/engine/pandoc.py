"""Running the pandoc binary shipped in the pypandoc-binary wheel."""
from __future__ import annotations

import re
import subprocess
from functools import lru_cache
from pathlib import Path

from .errors import BuildError

FILTERS = Path(__file__).parent / "filters"
RESOURCES = Path(__file__).parent / "resources"
_FILTER_ERROR = re.compile(r"REPORT-ERROR: (.*?) :REPORT-ERROR", re.S)


@lru_cache(maxsize=1)
def pandoc_path() -> str:
    try:
        import pypandoc
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise BuildError("pypandoc-binary is not installed: pip install pypandoc-binary") from exc
    path = pypandoc.get_pandoc_path()
    if not path:
        raise BuildError("pandoc not found (pypandoc.get_pandoc_path() returned nothing)")
    return path


@lru_cache(maxsize=1)
def pandoc_version() -> str:
    out = subprocess.run([pandoc_path(), "--version"], capture_output=True, text=True, check=True).stdout
    return out.splitlines()[0].split()[-1]


def run_pandoc(args: list[str], *, cwd: Path, input_text: str | None = None, what: str) -> tuple[str, str]:
    """Run pandoc; returns (stdout, stderr). Messages raised by our Lua filters come back clean."""
    proc = subprocess.run(
        [pandoc_path(), *args],
        input=input_text,
        capture_output=True,
        text=True,
        cwd=cwd,
        encoding="utf-8",
    )
    if proc.returncode != 0:
        m = _FILTER_ERROR.search(proc.stderr)
        if m:
            raise BuildError(m.group(1).strip())
        raise BuildError(f"pandoc failed while {what}:\n{proc.stderr.strip()}")
    return proc.stdout, proc.stderr
