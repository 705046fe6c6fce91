"""Where the PDF's Typst is written, and Typst's memory of the last build.

Typst remembers what it has laid out (comemo) for as long as a process lives, keyed on the
files it read, by their path in the project and their content. Each build is a new process and
wrote its Typst into a staging directory of its own, so every compile began from nothing (~0.3 s
for the book). Here a build writes it to `.report-cache/typst/` instead, where the next build
finds it: a build that executes chapters first lays out what the last one left there, on the
core the kernel leaves idle, and its own compile then redoes only what changed (~0.05–0.1 s when
a dataset changed a few numbers). A build that only replays chapters (an edit to the prose) has
no idle core to spare, and one that executes nothing has nothing to compile. The warm-up writes
nothing, and the PDF does not depend on it: Typst lays out the same input the same way,
remembered or not.

One build at a time writes there (flock); a build that finds the directory in use writes its
Typst into its own staging directory, as before, without a warm-up. So does a build whose cache
directory is a symbolic link: this one is emptied before each write, and must be the project's.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import threading
from pathlib import Path

from .config import BookConfig

TYPST_DIR = "typst"  # under the project's cache directory
MAIN = "book.typ"


class TypstDir:
    """Use as a context manager around the build; `path()` is where to write the Typst."""

    def __init__(self, root: Path, cache_dir: str, fallback: Path):
        self.root = Path(root).resolve()
        self.stable = self.root / cache_dir / TYPST_DIR
        self.fallback = Path(fallback)
        self._fd: int | None = None
        self._warming: threading.Thread | None = None

    def __enter__(self) -> TypstDir:
        if any(p.is_symlink() for p in (self.stable.parent, self.stable)):
            return self
        try:
            self.stable.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.stable, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_DIRECTORY", 0))
        except OSError:
            return self  # an unwritable cache only costs the warm-up
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)  # another build is using it
            return self
        self._fd = fd
        return self

    def __exit__(self, *exc) -> None:
        self._join()
        if self._fd is not None:
            os.close(self._fd)  # releases the lock
            self._fd = None

    @property
    def locked(self) -> bool:
        return self._fd is not None

    def warm(self, config: BookConfig) -> None:
        """Lay out the last build's Typst on a worker thread (Typst releases the GIL), if there
        is one and this build holds the directory. Errors are of no interest: the inputs may be
        those of a build that failed."""
        main = self.stable / MAIN
        if not self.locked or self._warming is not None or not main.is_file():
            return

        def run() -> None:
            import typst

            from .render_typst import world_options

            with contextlib.suppress(Exception):  # see above
                # A query lays the document out like a compile, without writing a PDF.
                typst.query(str(main), "<report-warm-up>", **world_options(config))

        self._warming = threading.Thread(target=run, name="report-typst-warm", daemon=True)
        self._warming.start()

    def _join(self) -> None:
        if self._warming is not None:
            self._warming.join()
            self._warming = None

    def path(self) -> Path:
        """An empty directory for this build's Typst: the stable one once the warm-up has read
        it, else the staging fallback."""
        if not self.locked:
            return self.fallback
        self._join()
        for entry in os.scandir(self.stable):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
        return self.stable
