"""HTML builds for the preview server, in a process of their own, reporting as JSON lines.

The process lives for many builds: it imports the engine once and keeps a pool of Jupyter
kernels warm between builds (report.engine.execute.KernelPool), so a rebuild pays neither. The
server replaces it when Python code under `src/` changes (this process has the old code
imported) or when it dies; a crash in a build cannot take the server down.

Each build also renders the chapters that changed on their own, ahead of the whole page, when the
rest of the page cannot have changed (report.preview.fastpath); the server splices those sections
into the page the browser shows, then checks the page against the full render when it arrives.

Protocol (one JSON object per line on the original stdout; one line per command on stdin):
  {"type": "ready"}                              imports done, waiting for "build"
  {"type": "step", "chapter": ..., "step": ...}  engine progress
  {"type": "warn", "message": ...}
  {"type": "sections", "path": ..., "seconds": ...}  the changed chapters' sections, as a JSON
                                                 file {id: outer HTML}, before the full page
  {"type": "done", "seconds": ..., "executed": [...], "cached": [...], "cells": n,
   "figures_drawn": [...], "figures_cached": [...]}
  {"type": "error", "message": ..., "kind": "build" | "crash"}
"build" starts a build; end of input (the server closing the pipe) ends the process.
Anything else the build prints (fd 1 and 2) goes to stderr, so it cannot corrupt the protocol.
"""
from __future__ import annotations

import json
import os
import sys
import threading
import time
import traceback
from pathlib import Path


def _protocol_stream():
    # Chapter code, pandoc or a stray print() could write to fd 1; keep a private copy of the
    # real stdout for messages and point fd 1 at stderr.
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return proto


class _Reporter:
    def __init__(self, out):
        self.out = out
        self._lock = threading.Lock()  # the engine reports from its kernels' threads too

    def send(self, **message) -> None:
        line = json.dumps(message) + "\n"
        with self._lock:
            self.out.write(line)
            self.out.flush()

    def step(self, chapter: str, step: str) -> None:
        self.send(type="step", chapter=chapter, step=step)

    def warn(self, message: str) -> None:
        self.send(type="warn", message=message)


BOOK_RECORD = Path(".report-cache") / "preview-book.json"  # the assembled book behind _book/index.html


def _page_sha(root: Path) -> str | None:
    import hashlib

    try:
        return hashlib.sha256((root / "_book" / "index.html").read_bytes()).hexdigest()
    except OSError:
        return None


class QuickRender:
    """Renders the changed chapters (fastpath) once the book is assembled, before the page."""

    def __init__(self, root: Path, reporter: _Reporter):
        self.root = root
        self.reporter = reporter
        self.previous: dict | None = None  # the last successfully built book, as assembled
        self.pending: dict | None = None
        self.serial = 0

    def _recorded(self) -> dict | None:
        """The assembled book a previous preview session left, if `_book/index.html` is still the
        page made from it: the first edit after a restart can then be rendered quickly too."""
        try:
            record = json.loads((self.root / BOOK_RECORD).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or record.get("page") != _page_sha(self.root):
            return None
        return record.get("doc")

    def on_assembled(self, config, doc, results) -> None:
        from . import fastpath

        # The build only reads the assembled book from here on (render keys, pandoc input), so
        # keeping a reference is enough.
        self.pending = doc
        if self.previous is None:
            self.previous = self._recorded()
        planned = fastpath.plan(self.previous, doc)
        if planned is None:
            return
        # On the build's own thread, before the page is rendered: the author waits for these
        # sections, not for the page, which follows a quarter of a second later. Run side by side
        # the two pandoc processes and the build's own work compete for two cores, and both lose.
        keep, ids = planned
        self.serial += 1
        out = self.root / fastpath.WORK_DIR.parent / f"preview-sections-{os.getpid()}-{self.serial}.json"
        t0 = time.monotonic()
        try:
            sections = fastpath.render_sections(config, doc, results, keep, ids)
            if sections is None:
                return
            out.write_text(json.dumps(sections), encoding="utf-8")
        except Exception:  # noqa: BLE001 - the quick render is optional; the full one reports
            self.reporter.warn("quick render failed (the full page follows):\n" + traceback.format_exc(limit=3))
            return
        self.reporter.send(type="sections", path=str(out), seconds=time.monotonic() - t0)

    def finish(self, ok: bool) -> None:
        """After the build: remember the book when the build succeeded."""
        if ok and self.pending is not None:
            self.previous = self.pending
        self.pending = None

    def record(self) -> None:
        """Write down the book behind the page just built (after "done": off the author's wait)."""
        if self.previous is None:
            return
        from report.cachefile import write_atomic

        try:
            write_atomic(self.root / BOOK_RECORD, json.dumps({"page": _page_sha(self.root), "doc": self.previous}))
        except OSError:
            pass  # only the first quick render of the next session is lost


def _warm(root: Path, pool) -> None:
    """Start the pool's kernels now, preloading what the book's chapters import, so the first
    rebuild finds them booted. Anything wrong here is the first build's to report."""
    try:
        from report.engine.build import kernel_template
        from report.engine.config import load_config
        from report.engine.execute import imported_modules
        from report.engine.qmd import parse_qmd

        config = load_config(root)
        docs = []
        for rel in config.chapter_paths:
            try:
                docs.append(parse_qmd(root / rel, (root / rel).read_text(encoding="utf-8")))
            except Exception:  # noqa: BLE001 - an unreadable chapter is the build's error
                continue
        pool.warm(kernel_template(config, imported_modules(docs)))
    except Exception:  # noqa: BLE001
        pass


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m report.preview.worker PROJECT_ROOT", file=sys.stderr)
        return 2
    root = Path(argv[0]).resolve()
    reporter = _Reporter(_protocol_stream())
    try:
        from report.engine.build import build, default_kernels
        from report.engine.errors import BuildError
        from report.engine.execute import KernelPool
    except Exception:  # noqa: BLE001 - a broken engine import is a build error for the author to see
        reporter.send(type="error", kind="crash", message="could not import the engine:\n" + traceback.format_exc())
        return 1
    raw = os.environ.get("REPORT_KERNELS", "").strip()
    pool = KernelPool(int(raw) if raw.isdigit() and int(raw) > 0 else default_kernels())
    quick = QuickRender(root, reporter)
    reporter.send(type="ready")
    _warm(root, pool)
    try:
        for line in sys.stdin:
            if line.strip() != "build":
                continue
            try:
                result = build(root, "html", reporter, pool=pool, on_assembled=quick.on_assembled)
            except BuildError as exc:
                quick.finish(False)
                reporter.send(type="error", kind="build", message=str(exc))
                continue
            except Exception:  # noqa: BLE001 - an engine bug still has to reach the page, with its traceback
                quick.finish(False)
                reporter.send(type="error", kind="crash", message=traceback.format_exc())
                return 1
            quick.finish(True)
            reporter.send(
                type="done",
                seconds=result.seconds,
                executed=result.chapters_executed,
                cached=result.chapters_cached,
                cells=result.cells_executed,
                figures_drawn=result.figures_drawn,
                figures_cached=result.figures_cached,
            )
            quick.record()
    finally:
        pool.close()
        import shutil

        from .fastpath import work_dir

        shutil.rmtree(work_dir(root), ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
