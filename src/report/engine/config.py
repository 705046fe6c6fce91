"""Read and validate `_quarto.yml` into the small subset of Quarto's book model the engine renders.

Unknown keys are ignored on purpose: the same file also drives real Quarto, which knows many more.
Like Quarto, the engine merges profile files (`_quarto-<name>.yml`) over `_quarto.yml`: the
profiles named by QUARTO_PROFILE (or `profile: default:`), then always `embedded`, which holds
what only this engine reads.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from report.paths import confine

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


@dataclass(frozen=True)
class ProjectFilter:
    """A Lua filter from `filters:`, resolved to its file, with Quarto's entry point (`at`)."""

    path: Path
    at: str
    inputs: tuple[str, ...]  # project-relative files that define it (the .lua, its _extension.yml)


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
    profile_files: list[str] = field(default_factory=list)  # project-relative, merged in this order
    filters: list["ProjectFilter"] = field(default_factory=list)

    @property
    def embed_resources(self) -> bool:
        return bool(self.html.get("embed-resources", True))

    @property
    def font_paths(self) -> list[Path]:
        """format.typst.font-paths as directories, read from the project root, where Quarto's
        Typst book (rendered from index.qmd) reads them too."""
        return [self.root / str(p) for p in _as_list(self.typst.get("font-paths")) or ["fonts"]]

    @property
    def render_inputs(self) -> list[str]:
        """Project-relative files and directories the renders read besides the chapters: what the
        render cache keys on and the manifest lists."""
        files = ["_quarto.yml", *self.profile_files, *self.bibliography]
        if self.csl:
            files.append(self.csl)
        files += [str(c) for c in _as_list(self.html.get("css"))]
        files += [str(t) for t in _as_list(self.typst.get("template-partials"))]
        files += [os.path.relpath(p, self.root) for p in self.font_paths]
        for f in self.filters:
            files += f.inputs
        return list(dict.fromkeys(files))

    def filter_args(self, stage: str) -> list[str]:
        """pandoc arguments running the project filters of one stage, in `filters:` order."""
        points = FILTER_STAGES[stage]
        return [arg for f in self.filters if f.at in points for arg in ("--lua-filter", str(f.path))]

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


ENGINE_PROFILE = "embedded"


def merge_config(base: Any, over: Any) -> Any:
    """Quarto's merge of a profile over the project config (mergeProjectMetadata): mappings merge
    key by key, lists are joined without repeats, anything else is replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = merge_config(base[key], value) if key in base else value
        return out
    if isinstance(base, list) or isinstance(over, list):
        if base is None:
            return over
        if over is None:
            return base
        seen, out = set(), []
        for item in _as_list(base) + _as_list(over):
            key = json.dumps(item, sort_keys=True, default=str)
            if key not in seen:
                seen.add(key)
                out.append(item)
        return out
    return over


def active_profiles(data: dict) -> list[str]:
    """QUARTO_PROFILE (comma-separated), else the project's `profile: default:`; then `embedded`."""
    names = [n.strip() for n in os.environ.get("QUARTO_PROFILE", "").split(",") if n.strip()]
    if not names:
        default = (data.get("profile") or {}).get("default") if isinstance(data.get("profile"), dict) else None
        names = [str(n) for n in _as_list(default)]
    return [n for n in names if n != ENGINE_PROFILE] + [ENGINE_PROFILE]


def _merge_profiles(root: Path, data: dict) -> tuple[dict, list[str]]:
    files = []
    for name in active_profiles(data):
        path = root / f"_quarto-{name}.yml"
        if not path.is_file():
            continue
        extra = load_yaml_file(path)
        if extra is None:
            continue
        if not isinstance(extra, dict):
            raise BuildError(f"{path}: expected a mapping at the top level")
        data = merge_config(data, extra)
        files.append(path.name)
    data.pop("profile", None)
    return data, files


# Quarto's filter entry points, in pipeline order. The engine has three places for a project
# filter: before its crossref filter (pre-ast to pre-quarto: the document before numbering),
# after crossref and before citeproc (post-quarto, pre-render), and after its own output
# filter (post-render to post-finalize).
ENTRY_POINTS = ("pre-ast", "post-ast", "pre-quarto", "post-quarto", "pre-render", "post-render",
                "pre-finalize", "post-finalize")
FILTER_STAGES = {
    "before-crossref": ENTRY_POINTS[:3],
    "before-citeproc": ENTRY_POINTS[3:5],
    "last": ENTRY_POINTS[5:],
}


def _extension_dir(root: Path, name: str) -> Path | None:
    """`_extensions/<name>` or `_extensions/<org>/<name>`, as Quarto looks them up."""
    base = root / "_extensions"
    direct = base / name
    if (direct / "_extension.yml").is_file():
        return direct
    if base.is_dir():
        for org in sorted(p for p in base.iterdir() if p.is_dir()):
            if (org / name / "_extension.yml").is_file():
                return org / name
    return None


def _filters(root: Path, data: dict, cfg_path: Path) -> list[ProjectFilter]:
    found: list[ProjectFilter] = []
    for entry in _as_list(data.get("filters")):
        at = None
        if isinstance(entry, dict):
            at, entry = entry.get("at"), entry.get("path")
        if entry in ("quarto", "citeproc"):
            continue  # Quarto's own markers: the engine's order is fixed
        if not isinstance(entry, str) or not entry:
            raise BuildError(f"{cfg_path}: filters: cannot read entry {entry!r} (expected a .lua file or an extension name)")
        if at is not None and at not in ENTRY_POINTS:
            raise BuildError(f"{cfg_path}: filters: {entry}: unknown entry point at: {at!r}")
        if entry.endswith(".lua") and (root / entry).is_file():
            found.append(ProjectFilter(root / entry, at or "pre-quarto", (entry,)))
            continue
        ext = _extension_dir(root, entry)
        if ext is None:
            raise BuildError(f"{cfg_path}: filters: {entry} is neither a .lua file in the project "
                             f"nor an extension in _extensions/")
        spec = load_yaml_file(ext / "_extension.yml") or {}
        contributed = ((spec.get("contributes") or {}).get("filters")) or []
        if not contributed:
            raise BuildError(f"{ext / '_extension.yml'}: contributes no filters")
        for item in contributed:
            path = item.get("path") if isinstance(item, dict) else item
            item_at = at or (item.get("at") if isinstance(item, dict) else None) or "pre-quarto"
            if not isinstance(path, str) or not path.endswith(".lua"):
                raise BuildError(f"{ext / '_extension.yml'}: the embedded engine runs Lua filters only, not {path!r}")
            if item_at not in ENTRY_POINTS:
                raise BuildError(f"{ext / '_extension.yml'}: {path}: unknown entry point at: {item_at!r}")
            lua = ext / path
            if not lua.is_file():
                raise BuildError(f"{ext / '_extension.yml'}: filter file not found: {path}")
            found.append(ProjectFilter(lua, item_at, (os.path.relpath(ext / "_extension.yml", root),
                                                       os.path.relpath(lua, root))))
    return found


def load_config(root: Path) -> BookConfig:
    root = Path(root).resolve()
    cfg_path = root / "_quarto.yml"
    if not cfg_path.is_file():
        raise BuildError(f"{cfg_path}: not found (is {root} a Quarto project?)")
    data = load_yaml_file(cfg_path)
    if not isinstance(data, dict):
        raise BuildError(f"{cfg_path}: expected a mapping at the top level")
    data, profile_files = _merge_profiles(root, data)
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
    # Outside the project is the first thing wrong with such a path, whether or not it exists.
    for e in entries:
        if e.path:
            confine(root, e.path, "_quarto.yml: book chapter")
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
        profile_files=profile_files,
        filters=_filters(root, data, cfg_path),
    )


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "book"
