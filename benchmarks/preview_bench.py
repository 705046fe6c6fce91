"""Save-to-visible in `report preview` on the real book, measured in a headless Chromium (run.py).

A preview server runs on the scratch copy; the page is open in the browser. Each edit is saved
and the clock runs until the page shows it: for a prose edit, the new sentence in its chapter's
section; for a data edit, a new drawing of the chart in place of the old one. The time is taken
inside the page (Date.now() in the first check that sees the change), against the wall clock
just before the file was written, so it includes the file watcher, the build, the server and the
browser's own work. One edit of each kind is made first and not counted: the worker's kernels
boot when the preview starts, and these are the times of an author who has been working a while.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from scratch import CHAPTER, DATASET, set_value

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SECTION = "sec-social-capital"  # CHAPTER's
FIGURE = "fig-childcare"  # drawn from DATASET
# Values the chapter's claims still hold for (doubly disadvantaged areas keep the fewest places).
VALUES = [22, 21, 20, 19, 24, 25]
WAIT_MS = 120_000


def available() -> str | None:
    """Why the preview cannot be measured here, or None when it can."""
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} is not installed"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _state(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(url + "_preview/state", timeout=5) as r:
            return json.load(r)
    except (urllib.error.URLError, OSError):
        return None


def _idle(url: str) -> None:
    """Wait until the server has finished building: the author saves, looks, then edits again.
    (Saves that come faster than builds finish queue behind the build in progress.)"""
    deadline = time.monotonic() + WAIT_MS / 1000
    while (_state(url) or {}).get("building") and time.monotonic() < deadline:
        time.sleep(0.05)


def _timed(page, url: str, save, check: str, arg) -> tuple[float, str]:
    _idle(url)
    page.evaluate("() => { window.reportPreview = window.reportPreview || {}; window.reportPreview.mode = 'unchanged'; }")
    saved_at = time.time() * 1000
    save()
    seen_at = page.wait_for_function(f"(arg) => ({check}) ? Date.now() : false", arg=arg,
                                     polling=10, timeout=WAIT_MS).json_value()
    info = page.evaluate("() => window.reportPreview || {}")
    mode = info.get("mode") or "reload"
    # Where the time went: save -> the page heard of the new build -> patch fetched -> applied.
    steps = {k: round((info[k] - saved_at) / 1000, 3) for k in ("heardAt", "fetchedAt", "at") if info.get(k)}
    return (seen_at - saved_at) / 1000, mode if not steps else f"{mode} {steps}"


def measure(project: Path, env: dict[str, str], edits: int = 3, log: Path | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    log_file = open(log or os.devnull, "w", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "report.cli", "preview", "--no-open", "--port", str(port),
                             "--project", str(project)], cwd=project, env={**env, "PYTHONUNBUFFERED": "1"},
                            stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    chapter = project / CHAPTER
    original_chapter = chapter.read_text(encoding="utf-8")
    original_data = (project / DATASET).read_text(encoding="utf-8")
    prose: list[tuple[float, str]] = []
    data: list[tuple[float, str]] = []
    try:
        deadline = time.monotonic() + WAIT_MS / 1000
        while not (_state(url) or {}).get("built"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"report preview did not serve a build (exit {proc.poll()})")
            time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.goto(url, timeout=WAIT_MS)
                page.wait_for_selector(f"#{SECTION}", timeout=WAIT_MS)
                has_text = f"document.getElementById('{SECTION}').textContent.includes(arg)"
                # The chart is inline SVG: a redraw changes the drawing's markup.
                art = f"document.querySelector('#{FIGURE} .report-chart-art')"
                new_chart = f"({art} || {{}}).innerHTML !== arg"
                for n in range(edits + 1):
                    phrase = f"A sentence the preview benchmark wrote, number {n}."
                    taken = _timed(page, url, lambda: chapter.write_text(original_chapter + f"\n\n{phrase}\n",
                                                                     encoding="utf-8"), has_text, phrase)
                    if n:
                        prose.append(taken)
                for n in range(edits + 1):
                    drawn = page.evaluate(f"() => {art}.innerHTML")
                    taken = _timed(page, url, lambda: set_value(project, VALUES[n % len(VALUES)]), new_chart, drawn)
                    if n:
                        data.append(taken)
            finally:
                browser.close()
    finally:
        chapter.write_text(original_chapter, encoding="utf-8")
        (project / DATASET).write_text(original_data, encoding="utf-8")
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log_file.close()
    return {"prose": prose, "data": data}
