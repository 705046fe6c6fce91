"""Build beside `_book/` and replace it only when everything succeeded.

A build writes into `_book.build-XXXX/out` and, at the end, moves `_book` aside to
`_book.build-XXXX/previous` and `out` into its place: two renames, so a build killed between
them leaves no `_book/` at all. Each staging directory is locked (flock) for as long as its build
runs; the lock dies with the process however it ends. So the next build can tell a dead build's
leftovers from a live one's, put a `previous` back where `_book/` is missing, and remove the
rest. The swap itself, and that clean-up, hold a lock on the project directory, so two builds
of one project never interleave their renames (the last to finish wins).
"""
from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

# --- Test hook ------------------------------------------------------------------------------
# The hostile tests kill a build at a named phase, or hold it there while another build runs.
# With REPORT_TEST_STOP_AT=<phase> the build, on reaching that phase, writes its pid to the file
# REPORT_TEST_STOP_MARKER names and waits until that file is deleted (or two minutes pass), so a
# test acts at exactly that point instead of sleeping and hoping. Unset, a checkpoint costs one
# dictionary lookup. Phases: start, validated, cache-write, executed, rendered, swap (between
# the two renames), swapped.
STOP_AT_ENV = "REPORT_TEST_STOP_AT"
STOP_MARKER_ENV = "REPORT_TEST_STOP_MARKER"
STOP_WAIT_SECONDS = 120


def checkpoint(phase: str) -> None:
    if os.environ.get(STOP_AT_ENV) != phase:
        return
    marker = os.environ.get(STOP_MARKER_ENV)
    if not marker:
        return
    Path(marker).write_text(f"{os.getpid()}\n", encoding="utf-8")
    deadline = time.monotonic() + STOP_WAIT_SECONDS
    while os.path.exists(marker) and time.monotonic() < deadline:
        time.sleep(0.02)


# --- Locks ----------------------------------------------------------------------------------

@contextmanager
def _flock(path: Path, blocking: bool = True) -> Iterator[bool]:
    """An exclusive flock on a directory; yields False when not blocking and already held."""
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _stages(book_dir: Path) -> list[Path]:
    prefix = f"{book_dir.name}.build-"
    try:
        names = os.listdir(book_dir.parent)
    except OSError:
        return []
    return sorted(book_dir.parent / n for n in names
                  if n.startswith(prefix) and (book_dir.parent / n).is_dir() and not (book_dir.parent / n).is_symlink())


def _recover_unlocked(book_dir: Path) -> list[str]:
    notes = []
    for stage in _stages(book_dir):
        try:
            with _flock(stage, blocking=False) as mine:
                if not mine:
                    continue  # a build running now
                previous = stage / "previous"
                if previous.is_dir() and not os.path.lexists(book_dir):
                    os.replace(previous, book_dir)
                    notes.append(f"{book_dir.name}/ was missing after an interrupted build; restored the "
                                 f"previous output from {stage.name}")
                shutil.rmtree(stage, ignore_errors=True)
        except OSError as exc:
            notes.append(f"could not clean up {stage.name} left by an interrupted build: {exc.strerror or exc}")
    return notes


def recover(book_dir: Path) -> list[str]:
    """Undo what builds that died left behind; returns what was done, for the reporter. Never
    raises: a project that cannot be written fails later with its own message."""
    book_dir = Path(book_dir)
    if not book_dir.parent.is_dir() or not _stages(book_dir):
        return []
    try:
        with _flock(book_dir.parent):
            return _recover_unlocked(book_dir)
    except OSError as exc:
        return [f"could not check for interrupted builds: {exc.strerror or exc}"]


@contextmanager
def staged_output(book_dir: Path) -> Iterator[tuple[Path, Path]]:
    """Yields (out, work): `out` becomes `book_dir` on success; on any error nothing changes.

    Both live in one temporary directory next to `book_dir` (same filesystem, so the final
    step is a rename, not a copy).
    """
    book_dir = Path(book_dir)
    book_dir.parent.mkdir(parents=True, exist_ok=True)
    with _flock(book_dir.parent):
        _recover_unlocked(book_dir)
        stage = Path(tempfile.mkdtemp(prefix=f"{book_dir.name}.build-", dir=book_dir.parent))
        # Locked before the project lock is released, so no other build's clean-up sees it unlocked.
        stage_fd = os.open(stage, os.O_RDONLY)
        fcntl.flock(stage_fd, fcntl.LOCK_EX)
    try:
        out, work = stage / "out", stage / "work"
        out.mkdir()
        work.mkdir()
        yield out, work
        with _flock(book_dir.parent):
            old = None
            if os.path.lexists(book_dir):
                old = stage / "previous"
                os.replace(book_dir, old)
            checkpoint("swap")
            try:
                os.replace(out, book_dir)
            except OSError:
                if old is not None:
                    os.replace(old, book_dir)
                raise
            checkpoint("swapped")
    finally:
        # REPORT_KEEP_BUILD=1 leaves the intermediate files (book.typ, book.json) for debugging.
        if os.environ.get("REPORT_KEEP_BUILD"):
            print(f"kept build directory {stage}")
        else:
            shutil.rmtree(stage, ignore_errors=True)
        os.close(stage_fd)
