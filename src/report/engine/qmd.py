"""Split a .qmd file into front matter, markdown and executable cells, keeping line numbers.

Only the structure is read here; markdown stays text for pandoc to parse.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import BuildError

FENCE_OPEN = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>.*)$")
PY_INFO = re.compile(r"^\{\s*python\b[^}]*\}\s*$")
# Pandoc's inline code: a run of n backticks closed by a run of exactly n backticks.
INLINE_PY = re.compile(r"(?<!`)(?P<ticks>`+)\{python\}[ \t]+(?P<expr>.+?)[ \t]*(?<!`)(?P=ticks)(?!`)", re.S)


@dataclass
class Markdown:
    text: str
    line: int  # 1-based line in the .qmd where this text starts


@dataclass
class Cell:
    source: str  # code without the `#|` option lines
    options: dict[str, Any]
    line: int  # 1-based line of the opening fence
    raw: str  # the cell as written, for error messages


@dataclass
class Inline:
    expr: str
    line: int


@dataclass
class Qmd:
    path: Path
    front_matter: dict[str, Any]
    chunks: list[Markdown | Cell] = field(default_factory=list)

    @property
    def cells(self) -> list[Cell]:
        return [c for c in self.chunks if isinstance(c, Cell)]

    def has_code(self) -> bool:
        return bool(self.cells) or any(
            inline_exprs(c) for c in self.chunks if isinstance(c, Markdown)
        )


def _front_matter(lines: list[str], path: Path) -> tuple[dict, int]:
    if not lines or lines[0].strip() != "---":
        return {}, 0
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            text = "".join(lines[1:i])
            try:
                data = yaml.safe_load(text) or {}
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                line = mark.line + 2 if mark else 1
                raise BuildError(f"{path}:{line}: invalid YAML front matter: {getattr(exc, 'problem', exc)}") from None
            if not isinstance(data, dict):
                raise BuildError(f"{path}:1: front matter must be a YAML mapping")
            return data, i + 1
    raise BuildError(f"{path}:1: front matter opened with --- but never closed")


def _cell_options(body: list[str], path: Path, line: int) -> tuple[dict, list[str]]:
    opt_lines = []
    i = 0
    while i < len(body) and body[i].lstrip().startswith("#|"):
        opt_lines.append(body[i].lstrip()[2:].removeprefix(" "))
        i += 1
    if not opt_lines:
        return {}, body
    try:
        opts = yaml.safe_load("".join(opt_lines)) or {}
    except yaml.YAMLError as exc:
        raise BuildError(f"{path}:{line}: invalid `#|` cell options: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(opts, dict):
        raise BuildError(f"{path}:{line}: `#|` cell options must be `key: value` lines")
    return opts, body[i:]


def parse_qmd(path: Path, text: str | None = None) -> Qmd:
    path = Path(path)
    if text is None:
        text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    fm, start = _front_matter(lines, path)
    doc = Qmd(path=path, front_matter=fm)
    md_buf: list[str] = []
    md_start = start + 1
    i = start
    while i < len(lines):
        m = FENCE_OPEN.match(lines[i].rstrip("\n"))
        if not m:
            md_buf.append(lines[i])
            i += 1
            continue
        fence = m.group("fence")
        close = re.compile(r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$")
        j = i + 1
        while j < len(lines) and not close.match(lines[j].rstrip("\n")):
            j += 1
        if j >= len(lines):
            raise BuildError(f"{path}:{i + 1}: code block opened with {fence} is never closed")
        if fence[0] == "`" and PY_INFO.match(m.group("info")):
            if md_buf:
                doc.chunks.append(Markdown("".join(md_buf), md_start))
                md_buf = []
            opts, body = _cell_options(lines[i + 1 : j], path, i + 1)
            doc.chunks.append(Cell(source="".join(body), options=opts, line=i + 1, raw="".join(lines[i : j + 1])))
            md_start = j + 2
        else:
            # Other fenced blocks (raw blocks, code listings) are markdown; mark them so inline
            # code inside them is not mistaken for `{python}` expressions.
            md_buf.extend(lines[i : j + 1])
        i = j + 1
    if md_buf:
        doc.chunks.append(Markdown("".join(md_buf), md_start))
    return doc


def _fenced_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    lines = text.splitlines(keepends=True)
    pos = 0
    open_at = None
    fence = None
    for line in lines:
        stripped = line.rstrip("\n")
        if open_at is None:
            m = FENCE_OPEN.match(stripped)
            if m:
                open_at, fence = pos, m.group("fence")
        elif re.match(r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$", stripped):
            spans.append((open_at, pos + len(line)))
            open_at = None
        pos += len(line)
    return spans


def inline_exprs(chunk: Markdown) -> list[tuple[re.Match, int]]:
    """`{python} expr` occurrences outside fenced blocks, with their line numbers."""
    spans = _fenced_spans(chunk.text)
    found = []
    for m in INLINE_PY.finditer(chunk.text):
        if any(a <= m.start() < b for a, b in spans):
            continue
        found.append((m, chunk.line + chunk.text.count("\n", 0, m.start())))
    return found


def chapter_title(doc: Qmd) -> str | None:
    t = doc.front_matter.get("title")
    return str(t) if t is not None else None
