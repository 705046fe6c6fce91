"""One `report build` with a clock on every engine step; prints one JSON line (used by run.py).

    python benchmarks/timed_build.py PROJECT [--to all|html|pdf] [--profile FILE] [--record FILE]

Runs the same `build()` as `report build` in a fresh interpreter, so the timings include what an
author waits for: interpreter start, imports, then each step the engine reports.
"""
from __future__ import annotations

import time

T_START = time.monotonic()

import argparse  # noqa: E402 - the clock starts before any import
import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402


class TimingReporter:
    def __init__(self):
        self.events: list[tuple[float, str, str]] = []
        self.warnings: list[str] = []

    def step(self, chapter: str, step: str) -> None:
        self.events.append((time.monotonic(), chapter, step))

    def warn(self, message: str) -> None:
        self.warnings.append(message)


def phases(t0: float, t_end: float, events: list[tuple[float, str, str]]) -> dict[str, float]:
    """Seconds per phase: the time from one reported step to the next, grouped by what it was."""
    out: dict[str, float] = {}
    first = events[0][0] if events else t_end
    out["setup (config, data validation, parse, cache lookups)"] = first - t0
    for i, (t, chapter, step) in enumerate(events):
        nxt = events[i + 1][0] if i + 1 < len(events) else t_end
        if chapter and step.startswith(("execute", "read")):
            name = f"execute {chapter}" if step.startswith("execute") else f"read {chapter}"
        elif chapter:
            name = f"{step} {chapter}"
        else:
            name = step
        out[name] = out.get(name, 0.0) + (nxt - t)
    return out


def record_tool_calls(path: Path) -> None:
    """Write down every pandoc and Typst invocation of this build, so floor.py can replay exactly
    them on the kept intermediate files without depending on the engine's internal functions."""
    import subprocess

    import typst

    calls: list[dict] = []

    def save() -> None:
        path.write_text(json.dumps(calls, indent=1), encoding="utf-8")

    real_run, real_compile = subprocess.run, typst.compile

    def run(cmd, *a, **kw):
        if isinstance(cmd, (list, tuple)) and cmd and "pandoc" in Path(str(cmd[0])).name and "--version" not in cmd:
            calls.append({"tool": "pandoc", "argv": [str(c) for c in cmd], "cwd": str(kw.get("cwd") or ""),
                          "input": kw.get("input")})
            save()
        return real_run(cmd, *a, **kw)

    def compile_(inp, *a, **kw):
        if a:
            raise RuntimeError("benchmark: typst.compile called with positional options; update record_tool_calls")
        calls.append({"tool": "typst", "input": str(inp),
                      "kwargs": {k: (v if isinstance(v, (str, int, float, list, type(None))) else str(v))
                                 for k, v in kw.items()}})
        save()
        return real_compile(inp, **kw)

    subprocess.run = run
    typst.compile = compile_


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("project")
    ap.add_argument("--to", default="all", choices=["all", "html", "pdf"])
    ap.add_argument("--profile", help="write cProfile stats of the engine process here")
    ap.add_argument("--record", help="write the pandoc and Typst invocations here (JSON)")
    args = ap.parse_args()
    if args.record:
        record_tool_calls(Path(args.record))

    from report.engine.build import build
    from report.engine.errors import BuildError

    t_imported = time.monotonic()
    reporter = TimingReporter()
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    t0 = time.monotonic()
    try:
        result = build(Path(args.project), args.to, reporter)
    except BuildError as exc:
        print(json.dumps({"ok": False, "error": str(exc)}))
        return 1
    t_end = time.monotonic()
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    print(json.dumps({
        "ok": True,
        "imports": t_imported - T_START,
        "engine": t_end - t0,
        "phases": phases(t0, t_end, reporter.events),
        "chapters_executed": result.chapters_executed,
        "chapters_cached": result.chapters_cached,
        "cells_executed": result.cells_executed,
        "figures_drawn": result.figures_drawn,
        "figures_cached": result.figures_cached,
        "pages": result.pages,
        "warnings": reporter.warnings,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
