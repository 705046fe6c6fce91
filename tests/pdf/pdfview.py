"""What a reader of the book's PDF meets, read with pypdf alone (no renderer): where the contents
entries, bookmarks and links land and what is printed there, the metadata and PDF/UA
declaration, the tagged structure, where each chart sits against the sections, and how much of
each page is left blank. Used by tests/pdf (the embedded engine's PDF) and tests/quarto (Quarto's).

Positions are PDF points from the foot of the page, as in the file."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

CM = 72 / 2.54
# typst-template.typ's margins: the body of a page lies between them
MARGIN_TOP, MARGIN_BOTTOM = 2.4 * CM, 2.6 * CM


def squash(text: str) -> str:
    text = text.replace("\u00a0", " ").replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", " ", text).strip()


def bare_title(text: str) -> str:
    """A heading's words without its number: "3 Identifying ..." and "Appendix A. A spatial ..."
    are "Identifying ..." and "A spatial ..."."""
    return re.sub(r"^(?:\d+(?:\.\d+)*\s+|Appendix [A-Z]\.\s+)", "", squash(text))


# --- text and where it is printed -----------------------------------------------------------

@dataclass
class Chunk:
    text: str
    x: float
    y: float      # baseline
    size: float   # font size as printed
    fill: tuple   # non-stroking colour when it was drawn


def _graphics(page, on_text=None, on_paint=None) -> None:
    """Walks a page's content stream: text with position, size and fill colour; every painted
    path with its vertical extent."""
    state = {"fill": (), "points": []}

    def point(cm, x, y):
        a, b, c, d, e, f = cm
        return a * x + c * y + e, b * x + d * y + f

    def before(op, args, cm, tm):
        if op in (b"sc", b"scn", b"rg", b"g", b"k"):
            state["fill"] = tuple(round(float(v), 3) for v in args if not hasattr(v, "encode"))
        elif op == b"re":
            x, y, w, h = (float(v) for v in args)
            state["points"] += [point(cm, x, y), point(cm, x + w, y + h)]
        elif op in (b"m", b"l", b"c", b"v", b"y"):
            nums = [float(v) for v in args]
            state["points"] += [point(cm, nums[i], nums[i + 1]) for i in range(0, len(nums) - 1, 2)]
        elif op in (b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*", b"S", b"s"):
            if state["points"] and on_paint:
                ys = [p[1] for p in state["points"]]
                on_paint(min(ys), max(ys))
            state["points"] = []
        elif op == b"n":
            state["points"] = []  # a clipping path: nothing is painted

    def text(t, cm, tm, font, size):
        if on_text and t and t.strip():
            a, b, c, d, e, f = cm
            y = tm[4] * b + tm[5] * d + f
            x = tm[4] * a + tm[5] * c + e
            scale = abs(tm[3] * d) or abs(tm[0] * a) or 1
            on_text(Chunk(t, x, y, size * scale, state["fill"]))

    page.extract_text(visitor_operand_before=before, visitor_text=text)


def chunks(page) -> list[Chunk]:
    out: list[Chunk] = []
    _graphics(page, on_text=out.append)
    return out


def text_below(page, top: float, depth: float = 90) -> str:
    """The words printed from `top` down `depth` points, in reading order: what a reader sees
    where a link or bookmark has taken them. A line whose baseline is above `top` is the line
    before the anchor."""
    found = [c for c in chunks(page) if top - depth <= c.y < top - 1]
    found.sort(key=lambda c: (-round(c.y), c.x))
    return squash(" ".join(c.text for c in found))


# --- destinations ------------------------------------------------------------------------------

@dataclass
class Target:
    title: str     # the entry's text (contents) or bookmark title
    page: int      # 0-based
    top: float
    level: int = 1


def _resolve(reader: PdfReader, dest) -> tuple[int, float] | None:
    if isinstance(dest, str) or hasattr(dest, "encode"):
        named = reader.named_destinations.get(str(dest))
        if named is None:
            return None
        return reader.get_destination_page_number(named), float(named.top or 0)
    if isinstance(dest, ArrayObject):
        ref = dest[0]
        page = next(i for i, p in enumerate(reader.pages) if p.indirect_reference == ref)
        top = float(dest[3]) if len(dest) > 3 and dest[1] == "/XYZ" else 0.0
        return page, top
    return None


def links(reader: PdfReader, page_index: int) -> list[tuple[tuple[float, float, float, float], str | None, int, float]]:
    """Internal links on a page: (rect, destination name or None, page, top)."""
    out = []
    for annot in reader.pages[page_index].get("/Annots") or []:
        annot = annot.get_object()
        if annot.get("/Subtype") != "/Link":
            continue
        action = annot.get("/A")
        dest = annot.get("/Dest")
        if dest is None and action is not None and action.get("/S") == "/GoTo":
            dest = action.get("/D")
        if dest is None:
            continue  # a link out of the document
        where = _resolve(reader, dest)
        if where is None:
            continue
        name = str(dest) if (isinstance(dest, str) or hasattr(dest, "encode")) else None
        rect = tuple(float(v) for v in annot["/Rect"])
        out.append((rect, name, *where))
    return out


def contents_page(reader: PdfReader) -> int:
    for i, page in enumerate(reader.pages[:6]):
        if squash(page.extract_text() or "").startswith("Contents"):
            return i
    raise AssertionError("no contents page among the first pages")


def contents_entries(reader: PdfReader) -> list[Target]:
    """Each contents entry: its text (leader dots and page number dropped) and where it links."""
    index = contents_page(reader)
    page_chunks = chunks(reader.pages[index])
    # one entry may be drawn as several links to one place (its number, title, page number)
    areas: dict[tuple, list] = {}
    for rect, name, page, top in links(reader, index):
        areas.setdefault((name, page, round(top, 1)), []).append(rect)
    entries = []
    for (_, page, top), rects in areas.items():
        x0, y0 = min(r[0] for r in rects), min(r[1] for r in rects)
        x1, y1 = max(r[2] for r in rects), max(r[3] for r in rects)
        inside = [c for c in page_chunks if x0 - 1 <= c.x <= x1 and y0 - 1 <= c.y <= y1 + 1]
        inside.sort(key=lambda c: (-round(c.y), c.x))
        text = squash(" ".join(c.text for c in inside))
        text = squash(re.sub(r"(?:\s*\.)+\s*\d+\s*$", "", text))
        if text:
            entries.append(Target(text, page, top))
    return entries


def bookmarks(reader: PdfReader) -> list[Target]:
    out: list[Target] = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                out.append(Target(squash(item.title), reader.get_destination_page_number(item),
                                  float(item.top or 0), level))

    walk(reader.outline, 1)
    return out


def printed_at(reader: PdfReader, target: Target) -> bool:
    """Whether the heading named by `target` is what is printed where it lands."""
    # Compared without spaces, the text coming in pieces ("Figure", "4", ": Output ..."), and
    # without digits: a bookmark drops the number a cross-reference prints in a heading
    # ("Figure 4: ..." is bookmarked "Figure : ..." under Quarto).
    def letters(text):
        return re.sub(r"[\s\d]", "", text)
    here = letters(text_below(reader.pages[target.page], target.top))
    title = letters(bare_title(target.title))[:30]
    return title in here[:len(title) + 30]


# --- metadata ------------------------------------------------------------------------------------

def xmp(reader: PdfReader) -> str:
    meta = reader.trailer["/Root"].get("/Metadata")
    return meta.get_object().get_data().decode("utf-8") if meta is not None else ""


def pdf_ua_part(reader: PdfReader) -> str | None:
    """The PDF/UA part the document declares in its XMP (pdfuaid:part), as an element or an
    attribute."""
    text = xmp(reader)
    m = re.search(r"<pdfuaid:part>\s*(\d+)\s*</pdfuaid:part>", text) or re.search(r'pdfuaid:part="(\d+)"', text)
    return m.group(1) if m else None


# --- the tagged structure ---------------------------------------------------------------------

def struct_children(node) -> list[DictionaryObject]:
    kids = node.get("/K")
    if kids is None:
        return []
    kids = kids.get_object() if isinstance(kids, IndirectObject) else kids
    if not isinstance(kids, ArrayObject):
        kids = [kids]
    out = []
    for kid in kids:
        kid = kid.get_object() if isinstance(kid, IndirectObject) else kid
        if isinstance(kid, DictionaryObject) and "/S" in kid:
            out.append(kid)
    return out


def struct_elements(reader: PdfReader, kind: str) -> list[DictionaryObject]:
    """Every structure element of one type (/Formula, /Figure, /Table ...), in document order."""
    found: list[DictionaryObject] = []

    def walk(node):
        if node.get("/S") == kind:
            found.append(node)
        for kid in struct_children(node):
            walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"].get_object())
    return found


def attributes(element: DictionaryObject) -> dict:
    """The element's table attributes (/Scope, /Headers, /ColSpan ...), merged."""
    found = {}
    attrs = element.get("/A")
    if attrs is None:
        return found
    attrs = attrs.get_object()
    for item in attrs if isinstance(attrs, ArrayObject) else [attrs]:
        item = item.get_object()
        if isinstance(item, DictionaryObject):
            found.update({k: v for k, v in item.items() if k != "/O"})
    return found


def struct_text(reader: PdfReader, element: DictionaryObject) -> str:
    """The text an element's marked content holds (by MCID, on its pages)."""
    wanted: dict[int, set[int]] = {}  # page object number -> MCIDs

    def walk(node, page_ref):
        page_ref = node.get("/Pg", page_ref)
        kids = node.get("/K")
        kids = kids.get_object() if isinstance(kids, IndirectObject) else kids
        for kid in kids if isinstance(kids, ArrayObject) else [kids]:
            kid = kid.get_object() if isinstance(kid, IndirectObject) else kid
            if isinstance(kid, int) and page_ref is not None:
                wanted.setdefault(page_ref.idnum, set()).add(int(kid))
            elif isinstance(kid, DictionaryObject) and "/MCID" in kid:
                ref = kid.get("/Pg", page_ref)
                wanted.setdefault(ref.idnum, set()).add(int(kid["/MCID"]))
            elif isinstance(kid, DictionaryObject) and "/S" in kid:
                walk(kid, page_ref)

    walk(element, None)
    words: list[str] = []
    for page in reader.pages:
        ids = wanted.get(page.indirect_reference.idnum)
        if not ids:
            continue
        open_ids: list = []

        def before(op, args, cm, tm):
            if op == b"BDC":
                props = args[1] if len(args) > 1 else None
                open_ids.append(props.get("/MCID") if isinstance(props, DictionaryObject) else None)
            elif op == b"BMC":
                open_ids.append(None)
            elif op == b"EMC" and open_ids:
                open_ids.pop()

        def text(t, cm, tm, font, size):
            if any(m in ids for m in open_ids if m is not None):
                words.append(t)

        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return squash(" ".join(words))


# --- page layout ----------------------------------------------------------------------------

def largest_gap(page) -> float:
    """The tallest band of the page's body with nothing printed or drawn in it, as a share of the
    body's height: text lines (from their size) and painted shapes (charts, rules, box fills)."""
    height = float(page.mediabox.height)
    low, high = MARGIN_BOTTOM, height - MARGIN_TOP
    bands: list[tuple[float, float]] = []
    _graphics(page,
              on_text=lambda c: bands.append((c.y - 0.3 * c.size, c.y + 0.9 * c.size)),
              on_paint=lambda y0, y1: bands.append((y0, y1)))
    bands = sorted((max(a, low), min(b, high)) for a, b in bands if b > low and a < high)
    gap, edge = 0.0, high
    for a, b in sorted(bands, key=lambda band: -band[1]):
        if b < edge:
            gap = max(gap, edge - b)
        edge = min(edge, a)
    gap = max(gap, edge - low)
    return gap / (high - low)


def figure_captions(reader: PdfReader) -> dict[int, list[tuple[int, float]]]:
    """Where each "Figure N:" caption is printed: figure number -> [(page, baseline)]. The data
    appendix names figures in its headings too ("Figure 4: Output ..."), so every place is kept."""
    found: dict[int, list[tuple[int, float]]] = {}
    for index, page in enumerate(reader.pages):
        line: list[Chunk] = []
        for c in chunks(page):
            if line and abs(c.y - line[-1].y) > 1:
                _captions_in(line, index, found)
                line = []
            line.append(c)
        _captions_in(line, index, found)
    return found


def _captions_in(line: list[Chunk], index: int, found: dict) -> None:
    text = squash("".join(c.text for c in line))
    m = re.match(r"Figure (\d+):", text)
    if m and line:
        found.setdefault(int(m.group(1)), []).append((index, line[0].y))


# --- the book's sources --------------------------------------------------------------------------

def figure_sections(root: Path) -> list[tuple[str, str]]:
    """(figure label, title of the heading it sits under) for Figures 1, 2, 3 ... in reading order:
    the `#`/`##` heading before each figure cell in the chapter sources."""
    book = yaml.safe_load((root / "_quarto.yml").read_text(encoding="utf-8"))["book"]
    out = []
    for rel in [*book["chapters"], *book.get("appendices", [])]:
        heading, fence = None, None
        for line in (root / rel).read_text(encoding="utf-8").splitlines():
            marker = re.match(r"^\s*(`{3,})", line)
            if marker:
                fence = None if fence else marker.group(1)
            m = re.match(r"^(#{1,2})\s+(.*?)\s*(?:\{[^}]*\})?\s*$", line)
            if m and not fence:
                heading = m.group(2)
            m = re.match(r"#\|\s*label:\s*(fig-\S+)", line)
            if m:
                out.append((m.group(1), heading))
    return out
