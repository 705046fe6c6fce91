"""Files the tool keeps between builds (caches, records): written whole or not at all, and read
back only if they are what was written.

Two builds of one project may write the same file at once, and a build may be killed while it
writes: each write goes to a file of its own process first and replaces the old one in one step.
A sealed file carries the sha256 of its body, so a damaged one reads as damaged, not as data.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write `data` to `path` in one step; raises OSError, leaving no temporary file behind."""
    path = Path(path)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            tmp.write_bytes(data)
        else:
            tmp.write_text(data, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise


def _digest(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def seal(body: dict) -> str:
    """`body` as the JSON text of a sealed file."""
    return json.dumps({"sha256": _digest(body), "body": body}, sort_keys=True)


def unseal(text: str) -> dict:
    """The body of a sealed file's text; ValueError when it is not one or was changed."""
    entry = json.loads(text)
    if not isinstance(entry, dict) or not isinstance(entry.get("body"), dict):
        raise ValueError("not a sealed file")  # noqa: TRY004 - damaged data, as a bad checksum is
    if entry.get("sha256") != _digest(entry["body"]):
        raise ValueError("checksum mismatch")
    return entry["body"]


def write_sealed(path: Path, body: dict) -> None:
    write_atomic(path, seal(body))


def read_sealed(path: Path) -> dict:
    """The body of the sealed file at `path`; OSError or ValueError when it cannot be had."""
    return unseal(Path(path).read_text(encoding="utf-8"))
