"""One build of the book: validate, execute each chapter once, render HTML and PDF, swap into place."""
from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .assemble import assemble, metadata, write_inputs
from .config import BookConfig, load_config
from .errors import BuildError
from .execute import ChapterExecutor, ChapterResult, Kernel
from .pandoc import pandoc_version
from .qmd import Qmd, parse_qmd
from .swap import staged_output

BOOK_DIR = "_book"
CACHE_DIR = ".report-cache"
# Never recorded as chapter inputs: build products and caches, not data.
KERNEL_IGNORE = [BOOK_DIR, CACHE_DIR, ".git", "__pycache__"]


class Reporter(Protocol):
    def step(self, chapter: str, step: str) -> None: ...
    def warn(self, message: str) -> None: ...


@dataclass
class BuildResult:
    outputs: list[Path]
    pages: int | None
    figures: int
    seconds: float
    cells_executed: int
    chapters_cached: list[str] = field(default_factory=list)
    chapters_executed: list[str] = field(default_factory=list)


def validate_data(root: Path) -> None:
    """Run the data package's checks first, when this project has them."""
    if not (root / "data" / "datapackage.json").is_file():
        return
    if importlib.util.find_spec("report.data") is None:
        return
    data_mod = importlib.import_module("report.data")
    validate_all = getattr(data_mod, "validate_all", None)
    if validate_all is None:
        return
    error_type = getattr(data_mod, "DataValidationError", None)
    try:
        validate_all(root)
    except Exception as exc:
        if error_type is not None and isinstance(exc, error_type):
            raise BuildError(f"data validation failed:\n{exc}") from None
        raise


def source_date_epoch(root: Path) -> int:
    """SOURCE_DATE_EPOCH, else the last commit's time, else a fixed date: never the clock."""
    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env and env.strip().isdigit():
        return int(env)
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, text=True, timeout=10)
        if out.returncode == 0 and out.stdout.strip().isdigit():
            return int(out.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    return 1704067200  # 2024-01-01T00:00:00Z


def git_commit(root: Path) -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def tool_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {"python": platform.python_version(), "pandoc": pandoc_version()}
    for dist in ("typst", "nbclient", "ipykernel", "matplotlib", "breaking-the-cycle-report"):
        try:
            versions[dist] = version(dist)
        except PackageNotFoundError:
            versions[dist] = "not installed"
    return versions


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _count_figures(node) -> int:
    n = 0
    if isinstance(node, dict):
        if node.get("t") in ("Div", "Figure"):
            ident = node["c"][0][0]
            if isinstance(ident, str) and ident.startswith("fig-"):
                n += 1
        for v in node.values():
            n += _count_figures(v)
    elif isinstance(node, list):
        for v in node:
            n += _count_figures(v)
    return n


def execute_chapters(config: BookConfig, docs: dict[str, Qmd], reporter: Reporter, fresh: bool) -> tuple[dict[str, ChapterResult], list[str]]:
    """Run every chapter's code in book order; returns results and the chapters served from cache."""
    from .cache import ChapterCache

    cache = ChapterCache(config.root / CACHE_DIR, config.root, tool_versions())
    results: dict[str, ChapterResult] = {}
    cached: list[str] = []
    todo = []
    for rel, doc in docs.items():
        hit = None if fresh else cache.get(rel, doc)
        if hit is not None:
            results[rel] = hit
            cached.append(rel)
        else:
            todo.append(rel)
    for rel in cache.corrupt:
        reporter.warn(f"cache entry for {rel} is corrupt; executing it again")
    coded = [rel for rel in todo if docs[rel].has_code()]
    kernel = Kernel(config.root, KERNEL_IGNORE) if coded else None
    defaults = {k: config.execute[k] for k in ("echo", "warning", "output", "include") if k in config.execute}
    try:
        if kernel is not None:
            reporter.step("", "starting Jupyter kernel")
            kernel.__enter__()
        executor = ChapterExecutor(kernel, config.root, defaults)
        for rel in todo:
            reporter.step(rel, "execute" if rel in coded else "read")
            results[rel] = executor.execute(rel, docs[rel], progress=lambda s, rel=rel: reporter.step(rel, f"execute: {s}"))
            cache.put(rel, docs[rel], results[rel])
    finally:
        if kernel is not None:
            kernel.__exit__(None, None, None)
    return {rel: results[rel] for rel in docs}, cached


def build(root: Path, to: str, reporter: Reporter, fresh: bool = False) -> BuildResult:
    t0 = time.monotonic()
    root = Path(root).resolve()
    config = load_config(root)
    validate_data(root)
    docs = {rel: parse_qmd(root / rel) for rel in config.chapter_paths}
    book_dir = root / BOOK_DIR
    pdf_name = f"{config.output_file}.pdf"
    epoch = source_date_epoch(root)

    with staged_output(book_dir) as (out, work):
        results, cached = execute_chapters(config, docs, reporter, fresh)
        for result in results.values():
            for name, content in result.files.items():
                path = work / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
        reporter.step("", "assemble")
        doc = assemble(config, docs, results)
        meta = metadata(config, os.path.relpath(work, root), reporter.warn)
        doc_json, meta_args = write_inputs(work, doc, meta)
        citeproc = "bibliography" in meta
        outputs: list[Path] = []
        pages = None
        if to in ("html", "all"):
            from .render_html import render_html

            reporter.step("", "render html")
            stderr = render_html(config, doc_json, meta_args, work, out / "index.html", citeproc)
            _pandoc_warnings(stderr, reporter)
            outputs.append(book_dir / "index.html")
        if to in ("pdf", "all"):
            from .render_typst import compile_pdf, write_typst

            reporter.step("", "render typst")
            typ = write_typst(config, doc_json, meta_args, work, citeproc)
            reporter.step("", "compile pdf")
            compile_pdf(config, typ, out / pdf_name, epoch)
            from pypdf import PdfReader

            pages = len(PdfReader(out / pdf_name).pages)
            outputs.append(book_dir / pdf_name)
        # A partial build (--to html) keeps the other format from the previous build.
        for name in ("index.html", pdf_name):
            if not (out / name).exists() and (book_dir / name).is_file():
                shutil.copy2(book_dir / name, out / name)
        _write_manifest(config, out, results, to, epoch)
        outputs.append(book_dir / "build-manifest.json")

    return BuildResult(
        outputs=outputs,
        pages=pages,
        figures=_count_figures(doc["blocks"]),
        seconds=time.monotonic() - t0,
        cells_executed=sum(r.cells_executed for rel, r in results.items() if rel not in cached),
        chapters_cached=cached,
        chapters_executed=[rel for rel in results if rel not in cached],
    )


def _pandoc_warnings(stderr: str, reporter: Reporter) -> None:
    for line in stderr.splitlines():
        if line.strip():
            reporter.warn(line.strip())


def _write_manifest(config: BookConfig, out: Path, results: dict[str, ChapterResult], to: str, epoch: int) -> None:
    root = config.root
    inputs = {"_quarto.yml"} | set(config.chapter_paths) | set(config.bibliography)
    for key in ("csl",):
        if config.csl:
            inputs.add(config.csl)
    css = config.html.get("css") or []
    inputs |= set(css if isinstance(css, list) else [css])
    inputs |= set(config.typst.get("template-partials") or [])
    for r in results.values():
        inputs |= set(r.opened)
    manifest = {
        "engine": "embedded",
        "formats": to,
        "git_commit": git_commit(root),
        "source_date_epoch": epoch,
        "tools": tool_versions(),
        "inputs": {rel: sha256_file(root / rel) for rel in sorted(inputs) if (root / rel).is_file()},
        "outputs": {p.name: sha256_file(p) for p in sorted(out.iterdir()) if p.is_file()},
    }
    (out / "build-manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
