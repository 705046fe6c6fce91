"""`report preview` end to end: a real server process, a real headless Chromium, real edits."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FIXTURE = Path(__file__).resolve().parent / "fixture"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
BUILD_WAIT_MS = 90_000  # one HTML build of the fixture takes a few seconds; the machine may be busy

if not CHROMIUM.is_file():
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")


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


def _workers_of(root: Path) -> list[int]:
    """Build worker processes still running for this book (there must be none after Ctrl-C)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"report.preview.worker" in cmd and str(root).encode() in cmd:
            pids.append(int(entry.name))
    return pids


@pytest.fixture
def preview_server(tmp_path):
    root = tmp_path / "book"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("_book", ".report-cache"))
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    log_path = tmp_path / "preview.log"
    log = open(log_path, "w", encoding="utf-8")
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "report.cli", "preview", "--no-open", "--port", str(port), "--project", str(root)],
        cwd=root, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
    )
    server = {"root": root, "url": url, "proc": proc, "log": log_path}
    try:
        deadline = time.monotonic() + BUILD_WAIT_MS / 1000
        while True:
            assert proc.poll() is None, f"report preview exited early:\n{log_path.read_text()}"
            state = _state(url)
            if state and state["built"]:
                break
            assert time.monotonic() < deadline, f"no first build within the wait:\n{log_path.read_text()}"
            time.sleep(0.2)
        yield server
    finally:
        if proc.poll() is None:
            # The test asserts a clean Ctrl-C itself; this only guarantees nothing outlives it.
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        for pid in _workers_of(root):
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        log.close()


def test_edit_reloads_page_error_shows_overlay_and_fix_clears_it(preview_server):
    root, url, proc, log = (preview_server[k] for k in ("root", "url", "proc", "log"))
    chapter = root / "chapters" / "one.qmd"
    good = chapter.read_text(encoding="utf-8")

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(url)
            page.get_by_text("Original paragraph of chapter one.").wait_for(timeout=10_000)
            assert page.get_by_text("The values add up to 3.").count() == 1

            # 1. An edit to the prose shows up without touching the browser.
            edited = good.replace("Original paragraph", "Edited paragraph 4821")
            chapter.write_text(edited, encoding="utf-8")
            page.get_by_text("Edited paragraph 4821 of chapter one.").wait_for(timeout=BUILD_WAIT_MS)

            # 2. A failing cell: the overlay names the chapter, the line and the exception; the
            # last good build stays underneath.
            broken = edited + '\n```{python}\nraise RuntimeError("preview test breakage")\n```\n'
            chapter.write_text(broken, encoding="utf-8")
            overlay = page.locator("#report-preview-overlay")
            overlay.wait_for(state="visible", timeout=BUILD_WAIT_MS)
            text = overlay.inner_text()
            assert "chapters/one.qmd:15" in text
            assert "RuntimeError: preview test breakage" in text
            assert page.get_by_text("Edited paragraph 4821 of chapter one.").count() == 1
            assert proc.poll() is None, "a failed build must not stop the server"

            # 3. Fixing it clears the overlay, and a data change reaches the page too.
            chapter.write_text(edited, encoding="utf-8")
            overlay.wait_for(state="detached", timeout=BUILD_WAIT_MS)
            (root / "data" / "values.csv").write_text("name,value\na,1\nb,2\nc,39\n", encoding="utf-8")
            page.get_by_text("The values add up to 42.").wait_for(timeout=BUILD_WAIT_MS)
        finally:
            browser.close()

    # Ctrl-C stops the server and its build workers cleanly.
    proc.send_signal(signal.SIGINT)
    assert proc.wait(30) == 0, log.read_text()
    output = log.read_text()
    assert "build failed" in output and "RuntimeError: preview test breakage" in output
    assert "changed: chapters/one.qmd" in output and "changed: data/values.csv" in output
    assert "preview stopped" in output
    assert "Traceback" not in output.split("RuntimeError: preview test breakage")[-1], output
    deadline = time.monotonic() + 10
    while _workers_of(root) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _workers_of(root) == []


def _kernels_of(root: Path) -> list[int]:
    """Jupyter kernels started for this book (their environment names the project)."""
    pids = []
    marker = f"QUARTO_PROJECT_DIR={root}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes()
            env = (entry / "environ").read_bytes().split(b"\0") if b"ipykernel" in cmd else []
        except OSError:
            continue
        if marker in env:
            pids.append(int(entry.name))
    return pids


def _visible_after(page, save, check: str, arg) -> tuple[float, str]:
    """Seconds from `save()` until `check(arg)` holds in the open page, and how the page changed
    (patched in place, or reloaded). The time is taken in the page when it first sees the change."""
    page.evaluate("() => { window.reportPreview = window.reportPreview || {}; window.reportPreview.mode = 'unchanged'; }")
    saved_at = time.time() * 1000
    save()
    seen_at = page.wait_for_function(f"(arg) => ({check}) ? Date.now() : false", arg=arg,
                                     polling=10, timeout=BUILD_WAIT_MS).json_value()
    mode = page.evaluate("() => (window.reportPreview || {}).mode || 'reload'")
    return (seen_at - saved_at) / 1000, mode


def test_save_to_visible_for_a_prose_and_a_data_edit(preview_server, capsys):
    """The page follows prose and data edits without a reload, and the save-to-visible times are
    reported (a benchmark, not a limit: the change must appear, however long it takes)."""
    root, url, proc = (preview_server[k] for k in ("root", "url", "proc"))
    chapter = root / "chapters" / "one.qmd"
    data = root / "data" / "values.csv"
    text = chapter.read_text(encoding="utf-8")
    timings: list[tuple[str, float, str]] = []
    has = "document.getElementById('sec-one') && document.getElementById('sec-one').textContent.includes(arg)"

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(url)
            page.get_by_text("Original paragraph of chapter one.").wait_for(timeout=10_000)
            page.evaluate("() => { window.untouched = 'still here'; }")  # gone if the page reloads
            for n in range(1, 4):
                phrase = f"Prose edit number {n} reads well."
                seconds, mode = _visible_after(
                    page, lambda: chapter.write_text(text.replace("Original paragraph of chapter one.", phrase),
                                                     encoding="utf-8"), has, phrase)
                timings.append(("prose", seconds, mode))
            for n, last in enumerate((39, 40, 41), start=1):
                total = 1 + 2 + last
                seconds, mode = _visible_after(
                    page, lambda: data.write_text(f"name,value\na,1\nb,2\nc,{last}\n", encoding="utf-8"),
                    has, f"The values add up to {total}.")
                timings.append(("data", seconds, mode))
            assert page.evaluate("() => window.untouched") == "still here", "the page was reloaded"
        finally:
            browser.close()
    with capsys.disabled():
        shown = ", ".join(f"{kind} {seconds:.2f} s ({mode})" for kind, seconds, mode in timings)
        print(f"\npreview save-to-visible: {shown}")
    assert all(mode == "patch" for _, _, mode in timings), timings

    proc.send_signal(signal.SIGINT)
    assert proc.wait(30) == 0
    deadline = time.monotonic() + 10
    while (_workers_of(root) or _kernels_of(root)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _workers_of(root) == [] and _kernels_of(root) == []
