"""Read and validate `_quarto.yml` into the small subset of Quarto's book model the engine renders.

Unknown keys are ignored on purpose: the same file also drives real Quarto, which knows many more.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import BuildError


@dataclass(frozen=True)
class Entry:
    """One item of the book in reading order."""

    kind: str  # "chapter" | "appendix" | "part"
    path: str | None = None  # project-relative, for chapters and appendices
    title: str | None = None  # for parts


@dataclass
class Author:
    name: str
    url: str | None = None


@dataclass
class BookConfig:
    root: Path
    title: str
    subtitle: str | None
    authors: list[Author]
    date: str | None
    output_file: str
    entries: list[Entry]
    bibliography: list[str]
    csl: str | None
    crossref: dict[str, Any]
    number_sections: bool
    number_depth: int
    execute: dict[str, Any]
    html: dict[str, Any]
    typst: dict[str, Any]
    downloads: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def chapter_paths(self) -> list[str]:
        return [e.path for e in self.entries if e.path]

    @property
    def config_path(self) -> Path:
        return self.root / "_quarto.yml"


def _yaml_error(path: Path, exc: yaml.YAMLError) -> BuildError:
    mark = getattr(exc, "problem_mark", None)
    where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    cmark = getattr(exc, "context_mark", None)
    detail = problem
    if context:
        # e.g. an unclosed quote is only noticed at the end of the file; the context mark
        # says where it started, which is the line to fix.
        detail += f" ({context} at line {cmark.line + 1}, column {cmark.column + 1})" if cmark else f" ({context})"
    return BuildError(f"{where}: invalid YAML: {detail}")


def load_yaml_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BuildError(f"{path}: file not found") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from None


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def format_date(value: Any, fmt: str | None) -> str | None:
    """Quarto's `date-format`, for the handful of tokens a report uses (MMMM, MMM, MM, YYYY, D, DD)."""
    if value is None:
        return None
    if isinstance(value, (_dt.date, _dt.datetime)):
        d = value
    else:
        text = str(value).strip()
        d = None
        for pattern in ("%Y-%m-%d", "%Y-%m"):
            try:
                d = _dt.datetime.strptime(text, pattern).date()
                break
            except ValueError:
                continue
        if d is None:
            return text
    if not fmt:
        return d.isoformat() if len(str(value)) > 7 else d.strftime("%B %Y")
    import re

    tokens = {
        "MMMM": d.strftime("%B"), "MMM": d.strftime("%b"), "MM": f"{d.month:02d}",
        "YYYY": f"{d.year:04d}", "DD": f"{d.day:02d}", "D": str(d.day),
    }
    return re.sub(r"MMMM|MMM|MM|YYYY|DD|D", lambda m: tokens[m.group(0)], fmt)


def _entries(book: dict, cfg_path: Path) -> list[Entry]:
    entries: list[Entry] = []

    def add_files(items: Any, kind: str, where: str) -> None:
        for item in _as_list(items):
            if isinstance(item, str):
                entries.append(Entry(kind=kind, path=item))
            elif isinstance(item, dict) and "part" in item:
                part = item["part"]
                # Quarto also allows `part: file.qmd`; its title then comes from that file.
                entries.append(Entry(kind="part", title=str(part), path=None))
                add_files(item.get("chapters"), kind, f"{where} part {part!r}")
            elif isinstance(item, dict) and "file" in item:
                entries.append(Entry(kind=kind, path=str(item["file"])))
            else:
                raise BuildError(f"{cfg_path}: book.{where}: cannot read entry {item!r} (expected a file name or {{part: ..., chapters: [...]}})")

    add_files(book.get("chapters"), "chapter", "chapters")
    add_files(book.get("appendices"), "appendix", "appendices")
    return entries


def load_config(root: Path) -> BookConfig:
    root = Path(root).resolve()
    cfg_path = root / "_quarto.yml"
    if not cfg_path.is_file():
        raise BuildError(f"{cfg_path}: not found (is {root} a Quarto project?)")
    data = load_yaml_file(cfg_path)
    if not isinstance(data, dict):
        raise BuildError(f"{cfg_path}: expected a mapping at the top level")
    project = data.get("project") or {}
    if project.get("type") not in (None, "book"):
        raise BuildError(f"{cfg_path}: project.type is {project.get('type')!r}; the embedded engine renders books only")
    book = data.get("book")
    if not isinstance(book, dict):
        raise BuildError(f"{cfg_path}: missing `book:` section")
    if not book.get("title"):
        raise BuildError(f"{cfg_path}: book.title is required")

    entries = _entries(book, cfg_path)
    if not any(e.path for e in entries):
        raise BuildError(f"{cfg_path}: book.chapters lists no files")
    missing = [e.path for e in entries if e.path and not (root / e.path).is_file()]
    if missing:
        raise BuildError(f"{cfg_path}: chapter file not found: " + ", ".join(missing))
    seen: set[str] = set()
    for e in entries:
        if e.path:
            if e.path in seen:
                raise BuildError(f"{cfg_path}: chapter {e.path} is listed twice")
            seen.add(e.path)

    authors = []
    for a in _as_list(book.get("author") or data.get("author")):
        if isinstance(a, dict):
            authors.append(Author(name=str(a.get("name", "")), url=a.get("url")))
        else:
            authors.append(Author(name=str(a)))

    crossref = {
        "chapters": True,  # the book project type numbers figures per chapter unless told otherwise
        "fig-title": "Figure", "fig-prefix": "Figure", "tbl-title": "Table", "tbl-prefix": "Table",
        "title-delim": ":", "appendix-title": "Appendix", "appendix-delim": " —",
        "sec-prefix": "Section", "ch-prefix": "Chapter",
    }
    crossref.update({k: v for k, v in (data.get("crossref") or {}).items() if v is not None})

    fmt = data.get("format") or {}
    html = fmt.get("html") or {}
    typst = fmt.get("typst") or {}
    if not isinstance(html, dict):
        html = {}
    if not isinstance(typst, dict):
        typst = {}

    return BookConfig(
        root=root,
        title=str(book["title"]),
        subtitle=book.get("subtitle"),
        authors=authors,
        date=format_date(book.get("date"), book.get("date-format")),
        output_file=str(book.get("output-file") or _slug(str(book["title"]))),
        entries=entries,
        bibliography=[str(b) for b in _as_list(data.get("bibliography") or book.get("bibliography"))],
        csl=data.get("csl"),
        crossref=crossref,
        number_sections=bool(data.get("number-sections", True)),
        number_depth=int(data.get("number-depth", 3)),
        execute={"echo": True, "warning": True, **(data.get("execute") or {})},
        html=html,
        typst=typst,
        downloads=[str(d) for d in _as_list(book.get("downloads"))],
        raw=data,
    )


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "book"
