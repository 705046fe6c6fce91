"""All executed chapters into one pandoc document (JSON AST), plus the book's metadata.

Each chapter is parsed on its own, so footnote labels and link definitions stay local to
their file as they are under Quarto, then wrapped in a `report-chapter` Div that tells the Lua
filters which file it came from and whether it is an appendix.
"""
from __future__ import annotations

from collections.abc import Iterator

import hashlib
import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml

from report.cachefile import write_atomic

from .config import BookConfig, Entry
from .errors import BuildError
from .execute import ChapterResult
from .pandoc import pandoc_version, run_pandoc
from .qmd import Qmd

PARSE_ARGS = ["-f", "markdown", "-t", "json"]


def _parse(markdown: str, root: Path, what: str) -> dict:
    out, _ = run_pandoc(PARSE_ARGS, cwd=root, input_text=markdown, what=what)
    return json.loads(out)


class AstCache:
    """Pandoc's reading of each chapter's executed markdown, kept between builds.

    The markdown reader's output depends only on the text and the pandoc version, so an entry is
    used when both match; one entry per chapter (a changed chapter replaces its entry, the
    directory does not grow). An entry whose checksum does not match is parsed again.
    """

    def __init__(self, directory: Path | None):
        self.dir = Path(directory) if directory is not None else None
        self._base = f"{pandoc_version()}\0{' '.join(PARSE_ARGS)}\0"
        self.parsed = 0  # pandoc runs this build; the tests count them

    def _key(self, markdown: str) -> str:
        return hashlib.sha256((self._base + markdown).encode("utf-8")).hexdigest()

    def _path(self, name: str) -> Path:
        return self.dir / (re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-") + ".json")

    def get(self, name: str, markdown: str) -> dict | None:
        if self.dir is None:
            return None
        try:
            text = self._path(name).read_text(encoding="utf-8")
            entry = json.loads(text)
            body = entry["body"]
            if entry["sha256"] != hashlib.sha256(body.encode("utf-8")).hexdigest():
                return None
            data = json.loads(body)
            if data["key"] != self._key(markdown):
                return None
            return data["ast"]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, name: str, markdown: str, ast: dict) -> None:
        if self.dir is None:
            return
        body = json.dumps({"key": self._key(markdown), "ast": ast}, ensure_ascii=False, sort_keys=True)
        entry = json.dumps({"sha256": hashlib.sha256(body.encode("utf-8")).hexdigest(), "body": body},
                           ensure_ascii=False)
        try:
            write_atomic(self._path(name), entry)
        except OSError:
            pass  # only costs a pandoc run next time

    def parse_all(self, jobs: list[tuple[str, str, str]], root: Path, reuse: bool) -> list[dict]:
        """ASTs for (name, markdown, what) jobs, in order; misses go through pandoc two at a time."""
        found: list[dict | None] = [self.get(n, md) if reuse else None for n, md, _ in jobs]
        misses = [i for i, ast in enumerate(found) if ast is None]
        if misses:
            with ThreadPoolExecutor(max_workers=min(2, len(misses))) as pool:
                asts = list(pool.map(lambda i: _parse(jobs[i][1], root, jobs[i][2]), misses))
            for i, ast in zip(misses, asts):
                found[i] = ast
                self.put(jobs[i][0], jobs[i][1], ast)
            self.parsed += len(misses)
        return found


def _has_h1(markdown: str) -> bool:
    return re.search(r"^#\s+\S", markdown, re.M) is not None or re.search(r"^.+\n=+\s*$", markdown, re.M) is not None


def chapter_markdown(doc: Qmd, result: ChapterResult) -> str:
    """Quarto takes a chapter's title from its front matter when the text has no `#` heading."""
    md = result.markdown
    title = doc.front_matter.get("title")
    if title and not _has_h1(md):
        attrs = []
        fm_id = doc.front_matter.get("id")
        if fm_id:
            attrs.append(f"#{fm_id}")
        if doc.front_matter.get("unnumbered") or doc.front_matter.get("number-sections") is False:
            attrs.append(".unnumbered")
        suffix = " {" + " ".join(attrs) + "}" if attrs else ""
        md = f"# {title}{suffix}\n\n{md}"
    return md


def ast_nodes(node: Any) -> Iterator[dict]:
    """Every element of a pandoc JSON AST (anything with a "t"), depth first. A stack rather
    than nested generators, whose every item climbs the whole nesting (a book's AST is walked
    four times a build, on its critical path)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            if "t" in n:
                yield n
            stack.extend(reversed(n.values()))
        elif isinstance(n, list):
            stack.extend(reversed(n))


def _walk_ids(node: Any, found: list) -> None:
    for el in ast_nodes(node):
        if el["t"] in ("Header", "Div", "Figure", "Span", "Table", "CodeBlock") and isinstance(el.get("c"), list):
            attr = el["c"][1] if el["t"] == "Header" else el["c"][0]
            if isinstance(attr, list) and attr and isinstance(attr[0], str) and attr[0]:
                found.append(attr)


def _dedupe_ids(chapters: list[tuple[str, list]]) -> None:
    """Pandoc makes heading ids unique within one file only; make them unique in the book."""
    seen: dict[str, str] = {}
    for rel, blocks in chapters:
        attrs: list = []
        _walk_ids(blocks, attrs)
        for attr in attrs:
            ident = attr[0]
            if ident in seen:
                if re.match(r"^(fig|sec|tbl)-", ident):
                    raise BuildError(f"{rel}: label '{ident}' is defined twice (also in {seen[ident]})")
                n = 1
                while f"{ident}-{n}" in seen:
                    n += 1
                attr[0] = f"{ident}-{n}"
            seen[attr[0]] = rel


def assemble(config: BookConfig, docs: dict[str, Qmd], results: dict[str, ChapterResult],
             ast_cache: AstCache | None = None, reuse: bool = True) -> dict:
    """`ast_cache` keeps pandoc's parse of each chapter between builds; `reuse=False` (--fresh)
    parses everything again (and refreshes the cache)."""
    root = config.root
    api_version = None
    jobs: list[tuple[str, str, str]] = []
    for entry in config.entries:
        if entry.kind == "part":
            slug = re.sub(r"[^a-z0-9]+", "-", entry.title.lower()).strip("-")
            jobs.append((f"part-{slug}", f"# {entry.title} {{#part-{slug} .part .unnumbered}}\n",
                         f"reading part title {entry.title!r}"))
        else:
            md = chapter_markdown(docs[entry.path], results[entry.path])
            jobs.append((entry.path, md, f"reading {entry.path}"))
    cache = ast_cache if ast_cache is not None else AstCache(None)
    parsed: list[tuple[Entry, list]] = []
    for entry, ast in zip(config.entries, cache.parse_all(jobs, root, reuse)):
        api_version = ast["pandoc-api-version"]
        parsed.append((entry, ast["blocks"]))
    _dedupe_ids([(e.path or "(part)", b) for e, b in parsed])

    blocks: list = []
    for entry, chapter_blocks in parsed:
        if entry.kind == "part":
            blocks.append({"t": "Div", "c": [["", ["report-part-wrap"], []], chapter_blocks]})
        else:
            attr = ["", ["report-chapter"], [["file", entry.path], ["kind", entry.kind]]]
            blocks.append({"t": "Div", "c": [attr, chapter_blocks]})
    return {"pandoc-api-version": api_version, "meta": {"book": _book_meta(config)}, "blocks": blocks}


def _meta_value(value: Any) -> dict:
    """A YAML value as pandoc metadata, strings kept literal (a metadata file would read them
    as markdown, and an underscore pair in a file name would become emphasis)."""
    if isinstance(value, dict):
        return {"t": "MetaMap", "c": {str(k): _meta_value(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {"t": "MetaList", "c": [_meta_value(v) for v in value]}
    if isinstance(value, bool):
        return {"t": "MetaBool", "c": value}
    return {"t": "MetaString", "c": str(value)}


def _book_meta(config: BookConfig) -> dict:
    """`book.chapters` and `book.appendices` as Quarto passes them to every chapter, for project
    filters that need the book's reading order (_extensions/report/book-numbers.lua)."""
    book = config.raw.get("book") or {}
    return _meta_value({k: book[k] for k in ("chapters", "appendices") if k in book})


# _quarto.yml keys that configure the project or a tool rather than being document metadata.
PROJECT_KEYS = {"project", "book", "format", "execute", "jupyter", "filters", "bibliography", "csl",
                "crossref", "number-sections", "number-depth", "profile", "report", "website", "engine"}


def metadata(config: BookConfig, work_rel: str, warn) -> dict[str, Any]:
    """Metadata for pandoc (templates, citeproc) and for the Lua filters (`report-*`)."""
    meta: dict[str, Any] = {
        "title": config.title,
        "pagetitle": config.title,
        "lang": "en-GB",
        "author": [a.name for a in config.authors],
        "report-authors": [{"name": a.name, "url": a.url or ""} for a in config.authors],
        # Quarto's key, so partials ($crossref.appendix-title$) and filters read it in both engines
        "crossref": {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in config.crossref.items()},
        "report-number-sections": "true" if config.number_sections else "false",
        "report-number-depth": str(config.number_depth),
        "number-depth": str(config.number_depth),  # Quarto's key, read by the Typst partials
        "report-work-rel": work_rel,
        "link-citations": True,
    }
    # Other top-level keys of _quarto.yml reach the templates as document metadata, as Quarto
    # passes them (a publication's report-colours and report-font, say).
    for key, value in config.raw.items():
        if key not in PROJECT_KEYS and key not in meta and isinstance(value, (str, int, float, bool, list, dict)):
            meta[key] = value
    if "pdf" in config.downloads:
        meta["report-output-file"] = config.output_file  # the HTML links to the PDF beside it
    if config.subtitle:
        meta["subtitle"] = str(config.subtitle)
    if config.date:
        meta["date"] = config.date
    if config.bibliography:
        bibs = []
        for b in config.bibliography:
            p = config.root / b
            if not p.is_file():
                raise BuildError(f"{config.config_path}: bibliography file not found: {b}")
            bibs.append(str(p))
        meta["bibliography"] = bibs
    if config.csl:
        csl = config.root / config.csl
        if csl.is_file():
            meta["csl"] = str(csl)
        else:
            warn(f"csl file {config.csl} not found; using pandoc's default citation style (Chicago author-date)")
    return meta


# Pandoc reads strings in a metadata file as markdown (an underscore pair becomes emphasis), so
# paths go on the command line, where values are literal.
LITERAL_KEYS = ("report-work-rel",)


def write_inputs(work: Path, doc: dict, meta: dict) -> tuple[Path, list[str]]:
    """Writes the document and metadata; returns the document path and pandoc's metadata args."""
    meta = dict(meta)
    args: list[str] = []
    for key in LITERAL_KEYS:
        if key in meta:
            args += ["-M", f"{key}={meta.pop(key)}"]
    for bib in meta.pop("bibliography", []):
        args.append(f"--bibliography={bib}")
    if "csl" in meta:
        args.append(f"--csl={meta.pop('csl')}")
    doc_path = work / "book.json"
    meta_path = work / "metadata.yaml"
    doc_path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    meta_path.write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=True), encoding="utf-8")
    return doc_path, ["--metadata-file", str(meta_path), *args]
