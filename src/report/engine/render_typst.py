"""The book as PDF: pandoc writes Typst through the Quarto-style partials, Typst compiles it."""
from __future__ import annotations

import shutil
from pathlib import Path

from .config import BookConfig
from .errors import BuildError
from .pandoc import FILTERS, RESOURCES, run_pandoc

PARTIALS = ("typst-template.typ", "typst-show.typ")


def _partials(config: BookConfig) -> dict[str, Path]:
    """template-partials from _quarto.yml by file name; defaults shipped with the engine fill gaps."""
    found = {name: RESOURCES / "typst" / name for name in PARTIALS}
    for rel in config.typst.get("template-partials") or []:
        p = config.root / rel
        if not p.is_file():
            raise BuildError(f"{config.config_path}: format.typst.template-partials: file not found: {rel}")
        found[p.name] = p
    return found


def write_typst(config: BookConfig, doc_json: Path, meta_args: list[str], work: Path, citeproc: bool) -> Path:
    # Pandoc looks for `$typst-template.typ()$` partials beside the main template, so the
    # template and the partials the book names are gathered into one directory.
    tdir = work / "typst-template"
    tdir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(RESOURCES / "book.typ", tdir / "book.typ")
    for name, src in _partials(config).items():
        shutil.copyfile(src, tdir / name)
    out = work / "book.typ"
    typst = config.typst
    args = ["-f", "json", str(doc_json), *meta_args,
            "--lua-filter", str(FILTERS / "crossref.lua")]
    if citeproc:
        args.append("--citeproc")
    args += ["--lua-filter", str(FILTERS / "format.lua"), "-t", "typst", "--standalone",
             "--template", str(tdir / "book.typ"), "--wrap=none",
             "-V", f"papersize={typst.get('papersize', 'a4')}",
             "-o", str(out)]
    if typst.get("toc", True):
        args += ["-V", "toc=true", "-V", f"toc-depth={int(typst.get('toc-depth', 1))}"]
    run_pandoc(args, cwd=config.root, what="writing Typst")
    return out


def compile_pdf(config: BookConfig, typ: Path, pdf: Path, timestamp: int | None) -> None:
    import typst as typst_mod

    font_paths = [str(config.root / p) for p in (config.typst.get("font-paths") or ["fonts"])]
    try:
        typst_mod.compile(
            str(typ), output=str(pdf), root=str(config.root), font_paths=font_paths,
            timestamp=timestamp,
        )
    except Exception as exc:  # typst.TypstError carries a rendered diagnostic with the location
        detail = getattr(exc, "diagnostic", None) or str(exc)
        hints = getattr(exc, "hints", None) or []
        text = str(detail) + "".join(f"\nhint: {h}" for h in hints)
        raise BuildError(f"typst could not compile {typ}:\n{text}") from None


def typst_version() -> str:
    try:
        from importlib.metadata import version

        return version("typst")
    except Exception:  # noqa: BLE001
        return "unknown"
