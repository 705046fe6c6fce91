"""The preview server under abuse: requests for another host name (DNS rebinding), paths
climbing out of `_book/`, wrong methods; and a warning when it listens on every interface."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import pytest

from report.console import Output
from report.preview.builder import Preview
from report.preview.server import allowed_hosts, make_app


async def _request(app, path: str, host: str | None, method: str = "GET") -> tuple[int, bytes]:
    """One HTTP request straight into the ASGI app, as uvicorn would hand it over."""
    headers = [(b"host", host.encode("latin-1"))] if host is not None else []
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": headers, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 4848)}
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def request(book, path="/", host="127.0.0.1:4848", method="GET", hosts=None):
    async def go():
        preview = Preview(book.root, Output(quiet=True))
        preview._load_html()
        return await _request(make_app(preview, asyncio.Event(), hosts), path, host, method)

    return asyncio.run(go())


@pytest.mark.parametrize("host", ["evil.example", "evil.example:4848", "127.0.0.1.evil.example",
                                  "localhost.evil.example:4848", "", "not a host", None])
def test_other_host_names_are_refused(book, host):
    for path in ("/", "/_preview/state", "/build-manifest.json"):
        status, body = request(book, path, host)
        assert status == 400, (path, host, status)
        assert b"Invalid host header" in body
    book.assert_book_unchanged()


@pytest.mark.parametrize("host", ["127.0.0.1:4848", "localhost:4848", "localhost", "[::1]:4848"])
def test_loopback_names_are_served(book, host):
    status, body = request(book, "/", host)
    assert status == 200 and b"A small book." in body


@pytest.mark.parametrize("path", ["/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                                  "/..%2f..%2f..%2fetc%2fpasswd", "/outside.txt"])
def test_paths_out_of_the_book_are_not_served(book, path):
    (book.path("_book") / "outside.txt").symlink_to("/etc/passwd")  # planted in the served folder
    status, body = request(book, path)
    assert status == 404, (path, status)
    assert b"root:" not in body


def test_only_get_is_answered(book):
    status, _ = request(book, "/", method="POST")
    assert status == 405


def test_allow_host_adds_a_name(book):
    hosts = allowed_hosts("0.0.0.0", ("book.lan",))
    assert "book.lan" in hosts and "localhost" in hosts
    assert request(book, "/", "book.lan:4848", hosts=hosts)[0] == 200
    assert request(book, "/", "evil.example", hosts=hosts)[0] == 400


def test_listening_on_every_interface_warns(book):
    env = {k: v for k, v in os.environ.items() if k != "QUARTO_PROJECT_DIR"}
    proc = subprocess.Popen([sys.executable, "-m", "report.cli", "preview", "--project", str(book.root),
                             "--host", "0.0.0.0", "--port", "0", "--no-open"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        line = b""
        while b"serving" not in line and time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line or proc.poll() is None, proc.stderr.read().decode()
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    text = err.decode()
    assert "warning: --host 0.0.0.0 listens on every network interface" in text
    assert "--allow-host" in text
    assert "Traceback" not in text


def test_ctrl_c_as_serving_appears_stops_a_preview_started_as_a_background_job(book):
    """A shell starts a background job with Ctrl-C ignored, so only the server's own handler
    hears it: "serving" is printed once that handler is in place, and a Ctrl-C the moment it
    appears stops the preview (it was lost when it came before uvicorn had started)."""
    env = {k: v for k, v in os.environ.items() if k != "QUARTO_PROJECT_DIR"}
    for _ in range(3):
        proc = subprocess.Popen([sys.executable, "-m", "report.cli", "preview", "--project", str(book.root),
                                 "--port", "0", "--no-open"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
        try:
            line, deadline = b"", time.monotonic() + 60
            while b"serving" not in line and time.monotonic() < deadline:
                line = proc.stdout.readline()
                assert line or proc.poll() is None, proc.stderr.read().decode()
            os.killpg(proc.pid, signal.SIGINT)
            _, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        assert proc.returncode == 0, err.decode()
        assert "Traceback" not in err.decode()


def test_preview_shows_the_last_save(book):
    """An editor saving many times, during builds too: the page ends on the last save."""
    import json
    import re
    import urllib.request

    env = {k: v for k, v in os.environ.items() if k != "QUARTO_PROJECT_DIR"}
    proc = subprocess.Popen([sys.executable, "-m", "report.cli", "preview", "--project", str(book.root),
                             "--port", "0", "--no-open"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline().decode()
            assert line or proc.poll() is None
            m = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
            url = m.group(1) if m else None
        assert url, "the preview never said where it serves"

        def get(path: str) -> bytes:
            with urllib.request.urlopen(url + path, timeout=10) as r:
                return r.read()

        saves = 40
        for i in range(saves):  # about four seconds of saves: some land while a build runs
            book.chapter(f"# One\n\nSAVE-{i:02d} of the chapter.\n")
            time.sleep(0.1)
        last = f"SAVE-{saves - 1:02d}".encode()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            state = json.loads(get("_preview/state"))
            if not state["building"] and last in get(""):
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the page never showed the last save")
        assert state["error"] is None
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.communicate(timeout=30)
