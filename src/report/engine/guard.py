"""Checks a build makes before it trusts its inputs: every file inside the project, every
chapter readable text, every dataset a chapter loads present in the package.

They run before the kernel starts wherever they can, so a mistake costs no chapter execution
and the message names the file and line to fix rather than a traceback from inside a cell.
"""
from __future__ import annotations

import difflib
import hashlib
import os
import re
from pathlib import Path
from urllib.parse import unquote

from report.paths import OutsideProject, confine, linked_outside, read_regular

from .config import BookConfig
from .errors import BuildError
from .qmd import Markdown, Qmd, inline_exprs, parse_qmd

# Directories whose files a book reads without naming each one in _quarto.yml: data through
# load(), templates through the tables and Typst partials.
SCANNED_DIRS = ("data", "templates")


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def check_sources(config: BookConfig) -> None:
    """Every file _quarto.yml names, and every file in data/, templates/, the fonts and the
    chapters' folders, is inside the project, symbolic links followed."""
    root = config.root
    cfg = "_quarto.yml"
    # The chapters were confined by load_config, before it looked for them.
    named: list[tuple[str, str]] = [(b, f"{cfg}: bibliography") for b in config.bibliography]
    if config.csl:
        named.append((config.csl, f"{cfg}: csl"))
    named += [(c, f"{cfg}: format.html.css") for c in _as_list(config.html.get("css"))]
    named += [(t, f"{cfg}: format.typst.template-partials") for t in _as_list(config.typst.get("template-partials"))]
    fonts = _as_list(config.typst.get("font-paths")) or ["fonts"]
    named += [(f, f"{cfg}: format.typst.font-paths") for f in fonts]
    for name, what in named:
        confine(root, str(name), what)
    dirs = {root / d for d in SCANNED_DIRS} | {root / str(f) for f in fonts}
    dirs |= {(root / rel).parent for rel in config.chapter_paths if (root / rel).parent != root}
    found: list[tuple[Path, Path]] = []
    # data/raw holds the raw public files `report data` reads (often a link to a shared copy);
    # the book never opens them.
    skip = (root / "data" / "raw",)
    for d in sorted(dirs):
        if d.is_dir():
            found += linked_outside(root, d, skip)
    # Files at the top of the project (a chapter may read one); its folders are not walked, a
    # virtual environment there is full of links to the system's Python.
    for entry in sorted(root.iterdir()):
        if entry.is_symlink() and not entry.is_dir():
            target = entry.resolve()
            if target != root and root not in target.parents:
                found.append((entry, target))
    if found:
        lines = [f"{os.path.relpath(link, root)} is a symbolic link to {target}" for link, target in found]
        raise OutsideProject("files outside the project: " + "; ".join(lines)
                             + f". A book may only use files inside {root}: copy the file into the project instead")


def read_sources(root: Path, chapters: list[str]) -> tuple[dict[str, str], dict[str, Qmd]]:
    """Each chapter's bytes read once: their hash (the cache key: what was executed is what was
    read) and their parse."""
    sources: dict[str, str] = {}
    docs: dict[str, Qmd] = {}
    for rel in chapters:
        path = root / rel
        try:
            raw = read_regular(path)
        except OSError as exc:
            raise BuildError(f"{rel}: cannot read the chapter: {exc.strerror or exc}") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise BuildError(f"{rel}:{line}: not valid UTF-8 (byte {raw[exc.start:exc.end].hex(' ').upper()}); "
                             "re-save the chapter as UTF-8") from None
        if "\x00" in text:
            line = text.count("\n", 0, text.index("\x00")) + 1
            raise BuildError(f"{rel}:{line}: the chapter contains a NUL byte (binary data); is it the right file?")
        sources[rel] = hashlib.sha256(raw).hexdigest()
        docs[rel] = parse_qmd(path, text)
    return sources, docs


# load("name") / stat("key") as chapters write them; a name built at run time is left to the kernel.
_LOAD = re.compile(r"""\bload\(\s*(["'])(?P<name>[^"'\\]+)\1""")


def _package_names(root: Path) -> list[str] | None:
    """Resource names in data/datapackage.json; None when there is no readable package (the data
    validation reports a broken one in its own words)."""
    from report.data.package import parsed, read_bytes

    try:
        pkg = parsed(read_bytes(root))
        return [str(r["name"]) for r in pkg["resources"] if isinstance(r, dict) and "name" in r]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def check_loads(root: Path, docs: dict[str, Qmd]) -> None:
    """`load("x")` in a chapter for an x the data package does not have fails here, naming the
    chapter and line, instead of as a KeyError inside the kernel."""
    uses = []
    for rel, doc in docs.items():
        for chunk in doc.chunks:
            if isinstance(chunk, Markdown):
                for m, line in inline_exprs(chunk):
                    uses += [(rel, line, u.group("name")) for u in _LOAD.finditer(m.group("expr"))]
            elif chunk.options.get("eval") is not False:
                uses += [(rel, chunk.line + chunk.raw.count("\n", 0, u.start()), u.group("name"))
                         for u in _LOAD.finditer(chunk.raw)]
    if not uses:
        return
    names = _package_names(root)
    if names is None:
        return
    problems = []
    for rel, line, name in uses:
        if name not in names:
            close = difflib.get_close_matches(name, names, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(f"{rel}:{line}: load({name!r}): no resource {name!r} in data/datapackage.json{hint}")
    if problems:
        raise BuildError("\n".join(problems))


_RAW_URL = re.compile(r"""(?:\bsrc|\bposter|\bdata|<link\b[^>]*?\bhref)\s*=\s*(["'])(?P<u>[^"']*)\1|url\(\s*(["']?)(?P<c>[^)"']*)\3\s*\)""",
                      re.I)


def _local(target: str) -> bool:
    return bool(target) and not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^#|^//", target)


def check_images(config: BookConfig, doc: dict) -> None:
    """Images, and files raw HTML pulls in (pandoc embeds both into the page), are inside the
    project. Figures the chapters drew live in the build's own directory and are not named here."""
    from .assemble import ast_nodes
    from .execute import FIG_PREFIX

    root = config.root
    for block in doc["blocks"]:
        attrs = dict(block["c"][0][2]) if block.get("t") == "Div" else {}
        rel = attrs.get("file", "the book")
        for el in ast_nodes(block):
            targets = []
            if el["t"] == "Image" and isinstance(el["c"][2][0], str):
                targets.append(el["c"][2][0])
            elif el["t"] in ("RawBlock", "RawInline") and str(el["c"][0]).lower() == "html":
                targets += [m.group("u") if m.group("u") is not None else m.group("c")
                            for m in _RAW_URL.finditer(el["c"][1])]
            for target in targets:
                # pandoc undoes %-escapes before it opens the file; so must the check.
                target = unquote(target.split("#")[0].split("?")[0])
                if _local(target) and not target.startswith(FIG_PREFIX + "/"):
                    confine(root, target, f"{rel}: image or embedded file")
