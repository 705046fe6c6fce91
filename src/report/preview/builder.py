"""The rebuild loop: watch the sources, build HTML in a worker process, tell the browsers."""
from __future__ import annotations

import asyncio
import collections
import hashlib
import json
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from watchfiles import Change

from .watch import BookFilter, needs_fresh_worker

BOOK_HTML = Path("_book") / "index.html"
STDERR_TAIL = 60  # lines of a crashed worker's stderr shown with its error
PAGES_KEPT = 4  # recent pages a browser can be patched from


@dataclass
class Outcome:
    ok: bool
    seconds: float
    message: str = ""  # the error, when not ok
    executed: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    cells: int = 0
    figures_drawn: list[str] = field(default_factory=list)
    crashed: bool = False  # the worker process is gone or broken: start another


def transient_free(changes: set[tuple[Change, str]], book: BookFilter) -> set[str]:
    """Changed sources, less files that came and went within the batch (`sed -i`'s and editors'
    temporary copies): they are not sources and must not trigger or be reported as a change."""
    added = {path for change, path in changes if change == Change.added}
    out = set()
    for _, path in changes:
        if path in added and not os.path.exists(path):
            continue
        rel = book.relative(path)
        if rel is not None:
            out.add(rel)
    return out


class Worker:
    """A `report.preview.worker` process: started early, then told to build again and again; it
    keeps the engine imported and its kernels warm in between."""

    def __init__(self, proc: asyncio.subprocess.Process):
        self.proc = proc
        self.stderr: collections.deque[str] = collections.deque(maxlen=STDERR_TAIL)
        self._stderr_task = asyncio.create_task(self._drain_stderr())
        self._stdout = self._messages()
        self._ready = False

    @classmethod
    async def start(cls, root: Path) -> "Worker":
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "report.preview.worker", str(root),
            cwd=root,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            # Its own process group: Ctrl-C in the terminal reaches only the server, which then
            # stops the worker, its kernel and pandoc together and in order.
            start_new_session=True,
            limit=1 << 24,  # a traceback with a long cell can exceed asyncio's 64 KiB line default
        )
        return cls(proc)

    async def _drain_stderr(self) -> None:
        assert self.proc.stderr is not None
        async for line in self.proc.stderr:
            self.stderr.append(line.decode("utf-8", "replace").rstrip("\n"))

    @property
    def alive(self) -> bool:
        return self.proc.returncode is None

    async def _messages(self):
        assert self.proc.stdout is not None
        async for line in self.proc.stdout:
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                self.stderr.append(line.decode("utf-8", "replace").rstrip("\n"))

    async def build(self, on_step: Callable[[str, str], None], on_warn: Callable[[str], None],
                    on_sections: Callable[[str, float], None] | None = None) -> Outcome:
        t0 = time.monotonic()
        assert self.proc.stdin is not None
        sent = False

        async def send() -> None:
            self.proc.stdin.write(b"build\n")
            await self.proc.stdin.drain()

        try:
            if self._ready:
                await send()
                sent = True
            async for msg in self._stdout:
                kind = msg.get("type")
                if kind == "ready":
                    self._ready = True
                    if not sent:
                        await send()
                        sent = True
                elif kind == "step":
                    on_step(msg.get("chapter", ""), msg.get("step", ""))
                elif kind == "warn":
                    on_warn(msg.get("message", ""))
                elif kind == "sections":
                    if on_sections is not None:
                        on_sections(msg.get("path", ""), float(msg.get("seconds") or 0.0))
                elif kind == "done":
                    return Outcome(True, time.monotonic() - t0, executed=msg.get("executed", []),
                                   cached=msg.get("cached", []), cells=msg.get("cells", 0),
                                   figures_drawn=msg.get("figures_drawn", []))
                elif kind == "error":
                    crashed = msg.get("kind") == "crash"
                    if crashed:
                        await self.proc.wait()
                    return Outcome(False, time.monotonic() - t0, message=msg.get("message", "build failed"),
                                   crashed=crashed)
        except (BrokenPipeError, ConnectionResetError):
            pass
        code = await self.proc.wait()
        await self._stderr_task
        tail = "\n".join(self.stderr)
        return Outcome(False, time.monotonic() - t0, crashed=True,
                       message=f"the build process ended unexpectedly (exit code {code})\n\n{tail}".rstrip())

    async def discard(self) -> None:
        """Let a waiting worker exit by closing its stdin (it shuts its kernels down); stop it if
        it does not go within a few seconds."""
        if self.proc.stdin is not None and not self.proc.stdin.is_closing():
            self.proc.stdin.close()
        try:
            await asyncio.wait_for(self.proc.wait(), 5.0)
        except asyncio.TimeoutError:
            pass
        await self.stop(grace=2.0)

    async def stop(self, grace: float = 5.0) -> None:
        if self.alive:
            # SIGINT first: the engine then removes its staging directory and shuts its kernel
            # down; SIGKILL only if that does not finish in time.
            for sig, wait in ((signal.SIGINT, grace), (signal.SIGKILL, 5.0)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    await asyncio.wait_for(self.proc.wait(), wait)
                    break
                except asyncio.TimeoutError:
                    continue
        self._stderr_task.cancel()


class Preview:
    """State shared by the rebuild loop and the web server."""

    def __init__(self, root: Path, output, debounce_ms: int = 1600, step_ms: int = 50):
        """`output` is a report.console.Output: every line here may hold user text (file names,
        warnings, errors), which it prints literally. A batch of changes is built once no new
        change came for `step_ms` (an editor's save is a burst of events within milliseconds),
        or after `debounce_ms` of continuous changes."""
        self.root = Path(root).resolve()
        self.output = output
        self.filter = BookFilter(self.root)
        self.debounce_ms = debounce_ms
        self.step_ms = step_ms
        self.html: bytes | None = None
        self.built: str | None = None  # hash of the HTML being served
        self.error: str | None = None
        self.building = False
        # Pages served recently, by their hash: a browser showing one of them gets only the
        # sections that changed since (patch_from) instead of reloading the whole page.
        self._pages: collections.OrderedDict[str, bytes] = collections.OrderedDict()
        self._last_good: bytes | None = None  # the last full build's page
        self.shown_at: float | None = None  # wall time the current page became available
        self._shown_early: dict[str, str] = {}  # sections the quick render showed this build
        self._pending: set[str] = set()
        self._wake = asyncio.Event()
        self._changed = asyncio.Condition()
        self._worker: Worker | None = None
        self._busy: Worker | None = None

    # -- state for the browsers ------------------------------------------------------------
    def state(self) -> dict:
        return {"built": self.built, "error": self.error, "building": self.building}

    async def _publish(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for_change(self, timeout: float) -> None:
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait(), timeout)
            except asyncio.TimeoutError:
                pass

    def _serve(self, page: bytes) -> bool:
        """Make `page` the one served; False when it is the one served already."""
        built = hashlib.sha256(page).hexdigest()[:16]
        if built == self.built:
            return False
        self.html = page
        self.built = built
        self.shown_at = time.time()
        self._pages[built] = page
        self._pages.move_to_end(built)
        while len(self._pages) > PAGES_KEPT:
            self._pages.popitem(last=False)
        return True

    def _load_html(self) -> bool:
        try:
            page = (self.root / BOOK_HTML).read_bytes()
        except OSError:
            return False
        self._serve(page)
        self._last_good = page
        return True

    def patch_from(self, built: str) -> dict | None:
        """What turns the page `built` into the current one: {"to": id, "sections": {id: html},
        "elements": [...]} (fastpath.patch); None when the page must be loaded again."""
        from .fastpath import patch

        old = self._pages.get(built)
        if old is None or self.html is None:
            return None
        if built == self.built:
            return {"to": self.built, "sections": {}, "elements": []}
        found = patch(old.decode("utf-8", "replace"), self.html.decode("utf-8", "replace"))
        if found is None:
            return None
        return {"to": self.built, **found}

    def _show_sections(self, path: str, seconds: float) -> bool:
        """Splice the quick render's sections into the page served; True when it did."""
        from .fastpath import splice

        try:
            sections = json.loads(Path(path).read_text(encoding="utf-8"))
            Path(path).unlink()
        except (OSError, ValueError):
            return False
        if self.html is None or not isinstance(sections, dict):
            return False
        page = splice(self.html.decode("utf-8"), sections)
        if page is None:
            return False
        self._serve(page.encode("utf-8"))
        self._shown_early = sections
        if not self.output.quiet:
            self.output.out.print(f"  showing {', '.join(sections)} (rendered in {seconds:.2f} s); "
                                  "the whole page follows", style="dim", markup=False)
        return True

    def stale(self) -> bool:
        index = self.root / BOOK_HTML
        if not index.is_file():
            return True
        return self.filter.newest_mtime() > index.stat().st_mtime

    # -- the loop ----------------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> None:
        from watchfiles import awatch

        had_page = self._load_html()
        if self.stale():
            self._pending.add("(no _book/index.html yet)" if not had_page else "(sources newer than _book/index.html)")
            self._wake.set()
        else:
            self.output.info(str(BOOK_HTML), label="up to date:", style="green")

        async def watcher() -> None:
            # Runs on its own so that changes made during a build are collected, not lost,
            # and become the next build.
            async for changes in awatch(self.root, watch_filter=self.filter, stop_event=stop,
                                        debounce=self.debounce_ms, step=self.step_ms):
                fresh = transient_free(changes, self.filter)
                if not fresh:
                    continue
                self._pending |= fresh
                if "_quarto.yml" in fresh:
                    self.filter.refresh()
                self._wake.set()

        watch_task = asyncio.create_task(watcher())
        stop_task = asyncio.create_task(stop.wait())
        try:
            while not stop.is_set():
                if self._worker is None:
                    self._worker = await Worker.start(self.root)
                wake_task = asyncio.create_task(self._wake.wait())
                await asyncio.wait({wake_task, stop_task}, return_when=asyncio.FIRST_COMPLETED)
                wake_task.cancel()
                if stop.is_set():
                    break
                self._wake.clear()
                changed, self._pending = self._pending, set()
                await self._build(changed)
        finally:
            stop_task.cancel()
            watch_task.cancel()
            await asyncio.gather(watch_task, return_exceptions=True)
            for worker in (self._busy, self._worker):
                if worker is not None:
                    await worker.stop()

    async def _build(self, changed: set[str]) -> None:
        shown = ", ".join(sorted(changed)[:8]) + (f" and {len(changed) - 8} more" if len(changed) > 8 else "")
        self.output.info(shown, label="changed:", style="bold")
        worker = self._worker
        self._worker = None
        if worker is None or not worker.alive or needs_fresh_worker(changed):
            if worker is not None:
                await worker.discard()
            worker = await Worker.start(self.root)
        self.building = True
        await self._publish()
        self._busy = worker
        before = self.html
        quick = False
        self._shown_early: dict[str, str] = {}

        def on_sections(path: str, seconds: float) -> None:
            nonlocal quick
            if self._show_sections(path, seconds):
                quick = True
                asyncio.get_running_loop().create_task(self._publish())

        def on_step(chapter: str, step: str) -> None:
            # Per-cell lines would flood the terminal; chapter-level steps say what is rebuilt
            # (-v shows them all).
            if step.startswith("execute: ") and not self.output.verbose:
                return
            where = f"{chapter} " if chapter else ""
            if not self.output.quiet:
                self.output.out.print(f"  {where}{step}", style="dim", markup=False)

        def on_warn(message: str) -> None:
            self.output.warn(message)

        try:
            outcome = await worker.build(on_step, on_warn, on_sections)
        except BaseException:
            await worker.stop()
            raise
        finally:
            self._busy = None
        if outcome.crashed or not worker.alive:
            await worker.stop()
            # Start the next worker now so its imports overlap with the author's next edit.
            self._worker = await Worker.start(self.root)
        else:
            self._worker = worker  # warm: the engine imported, its kernels booted
        self.building = False
        if not outcome.ok and quick and before is not None:
            # The sections shown early belong to a build that then failed: back to the last
            # good page, under the error.
            self._serve(before)
        if outcome.ok and self._load_html():
            self.error = None
            n = len(outcome.executed)
            # A cold build executes every chapter; naming them all says less than the count.
            executed = ", ".join(outcome.executed) if 0 < n <= 3 else f"{n} chapters" if n else "no chapter"
            drawn = len(outcome.figures_drawn)
            charts = f", drew {drawn} chart{'s' if drawn != 1 else ''}" if drawn else ""
            self.output.info(f"in {outcome.seconds:.1f} s: executed {executed} ({outcome.cells} cells{charts}), "
                             f"{len(outcome.cached)} from cache", label="rebuilt", style="bold green")
            if self._shown_early and not self.output.quiet:
                # The quick render is meant to match the full one exactly; say so when it did not
                # (the browser gets the full page's sections either way).
                from .fastpath import sections_by_id

                final = sections_by_id(self.html.decode("utf-8", "replace"), list(self._shown_early)) or {}
                if any(final.get(i) != html for i, html in self._shown_early.items()):
                    self.output.out.print("  the sections shown early differed from the full page; page updated",
                                          style="dim", markup=False)
        else:
            self.error = outcome.message if not outcome.ok else f"the build reported success but {BOOK_HTML} is missing"
            self.output.error(f"build failed after {outcome.seconds:.1f} s (still serving the last good build):\n"
                              + self.error)
        await self._publish()
