from __future__ import annotations

import csv
import io
import re
import shutil
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
FONTS = REPO / "fonts"
TABLE_COLUMNS = ["theme", "order", "number", "problem", "solution", "lever", "lever_actions"]
LIST_COLUMNS = ["number", "theme", "text"]


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, columns, rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


@pytest.fixture
def project(tmp_path) -> Path:
    """A throwaway project root holding copies of the real recommendations files and package."""
    for name in ("recommendations.csv", "recommendations_numbered.csv", "datapackage.json"):
        (tmp_path / "data").mkdir(exist_ok=True)
        shutil.copy(DATA / name, tmp_path / "data" / name)
    return tmp_path


def squash(text: str) -> str:
    """Compare text regardless of line breaks, ligatures and spacing added by PDF extraction."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def compile_typst(tmp_path: Path, body: str) -> tuple[bytes, list[str]]:
    """Compile a Typst fragment on A4 pages; return the PDF and the text of each page."""
    import pypdf
    import typst

    doc = tmp_path / "wrapper.typ"
    doc.write_text('#set page(paper: "a4", margin: 2cm)\n#set text(font: "Source Sans Pro", lang: "en")\n\n'
                   + body + "\n", encoding="utf-8")
    pdf = typst.compile(str(doc), font_paths=[str(FONTS)])
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return pdf, [p.extract_text() for p in reader.pages]


class TableParser(HTMLParser):
    """Collects the recommendations table's structure: caption, headers, theme rows, cells, list items."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables = []
        self.caption = ""
        self.head = []  # (text, attrs)
        self.rows = []  # each: {"kind": "theme"|"data", "cells": [...]} cell = {"tag","attrs","text","items"}
        self.tags = []
        self._stack = []
        self._cell = None
        self._li = None
        self._in_caption = False
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        self._stack.append(tag)
        if tag == "table":
            self.tables.append(attrs)
        elif tag == "caption":
            self._in_caption = True
        elif tag == "style":
            self._in_style = True
        elif tag == "tr":
            self.rows.append({"in_thead": "thead" in self._stack, "attrs": attrs, "cells": []})
        elif tag in ("td", "th"):
            self._cell = {"tag": tag, "attrs": attrs, "text": "", "items": []}
            self.rows[-1]["cells"].append(self._cell)
        elif tag == "li" and self._cell is not None:
            self._li = ""

    def handle_endtag(self, tag):
        while self._stack and self._stack.pop() != tag:
            pass
        if tag in ("td", "th") and self._cell is None:
            return
        if tag == "caption":
            self._in_caption = False
        elif tag == "style":
            self._in_style = False
        elif tag in ("td", "th"):
            self._cell["text"] = self._cell["text"].strip()
            self._cell = None
        elif tag == "li" and self._li is not None:
            self._cell["items"].append(self._li.strip())
            self._li = None

    def handle_data(self, data):
        if self._in_style:
            return
        if self._in_caption:
            self.caption += data
        elif self._li is not None:
            self._li += data
        elif self._cell is not None:
            self._cell["text"] += data


def parse_table(html: str) -> TableParser:
    p = TableParser()
    p.feed(html)
    p.close()
    return p
