"""One build of the book: validate, execute each chapter once, render HTML and PDF, swap into place."""
from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .assemble import AstCache, assemble, ast_nodes, metadata, write_inputs
from .config import BookConfig, load_config
from .errors import BuildError
from .execute import (BackgroundKernel, ChapterExecutor, ChapterResult, Kernel, KernelLost, KernelPool,
                      imported_modules)
from .pandoc import pandoc_version
from .qmd import Qmd
from .swap import checkpoint, recover, staged_output
from .typst_dir import TypstDir

BOOK_DIR = "_book"
CACHE_DIR = ".report-cache"
# Never recorded as chapter inputs: build products and caches, not data.
KERNEL_IGNORE = [BOOK_DIR, CACHE_DIR, ".git", "__pycache__"]


class Reporter(Protocol):
    def step(self, chapter: str, step: str) -> None: ...
    def warn(self, message: str) -> None: ...


@dataclass
class BuildResult:
    outputs: list[Path]
    pages: int | None
    figures: int
    seconds: float
    cells_executed: int
    chapters_cached: list[str] = field(default_factory=list)
    chapters_executed: list[str] = field(default_factory=list)
    # Chapters whose source changed but not their code: rendered from their transcript, no kernel.
    chapters_replayed: list[str] = field(default_factory=list)
    pandoc_runs: int = 0  # pandoc processes this build started (chapter parses + writers)
    typst_runs: int = 0
    figures_drawn: list[str] = field(default_factory=list)  # labels drawn by executed chapters
    figures_cached: list[str] = field(default_factory=list)  # labels reused from the figure cache


VALIDATION_CACHE = "validation.json"
VALIDATION_CACHE_ENV = "REPORT_VALIDATION_CACHE"  # report.data.validate reads it in the kernel


def validate_data(root: Path, cache: Path | None = None, fresh: bool = False) -> bool:
    """Run the data package's checks first, when this project has them.

    `cache` is handed to a validate_all that accepts one (it skips resources that passed with
    the same bytes before); `fresh` makes it ignore what the cache holds. Returns True when the
    cache was used, i.e. it now lists exactly the validated resources.
    """
    if not (root / "data" / "datapackage.json").is_file():
        return False
    if importlib.util.find_spec("report.data") is None:
        return False
    data_mod = importlib.import_module("report.data")
    validate_all = getattr(data_mod, "validate_all", None)
    if validate_all is None:
        return False
    error_type = getattr(data_mod, "DataValidationError", None)
    kwargs = {}
    if cache is not None and _accepts(validate_all, "cache", "refresh"):
        kwargs = {"cache": cache, "refresh": fresh}
    try:
        validate_all(root, **kwargs)
    except Exception as exc:
        if error_type is not None and isinstance(exc, error_type):
            raise BuildError(f"data validation failed:\n{exc}") from None
        raise
    return bool(kwargs)


def _accepts(fn, *names: str) -> bool:
    import inspect

    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return all(n in params for n in names)


def source_date_epoch(root: Path) -> int:
    """SOURCE_DATE_EPOCH, else the last commit's time, else a fixed date: never the clock."""
    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env and env.strip().isdigit():
        return int(env)
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, text=True, timeout=10)
        if out.returncode == 0 and out.stdout.strip().isdigit():
            return int(out.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    return 1704067200  # 2024-01-01T00:00:00Z


def git_commit(root: Path) -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def data_version(root: Path) -> str | None:
    if not (root / "data" / "datapackage.json").is_file() or importlib.util.find_spec("report.data") is None:
        return None
    from report.data.version import data_version as version

    return version(root)


def colophon(root: Path) -> str | None:
    """The line the book prints about its own making: which commit and which data built it."""
    commit, data = git_commit(root), data_version(root)
    parts = []
    if commit:
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        parts.append(f"commit {commit[:12]}" + (" with uncommitted changes" if dirty else ""))
    if data:
        parts.append(f"data version {data}")
    return f"Built from {' and '.join(parts)}." if parts else None


def tool_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {"python": platform.python_version(), "pandoc": pandoc_version()}
    for dist in ("typst", "nbclient", "ipykernel", "matplotlib", "breaking-the-cycle-report"):
        try:
            versions[dist] = version(dist)
        except PackageNotFoundError:
            versions[dist] = "not installed"
    return versions


def sha256_file(path: Path) -> str:
    from report.hashing import file_sha256

    return file_sha256(path)


def _count_figures(node) -> int:
    return sum(1 for el in ast_nodes(node)
               if el["t"] in ("Div", "Figure") and str(el["c"][0][0]).startswith("fig-"))


def execute_defaults(config: BookConfig) -> dict:
    """The `execute` options of _quarto.yml a chapter's front matter may override."""
    return {k: config.execute[k] for k in ("echo", "warning", "output", "include", "timeout") if k in config.execute}


def _replay(cache, config: BookConfig, docs: dict[str, Qmd], todo: list[str], reporter: Reporter
            ) -> dict[str, ChapterResult]:
    """The chapters of `todo` that only changed around their code, rendered from their
    transcripts (ChapterCache.replay) and stored as executed; the rest still need a kernel."""
    replayed = {}
    defaults = execute_defaults(config)
    for rel in todo:
        if not docs[rel].has_code() or rel in cache.corrupt:
            continue
        result = cache.replay(rel, docs[rel], defaults)
        if result is None:
            continue
        # Stored like an executed chapter; a source saved again since it was read is left for
        # the kernel (put names it), so this build shows what was read.
        if cache.put(rel, docs[rel], result):
            continue
        reporter.step(rel, "replayed: its code is unchanged, so its outputs are reused")
        replayed[rel] = result
    return replayed


def _lookup(cache, docs: dict[str, Qmd], fresh: bool) -> tuple[dict[str, ChapterResult], list[str]]:
    hits: dict[str, ChapterResult] = {}
    todo = []
    for rel, doc in docs.items():
        hit = None if fresh else cache.get(rel, doc)
        if hit is not None:
            hits[rel] = hit
        else:
            todo.append(rel)
    return hits, todo


KERNELS_ENV = "REPORT_KERNELS"
FIGURE_CACHE_DIR = "figures"  # under CACHE_DIR: figure renders by their inputs (figures.cache)
FIGURE_CACHE_ENV = "REPORT_FIGURE_CACHE"
FIGURE_CACHE_FRESH_ENV = "REPORT_FIGURE_CACHE_FRESH"
FIGURE_CACHE_KEEP = 400  # entries kept: every figure of the book several times over


def default_kernels() -> int:
    """The cores this process may run on: a kernel executes one chapter at a time, so more
    kernels than cores only compete for them."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


KERNEL_BOOT_SECONDS = 1.2  # CPU a kernel takes to boot and preload the chapters' imports


def kernel_count(chapters: int, work_seconds: float | None = None) -> int:
    """How many kernels execute `chapters` chapters: REPORT_KERNELS when set, else one per core;
    never more than there are chapters, so one chapter to execute boots one kernel.

    Without REPORT_KERNELS, `work_seconds` (an estimate of the chapters' run time) also limits
    the count: a kernel that boots for longer than it would work only takes CPU from the others
    and from the rendering (changing one dataset re-runs two short chapters, which one kernel
    does sooner than two booting side by side)."""
    raw = os.environ.get(KERNELS_ENV, "").strip()
    if raw:
        if not raw.isdigit() or int(raw) < 1:
            raise BuildError(f"{KERNELS_ENV}={raw!r}: expected a whole number of kernels, 1 or more")
        return max(0, min(int(raw), chapters))
    wanted = default_kernels()
    if work_seconds is not None:
        wanted = min(wanted, max(1, round(work_seconds / KERNEL_BOOT_SECONDS)))
    return max(0, min(wanted, chapters))


def kernel_template(config: BookConfig, preload: list[str], timeout: int | None = None,
                    fresh: bool = False) -> Kernel:
    """The settings every kernel of a build of this project starts with."""
    env = {VALIDATION_CACHE_ENV: str(config.root / CACHE_DIR / VALIDATION_CACHE),
           FIGURE_CACHE_ENV: str(config.root / CACHE_DIR / FIGURE_CACHE_DIR)}
    if fresh:
        env[FIGURE_CACHE_FRESH_ENV] = "1"  # draw every figure again; the new renders are stored
    return Kernel(config.root, KERNEL_IGNORE, env=env, preload=preload, **({"timeout": timeout} if timeout else {}))


def _start_kernels(config: BookConfig, docs: dict[str, Qmd], coded: list[str],
                   timeout: int | None = None, pool: KernelPool | None = None,
                   fresh: bool = False) -> _KernelList:
    """The kernels that will execute `coded`, booting. New kernels boot one after another, each
    once the one before is ready, and are appended to the returned list as they start; the build
    calls its `boot_all` before it runs chapters. A build validates its data while the kernels boot,
    and validation finishes before any chapter runs: booted side by side, the kernels took a
    core from the validation and then sat idle until it ended (cold: ~0.4 s on one core); one
    at a time, the validation keeps a core to itself."""
    # Every kernel may be handed any chapter, so each preloads what all of them import (and each
    # chapter's record of files opened includes what its kernel read while preloading).
    preload = imported_modules([docs[rel] for rel in coded])
    template = kernel_template(config, preload, timeout, fresh)
    if pool is not None and not fresh:
        # Warm kernels cost nothing to use: as many as there are chapters to share them.
        count = min(pool.size, kernel_count(len(coded)))
        return _KernelList(pool.take(template, count) if count else [])
    count = kernel_count(len(coded), sum(_seconds(docs[rel]) for rel in coded))
    kernels = _KernelList()
    kernels.boot(template, count)
    return kernels


class _KernelList(list):
    """A build's kernels: booted in a chain (the next once the last is ready, or at once when
    `boot_all` is called), appended here as each starts, so whatever happens the build closes
    every kernel it started."""

    def __init__(self, kernels: list[BackgroundKernel] = ()):
        super().__init__(kernels)
        self._lock = threading.Lock()
        self._template: Kernel | None = None
        self._left = 0

    def boot(self, template: Kernel, count: int) -> None:
        self._template, self._left = template, count
        self._next()

    def _next(self, _done=None) -> None:
        with self._lock:
            if self._left <= 0:
                return
            self._left -= 1
            kernel = BackgroundKernel(self._template.clone())
            self.append(kernel)
        kernel.started.add_done_callback(self._next)

    def boot_all(self) -> None:
        """Start every kernel not started yet (chapters are about to run)."""
        while self._left > 0:
            self._next()

    def stop(self) -> None:
        """Start no more kernels (the build is closing the ones it has)."""
        with self._lock:
            self._left = 0


def _close_kernels(kernels: list[BackgroundKernel]) -> None:
    if isinstance(kernels, _KernelList):
        kernels.stop()
    errors = []
    for kernel in kernels:
        try:
            kernel.close()
        except Exception as exc:  # noqa: BLE001 - close the others first, then report
            errors.append(exc)
    kernels.clear()
    if errors:
        raise errors[0]


class _Closer(threading.Thread):
    def __init__(self, kernels: list[BackgroundKernel]):
        super().__init__(name="report-kernel-close", daemon=True)
        self.kernels = list(kernels)
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            _close_kernels(self.kernels)
        except BaseException as exc:  # noqa: BLE001 - raised by build() after the join
            self.error = exc


def _close_in_background(kernels: list[BackgroundKernel]) -> _Closer | None:
    if not kernels:
        return None
    closer = _Closer(kernels)
    kernels.clear()  # the closer owns them now
    closer.start()
    return closer


def _seconds(doc: Qmd) -> float:
    """A rough guess of a chapter's execution time, from its code alone: drawing a chart costs
    most (0.15 s on the machine this was measured on), any other cell a little."""
    cells = [c for c in doc.cells if c.options.get("eval") is not False]
    return sum(0.03 + 0.15 * c.source.count("figures.show(") for c in cells)


class _Preparse:
    """Pandoc's parse of each chapter as soon as it has executed, on a thread, into the AST cache
    that assembling reads: assembling no longer waits for chapters parsed one after the other at
    the end (0.5 s of a cold build), and the parses use the time a kernel waits for the last
    chapter."""

    def __init__(self, ast_cache: AstCache, root: Path, enabled: bool):
        from concurrent.futures import ThreadPoolExecutor

        self.cache = ast_cache
        self.root = root
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-preparse") if enabled else None
        self.jobs: list = []

    def submit(self, rel: str, doc: Qmd, result: ChapterResult) -> None:
        if self.pool is None:
            return
        from .assemble import chapter_markdown

        job = (rel, chapter_markdown(doc, result), f"reading {rel}")
        self.jobs.append(self.pool.submit(self.cache.parse_all, [job], self.root, True))

    def join(self) -> None:
        """Wait for the parses; a failed one is simply parsed again by assemble, which reports
        the error in its usual words."""
        if self.pool is None:
            return
        for job in self.jobs:
            try:
                job.result()
            except Exception:  # noqa: BLE001 - see above
                pass
        self.pool.shutdown(wait=True)
        self.pool = None


def _run_chapters(config: BookConfig, docs: dict[str, Qmd], cache, hits: dict[str, ChapterResult],
                  todo: list[str], coded: list[str], kernels: list[BackgroundKernel],
                  reporter: Reporter, changed: dict[str, list[str]],
                  preparse: _Preparse | None = None) -> dict[str, ChapterResult]:
    """Execute the chapters in `todo` on the kernels, each kernel taking the next chapter in book
    order when it is free. Chapters are independent (each starts from an empty namespace, which
    the cache relies on too), so which kernel ran one does not change its result. Reporter calls
    and cache writes stay on this thread; the first failure cancels the other kernels' work.
    A chapter whose inputs changed while it ran is not cached; `changed` gets it and what moved."""
    import queue

    results = dict(hits)
    defaults = execute_defaults(config)

    def store(rel: str, result: ChapterResult) -> None:
        moved = cache.put(rel, docs[rel], result)
        if moved:
            changed[rel] = moved
        elif preparse is not None:
            preparse.submit(rel, docs[rel], result)

    def replacement(kernel: BackgroundKernel, reason: str) -> BackgroundKernel:
        kernel.poisoned = reason
        fresh = BackgroundKernel(kernel.kernel.clone())
        fresh.stamp = kernel.stamp
        kernels.append(fresh)
        return fresh

    def execute(kernel: BackgroundKernel | None, rel: str, progress) -> tuple[ChapterResult, BackgroundKernel | None]:
        """Run one chapter; a kernel found dead at the chapter's start (none of its code ran) is
        replaced and the chapter run in the new one, once."""
        try:
            return ChapterExecutor(kernel, config.root, defaults).execute(rel, docs[rel], progress=progress), kernel
        except KernelLost:
            kernel = replacement(kernel, "its process ended")
            progress("new kernel: the previous one had stopped")
            return ChapterExecutor(kernel, config.root, defaults).execute(rel, docs[rel], progress=progress), kernel

    def after(kernel: BackgroundKernel | None, result: ChapterResult) -> BackgroundKernel | None:
        """The kernel for the next chapter: this one, or a new one when the chapter left state
        behind that a fresh namespace does not reset (the old one is kept in `kernels`, poisoned,
        and shut down with the rest)."""
        if kernel is None or not result.health:
            return kernel
        return replacement(kernel, f"{result.path}: {'; '.join(result.health)}")

    # Kernels retired earlier in this build (poisoned) stay in `kernels` to be shut down at the
    # end, but run nothing more; their replacements are in the list too. A kernel that died
    # before it ran anything here (a warm one killed while idle) is replaced now.
    active = []
    for k in list(kernels):
        if k.usable():
            active.append(k)
        elif not k.poisoned:
            active.append(replacement(k, "its process ended before the build used it"))
    if active:
        from concurrent.futures import FIRST_COMPLETED, wait

        if not any(k.started.done() for k in active):
            reporter.step("", "starting Jupyter kernel")
        wait([k.started for k in active], return_when=FIRST_COMPLETED)

    if len(active) <= 1:
        kernel = active[0] if active else None
        for rel in todo:
            reporter.step(rel, "execute" if rel in coded else "read")
            try:
                results[rel], kernel = execute(kernel, rel, lambda s, rel=rel: reporter.step(rel, f"execute: {s}"))
            except BaseException:
                if kernel is not None and rel in coded:
                    kernel.poisoned = f"{rel} failed"
                raise
            store(rel, results[rel])
            replaced = after(kernel, results[rel])
            if replaced is not kernel:
                reporter.step(rel, f"new kernel for the next chapter ({'; '.join(results[rel].health)})")
                kernel = replaced
        return {rel: results[rel] for rel in docs}

    chapters: queue.SimpleQueue[str] = queue.SimpleQueue()
    # Longest first, so the chapter that takes longest is not the last to start while the other
    # kernels sit idle (the real book's Chapter 2 draws nine charts: started fifth in book order,
    # it ran on alone for a second at the end of a cold build).
    for rel in sorted(todo, key=lambda rel: -_seconds(docs[rel])):
        chapters.put(rel)
    events: queue.SimpleQueue[tuple[str, str, object]] = queue.SimpleQueue()
    stop = threading.Event()

    def drive(kernel: BackgroundKernel) -> None:
        try:
            # A kernel still booting takes no chapter the other one could start now.
            kernel.wait_ready()
            while not stop.is_set():
                try:
                    rel = chapters.get_nowait()
                except queue.Empty:
                    return
                events.put(("step", rel, "execute" if rel in coded else "read"))
                result, kernel = execute(kernel, rel, lambda s, rel=rel: events.put(("step", rel, f"execute: {s}")))
                events.put(("done", rel, result))
                replaced = after(kernel, result)
                if replaced is not kernel:
                    events.put(("step", rel, f"new kernel for the next chapter ({'; '.join(result.health)})"))
                    kernel = replaced
                    kernel.wait_ready()
        except BaseException as exc:  # noqa: BLE001 - handed to the build thread, which raises it
            kernel.poisoned = kernel.poisoned or "a chapter failed in it"
            events.put(("error", "", exc))
        finally:
            events.put(("exit", "", None))

    drivers = [threading.Thread(target=drive, args=(k,), name=f"report-chapters-{i}", daemon=True)
               for i, k in enumerate(active)]
    for t in drivers:
        t.start()
    failure: BaseException | None = None
    running = len(drivers)

    def cancel_all() -> None:
        stop.set()
        for k in list(kernels):
            k.cancel()

    try:
        while running:
            kind, rel, value = events.get()
            if kind == "exit":
                running -= 1
            elif kind == "step" and failure is None:
                reporter.step(rel, value)
            elif kind == "done" and failure is None:
                results[rel] = value
                store(rel, value)
            elif kind == "error" and failure is None:
                # The first failure is the one to report; the chapter cancelled on the other
                # kernel would only add "kernel died".
                failure = value
                cancel_all()
    except BaseException:
        # Ctrl-C or a failing reporter/cache write here: the kernels must not keep running code.
        cancel_all()
        raise
    for t in drivers:
        t.join()
    if failure is not None:
        raise failure
    return {rel: results[rel] for rel in docs}


def build(root: Path, to: str, reporter: Reporter, fresh: bool = False,
          pool: KernelPool | None = None, on_assembled=None) -> BuildResult:
    """Build the book into `root`/_book; raises BuildError with a message for the author on any
    problem in the project or on the machine (a file outside the project, a full disk, a
    read-only directory), and leaves the previous `_book/` as it was.

    `pool` keeps kernels between builds (report preview): chapters run in its warm kernels, which
    go back to it afterwards (or are replaced when a chapter failed in them or left them changed).
    Without it the build starts its own kernels and shuts them down before it returns.
    `on_assembled(config, doc, results)` is called once the book is assembled, before it is
    rendered (the preview renders the changed chapters from there, ahead of the whole page)."""
    from report.paths import OutsideProject

    try:
        return _build(Path(root).resolve(), to, reporter, fresh, pool, on_assembled)
    except OutsideProject as exc:
        raise BuildError(str(exc)) from None
    except OSError as exc:
        from report.console import os_error_message

        raise BuildError(os_error_message(exc)) from None


def confine_cache(root: Path) -> None:
    """The build cache is one of the book's inputs (chapters, charts and pages come back out of it,
    and its validation record says which data needs no checking again): refused when it is a
    symbolic link out of the project."""
    from report.paths import OutsideProject, confine

    try:
        confine(root, CACHE_DIR, "the build cache (its entries go into the book)")
    except OutsideProject as exc:
        raise BuildError(str(exc)) from None


MAX_ROUNDS = 3  # executions of a chapter edited during the build before the build gives up on it


def _build(root: Path, to: str, reporter: Reporter, fresh: bool, pool: KernelPool | None = None,
           on_assembled=None) -> BuildResult:
    from .cache import ChapterCache
    from .guard import check_images, check_loads, check_sources, read_sources

    t0 = time.monotonic()
    for note in recover(root / BOOK_DIR):
        reporter.warn(note)
    checkpoint("start")
    config = load_config(root)
    check_sources(config)
    confine_cache(root)
    sources, docs = read_sources(root, config.chapter_paths)
    timeout = cell_timeout(config)
    tools = tool_versions()
    cache = ChapterCache(root / CACHE_DIR, root, tools, sources)
    hits, todo = _lookup(cache, docs, fresh)
    check_loads(root, {rel: docs[rel] for rel in todo})
    replayed = {} if fresh else _replay(cache, config, docs, todo, reporter)
    todo = [rel for rel in todo if rel not in replayed]
    coded = [rel for rel in todo if docs[rel].has_code()]
    # A kernel boots (and imports what the chapters import) on the other core while the data is
    # validated, the next once it is ready; validation still finishes before any chapter code runs.
    owner = pool if pool is not None and not fresh else None  # where the kernels go afterwards
    kernels = _start_kernels(config, docs, coded, timeout, owner, fresh)
    closing = None
    try:
        validate_data(root, root / CACHE_DIR / VALIDATION_CACHE, fresh)
        checkpoint("validated")
        kernels.boot_all()
        for rel in cache.corrupt:
            reporter.warn(f"cache entry for {rel} is corrupt; executing it again")
        book_dir = root / BOOK_DIR
        epoch = source_date_epoch(root)
        ast_cache = AstCache(root / CACHE_DIR / "ast")
        # --fresh parses everything again in assemble (reuse=False), so nothing to do ahead.
        preparse = _Preparse(ast_cache, root, enabled=not fresh)
        for rel, result in replayed.items():
            preparse.submit(rel, docs[rel], result)
        with staged_output(book_dir) as (out, work), \
                (TypstDir(root, CACHE_DIR, fallback=work) if to in ("pdf", "all")
                 else contextlib.nullcontext()) as typst_dir:
            if coded and typst_dir is not None and not fresh:
                # Chapters run in a kernel, so the PDF will most likely be compiled again; the core
                # the kernel leaves idle meanwhile lays out the last build's Typst (see typst_dir).
                typst_dir.warm(config)
            try:
                results, unsettled = _execute_settled(config, docs, cache, {**hits, **replayed}, todo, coded,
                                                      kernels, reporter, sources, timeout, owner, fresh, preparse)
            finally:
                preparse.join()
            checkpoint("executed")
            for note in cache.unwritable:
                reporter.warn(f"could not cache {note}")
            for rel, moved in unsettled.items():
                reporter.warn(f"{', '.join(moved)} kept changing while {rel} was executed ({MAX_ROUNDS} times); "
                              "the book shows the last version read, which is not cached: build again")
            # Shutting a kernel down takes ~0.1 s that assembling and rendering need not wait for;
            # it is joined before build() returns, so no kernel outlives the build. Kernels of a
            # pool outlive it on purpose: they go back for the next build.
            if owner is not None:
                owner.give_back(kernels)
            else:
                closing = _close_in_background(kernels)
            _prune_figure_cache(root)
            cached = [rel for rel in docs if rel in hits]
            reporter.step("", "assemble")
            doc = assemble(config, docs, results, ast_cache, reuse=not fresh)
            check_images(config, doc)
            if on_assembled is not None:
                on_assembled(config, doc, results)
            outputs, pages, record = _render(config, doc, results, to, out, work, book_dir, epoch, tools,
                                             reporter, fresh, typst_dir)
            checkpoint("rendered")
            _write_manifest(config, out, results, to, epoch, tools)
            outputs.append(book_dir / "build-manifest.json")
        _write_render_record(root, record)
    finally:
        try:
            if owner is not None:
                # A failed build's kernels: the one that failed is poisoned, the others were
                # cancelled; the pool replaces them all, and keeps any that never ran.
                owner.give_back(kernels)
            else:
                _close_kernels(kernels)
        finally:
            if closing is not None:
                closing.join()
    if closing is not None and closing.error is not None:
        raise closing.error

    return BuildResult(
        outputs=outputs,
        pages=pages,
        figures=_count_figures(doc["blocks"]),
        seconds=time.monotonic() - t0,
        cells_executed=sum(r.cells_executed for rel, r in results.items() if rel not in cached),
        chapters_cached=cached,
        chapters_executed=[rel for rel in results if rel not in cached and rel not in replayed],
        chapters_replayed=[rel for rel in docs if rel in replayed],
        pandoc_runs=ast_cache.parsed + record.pop("_pandoc_runs", 0),
        typst_runs=record.pop("_typst_runs", 0),
        figures_drawn=[label for rel, r in results.items() if rel not in cached for label in r.figures_drawn],
        figures_cached=[label for rel, r in results.items() if rel not in cached for label in r.figures_cached],
    )


def _prune_figure_cache(root: Path, keep: int = FIGURE_CACHE_KEEP) -> int:
    """Keep the figure cache to the `keep` most recently used renders (each data edit adds
    entries; a reuse touches its entry). Here rather than in report.figures.cache, whose package
    would import matplotlib into the build process. Returns how many went."""
    directory = root / CACHE_DIR / FIGURE_CACHE_DIR
    try:
        entries = sorted(((p.stat().st_mtime, p) for p in directory.glob("*.json")), reverse=True)
    except OSError:
        return 0
    removed = 0
    for _, path in entries[keep:]:
        try:
            path.unlink()
            removed += 1
        except OSError:
            pass
    return removed


def _execute_settled(config: BookConfig, docs: dict[str, Qmd], cache, hits: dict[str, ChapterResult],
                     todo: list[str], coded: list[str], kernels: list[BackgroundKernel], reporter: Reporter,
                     sources: dict[str, str], timeout: int | None, pool: KernelPool | None = None,
                     fresh: bool = False, preparse: _Preparse | None = None
                     ) -> tuple[dict[str, ChapterResult], dict[str, list[str]]]:
    """Execute `todo`; a chapter whose source or data changed while it ran is read and executed
    again (the last save wins), up to MAX_ROUNDS times. Returns the results and the chapters that
    were still changing after that, with what changed."""
    from .guard import check_loads, read_sources

    changed: dict[str, list[str]] = {}
    results = _run_chapters(config, docs, cache, hits, todo, coded, kernels, reporter, changed, preparse)
    rounds = 1
    while changed and rounds < MAX_ROUNDS:
        again = sorted(changed, key=list(docs).index)
        for rel in again:
            reporter.step(rel, f"changed while it ran ({', '.join(changed[rel])}): executing it again")
        fresh_sources, fresh_docs = read_sources(config.root, again)
        check_loads(config.root, fresh_docs)
        sources.update(fresh_sources)
        cache.sources.update(fresh_sources)
        docs.update(fresh_docs)
        need = [rel for rel in again if docs[rel].has_code()]
        if need and not any(k.usable() for k in kernels):
            more = _start_kernels(config, docs, need, timeout, pool, fresh)
            more.boot_all()
            kernels.extend(more)
        changed = {}
        rerun = _run_chapters(config, docs, cache, {k: v for k, v in results.items() if k not in again},
                              again, need, kernels, reporter, changed, preparse)
        results.update(rerun)
        rounds += 1
    return {rel: results[rel] for rel in docs}, changed


def cell_timeout(config: BookConfig) -> int | None:
    """`execute: timeout` from _quarto.yml in seconds (Jupyter's cell timeout); None: no limit set
    there, the kernel's default applies."""
    raw = (config.execute or {}).get("timeout")
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or raw <= 0:
        raise BuildError(f"{config.config_path}: execute.timeout must be a positive number of seconds, "
                         f"not {raw!r}")
    import math

    return max(1, math.ceil(raw))


# --- Rendering, skipped when nothing it reads has changed -------------------------------------

RENDER_RECORD = "render.json"
RENDER_FORMAT = 1
ENGINE_DIR = Path(__file__).resolve().parent


def _image_targets(node, found: set[str]) -> None:
    found.update(el["c"][2][0] for el in ast_nodes(node)
                 if el["t"] == "Image" and isinstance(el["c"][2][0], str))


def render_keys(config: BookConfig, doc: dict, meta: dict, results: dict[str, ChapterResult],
                epoch: int, tools: dict[str, str]) -> dict[str, str]:
    """One key per output format over everything pandoc and Typst read to make it: the document,
    its metadata, figures and images, bibliography and CSL, the engine (filters, templates,
    code), the project's templates, CSS, partials and fonts, _quarto.yml, tool versions and the
    timestamp. Equal keys mean byte-identical outputs, since the renders are deterministic."""
    from report.hashing import update_tree

    from .cache import _tree_hash

    root = config.root
    h = hashlib.sha256(f"render format {RENDER_FORMAT}\0".encode())
    h.update(json.dumps(tools, sort_keys=True).encode() + b"\0")
    h.update(f"epoch {epoch}\0".encode())
    h.update(json.dumps(doc, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\0")
    # The work directory's name changes every build, and where the project lives does not
    # reach the output (a moved copy builds the same bytes): neither belongs in the key. The
    # files themselves are hashed below.
    stable_meta = {k: v for k, v in meta.items() if k not in ("report-work-rel", "bibliography", "csl")}
    stable_meta["bibliography"] = [os.path.relpath(b, root) for b in meta.get("bibliography", [])]
    stable_meta["csl"] = os.path.relpath(meta["csl"], root) if meta.get("csl") else None
    h.update(json.dumps(stable_meta, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8") + b"\0")
    for rel in sorted(results):
        for name, content in sorted(results[rel].files.items()):
            h.update(f"figure {name}\0".encode() + hashlib.sha256(content).hexdigest().encode() + b"\0")
    h.update(f"code {_tree_hash(root)}\0".encode())
    update_tree(h, ENGINE_DIR, "engine")
    update_tree(h, config.config_path, "_quarto.yml")
    files = set(config.render_inputs)  # templates, profiles, project filters, fonts, ...
    images: set[str] = set()
    _image_targets(doc["blocks"], images)
    files |= {t for t in images if "://" not in t and not t.startswith("data:")}
    for rel in sorted(files):
        update_tree(h, root / rel, rel)
    common = h.hexdigest()
    return {fmt: hashlib.sha256(f"{common}\0{fmt}".encode()).hexdigest() for fmt in ("html", "pdf")}


def _read_render_record(root: Path) -> dict:
    from report.cachefile import read_sealed

    try:
        body = read_sealed(root / CACHE_DIR / RENDER_RECORD)
    except (OSError, ValueError):
        return {}
    return body if body.get("format") == RENDER_FORMAT else {}


def _write_render_record(root: Path, record: dict) -> None:
    from report.cachefile import write_sealed

    body = {k: v for k, v in record.items() if not k.startswith("_")}
    body["format"] = RENDER_FORMAT
    try:
        write_sealed(root / CACHE_DIR / RENDER_RECORD, body)
    except OSError:
        pass  # the next build renders again


def _reuse(previous: dict | None, key: str, src: Path, dest: Path) -> bool:
    """Copy the previous build's output when it was made from the same key and is still the file
    that build wrote (same hash)."""
    if not previous or previous.get("key") != key or not src.is_file():
        return False
    try:
        data = src.read_bytes()
    except OSError:
        return False
    if hashlib.sha256(data).hexdigest() != previous.get("sha256"):
        return False
    dest.write_bytes(data)
    return True


def _render(config: BookConfig, doc: dict, results: dict[str, ChapterResult], to: str, out: Path,
            work: Path, book_dir: Path, epoch: int, tools: dict[str, str], reporter: Reporter,
            fresh: bool, typst_dir: TypstDir | None = None) -> tuple[list[Path], int | None, dict]:
    root = config.root
    pdf_name = f"{config.output_file}.pdf"
    meta = metadata(config, os.path.relpath(work, root), reporter.warn)
    line = colophon(root)
    if line:
        meta["report-colophon"] = line
    keys = render_keys(config, doc, meta, results, epoch, tools)
    previous = {} if fresh else _read_render_record(root)
    record = {fmt: previous[fmt] for fmt in ("html", "pdf") if isinstance(previous.get(fmt), dict)}
    want_html, want_pdf = to in ("html", "all"), to in ("pdf", "all")
    html_out, pdf_out = out / "index.html", out / pdf_name
    do_html = want_html and not _reuse(record.get("html"), keys["html"], book_dir / "index.html", html_out)
    do_pdf = want_pdf and not _reuse(record.get("pdf"), keys["pdf"], book_dir / pdf_name, pdf_out)
    pages = record["pdf"].get("pages") if want_pdf and not do_pdf else None
    if do_pdf:
        from .render_typst import svg_font_warnings

        for note in svg_font_warnings(config, {name: content for result in results.values()
                                               for name, content in result.files.items()}):
            reporter.warn(note)
    if do_html or do_pdf:
        # The PDF's Typst and the images it shows go where the next build can warm up from them.
        typst_work = typst_dir.path() if do_pdf and typst_dir is not None else work
        for result in results.values():
            for name, content in result.files.items():
                for base in dict.fromkeys((work, typst_work)):
                    path = base / name
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(content)
        doc_json, meta_args = write_inputs(work, doc, meta)
        citeproc = "bibliography" in meta
        pages_rendered = _render_formats(config, doc_json, meta_args, work, html_out if do_html else None,
                                         pdf_out if do_pdf else None, citeproc, epoch, reporter, typst_work)
        if do_pdf:
            pages = pages_rendered
    if do_html:
        record["html"] = {"key": keys["html"], "sha256": sha256_file(html_out)}
    if do_pdf:
        record["pdf"] = {"key": keys["pdf"], "sha256": sha256_file(pdf_out), "pages": pages}
    record["_pandoc_runs"] = int(do_html) + int(do_pdf)
    record["_typst_runs"] = int(do_pdf)
    outputs: list[Path] = []
    if want_html:
        outputs.append(book_dir / "index.html")
    if want_pdf:
        outputs.append(book_dir / pdf_name)
    # A partial build (--to html) keeps the other format from the previous build.
    for name in ("index.html", pdf_name):
        if not (out / name).exists() and (book_dir / name).is_file():
            shutil.copy2(book_dir / name, out / name)
    return outputs, pages, record


# A document up to this size (the real book's is 1.5 MB) is compiled while the HTML pandoc still
# runs: the two together stay well under the memory a book five times larger needs for one.
COMPILE_ALONGSIDE_BYTES = 4 * 1024 * 1024


def _with_work_rel(meta_args: list[str], root: Path, work: Path) -> list[str]:
    """pandoc's metadata arguments with `report-work-rel` (where the filters point images) at `work`."""
    prefix = "report-work-rel="
    return [f"{prefix}{os.path.relpath(work, root)}" if a.startswith(prefix) else a for a in meta_args]


def _render_formats(config: BookConfig, doc_json: Path, meta_args: list[str], work: Path,
                    html_out: Path | None, pdf_out: Path | None, citeproc: bool, epoch: int,
                    reporter: Reporter, typst_work: Path | None = None) -> int | None:
    """HTML and PDF are independent once the inputs are written: the HTML pandoc runs on a worker
    thread (a separate process, so the other core) while this thread writes Typst and compiles."""
    from concurrent.futures import ThreadPoolExecutor

    pages = None
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-html") if html_out and pdf_out else None
    html_job = None
    try:
        if html_out is not None:
            from .render_html import render_html

            reporter.step("", "render html")
            job = lambda: render_html(config, doc_json, meta_args, work, html_out, citeproc)  # noqa: E731
            html_job = pool.submit(job) if pool is not None else None
            html_stderr = job() if pool is None else None
        if pdf_out is not None:
            from .render_typst import compile_pdf, write_typst

            # pypdf counts the pages at the end; imported while pandoc writes the Typst, not after.
            threading.Thread(target=importlib.import_module, args=("pypdf",), daemon=True).start()
            try:
                reporter.step("", "render typst")
                typst_work = typst_work or work
                typ = write_typst(config, doc_json, _with_work_rel(meta_args, config.root, typst_work),
                                  typst_work, citeproc)
                if html_job is not None and doc_json.stat().st_size > COMPILE_ALONGSIDE_BYTES:
                    # Typst compiles in this process and needs most memory of any step (half a
                    # gigabyte for a book five times this one); the HTML pandoc needs the next
                    # most. For a large book, compiling after it has finished keeps the two apart.
                    if html_job.exception() is not None:
                        raise html_job.exception() from None
                reporter.step("", "compile pdf")
                compile_pdf(config, typ, pdf_out, epoch)
            except BuildError:
                # Whichever failed first, the HTML's error is the one reported (as when one ran after the other).
                if html_job is not None and html_job.exception() is not None:
                    raise html_job.exception() from None
                raise
            from .render_typst import page_count

            pages = page_count(pdf_out)
        if html_job is not None:
            html_stderr = html_job.result()
    finally:
        if pool is not None:
            # Never leave a pandoc writing into the staging directory after an error here.
            pool.shutdown(wait=True)
    if html_out is not None:
        _pandoc_warnings(html_stderr, reporter)
    return pages


def _pandoc_warnings(stderr: str, reporter: Reporter) -> None:
    for line in stderr.splitlines():
        if line.strip():
            reporter.warn(line.strip())


def _write_manifest(config: BookConfig, out: Path, results: dict[str, ChapterResult], to: str, epoch: int,
                    tools: dict[str, str]) -> None:
    root = config.root
    inputs = set(config.render_inputs) | set(config.chapter_paths)
    for r in results.values():
        inputs |= set(r.opened)
    manifest = {
        "engine": "embedded",
        "formats": to,
        "git_commit": git_commit(root),
        "data_version": data_version(root),
        "source_date_epoch": epoch,
        "tools": tools,
        "inputs": {rel: sha256_file(root / rel) for rel in sorted(inputs) if (root / rel).is_file()},
        "outputs": {p.name: sha256_file(p) for p in sorted(out.iterdir()) if p.is_file()},
    }
    (out / "build-manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
