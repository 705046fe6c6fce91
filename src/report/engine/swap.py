"""Build beside `_book/` and replace it only when everything succeeded."""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def staged_output(book_dir: Path) -> Iterator[tuple[Path, Path]]:
    """Yields (out, work): `out` becomes `book_dir` on success; on any error nothing changes.

    Both live in one temporary directory next to `book_dir` (same filesystem, so the final
    step is a rename, not a copy).
    """
    book_dir = Path(book_dir)
    book_dir.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f"{book_dir.name}.build-", dir=book_dir.parent))
    out, work = stage / "out", stage / "work"
    out.mkdir()
    work.mkdir()
    try:
        yield out, work
        old = None
        if book_dir.exists():
            old = stage / "previous"
            os.replace(book_dir, old)
        try:
            os.replace(out, book_dir)
        except OSError:
            if old is not None:
                os.replace(old, book_dir)
            raise
    finally:
        # REPORT_KEEP_BUILD=1 leaves the intermediate files (book.typ, book.json) for debugging.
        if os.environ.get("REPORT_KEEP_BUILD"):
            print(f"kept build directory {stage}")
        else:
            shutil.rmtree(stage, ignore_errors=True)
