"""`report build --engine quarto`: the book rendered by the real Quarto CLI, delivered like the
embedded engine's builds.

What it adds to a bare `quarto render`:
  * the data package is validated first, as the embedded engine does;
  * Quarto writes into a staging directory (`--output-dir`) beside `_book/`, which replaces
    `_book/` only when the render succeeded, so a failed build leaves the last good book;
  * `--to html` or `--to pdf` keeps the other format from the previous build (Quarto would
    otherwise empty the output directory);
  * the colophon line (commit, data version) reaches the book as `report-colophon` metadata;
  * Quarto's progress becomes the engine's progress lines, its warnings become warnings, and
    the build ends with the same summary (and `_book/build-manifest.json`).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BuildError

# Kernel chatter Quarto passes through that says nothing about the book: ipykernel 7 warns
# that its connection is not encrypted, but Quarto talks to its kernels over loopback TCP.
# With `pdf-standard` set, Quarto also asks verapdf, when installed, to validate the PDF, and
# warns when it is not. Typst has already checked the standard as it wrote the PDF (it refuses
# to write one that breaks it, and the build fails), so a missing second opinion says nothing
# about the book.
_NOISE = (re.compile(r"Kernel is running over TCP without encryption"),
          re.compile(r"PDF standard validation requested but verapdf is not installed"))
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_PROGRESS = re.compile(r"^\[\s*(\d+)/(\d+)\]\s+(\S+)")
_EXECUTING = re.compile(r"^Executing '(.+?)'")
_WARNING = re.compile(r"^(?:\[WARNING\]|WARNING:|WARN:)\s*(.*)")
_TYPST = re.compile(r"^\[typst\]:\s*(.*)")

MIN_VERSION = (1, 9)


@dataclass
class QuartoResult:
    outputs: list[Path]
    pages: int | None
    figures: int
    seconds: float
    chapters_executed: int
    version: str
    warnings: list[str] = field(default_factory=list)


def quarto_version(quarto: str) -> str:
    out = subprocess.run([quarto, "--version"], capture_output=True, text=True, timeout=120)
    return out.stdout.strip() or "unknown"


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def quarto_command(quarto: str, to: str, out: Path, colophon: str | None) -> list[str]:
    cmd = [quarto, "render", "--output-dir", str(out)]
    if to == "html":
        cmd += ["--to", "html"]
    elif to == "pdf":
        cmd += ["--to", "typst"]
    if colophon:
        cmd += ["-M", f"report-colophon:{colophon}"]
    return cmd


def _relay(proc: subprocess.Popen, reporter, tail: deque, warnings: list[str]) -> int:
    """Reads Quarto's merged output line by line: progress to reporter.step, warnings to
    reporter.warn, everything kept in `tail` for an error message. Returns chapters executed."""
    executed = 0
    current = ""
    assert proc.stdout is not None
    for raw in proc.stdout:
        line = _ANSI.sub("", raw).rstrip()
        if not line.strip() or any(p.search(line) for p in _NOISE):
            continue
        tail.append(line)
        stripped = line.strip()
        if m := _PROGRESS.match(stripped):
            current = m.group(3)
            reporter.step(current, "render")
        elif m := _EXECUTING.match(stripped):
            executed += 1
            reporter.step(current, "execute")
        elif m := _TYPST.match(stripped):
            reporter.step("", "compile pdf")
            rest = m.group(1)
            if "warning:" in rest:
                msg = rest[rest.index("warning:"):]
                warnings.append(msg)
                reporter.warn(f"typst: {msg}")
        elif m := _WARNING.match(stripped):
            warnings.append(m.group(1))
            reporter.warn(m.group(1))
        elif stripped.startswith("warning:"):
            warnings.append(stripped)
            reporter.warn(stripped)
    return executed


def _error_excerpt(tail: deque) -> str:
    """The part of Quarto's output that explains a failure: from its first error line on."""
    lines = list(tail)
    for i, line in enumerate(lines):
        if re.search(r"\b(\w*Error|ERROR|error)\b", line):  # "ClaimError: ...", "ERROR: ...", "error: ..."
            return "\n".join(lines[i:])
    return "\n".join(lines[-25:])


def _keep_other_format(to: str, previous: Path, out: Path, pdf_name: str) -> None:
    """`--to html` renders no PDF and `--to pdf` no HTML; the previous build's other format stays."""
    if to == "all" or not previous.is_dir():
        return
    for entry in previous.iterdir():
        if entry.name == "build-manifest.json" or (out / entry.name).exists():
            continue
        is_pdf = entry.name == pdf_name
        if (to == "html" and is_pdf) or (to == "pdf" and not is_pdf):
            if entry.is_dir():
                shutil.copytree(entry, out / entry.name)
            else:
                shutil.copy2(entry, out / entry.name)


def _count_figures(out: Path) -> int:
    ids: set[str] = set()
    for page in out.rglob("*.html"):
        ids |= set(re.findall(r'<(?:figure|div)[^>]*\bid="(fig-[^"]+)"', page.read_text(encoding="utf-8")))
    return len(ids)


def _write_manifest(root: Path, out: Path, to: str, version: str, config, chapters: list[str]) -> None:
    from .build import data_version, git_commit, sha256_file, source_date_epoch

    inputs = set(config.render_inputs) | set(chapters)
    data = root / "data"
    if data.is_dir():
        inputs |= {os.path.relpath(p, root) for p in data.rglob("*") if p.is_file() and "raw" not in p.relative_to(data).parts}
    manifest = {
        "engine": "quarto",
        "formats": to,
        "git_commit": git_commit(root),
        "data_version": data_version(root),
        "source_date_epoch": source_date_epoch(root),
        "tools": {"quarto": version, "python": sys.version.split()[0]},
        "inputs": {rel: sha256_file(root / rel) for rel in sorted(inputs) if (root / rel).is_file()},
        "outputs": {os.path.relpath(p, out): sha256_file(p) for p in sorted(out.rglob("*")) if p.is_file()},
    }
    (out / "build-manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def build_with_quarto(root: Path, to: str, reporter, quarto: str) -> QuartoResult:
    from .build import (
        BOOK_DIR,
        CACHE_DIR,
        VALIDATION_CACHE,
        colophon,
        confine_cache,
        validate_data,
    )
    from .config import load_config
    from .render_typst import page_count
    from .swap import staged_output

    t0 = time.monotonic()
    root = Path(root).resolve()
    version = quarto_version(quarto)
    if _version_tuple(version) < MIN_VERSION:
        reporter.warn(f"quarto {version}: this book's Typst partials are written for Quarto 1.9 or later")
    config = load_config(root)  # the same checks of _quarto.yml the embedded engine makes
    confine_cache(root)
    validate_data(root, root / CACHE_DIR / VALIDATION_CACHE)
    book_dir = root / BOOK_DIR
    pdf_name = f"{config.output_file}.pdf"
    env = dict(os.environ)
    # Quarto runs the chapters' code with this Python (and its Jupyter), the one `report` runs in.
    env.setdefault("QUARTO_PYTHON", sys.executable)
    warnings: list[str] = []
    with staged_output(book_dir) as (out, _work):
        cmd = quarto_command(quarto, to, out, colophon(root))
        reporter.step("", "quarto render" + ("" if to == "all" else f" --to {cmd[cmd.index('--to') + 1]}"))
        tail: deque = deque(maxlen=200)
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, encoding="utf-8", errors="replace")
        try:
            executed = _relay(proc, reporter, tail, warnings)
            rc = proc.wait()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        if rc != 0:
            raise BuildError(f"quarto render failed (exit {rc}); _book/ is unchanged:\n{_error_excerpt(tail)}")
        want_html, want_pdf = to in ("html", "all"), to in ("pdf", "all")
        missing = [name for name, wanted in (("index.html", want_html), (pdf_name, want_pdf))
                   if wanted and not (out / name).is_file()]
        if missing:
            raise BuildError(f"quarto render finished but did not write {', '.join(missing)}; _book/ is unchanged:\n"
                             + "\n".join(list(tail)[-25:]))
        figures = _count_figures(out) if want_html else 0
        pages = page_count(out / pdf_name) if want_pdf else None
        _keep_other_format(to, book_dir, out, pdf_name)
        _write_manifest(root, out, to, version, config, config.chapter_paths)
    outputs = []
    if want_html:
        outputs.append(book_dir / "index.html")
    if want_pdf:
        outputs.append(book_dir / pdf_name)
    outputs.append(book_dir / "build-manifest.json")
    return QuartoResult(outputs=outputs, pages=pages, figures=figures, seconds=time.monotonic() - t0,
                        chapters_executed=executed, version=version, warnings=warnings)
