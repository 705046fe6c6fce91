"""The book as PDF: pandoc writes Typst through the Quarto-style partials, Typst compiles it."""
from __future__ import annotations

import re
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
    args = ["-f", "json", str(doc_json), *meta_args, *config.filter_args("before-crossref"),
            "--lua-filter", str(FILTERS / "crossref.lua"), *config.filter_args("before-citeproc")]
    if citeproc:
        args.append("--citeproc")
    args += ["--lua-filter", str(FILTERS / "format.lua"), *config.filter_args("last"), "-t", "typst", "--standalone",
             "--template", str(tdir / "book.typ"), "--wrap=none",
             "-V", f"papersize={typst.get('papersize', 'a4')}",
             "-o", str(out)]
    if typst.get("toc", True):
        args += ["-V", "toc=true", "-V", f"toc-depth={int(typst.get('toc-depth', 1))}"]
    run_pandoc(args, cwd=config.root, what="writing Typst")
    return out


# The standards Typst can hold a PDF to, as Quarto 1.9 names them for `pdf-standard`
# (command/render/output-typst.ts).
PDF_STANDARDS = frozenset({"1.4", "1.5", "1.6", "1.7", "2.0", "a-1b", "a-1a", "a-2b", "a-2u", "a-2a",
                           "a-3b", "a-3u", "a-3a", "a-4", "a-4f", "a-4e", "ua-1"})


def pdf_standards(config: BookConfig) -> list[str]:
    """`format.typst.pdf-standard` (one value or a list), read as Quarto reads it: any case, with
    or without a "pdf" prefix ("PDF/UA-1", "ua-1"), YAML numbers as versions (2 is "2.0").
    Quarto warns about and drops a name Typst does not know; here it stops the build, since the
    book asked for a guarantee the PDF would silently lack."""
    value = config.typst.get("pdf-standard")
    if value is None:
        return []
    out = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            raise BuildError(f"{config.config_path}: format.typst.pdf-standard: cannot read {item!r}")
        name = f"{item}.0" if isinstance(item, int) else str(item)
        name = re.sub(r"^pdf[/-]?", "", name.strip().lower())
        if name not in PDF_STANDARDS:
            raise BuildError(f"{config.config_path}: format.typst.pdf-standard: Typst cannot write {item!r}; "
                             f"it knows {', '.join(sorted(PDF_STANDARDS))}")
        out.append(name)
    return out


# Generic CSS families an SVG may end its font list with; any font answers to them.
_GENERIC_FAMILIES = frozenset({"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"})
_SVG_FONT_FAMILY = re.compile(r"font-family\s*[:=]\s*[\"']?([^;\"<>]+)")


def svg_font_warnings(config: BookConfig, images: dict[str, bytes]) -> list[str]:
    """What to tell the author about SVG images (charts with their text as text) that name no font
    family Typst has: the project's `format.typst.font-paths` and Typst's own fonts, the ones
    compile_pdf lets it use. Typst would set such text in a substitute (a serif) without a word."""
    import typst as typst_mod

    known = None
    out = []
    for name, content in sorted(images.items()):
        if not name.endswith(".svg"):
            continue
        text = content.decode("utf-8", "replace")
        missing: dict[str, None] = {}
        for stack in set(_SVG_FONT_FAMILY.findall(text)):
            named = [f.strip().strip("'\"") for f in stack.split(",")]
            named = [f for f in named if f and f.lower() not in _GENERIC_FAMILIES]
            if not named:
                continue
            if known is None:
                fonts = typst_mod.Fonts(include_system_fonts=False, include_embedded_fonts=True,
                                        font_paths=[str(p) for p in config.font_paths])
                known = {f.lower() for f in fonts.families()}
            if not any(f.lower() in known for f in named):
                missing.update(dict.fromkeys(named))
        if missing:
            paths = ", ".join(str(p.relative_to(config.root)) if p.is_relative_to(config.root) else str(p)
                              for p in config.font_paths)
            out.append(f"{name}: its text is set in {', '.join(missing)}, which Typst does not find in "
                       f"format.typst.font-paths ({paths}); the PDF shows it in another font: put the "
                       f"font files there")
    return out


def world_options(config: BookConfig) -> dict:
    """What Typst may read for the book, for the compile and for anything that must see the same
    world (typst_dir's warm-up only helps a compile with the same files and fonts). Only the
    project's fonts and Typst's own: a font installed on this machine would otherwise stand in
    for one the project lacks, and the PDF would differ from machine to machine (the system's
    DejaVu Sans Mono is not Typst's)."""
    return {"root": str(config.root), "font_paths": [str(p) for p in config.font_paths],
            "ignore_system_fonts": True}


def compile_pdf(config: BookConfig, typ: Path, pdf: Path, timestamp: int | None) -> None:
    import typst as typst_mod

    standards = pdf_standards(config)
    extra = {"pdf_standards": standards} if standards else {}
    try:
        typst_mod.compile(str(typ), output=str(pdf), timestamp=timestamp, **world_options(config), **extra)
    except Exception as exc:  # typst.TypstError carries a rendered diagnostic with the location
        detail = getattr(exc, "diagnostic", None) or str(exc)
        hints = getattr(exc, "hints", None) or []
        text = str(detail) + "".join(f"\nhint: {h}" for h in hints)
        if standards and re.search(r"PDF/(UA|A)-\d", text):
            text += (f"\n(the book asks for {', '.join(standards)} in format.typst.pdf-standard of "
                     f"{config.config_path.name}, and Typst refuses a PDF that does not meet it)")
        raise BuildError(f"typst could not compile {typ}:\n{text}") from None


def page_count(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def typst_version() -> str:
    try:
        from importlib.metadata import version

        return version("typst")
    except Exception:  # noqa: BLE001
        return "unknown"
