"""The embedded engine's single-file page, built once from a copy of the real book, opened from
file:// in a headless Chromium (Debian's /usr/bin/chromium through Playwright), at a phone's
width and a desktop's."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# This folder cannot be a package (it would be named `html`, hiding the standard library's), so
# tests/ is put on the path by hand for the scratch-copy helper every build test uses.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from project_copy import copy_project  # noqa: E402

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}


@pytest.fixture(scope="session")
def book(tmp_path_factory) -> Path:
    """_book/index.html of the real book, built with the embedded engine (HTML only)."""
    from report.engine.build import build

    root = copy_project(tmp_path_factory.mktemp("html") / "book")

    class Quiet:
        def step(self, chapter, step):
            pass

        def warn(self, message):
            pass

    build(root, "html", Quiet())
    return root / "_book" / "index.html"


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core from npm (tests/html/package.json), installed on first use when npm is there."""
    if not AXE.is_file() and shutil.which("npm"):
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=HERE, check=False,
                       capture_output=True, timeout=300)
    if not AXE.is_file():
        pytest.skip(f"axe-core is not installed ({AXE}); run `npm install` in {HERE}")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def browser():
    # module scope: a sync Playwright session left open runs an asyncio loop, and any later test
    # that starts its own (tests/preview) would then fail
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def page(request, browser, book):
    """The page at one width, with every request it makes recorded (`page.requests`) and its
    script errors (`page.errors`)."""
    width, height = WIDTHS[request.param]
    ctx = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True,
                              has_touch=request.param == "phone", is_mobile=request.param == "phone")
    pg = ctx.new_page()
    pg.requests = []
    pg.errors = []
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.width_name = request.param
    pg.goto(book.as_uri())
    pg.wait_for_load_state("load")
    yield pg
    ctx.close()
