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
import string
from dataclasses import dataclass, field
from pathlib import Path

from report import paths

from report.data.errors import DataValidationError, Problem
from report.tables.render import clean, md_escape, raw_block
from report.tables.render import render_html as _render_html
from report.tables.render import render_typst as _render_typst

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


def split_actions(value: str) -> list[str]:
    return [clean(a) for a in value.split(ACTION_SEPARATOR)] if clean(value) else []


def _read_csv(path: Path, name: str, columns: tuple[str, ...], problems: list[Problem]) -> list[tuple[int, dict]]:
    """Rows as (CSV line where the record starts, cells); structural problems go to `problems`."""
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


def _display(path: Path, root: Path) -> str:
    """The file as `report.data` names it (relative to the project), so errors read alike."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _package_problems(root: Path) -> list[Problem]:
    """Schema checks (types, required, enum, unique, primaryKey, rules) by the data package.

    The checks below add what a schema cannot say: whitespace-only cells, the action lists,
    and the numbering shared by the two files.
    """
    from report.data import load

    problems = []
    for name in (TABLE_RESOURCE, LIST_RESOURCE):
        try:
            load(name, root)
        except DataValidationError as e:
            problems.extend(e.problems)
        except KeyError as e:  # resource missing from datapackage.json
            problems.append(Problem(_display(paths.data_dir(root) / "datapackage.json", root), "in-package",
                                    f"{e.args[0]}; run `report tables --update-package`", value=name))
    return problems


def load_recommendations(root: Path | None = None) -> Recommendations:
    """Read and check both files under `root`/data; raise DataValidationError listing every problem."""
    root = Path(root) if root is not None else paths.project_root()
    problems = _package_problems(root)
    if problems:
        # Report the schema's findings alone: the checks below would repeat them in other words.
        raise DataValidationError(problems)
    ddir = paths.data_dir(root)
    table_path = ddir / f"{TABLE_RESOURCE}.csv"
    list_path = ddir / f"{LIST_RESOURCE}.csv"

    rows: list[Row] = []
    keys: list[_Key] = []
    tname = _display(table_path, root)
    for line, cells in _read_csv(table_path, tname, TABLE_COLUMNS, problems):
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
        # Partial rows still take part in the cross-row checks, so one bad cell does not also
        # show up as a gap in the numbering.
        keys.append(_Key(tname, line, theme, order, number))
        if filled and None not in (theme, order, number):
            rows.append(Row(theme, order, number, clean(cells["problem"]), clean(cells["solution"]),
                            clean(cells["lever"]), tuple(actions), line))

    extras: list[Item] = []
    lname = _display(list_path, root)
    for line, cells in _read_csv(list_path, lname, LIST_COLUMNS, problems):
        filled = _require(lname, line, cells, LIST_COLUMNS, frozenset(), problems)
        theme = _theme(lname, line, cells["theme"], problems) if clean(cells["theme"]) else None
        number = _positive_int(lname, line, "number", cells["number"], problems) if clean(cells["number"]) else None
        keys.append(_Key(lname, line, theme, None, number))
        if filled and None not in (theme, number):
            extras.append(Item(number, theme, clean(cells["text"])))

    _check_consistency(tname, lname, keys, problems)
    if problems:
        raise DataValidationError(problems)
    items = [Item(r.number, r.theme, r.lever, r.actions) for r in rows] + extras
    return Recommendations.build(rows, items)


@dataclass(frozen=True)
class _Key:
    """What the cross-row rules need from a row; None where the cell itself was invalid."""
    file: str
    line: int
    theme: str | None
    order: int | None
    number: int | None


def _rank(theme: str) -> int:
    return THEMES.index(theme)


def _check_consistency(tname, lname, keys: list[_Key], problems):
    table = [k for k in keys if k.file == tname]

    seen_order: dict[int, int] = {}
    for k in table:
        if k.order is None:
            continue
        if k.order in seen_order:
            problems.append(Problem(tname, "unique-order", f"order is already used on row {seen_order[k.order]}",
                                    row=k.line, column="order", value=str(k.order)))
        seen_order.setdefault(k.order, k.line)

    # Table rows are grouped by theme, themes in the publication's order.
    by_order = sorted((k for k in table if k.order is not None), key=lambda k: k.order)
    themed = [k for k in by_order if k.theme is not None]
    for prev, k in zip(themed, themed[1:]):
        if _rank(k.theme) < _rank(prev.theme):
            problems.append(Problem(tname, "theme-order",
                                    f"order {k.order} puts theme '{k.theme}' after '{prev.theme}' (row {prev.line}); "
                                    "rows must follow the theme order: " + "; ".join(THEMES),
                                    row=k.line, column="order", value=str(k.order)))
    present = {k.theme for k in table}
    if table and None not in present:
        for t in THEMES:
            if t not in present:
                problems.append(Problem(tname, "theme-coverage", "no table row has this theme", column="theme", value=t))

    numbered = [k for k in keys if k.number is not None]
    seen_number: dict[int, _Key] = {}
    for k in numbered:
        if k.number in seen_number:
            o = seen_number[k.number]
            problems.append(Problem(k.file, "unique-number", f"recommendation number {k.number} is already used in {o.file} row {o.line}",
                                    row=k.line, column="number", value=str(k.number)))
        seen_number.setdefault(k.number, k)
    if numbered and len(numbered) == len(keys):
        missing = sorted(set(range(1, max(k.number for k in numbered) + 1)) - set(seen_number))
        if missing:
            problems.append(Problem(tname, "numbering", "recommendation numbers must run 1..N without gaps across "
                                    f"{tname} and {lname}; missing: {', '.join(map(str, missing))}", column="number"))
    # Numbers rise with the themes, so the list's groups read 1-3, 4-6, 7 like the table.
    ranked = sorted((k for k in numbered if k.theme is not None), key=lambda k: k.number)
    for prev, k in zip(ranked, ranked[1:]):
        if _rank(k.theme) < _rank(prev.theme):
            problems.append(Problem(k.file, "numbering", f"number {k.number} (theme '{k.theme}') comes after number {prev.number} "
                                    f"(theme '{prev.theme}', {prev.file} row {prev.line}); numbers must follow the theme order",
                                    row=k.line, column="number", value=str(k.number)))
    # Within the table, the numbers follow the row order.
    ordered = [k for k in by_order if k.number is not None]
    for prev, k in zip(ordered, ordered[1:]):
        if k.number < prev.number:
            problems.append(Problem(tname, "numbering", f"number {k.number} is lower than number {prev.number} "
                                    f"of the row before it (row {prev.line}); numbers must rise with order",
                                    row=k.line, column="number", value=str(k.number)))

# --- Rendering -------------------------------------------------------------------------------

HEADINGS = ("Problem", "Solution", "Lever")
HTML_TEMPLATE = "recommendations.html.j2"
TYPST_TEMPLATE = "recommendations.typ.j2"

# The book shows the table twice (the executive summary and chapter 6), each time in a `#tbl-`
# float of the chapter's: the engine numbers it among the book's tables and sets the chapter's
# caption ("Table 1: ..."), as it does for any table. The table itself then carries no caption.
# A caption given here makes the table caption itself, unnumbered (`report tables --caption`).


def _caption(caption: str | None) -> str | None:
    return clean(caption) or None


def render_html(recs: Recommendations, caption: str | None = None, root: Path | None = None) -> str:
    return _render_html(HTML_TEMPLATE, root, recs=recs, caption=_caption(caption), headings=HEADINGS)


def render_typst(recs: Recommendations, caption: str | None = None, root: Path | None = None) -> str:
    return _render_typst(TYPST_TEMPLATE, root, recs=recs, caption=_caption(caption), headings=HEADINGS)


def render_numbered(recs: Recommendations) -> str:
    """The executive summary's numbered list as pandoc markdown, one bold lead-in per theme.

    Each theme's list starts at its first number (pandoc's `startnum`), and lever actions become
    a nested a., b., c. list, so the numbering matches the publication's 1-7 with 7a-c.
    """
    blocks = []
    for group in recs.groups:
        if not group.items:
            continue
        blocks.append(f"**{md_escape(group.theme)}:**")
        lines = []
        for item in group.items:
            marker = f"{item.number}."
            lines.append(f"{marker} {md_escape(item.text)}")
            indent = " " * (len(marker) + 1)
            # No blank lines around the sub-list: they would make pandoc render the list loose.
            lines += [f"{indent}{string.ascii_lowercase[k]}. {md_escape(a)}" for k, a in enumerate(item.actions)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def recommendations_table(root: Path | None = None, caption: str | None = None) -> str:
    """Markdown holding the table twice, as a raw HTML block and a raw Typst block.

    Pandoc keeps only the raw block matching the output format, so each format gets its own.
    Raises DataValidationError (file, row, column, value, rule) when the CSV breaks its rules.
    """
    recs = load_recommendations(root)
    html = raw_block("html", render_html(recs, caption, root))
    typ = raw_block("typst", render_typst(recs, caption, root))
    # Blank lines around the blocks: asis output is pasted into the chapter's markdown.
    return f"\n\n{html}\n\n{typ}\n\n"


def numbered_recommendations(root: Path | None = None) -> str:
    """Markdown for the numbered recommendations, grouped under a lead-in per theme."""
    return f"\n\n{render_numbered(load_recommendations(root))}\n\n"
