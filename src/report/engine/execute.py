"""Run a chapter's code in a Jupyter kernel and turn it into plain markdown plus figure files.

The result (`ChapterResult`) is a plain, serialisable value: the renderers only ever see
markdown, so each chapter executes once per build and feeds both HTML and Typst, and the cache
can store it as JSON.
"""
from __future__ import annotations

import base64
import functools
import os
import re
import signal
import subprocess
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .errors import BuildError
from .qmd import Cell, Markdown, Qmd, inline_exprs

FIG_PREFIX = "_report_fig"  # image paths in executed markdown start here; resolved by the renderers
INLINE_MIME = "application/x-report-inline+json"
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
IMAGE_MIMES = [("image/svg+xml", "svg"), ("image/png", "png"), ("image/jpeg", "jpg")]


@dataclass
class ChapterResult:
    path: str  # project-relative .qmd
    markdown: str
    files: dict[str, bytes] = field(default_factory=dict)  # path under FIG_PREFIX -> bytes
    cells_executed: int = 0
    opened: list[str] = field(default_factory=list)  # project files the chapter's code read
    # Each of those files' hash when the code opened it ("" for a file that was missing); not
    # serialised: the cache keeps it as the entry's dependencies.
    opened_sha: dict[str, str] = field(default_factory=dict)
    # Figure labels drawn and taken from the figure cache in this execution, and what the chapter
    # changed in the kernel that a fresh namespace does not undo (kernel_support.health). Only
    # for this build's report and the kernel's fate; not serialised.
    figures_drawn: list[str] = field(default_factory=list)
    figures_cached: list[str] = field(default_factory=list)
    health: list[str] = field(default_factory=list)
    # Every piece of code the chapter sent to its kernel, in order, with the outputs it got back
    # ([code, outputs]); the cache keeps it apart from the entry, to replay (see Replay). None
    # for a result that was not executed here.
    transcript: list | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "markdown": self.markdown,
            "files": {k: base64.b64encode(v).decode("ascii") for k, v in sorted(self.files.items())},
            "cells_executed": self.cells_executed,
            "opened": self.opened,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ChapterResult":
        return cls(
            path=data["path"],
            markdown=data["markdown"],
            files={k: base64.b64decode(v) for k, v in data["files"].items()},
            cells_executed=data.get("cells_executed", 0),
            opened=list(data.get("opened", [])),
        )


def strip_ansi(text: str) -> str:
    return ANSI.sub("", text)


_QUARTO_ESCAPE = re.compile(r"([\\`*_{}\[\]()>#+,\-.!])")


def inline_markdown(data: dict) -> str | None:
    """An inline result as markdown, chosen as Quarto chooses (core/jupyter/jupyter-inline.ts):
    text/markdown as it is; text/plain as it is, except a quoted string, which loses its quotes
    and has markdown punctuation escaped. An empty result is None (Quarto would keep the code)."""
    if data.get("text/markdown"):
        return " ".join(str(data["text/markdown"]).splitlines())
    text = str(data.get("text/plain") or "")
    if not text:
        return None
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = _QUARTO_ESCAPE.sub(r"\\\1", text[1:-1])
    return " ".join(text.splitlines())


def _attr(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


class Kernel:
    """One Jupyter kernel for the whole build; each chapter starts from an empty namespace.

    `env` is added to the kernel's environment; `preload` names modules the setup imports (each
    chapter would import them anyway; importing them while nothing else runs in the kernel takes
    them off the first chapter's time). Files read while preloading are reported with every
    chapter, since every chapter then depends on them.
    """

    def __init__(self, root: Path, ignore: list[str], timeout: int = 600,
                 env: dict[str, str] | None = None, preload: list[str] | None = None):
        self.root = Path(root)
        self.ignore = ignore
        self.timeout = timeout
        self.env = dict(env or {})
        self.preload = list(preload or [])
        self._client = None
        self._cm = None

    def clone(self) -> "Kernel":
        """A kernel not yet started with the same settings (to replace this one)."""
        return Kernel(self.root, self.ignore, self.timeout, self.env, self.preload)

    def __enter__(self) -> "Kernel":
        import nbformat
        from nbclient import NotebookClient

        nb = nbformat.v4.new_notebook()
        self._client = NotebookClient(
            nb,
            kernel_manager_class=_kernel_manager_class(),
            kernel_name="python3",
            timeout=self.timeout,
            allow_errors=True,
            # Nothing in the kernel needs a clean exit; a graceful shutdown waits up to seconds.
            shutdown_kernel="immediate",
            resources={"metadata": {"path": str(self.root)}},
        )
        env = dict(os.environ)
        env.update({
            "QUARTO_PROJECT_DIR": str(self.root),
            "PYTHONHASHSEED": "0",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            **self.env,
        })
        # The kernel's own stderr is log noise (transport warnings); errors in chapter code
        # arrive as messages and are reported with the cell.
        self._cm = self._client.setup_kernel(env=env, stderr=subprocess.DEVNULL)
        self._cm.__enter__()
        setup = (
            "import report.engine.kernel_support as _rk\n"
            f"_rk.setup({str(self.root)!r}, {self.ignore!r}, {self.preload!r})\n"
            "del _rk\n"
        )
        outputs = self.run(setup)
        err = _first_error(outputs)
        if err:
            raise BuildError("could not prepare the Jupyter kernel:\n" + err)
        return self

    def __exit__(self, *exc) -> None:
        if self._cm is not None:
            self._cm.__exit__(None, None, None)
            self._cm = None

    def run(self, code: str, timeout: int | None = None) -> list[dict]:
        """Outputs of `code`; nbclient raises CellTimeoutError after `timeout` seconds (default:
        the kernel's) and DeadKernelError when the kernel process dies."""
        import nbformat

        cell = nbformat.v4.new_code_cell(code)
        self._client.nb.cells.append(cell)
        self._client.timeout = int(timeout or self.timeout)
        try:
            self._client.execute_cell(cell, len(self._client.nb.cells) - 1)
        finally:
            # The notebook is only the vehicle: a kernel kept for many builds (report preview)
            # must not hold every output it ever produced.
            self._client.nb.cells.remove(cell)
        return list(cell.outputs)

    def process_alive(self) -> bool:
        provisioner = getattr(getattr(self._client, "km", None), "provisioner", None)
        process = getattr(provisioner, "process", None)
        return process is not None and process.poll() is None


@functools.cache
def _kernel_manager_class():
    """nbclient's kernel manager, with two of jupyter_client's defaults replaced, each a fixed
    cost on the path to every kernel's first cell:
    - the kernel spec directories are given rather than found by importing IPython into this
      process (0.2 s) only to name ~/.ipython/kernels: that is named here as IPython names it;
    - its client's handshake does not end by reading IOPub until 0.2 s pass without a message.
      Those messages are the handshake's own, and nbclient takes a cell's outputs by the id of
      the request that made them (`parent_header.msg_id`), so any left over are passed over
      anyway; they are drained without waiting."""
    from queue import Empty

    from jupyter_client import AsyncKernelManager
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_core.paths import jupyter_path
    from traitlets import default

    class KernelClient(AsyncKernelClient):
        async def wait_for_ready(self, timeout: float | None = None) -> None:
            # jupyter_client 8's handshake: kernel_info until a reply comes and IOPub delivers
            # (a socket that has not joined yet gets nothing), then IOPub drained.
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                self.kernel_info()
                try:
                    msg = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    pass
                else:
                    if msg["msg_type"] == "kernel_info_reply":
                        try:
                            await self.iopub_channel.get_msg(timeout=0.2)
                        except Empty:
                            pass
                        else:
                            self._handle_kernel_info_reply(msg)
                            break
                if not await self.is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
            while True:
                try:
                    await self.iopub_channel.get_msg(timeout=0)
                except Empty:
                    break

    class KernelManager(AsyncKernelManager):
        @default("client_factory")
        def _client_factory_default(self):
            return KernelClient

        @default("kernel_spec_manager")
        def _kernel_spec_manager_default(self):
            ipython_dir = os.environ.get("IPYTHONDIR") or os.path.join(os.path.expanduser("~"), ".ipython")
            return KernelSpecManager(data_dir=self.data_dir,
                                     kernel_dirs=[*jupyter_path("kernels"), os.path.join(ipython_dir, "kernels")])

    return KernelManager


def _import_client() -> None:
    import nbclient  # noqa: F401
    import nbformat  # noqa: F401


class BackgroundKernel:
    """A Kernel started and driven on one worker thread, so it boots while the build does other
    work (data validation, cache lookups); `run` waits for the boot. nbclient's event loop and
    sockets stay on the thread that made them."""

    def __init__(self, kernel: Kernel):
        self.kernel = kernel
        self._cancelled = threading.Event()
        # Why this kernel must not run another chapter (a failure, or state a chapter left
        # behind); set by the build, read by whoever keeps kernels between builds.
        self.poisoned: str | None = None
        self.stamp: str | None = None  # the project code it was started on (KernelPool)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-kernel")
        # Importing the Jupyter client takes the GIL for a few tenths of a second; done before the
        # build's own imports and validation compete for it, the kernel process launches sooner.
        self._pool.submit(_import_client).result()
        self._started = self._pool.submit(kernel.__enter__)

    @property
    def started(self) -> Future:
        return self._started

    def wait_ready(self) -> None:
        self._started.result()

    def run(self, code: str, timeout: int | None = None) -> list[dict]:
        self.wait_ready()
        if self._cancelled.is_set():
            raise BuildError("execution cancelled: another chapter failed")
        return self._pool.submit(self.kernel.run, code, timeout).result()

    def cancel(self) -> None:
        """Stop this kernel because the build has failed elsewhere: no further code runs, and a
        booted kernel is killed, so a cell running now ends at once (nbclient notices the dead
        kernel within a second). Not SIGINT: ipykernel can take an interrupt outside the user's
        code and never send the reply nbclient waits for (up to the cell timeout). Safe from any
        thread; a kernel still booting is left to finish and is shut down by `close`."""
        self._cancelled.set()
        if not self._started.done():
            return
        provisioner = getattr(getattr(self.kernel._client, "km", None), "provisioner", None)
        pid = getattr(provisioner, "pid", None)
        if isinstance(pid, int):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def usable(self) -> bool:
        """Booted without error, not cancelled or poisoned, and its process still running."""
        if self.poisoned or self._cancelled.is_set():
            return False
        if not self._started.done():
            return True  # still booting: usable once it is up
        if self._started.exception() is not None:
            return False
        return self.kernel.process_alive()

    def close(self) -> None:
        try:
            self._pool.submit(self.kernel.__exit__, None, None, None).result()
        finally:
            self._pool.shutdown(wait=True)


def _close_quietly(kernels: list[BackgroundKernel]) -> None:
    for kernel in kernels:
        try:
            kernel.close()
        except Exception:  # noqa: BLE001 - a kernel being thrown away may already be gone
            pass


class KernelPool:
    """Kernels kept between builds of one project (`report preview`), so a rebuild does not wait
    for a kernel to boot.

    Each chapter still starts from an empty namespace (kernel_support.reset_namespace and
    begin_chapter), as in a kernel of its own. A kernel goes back into the pool only when it is
    fit for more: one that ran a failing chapter, that a chapter left changed (`poisoned`), that
    was cancelled or whose process died is shut down and a new one started in its place at once,
    so the next build still finds it warm. Kernels started on other project code than is on disk
    now (an edit under src/, which the kernel has imported) are replaced when taken.
    """

    def __init__(self, size: int):
        self.size = max(1, size)
        self._idle: list[BackgroundKernel] = []
        self._template: Kernel | None = None
        self._closers: list[threading.Thread] = []
        self.started = 0  # kernels this pool has started (the tests count restarts)

    def _stamp(self, root: Path) -> str:
        from .cache import _tree_hash

        # The code a kernel imports: the project's src/ and lib/ and the tool itself.
        return _tree_hash(root, skip=("templates",))

    def _start(self, template: Kernel, stamp: str) -> BackgroundKernel:
        kernel = BackgroundKernel(template.clone())
        kernel.stamp = stamp
        self.started += 1
        return kernel

    def _discard(self, kernels: list[BackgroundKernel]) -> None:
        if not kernels:
            return
        for kernel in kernels:
            kernel.cancel()  # a kill: nothing in it is worth a graceful shutdown
        t = threading.Thread(target=_close_quietly, args=(list(kernels),), name="report-kernel-discard", daemon=True)
        t.start()
        self._closers.append(t)

    def _fits(self, kernel: BackgroundKernel, template: Kernel, stamp: str) -> bool:
        return (kernel.usable() and kernel.stamp == stamp and kernel.kernel.root == template.root
                and kernel.kernel.env == template.env and kernel.kernel.ignore == template.ignore)

    def warm(self, template: Kernel) -> None:
        """Start kernels up to the pool's size now, for the builds to come."""
        self._template = template
        stamp = self._stamp(template.root)
        keep = [k for k in self._idle if self._fits(k, template, stamp)]
        self._discard([k for k in self._idle if k not in keep])
        self._idle = keep
        while len(self._idle) < self.size:
            self._idle.append(self._start(template, stamp))

    def take(self, template: Kernel, count: int) -> list[BackgroundKernel]:
        """`count` kernels with `template`'s settings for one build: warm ones first."""
        stamp = self._stamp(template.root)
        fit = [k for k in self._idle if self._fits(k, template, stamp)]
        self._discard([k for k in self._idle if k not in fit])
        # Booted kernels before ones still booting.
        fit.sort(key=lambda k: not k.started.done())
        out, self._idle = fit[:count], fit[count:]
        while len(out) < count:
            out.append(self._start(template, stamp))
        for kernel in out:
            kernel.kernel.timeout = template.timeout
        self._template = template
        return out

    def give_back(self, kernels: list[BackgroundKernel]) -> None:
        """Kernels a build is done with: fit ones wait for the next build, the others are shut
        down and replaced."""
        template = self._template
        stamp = self._stamp(template.root) if template is not None else None
        for kernel in kernels:
            if template is not None and self._fits(kernel, template, stamp) and len(self._idle) < self.size:
                self._idle.append(kernel)
            else:
                self._discard([kernel])
        kernels.clear()
        if template is not None:
            while len(self._idle) < self.size:
                self._idle.append(self._start(template, stamp))

    def close(self) -> None:
        idle, self._idle = self._idle, []
        _close_quietly(idle)
        for t in self._closers:
            t.join()
        self._closers.clear()


_IMPORT = re.compile(r"^[ \t]*(?:import[ \t]+([A-Za-z_][\w.]*)|from[ \t]+([A-Za-z_][\w.]*)[ \t]+import\b)", re.M)


def imported_modules(docs: list[Qmd]) -> list[str]:
    """Absolute module names the chapters' cells import, first use first."""
    seen: dict[str, None] = {}
    for doc in docs:
        for cell in doc.cells:
            if cell.options.get("eval") is False:
                continue
            for m in _IMPORT.finditer(cell.source):
                seen.setdefault(m.group(1) or m.group(2), None)
    return list(seen)


def _first_error(outputs: list[dict]) -> str | None:
    for out in outputs:
        if out.get("output_type") == "error":
            tb = "\n".join(out.get("traceback") or []) or f"{out.get('ename')}: {out.get('evalue')}"
            return strip_ansi(tb)
    return None


def _timeout_option(raw: Any, rel: str) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or raw <= 0:
        raise BuildError(f"{rel}: execute.timeout must be a positive number of seconds, not {raw!r}")
    import math

    return max(1, math.ceil(raw))


def _opt(cell: Cell, defaults: dict, key: str, fallback: Any) -> Any:
    if key in cell.options:
        return cell.options[key]
    return defaults.get(key, fallback)


CHAPTER_SETUP = "_report_kernel_.reset_namespace()\n_report_kernel_.begin_chapter()\n"
MAX_OUTPUT_ENV = "REPORT_MAX_CELL_OUTPUT_MB"
MAX_OUTPUT_MB = 20  # one cell's output; the real book's largest (a map as SVG) is under 1 MB


def max_output_bytes() -> int:
    raw = os.environ.get(MAX_OUTPUT_ENV, "").strip()
    try:
        mb = float(raw) if raw else MAX_OUTPUT_MB
    except ValueError:
        raise BuildError(f"{MAX_OUTPUT_ENV}={raw!r}: expected a number of megabytes") from None
    return int(mb * 1_000_000)


def _output_size(outputs: list[dict]) -> int:
    size = 0
    for out in outputs:
        size += len(out.get("text") or "")
        for value in (out.get("data") or {}).values():
            size += len(value) if isinstance(value, (str, bytes)) else len(str(value))
    return size


class ReplayMismatch(Exception):
    """The chapter asks its kernel for other code than the transcript holds."""


class Replay:
    """A kernel's stand-in that answers a chapter's code from a transcript of an earlier
    execution, as long as the chapter sends exactly the same code in the same order.

    When only the text around a chapter's code has changed (its cells, their options and its
    inline expressions are as they were) and nothing the code read has changed, the kernel would
    give the same outputs again: they are rendered into the new text without a kernel. The
    cache makes the same assumption (the same code on the same inputs prints the same)."""

    def __init__(self, transcript: list):
        self.transcript = transcript
        self.at = 0

    def run(self, code: str, timeout: int | None = None) -> list[dict]:
        if self.at >= len(self.transcript) or self.transcript[self.at][0] != code:
            raise ReplayMismatch(code)
        outputs = self.transcript[self.at][1]
        self.at += 1
        return outputs

    def finished(self) -> bool:
        return self.at == len(self.transcript)


class KernelLost(BuildError):
    """The kernel was gone before the chapter's own code started (it died while idle, say a warm
    kernel killed between builds): nothing of the chapter ran, so it can run in a new kernel."""


class ChapterExecutor:
    def __init__(self, kernel: Kernel | None, root: Path, defaults: dict[str, Any]):
        self.kernel = kernel
        self.root = Path(root)
        self.defaults = defaults
        self.timeout: int | None = None  # this chapter's `execute: timeout`, set by execute()
        self.max_output = max_output_bytes()
        self.transcript: list = []

    def _run(self, rel: str, line: int, code: str, shown: str) -> list[dict]:
        """The kernel's outputs for `code`, with a timeout, a dead kernel or an oversized output
        turned into a message naming the chapter, the line and the code."""
        try:
            outputs = self.kernel.run(code, self.timeout)
        except Exception as exc:
            # Imported here: a replayed chapter never needs nbclient in this process.
            from nbclient.exceptions import CellTimeoutError, DeadKernelError

            if isinstance(exc, CellTimeoutError):
                limit = self.timeout or getattr(getattr(self.kernel, "kernel", self.kernel), "timeout", None)
                raise BuildError(f"{rel}:{line}: did not finish within {limit} s (the cell timeout: set "
                                 f"`execute: timeout` in _quarto.yml or the chapter's front matter)\n\n{shown}") from None
            if isinstance(exc, DeadKernelError):
                error = KernelLost if code == CHAPTER_SETUP else BuildError
                raise error(f"{rel}:{line}: the Jupyter kernel died while running this code (it may have "
                            f"run out of memory, crashed or been killed)\n\n{shown}") from None
            raise
        size = _output_size(outputs)
        if size > self.max_output:
            raise BuildError(f"{rel}:{line}: the output is {size / 1e6:.1f} MB, over the limit of "
                             f"{self.max_output / 1e6:g} MB for one cell (set by {MAX_OUTPUT_ENV}); print less, "
                             f"or write large results to a file\n\n{shown}")
        self.transcript.append([code, outputs])
        return outputs

    def execute(self, rel: str, doc: Qmd, progress: Callable[[str], None] | None = None) -> ChapterResult:
        result = ChapterResult(path=rel, markdown="")
        self.transcript = []
        slug = re.sub(r"[^A-Za-z0-9]+", "-", rel.removesuffix(".qmd")).strip("-")
        defaults = {**self.defaults, **(doc.front_matter.get("execute") or {})}
        self.timeout = _timeout_option(defaults.get("timeout"), rel)
        needs_kernel = doc.has_code()
        if needs_kernel:
            if self.kernel is None:
                raise BuildError(f"{rel}: has code but no kernel was started")  # engine bug, not user error
            self._run_checked(rel, 0, CHAPTER_SETUP, "(chapter setup)")
        parts: list[str] = []
        for chunk in doc.chunks:
            if isinstance(chunk, Markdown):
                parts.append(self._markdown(rel, chunk))
            else:
                parts.append(self._cell(rel, slug, chunk, defaults, result))
                if progress:
                    progress(f"cell at line {chunk.line}")
        if needs_kernel:
            outputs = self._run(rel, 0, "_report_kernel_.end_chapter()\n", "(chapter end)")
            for out in outputs:
                payload = (out.get("data") or {}).get(INLINE_MIME)
                if not payload:
                    continue
                if payload.get("kind") == "opened":
                    result.opened_sha = dict(payload["value"])
                    result.opened = sorted(result.opened_sha)
                elif payload.get("kind") == "figures":
                    result.figures_drawn = list(payload["value"].get("drawn", []))
                    result.figures_cached = list(payload["value"].get("cached", []))
                elif payload.get("kind") == "health":
                    result.health = list(payload["value"])
        result.markdown = "".join(parts)
        result.transcript = self.transcript if needs_kernel else None
        return result

    def _run_checked(self, rel: str, line: int, code: str, shown: str) -> list[dict]:
        outputs = self._run(rel, line, code, shown)
        err = _first_error(outputs)
        if err:
            raise BuildError(f"{rel}:{line}: error while executing\n\n{shown}\n\n{err}")
        return outputs

    def _markdown(self, rel: str, chunk: Markdown) -> str:
        found = inline_exprs(chunk)
        if not found:
            return chunk.text
        exprs = [m.group("expr").strip() for m, _ in found]
        shown = "\n".join(f"`{{python}} {e}`" for e in exprs)
        outputs = self._run_checked(rel, found[0][1], f"_report_kernel_.inline_values({exprs!r})\n",
                                    f"inline expressions\n{shown}")
        results = next(((o.get("data") or {}).get(INLINE_MIME) for o in outputs
                        if (o.get("data") or {}).get(INLINE_MIME)), None)
        if results is None or len(results.get("value") or []) != len(exprs):
            raise BuildError(f"{rel}:{found[0][1]}: inline expressions produced no values")
        out, pos = [], 0
        for (m, line), expr, res in zip(found, exprs, results["value"]):
            if res["status"] != "ok":
                head = f"{res['ename']}: {res['evalue']}"
                tb = strip_ansi("\n".join(res.get("traceback") or [])).strip()
                raise BuildError(f"{rel}:{line}: inline expression `{{python}} {expr}` failed\n\n"
                                 + head + (f"\n\n{tb}" if tb and tb.splitlines()[-1] != head else ""))
            value = inline_markdown(res["data"])
            if value is None:
                # Quarto would leave the expression's source in the text; never print that.
                raise BuildError(f"{rel}:{line}: inline expression `{{python}} {expr}` produced no value "
                                 "(an empty result prints as code in Quarto)")
            out.append(chunk.text[pos : m.start()])
            out.append(value)
            pos = m.end()
        out.append(chunk.text[pos:])
        return "".join(out)

    def _cell(self, rel: str, slug: str, cell: Cell, defaults: dict, result: ChapterResult) -> str:
        if cell.options.get("eval") is False:
            return self._echo(cell, defaults)
        include = _opt(cell, defaults, "include", True)
        output = _opt(cell, defaults, "output", True)
        warning = _opt(cell, defaults, "warning", True)
        outputs = self._run(rel, cell.line, cell.source, cell.raw.rstrip()) if cell.source.strip() else []
        result.cells_executed += 1
        for out in outputs:
            if out.get("output_type") == "error":
                tb = strip_ansi("\n".join(out.get("traceback") or [])) or f"{out.get('ename')}: {out.get('evalue')}"
                raise BuildError(
                    f"{rel}:{cell.line}: cell failed\n\n{cell.raw.rstrip()}\n\n{tb}"
                )
        if include is False:
            return "\n"
        asis = output == "asis"
        blocks: list[str] = []
        echo = self._echo(cell, defaults)
        if echo:
            blocks.append(echo)
        if output is not False:
            blocks.extend(self._outputs(rel, slug, cell, outputs, asis, warning, result))
        return "\n" + "\n\n".join(b.strip("\n") for b in blocks if b.strip()) + "\n\n"

    def _echo(self, cell: Cell, defaults: dict) -> str:
        if _opt(cell, defaults, "echo", True) is not True:
            return ""
        fence = "````" if "```" in cell.source else "```"
        return f"{fence} {{.python .cell-code}}\n{cell.source.rstrip()}\n{fence}\n"

    def _outputs(self, rel, slug, cell, outputs, asis, warning, result) -> list[str]:
        label = str(cell.options.get("label") or "")
        cap = cell.options.get("fig-cap")
        alt_opt = cell.options.get("fig-alt")
        texts: list[str] = []
        images: list[tuple[str, str]] = []  # (path, alt)
        pages: dict[str, str] = {}  # image path -> the same output's text/html, HTML's choice
        shared: list[str] = []  # drawings other figures repeat (report.figures.show's metadata)
        for out in _merge_streams(outputs, drop_stderr=warning is False):
            kind = out.get("output_type")
            if kind == "stream":
                text = out.get("text", "")
                texts.append(text if asis else _code_block(text, "cell-output-" + out.get("name", "stdout")))
                continue
            if kind not in ("display_data", "execute_result"):
                continue
            data = out.get("data") or {}
            meta = out.get("metadata") or {}
            image = next(((mime, ext) for mime, ext in IMAGE_MIMES if mime in data), None)
            if image:
                mime, ext = image
                raw = data[mime]
                content = raw.encode("utf-8") if mime == "image/svg+xml" else base64.b64decode(raw)
                alt = alt_opt or (meta.get(mime) or {}).get("fig-alt") or meta.get("fig-alt")
                if not alt:
                    raise BuildError(
                        f"{rel}:{cell.line}: the cell draws an image without alt text: add `#| fig-alt: ...` "
                        f"to the cell (or display the figure with `fig-alt` metadata)\n\n{cell.raw.rstrip()}"
                    )
                name = f"{FIG_PREFIX}/{slug}/{label or 'cell-' + str(cell.line)}-{len(images) + 1}.{ext}"
                result.files[name] = content
                images.append((name, str(alt)))
                if isinstance(data.get("text/html"), str):
                    # Quarto's display priority: HTML output takes an output's text/html before
                    # its image, other formats the image (report.figures.show gives both).
                    pages[name] = data["text/html"]
                    key = (meta.get("text/html") or {}).get("report-chart")
                    if isinstance(key, str) and re.fullmatch(r"[\w-]+", key):
                        shared.append(key)
            elif "text/markdown" in data:
                texts.append(data["text/markdown"])
            elif "text/html" in data:
                plain = data.get("text/plain", "")
                fallback = f'::: {{.content-hidden when-format="html"}}\n{_code_block(plain, "cell-output-display")}\n:::\n' if plain else ""
                texts.append(f"```{{=html}}\n{data['text/html']}\n```\n\n{fallback}")
            elif "text/plain" in data:
                texts.append(data["text/plain"] + "\n" if asis else _code_block(data["text/plain"], "cell-output-display"))
        blocks = list(texts)
        if images:
            imgs = "\n\n".join(_per_format(f"![]({p}){{fig-alt={_attr(a)}}}", pages.get(p)) for p, a in images)
            if label.startswith("fig-"):
                caption = str(cap) if cap else ""
                chart = f' chart="{" ".join(shared)}"' if shared else ""
                blocks.append(f"::: {{#{label}{chart}}}\n\n{imgs}\n\n{caption}\n\n:::\n")
            elif cap:
                blocks.append(f"::: {{.report-figure}}\n\n{imgs}\n\n{cap}\n\n:::\n")
            else:
                blocks.append(imgs + "\n")
        elif label.startswith("fig-"):
            raise BuildError(f"{rel}:{cell.line}: cell labelled `{label}` produced no figure\n\n{cell.raw.rstrip()}")
        return blocks


def _per_format(image: str, page: str | None) -> str:
    """An image, or the image for other formats and its HTML representation for HTML."""
    if page is None:
        return image
    fence = "`" * max(3, max((len(m) for m in re.findall(r"`+", page)), default=0) + 1)
    return (f'::: {{.content-visible when-format="html"}}\n{fence}{{=html}}\n{page}\n{fence}\n:::\n\n'
            f'::: {{.content-hidden when-format="html"}}\n{image}\n:::')


def _merge_streams(outputs: list[dict], drop_stderr: bool) -> list[dict]:
    """The kernel flushes stdout on a timer, so one print-heavy cell arrives as one stream message
    or several depending on machine load; merge neighbours so the markdown (one code block, or
    `asis` text without stray breaks) does not depend on timing."""
    merged: list[dict] = []
    for out in outputs:
        if out.get("output_type") == "stream":
            if drop_stderr and out.get("name") == "stderr":
                continue
            last = merged[-1] if merged else None
            if last is not None and last.get("output_type") == "stream" and last.get("name") == out.get("name"):
                merged[-1] = {**last, "text": last.get("text", "") + out.get("text", "")}
                continue
        merged.append(out)
    return merged


def _code_block(text: str, cls: str) -> str:
    text = strip_ansi(text).rstrip("\n")
    fence = "`" * max(3, max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence} {{.{cls}}}\n{text}\n{fence}\n"
