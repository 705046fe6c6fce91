"""The book as one self-contained HTML file: pandoc with --embed-resources and MathML."""
from __future__ import annotations

from pathlib import Path

from .config import BookConfig
from .errors import BuildError
from .pandoc import FILTERS, RESOURCES, run_pandoc


def html_args(config: BookConfig, work: Path, citeproc: bool) -> list[str]:
    html = config.html
    if not config.embed_resources:
        # Quarto's multi-page book wants embed-resources off; this engine writes one page only.
        raise BuildError(f"{config.config_path}: format.html.embed-resources is false, but the embedded engine "
                         f"writes one self-contained page: set it to true in _quarto-embedded.yml")
    if html.get("html-math-method", "mathml") != "mathml":
        raise BuildError(f"{config.config_path}: format.html.html-math-method: the embedded engine writes maths "
                         f"as MathML only (got {html.get('html-math-method')!r})")
    args = ["-t", "html5", "--standalone", "--embed-resources", "--mathml", "--section-divs",
            "--reference-location=section", "--wrap=none",
            "--template", str(RESOURCES / "book.html")]
    if html.get("toc", True):
        args += ["--toc", f"--toc-depth={int(html.get('toc-depth', 2))}"]
    css = html.get("css") or []
    css = css if isinstance(css, list) else [css]
    for rel in css:
        if not (config.root / rel).is_file():
            raise BuildError(f"{config.config_path}: format.html.css: file not found: {rel}")
        args += ["--css", str(config.root / rel)]
    if not css:
        args += ["--css", str(RESOURCES / "engine.css")]
    return args


def render_html(config: BookConfig, doc_json: Path, meta_args: list[str], work: Path, out: Path, citeproc: bool) -> str:
    args = ["-f", "json", str(doc_json), *meta_args, *config.filter_args("before-crossref"),
            "--lua-filter", str(FILTERS / "crossref.lua"), *config.filter_args("before-citeproc")]
    if citeproc:
        args.append("--citeproc")
    args += ["--lua-filter", str(FILTERS / "format.lua"), *config.filter_args("last"),
             f"--resource-path={config.root}{_sep()}{work}",
             *html_args(config, work, citeproc), "-o", str(out)]
    _, stderr = run_pandoc(args, cwd=config.root, what="rendering HTML")
    return stderr


def _sep() -> str:
    import os

    return os.pathsep
