"""Validate one resource of the data package: bytes, header, schema (frictionless), then rules.

Checks run in the order a person would fix them: a file that is not UTF-8 or not comma-separated
makes every later message meaningless, so those stop the resource early. Rows are reported by
their 1-based line in the CSV (the header is line 1), which is what an editor shows.
"""
from __future__ import annotations

import csv
import difflib
import hashlib
import io
import json
import math
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from report.cachefile import write_atomic

from .errors import Problem

if TYPE_CHECKING:
    import pandas as pd

# pandas and the rules (which need it) are imported where a table is read: a build whose data
# all passed before only hashes files and should not pay for importing them.

BOM = b"\xef\xbb\xbf"
METADATA_KEYS = ("title", "description", "sources", "licenses", "provenance")
PROVENANCE = ("derived", "reconstructed", "publication", "computed")
MAX_SHOWN = 50  # problems listed per resource; the rest are counted
ERROR_LIMIT = 1000  # frictionless stops looking after this many
MAX_CELL = 128 * 1024  # characters in one cell (the csv module's own default limit)


def _display(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return str(path)


def check_metadata(desc: dict, file: str) -> list[Problem]:
    out = []
    for key in METADATA_KEYS:
        if not desc.get(key):
            out.append(Problem(file=file, rule="package_metadata", column=key,
                               message=f"resource '{desc.get('name')}' in datapackage.json has no {key}"))
    prov = desc.get("provenance")
    if prov and prov not in PROVENANCE:
        out.append(Problem(file=file, rule="package_metadata", column="provenance", value=prov,
                           message=f"provenance must be one of {', '.join(PROVENANCE)}"))
    return out


UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Control bytes no text file has (tab, newline, carriage return and form feed are fine).
_BINARY = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")


def _decode(raw: bytes, file: str) -> tuple[str | None, list[Problem]]:
    if not raw.strip():
        return None, [Problem(file=file, rule="non_empty", row=1, message="the file is empty")]
    if raw.startswith(BOM):
        return None, [Problem(file=file, rule="utf8_without_bom", row=1, value="\ufeff",
                              message="the file starts with a UTF-8 byte order mark (BOM); "
                                      "re-save it as UTF-8 without BOM")]
    head = raw[:4096]
    if raw.startswith(UTF16_BOMS) or (head.count(b"\x00") > len(head) // 4 and b"\x00\x00" not in head[:2]):
        # UTF-16 text: every other byte is NUL (with or without its byte order mark).
        return None, [Problem(file=file, rule="utf8_encoding", row=1,
                              message="the file is UTF-16 encoded (as some spreadsheet programs save "
                                      "'Unicode text'); re-save it as CSV UTF-8")]
    binary = _BINARY.search(raw)
    if binary is not None:
        line_no = raw.count(b"\n", 0, binary.start()) + 1
        return None, [Problem(file=file, rule="text_file", row=line_no,
                              value=raw[binary.start():binary.start() + 1].hex().upper(),
                              message=f"binary data (byte {raw[binary.start()]:02X}) on line {line_no}: this is not "
                                      "a text file; is it the right file?")]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        start = raw.rfind(b"\n", 0, exc.start) + 1
        end = raw.find(b"\n", exc.start)
        end = len(raw) if end < 0 else end
        line_no = raw.count(b"\n", 0, exc.start) + 1
        line = raw[start:end].decode("cp1252", errors="replace").rstrip("\r")
        header = next(csv.reader([raw.split(b"\n", 1)[0].decode("utf-8", errors="replace").lstrip("\ufeff")]), [])
        # Name the column: the first cell whose bytes are not valid UTF-8 is the culprit.
        column, value = None, line
        cells = next(csv.reader([raw[start:end].decode("latin-1")]), [])
        for i, cell in enumerate(cells):
            try:
                cell.encode("latin-1").decode("utf-8")
            except UnicodeDecodeError:
                if line_no > 1:  # in the header the column name itself is what is broken
                    column = header[i] if i < len(header) else f"column {i + 1}"
                value = cell.encode("latin-1").decode("cp1252", errors="replace")
                break
        bad = raw[exc.start:exc.end].hex(" ").upper()
        return None, [Problem(file=file, rule="utf8_encoding", row=line_no, column=column, value=value,
                              message=f"not valid UTF-8 (byte {bad}); the text looks Latin-1/Windows-1252 "
                                      "encoded: re-save the file as UTF-8")]


class _CellTooLong(Exception):
    def __init__(self, line: int):
        self.line = line


def _read_rows(text: str) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, data rows and the 1-based line each data row starts on. Raises _CellTooLong (with
    the line where the cell starts) for a cell over the csv module's limit (128 KB)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, lines, last = [], [], 0
    try:
        for row in reader:
            rows.append(row)
            lines.append(last + 1)
            last = reader.line_num
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise _CellTooLong(last + 1) from None
        raise
    if not rows:
        return [], [], []
    # frictionless lifts the csv module's limit for the whole process when it is imported, so
    # the size is checked here too: an unclosed quote swallows the rest of the file into a cell.
    if len(text) > MAX_CELL:
        for row, line in zip(rows, lines):
            if any(len(cell) > MAX_CELL for cell in row):
                raise _CellTooLong(line)
    return rows[0], rows[1:], lines[1:]


def _blank_rows(file: str, rows: list[list[str]], lines: list[int]) -> list[Problem]:
    """Empty lines: trailing ones are one problem (a spreadsheet's habit), others one each."""
    blank = [i for i, row in enumerate(rows) if not row or row == [""]]
    if not blank:
        return []
    trailing = []
    while blank and blank[-1] == len(rows) - 1 - len(trailing):
        trailing.insert(0, blank.pop())
    out = [Problem(file=file, rule="no_blank_rows", row=lines[i], message="blank line; delete it")
           for i in blank[:MAX_SHOWN]]
    if trailing:
        n = len(trailing)
        out.append(Problem(file=file, rule="no_blank_rows", row=lines[trailing[0]],
                           message=f"{n} blank line{'s' if n > 1 else ''} at the end of the file; delete "
                                   f"{'them' if n > 1 else 'it'}"))
    return out


_NUMERIC = ("number", "integer")


def _non_finite(file: str, header: list[str], fields: dict, rows: list[list[str]], lines: list[int]) -> list[Problem]:
    """NaN and infinity parse as numbers but are no measurement: the book would print "inf"."""
    out = []
    cols = [(i, name) for i, name in enumerate(header) if fields.get(name, {}).get("type") in _NUMERIC]
    for row, line in zip(rows, lines):
        for i, name in cols:
            cell = row[i].strip() if i < len(row) else ""
            if not cell:
                continue
            try:
                value = float(cell)
            except ValueError:
                continue  # not a number at all: the type check says so
            if not math.isfinite(value):
                out.append(Problem(file=file, rule="finite_number", row=line, column=name, value=cell,
                                   message=f"{cell!r} is not a finite number; write the value (or leave the cell "
                                           "empty if the column allows a missing value)"))
    return out


def _check_header(header: list[str], fields: list[str], file: str) -> list[Problem]:
    if len(header) == 1 and len(fields) > 1:
        for delim, name in ((";", "semicolon"), ("\t", "tab"), ("|", "pipe")):
            if delim in header[0]:
                return [Problem(file=file, rule="comma_delimiter", row=1, value=delim,
                                message=f"the file is {name}-separated; the package expects commas (',')")]
    out = []
    missing = [f for f in fields if f not in header]
    extra = [h for h in header if h not in fields]
    for name in missing:
        close = difflib.get_close_matches(name, extra, n=1, cutoff=0.6)
        if close:
            extra.remove(close[0])
            out.append(Problem(file=file, rule="schema_fields", row=1, column=name, value=close[0],
                               message=f"column '{name}' is missing; found '{close[0]}' instead — did you mean "
                                       f"'{name}'?"))
        else:
            suggestion = difflib.get_close_matches(name, header, n=1, cutoff=0.0)
            hint = f" (closest column in the file: '{suggestion[0]}')" if suggestion else ""
            out.append(Problem(file=file, rule="schema_fields", row=1, column=name,
                               message=f"required column '{name}' is missing{hint}"))
    for name in extra:
        close = difflib.get_close_matches(name, fields, n=1, cutoff=0.0)
        hint = f"; closest expected column: '{close[0]}'" if close else ""
        out.append(Problem(file=file, rule="schema_fields", row=1, column=name, value=name,
                           message=f"unexpected column '{name}'{hint}; expected {', '.join(fields)}"))
    if not out and header != fields:
        out.append(Problem(file=file, rule="schema_field_order", row=1, value=",".join(header),
                           message=f"columns are out of order; expected {','.join(fields)}"))
    return out


_CONSTRAINT = re.compile(r'constraint "(\w+)" is "(.*)"')


def _frictionless_problems(path: Path, schema: dict, file: str, header: list[str],
                           rows: list[list[str]], lines: list[int]) -> list[Problem]:
    from frictionless import Resource, Schema

    res = Resource(path=path.name, basepath=str(path.parent), schema=Schema.from_descriptor(schema),
                   format="csv", encoding="utf-8")
    report = res.validate(limit_errors=ERROR_LIMIT)
    fields = {f["name"]: f for f in schema["fields"]}
    out = []
    if any("reached error limit" in w for task in report.tasks for w in task.warnings):
        out.append(Problem(file=file, rule="error_limit",
                           message=f"stopped looking after {ERROR_LIMIT} problems: the rest of the file was not "
                                   "checked, so there may be more"))
    for task in report.tasks:
        type_errors_records = {e.row_number for e in task.errors if e.type in ("type-error", "constraint-error")}
        for e in task.errors:
            record = getattr(e, "row_number", None)
            # frictionless counts records (header = 1); readers need the CSV line, which differs
            # once a quoted cell spans several lines.
            row = lines[record - 2] if record and 2 <= record < len(lines) + 2 else record
            col = getattr(e, "field_name", None)
            cell = getattr(e, "cell", None)
            if e.type == "type-error":
                ftype = fields[col]["type"]
                out.append(Problem(file=file, rule=f"type: {ftype}", row=row, column=col, value=cell,
                                   message=f"{cell!r} is not a valid {ftype}"))
            elif e.type == "constraint-error":
                m = _CONSTRAINT.search(e.note or "")
                name, limit = (m.group(1), m.group(2)) if m else ("constraint", e.note)
                if name == "enum":
                    allowed = fields[col]["constraints"]["enum"]
                    close = difflib.get_close_matches(str(cell), [str(a) for a in allowed], n=1)
                    hint = f" — did you mean {close[0]!r}?" if close else ""
                    out.append(Problem(file=file, rule="enum", row=row, column=col, value=cell,
                                       message=f"unknown category{hint} Allowed: {', '.join(map(str, allowed))}"))
                elif name == "required":
                    out.append(Problem(file=file, rule="required", row=row, column=col, value=cell,
                                       message="a value is required"))
                elif name in ("minimum", "maximum"):
                    word = "below the minimum" if name == "minimum" else "above the maximum"
                    out.append(Problem(file=file, rule=f"{name} {limit}", row=row, column=col, value=cell,
                                       message=f"{cell!r} is {word} of {limit}"))
                else:
                    out.append(Problem(file=file, rule=f"{name} {limit}", row=row, column=col, value=cell,
                                       message=f"{cell!r} breaks the {name} constraint ({limit})"))
            elif e.type in ("primary-key", "unique-error"):
                if record in type_errors_records:
                    continue  # the cell error already explains this row
                # a unique-error is about one field; a primary-key error about the whole key
                pk = schema.get("primaryKey") if e.type == "primary-key" else None
                pk = pk or [col]
                pk = [pk] if isinstance(pk, str) else pk
                cells = rows[record - 2] if record and 2 <= record < len(rows) + 2 else []
                key = tuple(cells[header.index(k)] if k in header and header.index(k) < len(cells) else None
                            for k in pk)
                m = re.search(r"position (\d+)", e.note or "")
                if m and 2 <= int(m.group(1)) < len(lines) + 2:
                    first = f" (first seen on row {lines[int(m.group(1)) - 2]})"
                else:
                    first = f" (first seen on row {m.group(1)})" if m else ""
                out.append(Problem(file=file, rule="primary_key" if e.type == "primary-key" else "unique",
                                   row=row, column=",".join(pk),
                                   value=key[0] if len(key) == 1 else key,
                                   message=f"duplicate key{first}; each row must have a unique {', '.join(pk)}"))
            else:
                out.append(Problem(file=file, rule=e.type, row=row, column=col, value=cell,
                                   message=e.message))
    return out


def _typed_frame(text: str, schema: dict) -> pd.DataFrame:
    import pandas as pd

    dtypes = {}
    for f in schema["fields"]:
        required = f.get("constraints", {}).get("required", False)
        if f["type"] == "integer":
            dtypes[f["name"]] = "int64" if required else "Int64"
        elif f["type"] == "number":
            dtypes[f["name"]] = "float64"
        else:
            dtypes[f["name"]] = str
    return pd.read_csv(io.StringIO(text), dtype=dtypes, keep_default_na=False,
                       na_values={k: [""] for k, v in dtypes.items() if v is not str})


def _read_file(path: Path, desc: dict, file: str) -> tuple[bytes | None, list[Problem]]:
    from report.paths import NotARegularFile, read_regular

    where = f"(resource '{desc.get('name')}' in datapackage.json)"
    try:
        return read_regular(path), []
    except FileNotFoundError:
        return None, [Problem(file=file, rule="file_present", message=f"file not found {where}")]
    except NotARegularFile as exc:
        return None, [Problem(file=file, rule="file_present", message=f"{exc.strerror} {where}")]
    except OSError as exc:
        return None, [Problem(file=file, rule="file_present", message=f"cannot read the file: {exc.strerror or exc}")]


def _schema_problems(schema, file: str) -> list[Problem]:
    """The resource's Table Schema itself, checked by frictionless before any row is."""
    from frictionless import FrictionlessException, Schema

    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list) or not all(
            isinstance(f, dict) and isinstance(f.get("name"), str) for f in schema["fields"]):
        return [Problem(file="data/datapackage.json", rule="table_schema", column="schema",
                        message=f"the schema for {file} must have a list of fields, each with a name")]
    try:
        Schema.from_descriptor(schema)
    except FrictionlessException as exc:
        err = exc.error
        bad = next((f for f in schema["fields"] if f'"{f.get("type")}"' in str(err.message)), None)
        return [Problem(file="data/datapackage.json", rule="table_schema",
                        column=bad.get("name") if bad else "schema", value=bad.get("type") if bad else None,
                        message=f"the schema for {file} is not valid: {err.note or err.message}")]
    return []


def _shown_problems(problems: list[Problem], file: str) -> list[Problem]:
    """At most MAX_SHOWN problems of one file, then one line counting the rest by rule."""
    if len(problems) <= MAX_SHOWN:
        return problems
    from collections import Counter

    rest = problems[MAX_SHOWN:]
    counts = Counter(p.rule for p in rest)
    by_rule = ", ".join(f"{n} × {rule}" for rule, n in counts.most_common())
    return [*problems[:MAX_SHOWN],
            Problem(file=file, rule="more_problems",
                    message=f"{len(rest)} more problems not listed ({by_rule}); the first is on row {rest[0].row}")]


def check_csv(path: Path, desc: dict, file: str) -> tuple[list[Problem], pd.DataFrame | None]:
    raw, problems = _read_file(path, desc, file)
    if problems:
        return problems, None
    text, problems = _decode(raw, file)
    if problems:
        return problems, None
    schema = desc["schema"]
    problems = _schema_problems(schema, file)
    if problems:
        return problems, None
    fields = [f["name"] for f in schema["fields"]]
    try:
        header, rows, lines = _read_rows(text)
    except _CellTooLong as exc:
        return [Problem(file=file, rule="cell_size", row=exc.line,
                        message=f"a cell starting on this line is longer than {MAX_CELL // 1024} KB; "
                                "is a quote (\") left open?")], None
    problems = _check_header(header, fields, file)
    if problems:
        return problems, None
    if not rows:
        return [Problem(file=file, rule="non_empty", row=2, message="the file has a header but no data rows")], None
    problems = _blank_rows(file, rows, lines)
    if problems:
        return problems, None
    by_name = {f["name"]: f for f in schema["fields"]}
    problems = _non_finite(file, header, by_name, rows, lines)
    if problems:
        return _shown_problems(problems, file), None
    problems = _frictionless_problems(path, schema, file, header, rows, lines)
    if problems:
        return _shown_problems(problems, file), None
    df = _typed_frame(text, schema)
    if len(df) != len(lines):  # blank lines etc.: frictionless flags them, this is a last guard
        lines = list(range(2, len(df) + 2))
    from .rules import run_rules

    return _shown_problems(run_rules(df, lines, desc.get("rules", []), schema, file), file), df


GEOMETRY_TYPES = ("Polygon", "MultiPolygon")


def _ring_problem(coords, depth: int) -> str | None:
    """Why `coords` is not `depth` levels of lists ending in [longitude, latitude] pairs."""
    if depth == 0:
        if (not isinstance(coords, list) or len(coords) < 2
                or not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in coords[:2])):
            return f"{json.dumps(coords)[:60]} is not a [longitude, latitude] pair of numbers"
        if not all(math.isfinite(c) for c in coords[:2]):
            return f"{json.dumps(coords)[:60]} is not a finite position"
        if not (-180 <= coords[0] <= 180 and -90 <= coords[1] <= 90):
            return f"{json.dumps(coords)[:60]} is outside longitude -180..180, latitude -90..90"
        return None
    if not isinstance(coords, list) or not coords:
        return f"expected a non-empty list, found {json.dumps(coords)[:60]}"
    for i, item in enumerate(coords):
        why = _ring_problem(item, depth - 1)
        if why:
            return f"[{i}]" + ("" if why.startswith("[") else ": ") + why
    return None


def _feature_problems(feats: list, file: str) -> list[Problem]:
    out = []
    for i, f in enumerate(feats):
        where = f"features[{i}]"
        if not isinstance(f, dict) or f.get("type") != "Feature":
            out.append(Problem(file=file, rule="geojson_feature", column=where,
                               message="not a GeoJSON Feature (an object with \"type\": \"Feature\")"))
            continue
        props = f.get("properties")
        if not isinstance(props, dict):
            out.append(Problem(file=file, rule="geojson_feature", column=f"{where}.properties",
                               message="properties must be an object"))
            continue
        label = f" (region {props.get('region')!r})" if "region" in props else ""
        geom = f.get("geometry")
        if not isinstance(geom, dict) or geom.get("type") not in GEOMETRY_TYPES:
            kind = geom.get("type") if isinstance(geom, dict) else geom
            out.append(Problem(file=file, rule="geojson_geometry", column=f"{where}.geometry", value=kind,
                               message=f"feature {i + 1}{label}: geometry must be a Polygon or MultiPolygon"))
            continue
        why = _ring_problem(geom.get("coordinates"), 2 if geom["type"] == "Polygon" else 3)
        if why:
            out.append(Problem(file=file, rule="geojson_geometry", column=f"{where}.geometry.coordinates",
                               message=f"feature {i + 1}{label}: coordinates{why if why.startswith('[') else ': ' + why}"))
    return out


def check_geojson(path: Path, desc: dict, file: str, root: Path | None = None) -> tuple[list[Problem], pd.DataFrame | None]:
    import pandas as pd

    from .vocab import vocabulary

    raw, problems = _read_file(path, desc, file)
    if problems:
        return problems, None
    text, problems = _decode(raw, file)
    if problems:
        return problems, None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return [Problem(file=file, rule="valid_json", row=exc.lineno, column=f"character {exc.colno}",
                        message=f"not valid JSON: {exc.msg} (line {exc.lineno}, character {exc.colno})")], None
    feats = obj.get("features") if isinstance(obj, dict) else None
    if not isinstance(obj, dict) or obj.get("type") != "FeatureCollection" or not isinstance(feats, list):
        return [Problem(file=file, rule="geojson_feature_collection",
                        message="not a GeoJSON FeatureCollection (an object with \"type\": \"FeatureCollection\" "
                                "and a list of \"features\")")], None
    problems = _feature_problems(feats, file)
    if problems:
        return _shown_problems(problems, file), None
    df = pd.DataFrame([{**(f.get("properties") or {}), "geometry": f.get("geometry")} for f in feats])
    for rule in desc.get("rules", []):
        if rule.get("rule") == "geojson_vocabulary":
            # One feature per category of a vocabulary the data package declares (regions, say).
            prop = rule.get("property", "region")
            vocab = vocabulary(rule.get("vocabulary", prop), root)
            if vocab is None:
                problems.append(Problem(file=file, rule="geojson_vocabulary", column=prop,
                                        message=f"the data package declares no vocabulary {rule.get('vocabulary', prop)!r}"))
                continue
            allowed = list(vocab.values)
            have = df[prop].tolist() if prop in df else []
            for i, v in enumerate(have):
                if v not in allowed:
                    close = difflib.get_close_matches(str(v), allowed, n=1)
                    hint = f" — did you mean {close[0]!r}?" if close else ""
                    problems.append(Problem(file=file, rule="enum", column=f"features[{i}].properties.{prop}",
                                            value=v, message=f"feature {i + 1}: unknown {prop}{hint}"))
            for r in allowed:
                if r not in have:
                    problems.append(Problem(file=file, rule="all_categories_present", column=prop, value=r,
                                            message=f"no feature for this {prop}"))
    return problems, df


def check_resource(desc: dict, data_dir: Path, root: Path | None = None) -> tuple[list[Problem], pd.DataFrame | None]:
    from report.paths import OutsideProject

    root = Path(root) if root is not None else Path(data_dir).parent
    try:
        path = resource_path(desc, data_dir, root)
    except OutsideProject as exc:
        return [Problem(file="data/datapackage.json", rule="path_inside_project", column="path",
                        value=desc.get("path"), message=str(exc))], None
    file = _display(path, root)
    problems = check_metadata(desc, file)
    if desc.get("format") == "geojson" or str(path).endswith(".geojson"):
        more, df = check_geojson(path, desc, file, root)
    elif "schema" in desc:
        more, df = check_csv(path, desc, file)
    else:
        more, df = [Problem(file=file, rule="table_schema", message="resource has no schema")], None
    return problems + more, df


# --- Remembering successful validations -------------------------------------------------------
#
# Validating every resource costs seconds (frictionless checks 35,000 rows one by one), yet a
# resource whose bytes, descriptor and validator code are unchanged cannot have changed verdict.
# So a build records a key per resource that passed, and the next build (and `load()` inside
# the build's kernel) skips those. Only passes are recorded: a failing resource is checked again
# every time, so its messages never come from a cache.

VALIDATION_CACHE_ENV = "REPORT_VALIDATION_CACHE"  # set by the build engine for its kernel
_CACHE_FORMAT = 1
_fingerprint: str | None = None


def validator_fingerprint() -> str:
    """Hash of the code that decides validity: this package's modules and the libraries it uses."""
    global _fingerprint
    if _fingerprint is None:
        from importlib.metadata import PackageNotFoundError, version

        h = hashlib.sha256(f"format {_CACHE_FORMAT}\0".encode())
        for dist in ("frictionless", "pandas"):
            try:
                h.update(f"{dist} {version(dist)}\0".encode())
            except PackageNotFoundError:
                h.update(f"{dist} -\0".encode())
        here = Path(__file__).resolve().parent
        for py in sorted(here.glob("*.py")):
            h.update(py.name.encode() + b"\0" + py.read_bytes() + b"\0")
        _fingerprint = h.hexdigest()
    return _fingerprint


def resource_path(desc: dict, data_dir: Path, root: Path | None = None) -> Path:
    """Where a resource's file is: its `path` relative to data/, which must stay inside the
    project (raises report.paths.OutsideProject), symbolic links followed."""
    from report.paths import confine

    name = desc.get("path", f"{desc.get('name')}.csv")
    if not isinstance(name, str) or not name:
        name = f"{desc.get('name')}.csv"
    root = Path(root) if root is not None else Path(data_dir).parent
    return confine(root, name, f"data/datapackage.json: resource '{desc.get('name')}' path", base=Path(data_dir))


def resource_key(desc: dict, raw: bytes) -> str:
    h = hashlib.sha256(validator_fingerprint().encode() + b"\0")
    h.update(json.dumps(desc, sort_keys=True, ensure_ascii=False).encode("utf-8") + b"\0")
    h.update(hashlib.sha256(raw).digest())
    return h.hexdigest()


def _read_bytes(path: Path) -> bytes | None:
    from report.paths import read_regular

    try:
        return read_regular(path)
    except OSError:
        return None


def read_validation_cache(path: Path | None) -> set[str]:
    """Keys of resources that passed; an unreadable, corrupt or foreign file counts as empty."""
    if path is None:
        return set()
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        keys = data["keys"]
        if data.get("format") != _CACHE_FORMAT or not isinstance(keys, list):
            return set()
        if data.get("sha256") != hashlib.sha256("\n".join(keys).encode()).hexdigest():
            return set()
        return {k for k in keys if isinstance(k, str)}
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def write_validation_cache(path: Path, keys: set[str]) -> None:
    keys_sorted = sorted(keys)
    data = {"format": _CACHE_FORMAT, "keys": keys_sorted,
            "sha256": hashlib.sha256("\n".join(keys_sorted).encode()).hexdigest()}
    try:
        write_atomic(Path(path), json.dumps(data, indent=0) + "\n")
    except OSError:
        pass  # a cache that cannot be written only costs time next build


def check_resource_cached(desc: dict, data_dir: Path, root: Path | None, known: set[str],
                          passed: set[str]) -> list[Problem]:
    """check_resource, skipped when `known` holds this resource's key; adds the key of a pass to
    `passed`."""
    from report.paths import OutsideProject

    try:
        path = resource_path(desc, data_dir, root)
    except OutsideProject:
        return check_resource(desc, data_dir, root)[0]
    before = _read_bytes(path)
    key = resource_key(desc, before) if before is not None else None
    if key is not None and key in known:
        passed.add(key)
        return []
    problems, _ = check_resource(desc, data_dir, root)
    # Recorded only when the bytes validated are the bytes hashed (the file may be mid-edit).
    if not problems and key is not None and _read_bytes(path) == before:
        passed.add(key)
    return problems


def trusted_frame(desc: dict, data_dir: Path) -> pd.DataFrame | None:
    """The resource as `check_resource` would return it, without validating, when the build that
    started this process has validated exactly these bytes (see VALIDATION_CACHE_ENV); else None."""
    from report.paths import OutsideProject

    cache = os.environ.get(VALIDATION_CACHE_ENV)
    if not cache or "schema" not in desc or desc.get("format") == "geojson":
        return None
    try:
        path = resource_path(desc, data_dir)
    except OutsideProject:
        return None  # check_resource says why
    if str(path).endswith(".geojson"):
        return None
    raw = _read_bytes(path)
    if raw is None or resource_key(desc, raw) not in read_validation_cache(Path(cache)):
        return None
    return _typed_frame(raw.decode("utf-8"), desc["schema"])


# --- Checks across tables ---------------------------------------------------------------------
#
# A publication may declare checks that look at several resources at once (`report: checks:` in
# _quarto.yml): for example that tables a pipeline derives from one another still agree after a
# hand edit. A check is a function (frames, files) -> problems with a `resources` attribute naming
# what it reads. It runs when every resource it reads is in the package and passed on its own; a
# pass is remembered under a key over those files and the check's own code.


def package_check_key(check, descs: dict[str, dict], data_dir: Path, root: Path | None) -> str | None:
    import inspect

    try:
        code = inspect.getsource(inspect.getmodule(check))
    except (OSError, TypeError):
        code = getattr(check, "__qualname__", repr(check))
    h = hashlib.sha256(f"package check\0{validator_fingerprint()}\0{code}\0".encode())
    for name in check.resources:
        try:
            raw = _read_bytes(resource_path(descs[name], data_dir, root))
        except ValueError:
            return None
        if raw is None:
            return None
        h.update(resource_key(descs[name], raw).encode() + b"\0")
    return h.hexdigest()


def run_package_check(check, descs: dict[str, dict], data_dir: Path, root: Path | None) -> list[Problem]:
    frames, files = {}, {}
    for name in check.resources:
        path = resource_path(descs[name], data_dir, root)
        files[name] = _display(path, root)
        frames[name] = _typed_frame(_read_bytes(path).decode("utf-8"), descs[name]["schema"])
    return check(frames, files)
