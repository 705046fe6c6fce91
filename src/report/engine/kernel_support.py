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
# State a fresh namespace does not reset, taken once the kernel is set up: chapters must leave it
# as they found it, or the kernel is not trusted with another chapter (see health()).
_baseline: dict = {}


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
    _take_baseline()


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
    # rcParams set by an earlier chapter would change this one's charts; start from the kernel's.
    rc = _baseline.get("rc")
    if rc is not None:
        matplotlib.rcParams.update(rc)
    matplotlib.rcParams["svg.hashsalt"] = SVG_SALT
    # As under Quarto, where each chapter has a kernel of its own, the inline provenance check
    # starts off and comes on when the chapter reads the data package.
    inline = sys.modules.get("report.inline")
    if inline is not None:
        inline.deactivate()
    os.chdir(_root)
    _clear_project_caches()
    # The figure cache hashes the drawing code and fonts now, before recording starts: those
    # reads are the cache's key, not data the chapter read.
    figure_cache = sys.modules.get("report.figures.cache")
    if figure_cache is not None:
        figure_cache.take_counts()
        figure_cache.new_chapter()
    _opened.clear()
    _recording = True


def _clear_project_caches() -> None:
    """Empty functools caches of project code, so a chapter re-reads (and we record) the files it
    uses instead of getting them from a previous chapter: the cache relies on that record."""
    import functools
    import gc

    # Project modules only: a virtual environment inside the project holds matplotlib, whose
    # font caches are not the chapter's data and are slow to refill.
    project = _project_modules()
    for obj in gc.get_objects():
        if isinstance(obj, functools._lru_cache_wrapper) and getattr(obj, "__module__", None) in project:
            obj.cache_clear()


def end_chapter() -> None:
    global _recording
    _recording = False
    from IPython.display import display

    # A file read while preloading and again by the chapter keeps its first hash: the older one.
    display({INLINE_MIME: {"kind": "opened", "value": dict(sorted({**_opened, **_preload_opened}.items()))}},
            raw=True)
    figure_cache = sys.modules.get("report.figures.cache")
    counts = figure_cache.take_counts() if figure_cache is not None else {"drawn": [], "cached": []}
    display({INLINE_MIME: {"kind": "figures", "value": counts}}, raw=True)
    display({INLINE_MIME: {"kind": "health", "value": health()}}, raw=True)


# --- Is this kernel still fit for another chapter? -----------------------------------------------
#
# Each chapter gets an empty namespace, which is all Quarto's one-kernel-per-chapter gives it
# beyond a new process. What a reset does not undo is state outside the namespace: the module
# search path, the environment, and the project's own modules (a chapter that rebinds
# `figures.show` or replaces `report.fmt.pct` would change every later chapter). A chapter that
# touches any of it makes the engine start a new kernel before the next chapter.

_module_is_project: dict[tuple[str, str], bool] = {}


def _installed_prefixes() -> tuple[str, ...]:
    """Where installed packages live: a virtual environment inside the project (`.venv/`) holds
    pandas and matplotlib, which are not the project's code."""
    import site

    dirs = {sys.prefix, sys.exec_prefix, sys.base_prefix, *site.getsitepackages()}
    user = site.getusersitepackages() if hasattr(site, "getusersitepackages") else None
    if user:
        dirs.add(user)
    return tuple(os.path.abspath(d) + os.sep for d in dirs if d)


def _project_modules() -> dict[str, object]:
    """Modules loaded from the project's own files (src/, or beside the chapters)."""
    if _root is None:
        return {}
    root = str(_root) + os.sep
    installed = _installed_prefixes()
    out = {}
    for name, mod in list(sys.modules.items()):
        path = getattr(mod, "__file__", None)
        if not path or name == __name__:
            continue
        known = _module_is_project.get((name, path))
        if known is None:
            full = os.path.abspath(path)
            known = full.startswith(root) and not full.startswith(installed) and not full.startswith(_ignore_prefixes)
            _module_is_project[(name, path)] = known
        if known:
            out[name] = mod
    return out


def _bindings(mod) -> dict[str, int]:
    """The module's functions, classes and submodules by identity; plain values (counters,
    memoised fingerprints) change legitimately and are left out."""
    import inspect

    out = {}
    for attr, value in list(vars(mod).items()):
        if inspect.isfunction(value) or inspect.isclass(value) or inspect.ismodule(value) or inspect.isbuiltin(value):
            out[attr] = id(value)
    return out


def _take_baseline() -> None:
    import matplotlib

    _baseline.clear()
    _baseline["path"] = list(sys.path)
    _baseline["environ"] = dict(os.environ)
    _baseline["rc"] = {k: v for k, v in matplotlib.rcParams.items()}
    _baseline["modules"] = {name: (id(mod), _bindings(mod)) for name, mod in _project_modules().items()}


def health() -> list[str]:
    """What the chapter changed that a fresh namespace does not reset; empty when nothing."""
    if not _baseline:
        return []
    problems = []
    if sys.path != _baseline["path"]:
        problems.append("sys.path was changed")
    env = dict(os.environ)
    moved = sorted(k for k in set(env) | set(_baseline["environ"]) if env.get(k) != _baseline["environ"].get(k))
    if moved:
        problems.append("environment variables changed: " + ", ".join(moved[:5]))
    current = _project_modules()
    for name, (ident, bindings) in _baseline["modules"].items():
        mod = current.get(name)
        if mod is None or id(mod) != ident:
            problems.append(f"module {name} was removed or replaced")
            continue
        now = _bindings(mod)
        changed = sorted(a for a, i in bindings.items() if now.get(a) != i)
        if changed:
            problems.append(f"{name}.{changed[0]} was rebound" + (f" (and {len(changed) - 1} more)" if len(changed) > 1 else ""))
    # Modules first imported by this chapter join the baseline as they are now: a later change
    # to them is caught like any other.
    for name, mod in current.items():
        _baseline["modules"].setdefault(name, (id(mod), _bindings(mod)))
    if not hasattr(builtins, "_report_kernel_"):
        problems.append("the engine's helper was removed from builtins")
    return problems


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
