"""Lighthouse (mobile) on the embedded engine's single-file page: performance and accessibility.

    python benchmarks/lighthouse/run.py [--runs 3] [--book _book/index.html]

Builds the book's HTML with the embedded engine in a scratch copy of the repository (unless
--book names a page already built), serves the page as a web host would (HTTP on 127.0.0.1,
gzip when the browser asks for it; Lighthouse cannot open a file:// page, so the emailed copy's
reading is checked by tests/html instead) and
runs Lighthouse from npm (benchmarks/lighthouse/package.json, installed on first use) in
Debian's Chromium with its default mobile settings: a mid-range phone, simulated slow 4G and a
4x slower CPU. Prints each run's scores and metrics and the median; the JSON reports go to
benchmarks/results/. A benchmark, not a test: its numbers depend on the machine's load.
"""
from __future__ import annotations

import argparse
import gzip
import http.server
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
METRICS = ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift",
           "speed-index"]

# the scratch copy is shared with benchmarks/run.py
sys.path.insert(0, str(HERE.parent))
from scratch import scratch_copy


def build_page(dest: Path) -> Path:
    """The book's HTML, built by the embedded engine from the repository's tracked files."""
    scratch_copy(dest)
    subprocess.run([sys.executable, "-m", "report.cli", "build", "--engine", "embedded", "--to", "html", "-q",
                    "--project", str(dest)], check=True)
    return dest / "_book" / "index.html"


class Handler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzipped for a browser that accepts it (as GitHub Pages or Netlify do)."""

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
        zipped = "gzip" in self.headers.get("Accept-Encoding", "")
        if zipped:
            body = gzip.compress(body, compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        if zipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = lambda *a, **kw: Handler(*a, directory=str(directory), **kw)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/index.html"


def lighthouse(url: str, out: Path) -> dict:
    if not LIGHTHOUSE.is_file():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=HERE, check=True)
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    subprocess.run([str(LIGHTHOUSE), url, "--only-categories=performance,accessibility", "--output=json",
                    f"--output-path={out}", "--quiet",
                    "--chrome-flags=--headless=new --no-sandbox --disable-gpu"], check=True, env=env)
    report = json.loads(out.read_text(encoding="utf-8"))
    return {
        "performance": report["categories"]["performance"]["score"],
        "accessibility": report["categories"]["accessibility"]["score"],
        **{m: report["audits"][m]["numericValue"] for m in METRICS},
        "failed accessibility audits": [a["id"] for a in report["audits"].values()
                                        if a.get("score") == 0 and a["id"] in
                                        {r["id"] for r in report["categories"]["accessibility"]["auditRefs"]}],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--book", type=Path, help="an index.html already built (default: build one)")
    args = ap.parse_args()
    results_dir = REPO / "benchmarks" / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        page = args.book.resolve() if args.book else build_page(Path(tmp) / "book")
        print(f"page: {page} ({page.stat().st_size:,} bytes, gzip {len(gzip.compress(page.read_bytes(), 6)):,})")
        server, url = serve(page.parent)
        runs = []
        try:
            for i in range(args.runs):
                r = lighthouse(url, results_dir / f"lighthouse-http-{i + 1}.json")
                runs.append(r)
                print(f"run {i + 1}: performance {r['performance']:.2f}, accessibility {r['accessibility']:.2f}, "
                      + ", ".join(f"{m} {r[m]:.0f}" if m != "cumulative-layout-shift" else f"{m} {r[m]:.3f}" for m in METRICS)
                      + (f", failed: {r['failed accessibility audits']}" if r["failed accessibility audits"] else ""))
        finally:
            server.shutdown()
    print("median: performance {:.2f}, accessibility {:.2f}".format(
        statistics.median(r["performance"] for r in runs), statistics.median(r["accessibility"] for r in runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
