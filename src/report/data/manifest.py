"""Checking a raw-data directory against the manifest of files a pipeline accepts.

A publication lists its raw inputs (path, publisher, licence, download page, sha256) under
`raw_sources` in its data package; `verify_raw` refuses any file whose checksum differs, since a
silently updated upstream file would otherwise change everything derived from it.
"""
from __future__ import annotations

from pathlib import Path

from .errors import Problem, RawInputError


def sha256(path: Path) -> str:
    from report.hashing import file_sha256

    return file_sha256(path)


def verify_raw(raw_dir: Path, sources: list[dict], on_file=None) -> dict[str, Path]:
    """Check every manifest entry against `raw_dir`; raise RawInputError listing every mismatch."""
    if not raw_dir.is_dir():
        raise RawInputError([Problem(
            file=str(raw_dir), rule="raw_dir_present",
            message="raw-data directory not found; pass --raw-dir or set $REPORT_RAW_DIR to the folder holding "
                    f"the {len(sources)} files listed under raw_sources in data/datapackage.json",
        )])
    problems: list[Problem] = []
    found: dict[str, Path] = {}
    for src in sources:
        path = raw_dir / src["path"]
        if on_file:
            on_file(src["path"])
        if not path.is_file():
            problems.append(Problem(
                file=str(path), rule="raw_file_present",
                message=f"raw input is missing (download it from {src.get('homepage', 'its publisher')} "
                        f"or point --raw-dir / $REPORT_RAW_DIR at a directory holding it)",
            ))
            continue
        actual = sha256(path)
        if actual != src["sha256"]:
            problems.append(Problem(
                file=str(path), rule="raw_checksum", value=actual,
                message=f"sha256 mismatch: expected {src['sha256']}, actual {actual}; "
                        "the file differs from the one the manifest describes",
            ))
            continue
        found[src["path"]] = path
    if problems:
        raise RawInputError(problems)
    return found
