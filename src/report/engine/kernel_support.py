"""Imported inside the Jupyter kernel (not by the engine process).

It lives in `builtins` as `_report_kernel_` so that `%reset -f` between chapters cannot remove it.
"""
from __future__ import annotations

import builtins
import json
import os
import sys
from pathlib import Path

INLINE_MIME = "application/x-report-inline+json"
SVG_SALT = "breaking-the-cycle"

_root: Path | None = None
# project-relative path -> sha256 of the file when the code first opened it ("" if it was
# missing or not a regular file). The hash is taken before the code reads the file, so an entry
# built from it can only be older than what was read, never newer: the cache then misses rather
# than serving a result under the hash of bytes that were never executed.
_opened: dict[str, str] = {}
_preload_opened: dict[str, str] = {}
_recording = False
_hashing = False
_ignore_prefixes: tuple[str, ...] = ()


def _hash_file(path: str) -> str:
    """sha256 of a regular file, "" for anything else; never blocks on a FIFO."""
    import hashlib
    import stat

    global _hashing
    _hashing = True  # reading the file raises "open" again: the hook must ignore its own reads
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        _hashing = False
        return ""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return ""
        h = hashlib.sha256()
        while chunk := os.read(fd, 1 << 20):
            h.update(chunk)
        return h.hexdigest()
    except OSError:
        return ""
    finally:
        os.close(fd)
        _hashing = False


def _audit(event: str, args: tuple) -> None:
    # Runs for every audited event in the kernel, so it must stay cheap and never raise.
    if not _recording or _hashing or event != "open" or _root is None:
        return
    try:
        target = args[0]
        if isinstance(target, int):
            return
        mode = args[1] if len(args) > 1 else "r"
        if mode and any(c in str(mode) for c in "wax+"):
            return
        p = os.path.abspath(os.fsdecode(target))
        root = str(_root)
        if p.startswith(root + os.sep) and not p.startswith(_ignore_prefixes):
            rel = os.path.relpath(p, root)
            if rel not in _opened:
                _opened[rel] = _hash_file(p)
    except Exception:  # noqa: BLE001 - an audit hook must not break user code
        pass


def setup(root: str, ignore: list[str], preload: list[str] = ()) -> None:
    """Once per kernel: project paths, inline SVG figures, reproducible SVG output, file recording,
    then the modules the chapters will import."""
    global _root, _ignore_prefixes, _recording
    _root = Path(root).resolve()
    _ignore_prefixes = tuple(str(_root / p) + os.sep for p in ignore)
    os.chdir(_root)
    os.environ["QUARTO_PROJECT_DIR"] = str(_root)
    builtins._report_kernel_ = sys.modules[__name__]
    sys.addaudithook(_audit)
    import matplotlib

    # matplotlib embeds a random salt in SVG ids and the date in its metadata; fix both so
    # the same figure gives the same bytes.
    matplotlib.rcParams["svg.hashsalt"] = SVG_SALT
    ip = _ipython()
    if ip is not None:
        ip.run_line_magic("matplotlib", "inline")
        ip.run_line_magic("config", "InlineBackend.figure_formats = ['svg']")
        ip.run_line_magic(
            "config",
            "InlineBackend.print_figure_kwargs = {'bbox_inches': 'tight', 'metadata': {'Date': None}}",
        )
    if preload:
        import importlib

        # What a module reads at import time is state every later chapter relies on, so those
        # files are recorded once here and reported with each chapter.
        _opened.clear()
        _recording = True
        try:
            for name in preload:
                try:
                    importlib.import_module(name)
                except Exception:  # noqa: BLE001 - the chapter importing it reports the error
                    pass
        finally:
            _recording = False
            _preload_opened.update(_opened)
            _opened.clear()


def _ipython():
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return None
    return get_ipython()


def reset_namespace() -> None:
    """`%reset -f`: an empty namespace for the next chapter. IPython runs two full garbage
    collections in it (0.2 s with pandas and matplotlib loaded, paid per chapter); they only
    free memory sooner, which a kernel living for one build does not need."""
    import gc

    ip = _ipython()
    if ip is None:  # pragma: no cover - always IPython under the engine
        return
    collect = gc.collect
    gc.collect = lambda generation=2: 0
    try:
        ip.run_line_magic("reset", "-f")
    finally:
        gc.collect = collect


def begin_chapter() -> None:
    global _recording
    import matplotlib

    import matplotlib.pyplot as plt

    plt.close("all")
    matplotlib.rcParams["svg.hashsalt"] = SVG_SALT
    # As under Quarto, where each chapter has a kernel of its own, the inline provenance check
    # starts off and comes on when the chapter reads the data package.
    inline = sys.modules.get("report.inline")
    if inline is not None:
        inline.deactivate()
    os.chdir(_root)
    _clear_project_caches()
    _opened.clear()
    _recording = True


def _clear_project_caches() -> None:
    """Empty functools caches of project code, so a chapter re-reads (and we record) the files it
    uses instead of getting them from a previous chapter: the cache relies on that record."""
    import functools
    import gc

    root = str(_root) + os.sep
    for obj in gc.get_objects():
        if isinstance(obj, functools._lru_cache_wrapper):
            mod = sys.modules.get(getattr(obj, "__module__", None) or "")
            path = getattr(mod, "__file__", None)
            if path and os.path.abspath(path).startswith(root):
                obj.cache_clear()


def end_chapter() -> None:
    global _recording
    _recording = False
    from IPython.display import display

    # A file read while preloading and again by the chapter keeps its first hash: the older one.
    display({INLINE_MIME: {"kind": "opened", "value": dict(sorted({**_opened, **_preload_opened}.items()))}},
            raw=True)


def inline_values(expressions: list[str]) -> None:
    """Evaluate a markdown chunk's inline expressions the way Quarto does: through IPython's
    `user_expressions` (Quarto sends them with an execute request), so whatever the project
    installs on that path, such as report.inline's provenance check, runs in both engines.
    Each result is reported as its display data (for the engine to pick text/markdown or
    text/plain, as Quarto does) or as the error it raised."""
    from IPython.display import display

    ip = _ipython()
    results = ip.user_expressions({str(i): expr for i, expr in enumerate(expressions)})
    payload = []
    for i in range(len(expressions)):
        res = results.get(str(i)) or {}
        if res.get("status") == "ok":
            data = res.get("data") or {}
            payload.append({"status": "ok", "data": {k: data[k] for k in ("text/markdown", "text/plain") if k in data}})
        else:
            payload.append({"status": "error", "ename": str(res.get("ename", "Error")),
                            "evalue": str(res.get("evalue", "")), "traceback": list(res.get("traceback") or [])})
    display({INLINE_MIME: {"kind": "inline", "value": json.loads(json.dumps(payload, default=str))}}, raw=True)
