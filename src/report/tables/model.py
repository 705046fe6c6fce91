"""The recommendations data: reading, validating and shaping it for the templates.

Two files hold it, so that every fact is stored once:

* `data/recommendations.csv` - one row per row of the table (theme, order, number, problem,
  solution, lever, lever_actions). `number` is the recommendation's number in the executive
  summary's list, whose text is the row's `lever`; a lever that is a list of actions keeps them
  in `lever_actions`, separated by ` | `, and the list numbers them a, b, c under the row's number.
* `data/recommendations_numbered.csv` - the few numbered recommendations that have no row in the
  table (number, theme, text).

The numbered list is therefore assembled from the table's own cells and cannot disagree with it;
the cross-file rules below (numbers 1..N with no gaps, each number in one file, numbers rising
with the themes) keep the two files consistent.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from report import paths

try:  # one error type for every dataset, once the data module provides it
    from report.data.errors import DataValidationError, Problem
except ImportError:  # pragma: no cover - only while report.data is still being written
    from report.tables._errors import DataValidationError, Problem

TABLE_RESOURCE = "recommendations"
LIST_RESOURCE = "recommendations_numbered"

# The themes, in the order the publication presents them. Also the `enum` of the data package.
THEMES: tuple[str, ...] = (
    "Situate neighbourhood policy at the heart of government",
    "Provide the financial resource for neighbourhood renewal",
    "Embed neighbourhood policy in the devolution framework",
)

TABLE_COLUMNS = ("theme", "order", "number", "problem", "solution", "lever", "lever_actions")
# lever_actions is empty for every lever that is a single sentence.
TABLE_OPTIONAL = frozenset({"lever_actions"})
LIST_COLUMNS = ("number", "theme", "text")
ACTION_SEPARATOR = "|"
MAX_ACTIONS = 26  # lettered a..z in the numbered list


@dataclass(frozen=True)
class Row:
    theme: str
    order: int
    number: int
    problem: str
    solution: str
    lever: str
    actions: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Item:
    """One recommendation of the numbered list."""
    number: int
    theme: str
    text: str
    actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class ThemeGroup:
    theme: str
    rows: tuple[Row, ...] = ()
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Recommendations:
    rows: tuple[Row, ...]
    items: tuple[Item, ...]
    groups: tuple[ThemeGroup, ...] = field(default=())

    @classmethod
    def build(cls, rows, items):
        rows = tuple(sorted(rows, key=lambda r: r.order))
        items = tuple(sorted(items, key=lambda i: i.number))
        groups = tuple(
            ThemeGroup(t, tuple(r for r in rows if r.theme == t), tuple(i for i in items if i.theme == t))
            for t in THEMES
        )
        return cls(rows, items, groups)


def clean(value: str | None) -> str:
    """Spreadsheets leave stray spaces and line breaks in cells; the table wants one line of text.

    Collapsing line breaks also means no cell can ever start a line of the generated markdown,
    so CSV text cannot close a raw block's fence or start a list.
    """
    return re.sub(r"\s+", " ", value or "").strip()


def split_actions(value: str) -> list[str]:
    return [clean(a) for a in value.split(ACTION_SEPARATOR)] if clean(value) else []


def _read_csv(path: Path, columns: tuple[str, ...], problems: list[Problem]) -> list[tuple[int, dict]]:
    """Rows as (CSV line where the record starts, cells); structural problems go to `problems`."""
    name = path.name
    if not path.is_file():
        problems.append(Problem(name, "file-exists", f"file not found at {path}"))
        return []
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.append(Problem(name, "utf-8-no-bom", "file starts with a byte-order mark; save as UTF-8 without BOM", row=1))
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        problems.append(Problem(name, "utf-8", f"not valid UTF-8 ({e.reason} at byte {e.start})"))
        return []
    reader = csv.DictReader(text.splitlines(keepends=True), restval=None)
    header = reader.fieldnames or []
    for col in columns:
        if col not in header:
            problems.append(Problem(name, "required-column", f"column is missing; expected columns {', '.join(columns)}", row=1, column=col))
    for col in header:
        if col not in columns:
            problems.append(Problem(name, "known-column", f"column is not part of the schema ({', '.join(columns)})", row=1, column=col))
    if any(p.file == name and p.rule == "required-column" for p in problems):
        return []
    out = []
    start = reader.line_num + 1
    for record in reader:
        if None in record:  # more cells than header columns
            problems.append(Problem(name, "cell-count", f"row has more cells than the {len(header)} columns", row=start))
        if any(v is None for k, v in record.items() if k is not None):
            problems.append(Problem(name, "cell-count", f"row has fewer cells than the {len(header)} columns", row=start))
        if any(clean(v) for k, v in record.items() if k is not None and v is not None):
            out.append((start, {k: (v or "") for k, v in record.items() if k is not None}))
        start = reader.line_num + 1
    return out


def _positive_int(name, line, col, value, problems) -> int | None:
    v = clean(value)
    if not re.fullmatch(r"[0-9]+", v) or int(v) < 1:
        problems.append(Problem(name, "positive-integer", "must be a whole number from 1 up", row=line, column=col, value=value))
        return None
    return int(v)


def _theme(name, line, value, problems) -> str | None:
    v = clean(value)
    if v not in THEMES:
        problems.append(Problem(name, "known-theme", "theme must be one of: " + "; ".join(THEMES), row=line, column="theme", value=value))
        return None
    return v


def _require(name, line, cells, columns, optional, problems) -> bool:
    ok = True
    for col in columns:
        if col not in optional and not clean(cells.get(col)):
            problems.append(Problem(name, "not-empty", "cell must not be empty", row=line, column=col, value=cells.get(col, "")))
            ok = False
    return ok


def load_recommendations(root: Path | None = None) -> Recommendations:
    """Read and check both files under `root`/data; raise DataValidationError listing every problem."""
    ddir = paths.data_dir(root)
    table_path = ddir / f"{TABLE_RESOURCE}.csv"
    list_path = ddir / f"{LIST_RESOURCE}.csv"
    problems: list[Problem] = []

    rows: list[Row] = []
    tname = table_path.name
    for line, cells in _read_csv(table_path, TABLE_COLUMNS, problems):
        filled = _require(tname, line, cells, TABLE_COLUMNS, TABLE_OPTIONAL, problems)
        theme = _theme(tname, line, cells["theme"], problems) if clean(cells["theme"]) else None
        order = _positive_int(tname, line, "order", cells["order"], problems) if clean(cells["order"]) else None
        number = _positive_int(tname, line, "number", cells["number"], problems) if clean(cells["number"]) else None
        actions = split_actions(cells["lever_actions"])
        if any(not a for a in actions):
            problems.append(Problem(tname, "not-empty", f"every action between '{ACTION_SEPARATOR}' separators must have text",
                                    row=line, column="lever_actions", value=cells["lever_actions"]))
        if len(actions) > MAX_ACTIONS:
            problems.append(Problem(tname, "max-actions", f"at most {MAX_ACTIONS} actions (lettered a-z)",
                                    row=line, column="lever_actions", value=cells["lever_actions"]))
        if filled and None not in (theme, order, number):
            rows.append(Row(theme, order, number, clean(cells["problem"]), clean(cells["solution"]),
                            clean(cells["lever"]), tuple(actions), line))

    extras: list[tuple[int, Item]] = []
    lname = list_path.name
    for line, cells in _read_csv(list_path, LIST_COLUMNS, problems):
        filled = _require(lname, line, cells, LIST_COLUMNS, frozenset(), problems)
        theme = _theme(lname, line, cells["theme"], problems) if clean(cells["theme"]) else None
        number = _positive_int(lname, line, "number", cells["number"], problems) if clean(cells["number"]) else None
        if filled and None not in (theme, number):
            extras.append((line, Item(number, theme, clean(cells["text"]))))

    _check_consistency(tname, lname, rows, extras, problems)
    if problems:
        raise DataValidationError(problems)
    items = [Item(r.number, r.theme, r.lever, r.actions) for r in rows] + [i for _, i in extras]
    return Recommendations.build(rows, items)


def _check_consistency(tname, lname, rows, extras, problems):
    seen_order: dict[int, int] = {}
    for r in rows:
        if r.order in seen_order:
            problems.append(Problem(tname, "unique-order", f"order is already used on row {seen_order[r.order]}",
                                    row=r.line, column="order", value=str(r.order)))
        seen_order.setdefault(r.order, r.line)

    # Table rows must be grouped by theme, themes in the publication's order.
    by_order = sorted(rows, key=lambda r: r.order)
    for prev, r in zip(by_order, by_order[1:]):
        if THEMES.index(r.theme) < THEMES.index(prev.theme):
            problems.append(Problem(tname, "theme-order",
                                    f"order {r.order} puts theme '{r.theme}' after '{prev.theme}' (row {prev.line}); "
                                    "rows must follow the theme order: " + "; ".join(THEMES),
                                    row=r.line, column="order", value=str(r.order)))
    present = {r.theme for r in rows}
    for t in THEMES:
        if rows and t not in present:
            problems.append(Problem(tname, "theme-coverage", "no table row has this theme", column="theme", value=t))

    numbered = [(tname, r.line, r.number, r.theme) for r in rows] + [(lname, line, i.number, i.theme) for line, i in extras]
    seen_number: dict[int, tuple[str, int]] = {}
    for f, line, n, _ in numbered:
        if n in seen_number:
            of, ol = seen_number[n]
            problems.append(Problem(f, "unique-number", f"recommendation number {n} is already used in {of} row {ol}",
                                    row=line, column="number", value=str(n)))
        seen_number.setdefault(n, (f, line))
    if numbered:
        missing = sorted(set(range(1, max(n for _, _, n, _ in numbered) + 1)) - set(seen_number))
        if missing:
            problems.append(Problem(tname, "numbering", "recommendation numbers must run 1..N without gaps across "
                                    f"{tname} and {lname}; missing: {', '.join(map(str, missing))}", column="number"))
    # Numbers rise with the themes, so the list's groups read 1-3, 4-6, 7 like the table.
    ranked = sorted(numbered, key=lambda x: x[2])
    for (pf, pl, pn, pt), (f, line, n, t) in zip(ranked, ranked[1:]):
        if THEMES.index(t) < THEMES.index(pt):
            problems.append(Problem(f, "numbering", f"number {n} (theme '{t}') comes after number {pn} "
                                    f"(theme '{pt}', {pf} row {pl}); numbers must follow the theme order",
                                    row=line, column="number", value=str(n)))
    # Within the table, the numbers follow the row order.
    for prev, r in zip(by_order, by_order[1:]):
        if r.number < prev.number:
            problems.append(Problem(tname, "numbering", f"number {r.number} is lower than number {prev.number} "
                                    f"of the row before it (row {prev.line}); numbers must rise with order",
                                    row=r.line, column="number", value=str(r.number)))
