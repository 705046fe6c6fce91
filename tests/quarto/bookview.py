"""What a reader finds in a built book, read the same way from either engine's output: chapters in
reading order, each with its title, its figures (number and caption) and the numbers its prose
states. Quarto writes one HTML page per chapter; the embedded engine one page holding every
chapter as a top-level <section>."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from engine.htmltree import Node, parse_html  # tests/ is on sys.path: tests/engine is a package beside this one

NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?%?")
FIGURE_CAPTION = re.compile(r"^Figure (\d+):\s*(.*)$", re.S)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def book_files(root: Path) -> list[str]:
    """book.chapters then book.appendices from _quarto.yml, parts flattened."""
    book = yaml.safe_load((root / "_quarto.yml").read_text(encoding="utf-8"))["book"]
    files: list[str] = []

    def add(items):
        for item in items or []:
            if isinstance(item, dict):
                add(item.get("chapters"))
            else:
                files.append(str(item))

    add(book.get("chapters"))
    add(book.get("appendices"))
    return files


def chapter_sources(root: Path) -> list[tuple[str, str]]:
    return [(rel, (root / rel).read_text(encoding="utf-8")) for rel in book_files(root)]


def source_captions(root: Path) -> list[str]:
    """Every `#| fig-cap:` of the book's figure cells, in reading order, as text."""
    caps = []
    for _, text in chapter_sources(root):
        caps += [m.group(1) for m in re.finditer(r'^#\|\s*fig-cap:\s*"(.*)"\s*$', text, re.M)]
    # as a reader sees them: a markdown link shows its text
    return [re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", cap) for cap in caps]


@dataclass
class Chapter:
    title: str
    figures: list[tuple[int, str]] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    text: str = ""
    xrefs: list[tuple[str, str]] = field(default_factory=list)  # (target id, link text)


# Parts of a page that are not the chapter's own prose: navigation, the note markers and notes
# (Quarto numbers notes per page, the single page through the book), the page furniture, and the
# colophon (on Quarto's first page, in the single page's footer).
_SKIP_CLASSES = {"footnote-ref", "footnotes", "footnote-back", "sidebar", "quarto-title-meta",
                 "nav-footer", "page-navigation", "screen-reader-only", "callout-icon-container",
                 "report-colophon"}
_SKIP_TAGS = {"script", "style", "nav", "svg", "math", "figure", "figcaption", "sup"}


def _prose(node: Node, out: list[str]) -> None:
    if node.tag in _SKIP_TAGS or _SKIP_CLASSES & set(node.classes) or node.attrs.get("role") == "doc-endnotes":
        return
    if re.search(r"display:\s*none", node.attrs.get("style") or ""):
        return  # e.g. the bibliography Quarto hides on each page for its citation pop-ups
    if node.tag in ("h1",):
        return  # the title is compared on its own
    for child in node.children:
        if isinstance(child, str):
            out.append(child)
        else:
            _prose(child, out)
            if child.tag in ("p", "li", "td", "th", "div", "h2", "h3", "br", "tr"):
                out.append("\n")


def _chapter(title: str, body: Node) -> Chapter:
    ch = Chapter(title=squash(title))
    for cap in body.find_all("figcaption"):
        m = FIGURE_CAPTION.match(squash(cap.text()))
        if m:
            ch.figures.append((int(m.group(1)), m.group(2)))
    parts: list[str] = []
    _prose(body, parts)
    ch.text = squash(" ".join(parts))
    ch.numbers = NUMBER.findall(ch.text)
    for a in body.find_all("a", cls="quarto-xref"):
        ch.xrefs.append((a.attrs.get("href", "").split("#")[-1], squash(a.text())))
    return ch


def quarto_chapters(book_dir: Path, root: Path) -> list[Chapter]:
    chapters = []
    for rel in book_files(root):
        page = book_dir / Path(rel).with_suffix(".html")
        doc = parse_html(page.read_text(encoding="utf-8"))
        main = doc.find("main")
        # A chapter's title is its page's title; the book's first page is titled with the book's
        # own title, and the first chapter's heading follows it in a section of its own.
        sections = [s for s in main.find_all("section", cls="level1") if s.find_all("h1")]
        title = (sections[0] if sections else main).find("h1").text()
        chapters.append(_chapter(title, main))
    return chapters


def embedded_chapters(index_html: Path) -> list[Chapter]:
    doc = parse_html(index_html.read_text(encoding="utf-8"))
    main = doc.find("main")
    chapters = []
    for section in main.children:
        if isinstance(section, Node) and section.tag == "section" and "level1" in section.classes:
            chapters.append(_chapter(section.find("h1").text(), section))
    return chapters


def pdf_text(pdf: Path) -> str:
    from pypdf import PdfReader

    return squash(" ".join(p.extract_text() or "" for p in PdfReader(pdf).pages))


def pdf_figures(text: str) -> list[tuple[int, str]]:
    """(number, first words of the caption) for every caption 'Figure N: ...' in the PDF text."""
    return [(int(m.group(1)), squash(m.group(2))) for m in re.finditer(r"Figure (\d+): ((?:\S+ ){1,10})", text)]
