"""The preview's quick render: the HTML of only the chapters that changed, ahead of the full page.

Pandoc renders the book as one document, and what a chapter becomes depends on the rest of it:
section and figure numbers count through the book, cross-references resolve against every
chapter, citations and footnotes are numbered in document order, the bibliography collects all
of them. Rendering the whole book takes most of a second; a chapter alone would come out wrong.

So the quick render keeps the changed chapters whole and replaces every other chapter by its
*skeleton*: its headings, the identifiers and captions of its figures and tables, its citations
and footnotes (in order, contents reduced to the citations in them), its divs' attributes; its
prose, images, code and raw blocks go. Everything that numbering, cross-references, citeproc and
the footnote counter see is still there, so the changed chapters render exactly as in the full
book, at a third of its size. Their top-level sections are taken from the result and spliced
into the page the browser already shows.

This holds only while the rest of the page stays as it was, which is the case when each changed
chapter's own skeleton is unchanged (an edit to prose, numbers or a chart). A new heading,
figure, citation or footnote changes the skeleton, and the preview waits for the full render.
The full render always follows: it writes `_book/index.html`, and the server compares the two and
corrects the page should they ever differ. tests/preview/test_fastpath.py checks every chapter of
the real book against the full render.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

WORK_DIR = Path(".report-cache") / "preview-work"  # plus "-<pid>": one per preview worker
MAX_SHARE = 0.5  # above this share of the book changed, the full render is about as quick

# --- skeletons ------------------------------------------------------------------------------------


def _placeholder(text: str) -> dict:
    return {"t": "Str", "c": text}


def _kept_inlines(node: Any) -> list:
    """The inlines of `node` that reach beyond their own paragraph: citations (their keys and
    modes, as citeproc numbers and abbreviates by them), footnotes (the counter; their own
    citations), spans with an identifier."""
    out: list = []

    def walk(n: Any) -> None:
        if isinstance(n, dict):
            t = n.get("t")
            if t == "Cite":
                out.extend([{"t": "Cite", "c": [n["c"][0], [_placeholder("c")]]}, {"t": "Space"}])
                return
            if t == "Note":
                inner = _kept_inlines(n["c"])
                out.extend([{"t": "Note", "c": [{"t": "Para", "c": inner or [_placeholder("n")]}]}, {"t": "Space"}])
                return
            if t == "Span" and n["c"][0][0]:
                out.append({"t": "Span", "c": [n["c"][0], _kept_inlines(n["c"][1])]})
                return
            for v in n.values():
                walk(v)
        elif isinstance(n, list):
            for v in n:
                walk(v)

    walk(node)
    return out


def _without_images(node: Any) -> Any:
    if isinstance(node, dict):
        if node.get("t") == "Image":
            return _placeholder("i")
        return {k: _without_images(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_without_images(v) for v in node]
    return node


def skeleton(blocks: list) -> list:
    """What of a chapter's blocks the rest of the book depends on (see the module's docstring)."""
    out: list = []
    for b in blocks:
        t = b.get("t")
        if t == "Header":
            out.append(b)
        elif t == "Div":
            attr, content = b["c"]
            if attr[0].startswith(("fig-", "tbl-")) or "report-figure" in attr[1]:
                # Quarto's figure form: content, then the caption as the last paragraph.
                body = [{"t": "Para", "c": [_placeholder("f")]}]
                last = content[-1] if content else None
                if last is not None and last.get("t") == "Para" and len(content) > 1:
                    body.append({"t": "Para", "c": _kept_inlines(last) or [_placeholder("c")]})
                out.append({"t": "Div", "c": [attr, body]})
            elif attr[0] or attr[1] or attr[2]:
                out.append({"t": "Div", "c": [attr, skeleton(content)]})
            else:
                out.extend(skeleton(content))
        elif t in ("Figure", "Table") and b["c"][0][0]:
            out.append(_without_images(b))
        elif t in ("BlockQuote",):
            out.extend(skeleton(b["c"]))
        else:
            kept = _kept_inlines(b)
            if kept:
                out.append({"t": "Para", "c": kept})
    return out


def _chapters(doc: dict) -> list[dict]:
    return doc.get("blocks") or []


def _attr_key(block: dict) -> str:
    return json.dumps([block.get("t"), block["c"][0] if block.get("t") == "Div" else None], sort_keys=True)


def _h1_ids(blocks: list) -> list[str] | None:
    """The chapter's level-1 section ids, or None when its first block is not a level-1 heading
    (what comes before one would fall into the previous chapter's section)."""
    if not blocks or blocks[0].get("t") != "Header" or blocks[0]["c"][0] != 1:
        return None
    ids = [b["c"][1][0] for b in blocks if b.get("t") == "Header" and b["c"][0] == 1]
    return ids if all(ids) else None


def plan(previous: dict | None, doc: dict) -> tuple[list[int], list[str]] | None:
    """Which chapters to render whole and which section ids to splice, or None when the quick
    render does not apply (nothing rendered before, the book's structure or a changed chapter's
    skeleton changed, or too much changed for it to be quicker)."""
    if previous is None:
        return None
    before, now = _chapters(previous), _chapters(doc)
    if len(before) != len(now) or previous.get("meta") != doc.get("meta"):
        return None
    changed: list[int] = []
    ids: list[str] = []
    size = changed_size = 0
    for i, (old, new) in enumerate(zip(before, now)):
        if _attr_key(old) != _attr_key(new):
            return None
        new_text = json.dumps(new, sort_keys=True)
        size += len(new_text)
        if json.dumps(old, sort_keys=True) == new_text:
            continue
        if new.get("t") != "Div" or skeleton(old["c"][1]) != skeleton(new["c"][1]):
            return None
        h1 = _h1_ids(new["c"][1])
        if h1 is None:
            return None
        changed.append(i)
        ids.extend(h1)
        changed_size += len(new_text)
    if not changed or changed_size > MAX_SHARE * size:
        return None
    return changed, ids


def reduced(doc: dict, keep: list[int]) -> dict:
    """The book with the chapters in `keep` whole and every other one as its skeleton."""
    blocks = []
    for i, b in enumerate(_chapters(doc)):
        if i in keep or b.get("t") != "Div":
            blocks.append(b)
        else:
            blocks.append({"t": "Div", "c": [b["c"][0], skeleton(b["c"][1])]})
    return {**doc, "blocks": blocks}


# --- sections of a rendered page ----------------------------------------------------------------

_SECTION_TAG = re.compile(r"<(/?)section\b[^>]*>", re.IGNORECASE)
_SECTION_ID = re.compile(r'<section\b[^>]*?\bid="([^"]*)"', re.IGNORECASE)


def split_sections(html: str) -> tuple[list[str], list[tuple[str, str]]] | None:
    """The page as the text between its top-level <section> elements (`gaps`, one more than
    there are sections) and those sections as (id, outer HTML); None when the tags do not pair up
    or a top-level section has no id."""
    gaps: list[str] = []
    sections: list[tuple[str, str]] = []
    depth, start, last = 0, 0, 0
    for m in _SECTION_TAG.finditer(html):
        if m.group(1):
            depth -= 1
            if depth < 0:
                return None
            if depth == 0:
                ident = _SECTION_ID.match(html, start)
                if ident is None or not ident.group(1):
                    return None
                sections.append((ident.group(1), html[start:m.end()]))
                last = m.end()
        else:
            if depth == 0:
                gaps.append(html[last:m.start()])
                start = m.start()
            depth += 1
    if depth != 0:
        return None
    gaps.append(html[last:])
    return gaps, sections


def sections_by_id(html: str, ids: list[str]) -> dict[str, str] | None:
    split = split_sections(html)
    if split is None:
        return None
    found = dict(split[1])
    if not all(i in found for i in ids):
        return None
    return {i: found[i] for i in ids}


def splice(html: str, sections: dict[str, str]) -> str | None:
    """The page with those top-level sections replaced; None when one is not on the page."""
    split = split_sections(html)
    if split is None:
        return None
    gaps, current = split
    if not set(sections) <= {i for i, _ in current}:
        return None
    out = [gaps[0]]
    for (ident, outer), gap in zip(current, gaps[1:]):
        out.append(sections.get(ident, outer))
        out.append(gap)
    return "".join(out)


# Elements of the page outside the chapters that a rebuild may change: the cover (date), the
# contents (a new heading) and the footer (the colophon names the commit and the data version,
# so a data edit changes it). They are addressed by tag and position, as they carry no ids.
_OUTER = ("header", "nav", "footer")
_OUTER_RE = {tag: re.compile(rf"<{tag}\b[^>]*>.*?</{tag}>", re.IGNORECASE | re.DOTALL) for tag in _OUTER}


def _outer_elements(gaps: list[str]) -> tuple[list[str], list[dict]] | None:
    """The gaps with their header/nav/footer elements cut out (so two pages can be compared
    without them) and those elements as {"tag", "index", "html"} in document order per tag."""
    out: list[dict] = []
    cut = list(gaps)
    for tag, pattern in _OUTER_RE.items():
        index = 0
        for g, gap in enumerate(cut):
            pieces, last = [], 0
            for m in pattern.finditer(gap):
                pieces.append(gap[last:m.start()])
                pieces.append(f"\0{tag}\0")
                out.append({"tag": tag, "index": index, "html": m.group(0)})
                index += 1
                last = m.end()
            pieces.append(gap[last:])
            cut[g] = "".join(pieces)
    return cut, out


def patch(old: str, new: str) -> dict | None:
    """What turns page `old` into `new` when they differ only in top-level sections and in the
    header, nav and footer elements outside them: {"sections": {id: outer HTML}, "elements":
    [{"tag", "index", "html"}]}; None when anything else differs (the page reloads)."""
    a, b = split_sections(old), split_sections(new)
    if a is None or b is None:
        return None
    (gaps_a, secs_a), (gaps_b, secs_b) = a, b
    if [i for i, _ in secs_a] != [i for i, _ in secs_b]:
        return None
    sections = {i: outer for (i, outer), (_, before) in zip(secs_b, secs_a) if outer != before}
    if gaps_a == gaps_b:
        return {"sections": sections, "elements": []}
    if any(re.search(rf"<{tag}\b", outer, re.IGNORECASE) for tag in _OUTER for _, outer in secs_a + secs_b):
        return None  # such elements inside sections too: positions would not be reliable
    cut_a, elems_a = _outer_elements(gaps_a)
    cut_b, elems_b = _outer_elements(gaps_b)
    if cut_a != cut_b or [(e["tag"], e["index"]) for e in elems_a] != [(e["tag"], e["index"]) for e in elems_b]:
        return None
    return {"sections": sections, "elements": [e for e, before in zip(elems_b, elems_a) if e["html"] != before["html"]]}


# --- rendering ---------------------------------------------------------------------------------------


def work_dir(root: Path) -> Path:
    """This process's scratch directory inside the project (the filters resolve figure paths
    against it, as against the build's own work directory)."""
    import os

    return Path(root) / f"{WORK_DIR}-{os.getpid()}"


def render_sections(config, doc: dict, results: dict, keep: list[int], ids: list[str]) -> dict[str, str] | None:
    """Render the reduced book as the full render does (same filters, citeproc, template and
    embedding) and return the sections in `ids`; None when that fails (the full render, which
    follows, then reports the problem)."""
    from report.engine.assemble import metadata, write_inputs
    from report.engine.errors import BuildError
    from report.engine.render_html import render_html

    root = config.root
    work = work_dir(root)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    files = [b["c"][0][2] for i, b in enumerate(_chapters(doc)) if i in keep]
    kept_files = {dict(attrs).get("file") for attrs in files}
    for rel, result in results.items():
        if rel not in kept_files:
            continue
        for name, content in result.files.items():
            path = work / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    meta = metadata(config, str(work.relative_to(root)), lambda message: None)
    doc_json, meta_args = write_inputs(work, reduced(doc, keep), meta)
    out = work / "sections.html"
    try:
        render_html(config, doc_json, meta_args, work, out, "bibliography" in meta)
    except BuildError:
        return None
    return sections_by_id(out.read_text(encoding="utf-8"), ids)
