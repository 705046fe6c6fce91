"""One HTML build in its own process, reporting as JSON lines to the preview server.

Started ahead of time: it imports the engine (about a second of pandas, nbclient and friends)
and then waits for one line on stdin before building, so that the import cost is paid while
the author is still typing. The server throws a waiting worker away when Python code under
`src/` changed, because that worker has the old code imported.

Protocol (one JSON object per line on the original stdout):
  {"type": "ready"}                              imports done, waiting for "build"
  {"type": "step", "chapter": ..., "step": ...}  engine progress
  {"type": "warn", "message": ...}
  {"type": "done", "seconds": ..., "executed": [...], "cached": [...], "cells": n}
  {"type": "error", "message": ..., "kind": "build" | "crash"}
Anything else the build prints (fd 1 and 2) goes to stderr, so it cannot corrupt the protocol.
"""
from __future__ import annotations

import json
import os
import sys
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

    def send(self, **message) -> None:
        self.out.write(json.dumps(message) + "\n")
        self.out.flush()

    def step(self, chapter: str, step: str) -> None:
        self.send(type="step", chapter=chapter, step=step)

    def warn(self, message: str) -> None:
        self.send(type="warn", message=message)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m report.preview.worker PROJECT_ROOT", file=sys.stderr)
        return 2
    root = Path(argv[0]).resolve()
    reporter = _Reporter(_protocol_stream())
    try:
        from report.engine.build import build
        from report.engine.errors import BuildError
    except Exception:  # noqa: BLE001 - a broken engine import is a build error for the author to see
        reporter.send(type="error", kind="crash", message="could not import the engine:\n" + traceback.format_exc())
        return 1
    reporter.send(type="ready")
    command = sys.stdin.readline().strip()
    if command != "build":
        return 0  # the server discarded this worker
    try:
        result = build(root, "html", reporter)
    except BuildError as exc:
        reporter.send(type="error", kind="build", message=str(exc))
        return 1
    except Exception:  # noqa: BLE001 - an engine bug still has to reach the page, with its traceback
        reporter.send(type="error", kind="crash", message=traceback.format_exc())
        return 1
    reporter.send(
        type="done",
        seconds=result.seconds,
        executed=result.chapters_executed,
        cached=result.chapters_cached,
        cells=result.cells_executed,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
