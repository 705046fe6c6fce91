"""The book as one self-contained HTML file: pandoc with MathML, its stylesheets inlined by the
engine (pandoc's --embed-resources only when the page refers to some other file), then the page
made light enough to email (fonts subset to WOFF2, a drawing printed twice stored once).

What the page carries besides the book (resources/): reader.css and reader.js, the single page's
navigation (contents sidebar and drawer, search, previews of references and notes, back to top,
previous and next chapter); and from the report extension the figure behaviour both engines
share (figures.css, figures.js: enlarge). Everything is inline: the file makes no request.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
from importlib import resources
from pathlib import Path

from report.cachefile import write_atomic

from .config import BookConfig
from .errors import BuildError
from .pandoc import FILTERS, RESOURCES, run_pandoc

# The report extension as the tool ships it (`report new` copies it into every project); its
# figures.js and figures.css are what Quarto's pages load through the extension.
EXTENSION = Path(str(resources.files("report").joinpath("starter", "shared", "_extensions", "report")))

# Characters every subset font keeps whatever the text: Latin letters with their accents,
# punctuation, currency, arrows and the maths the prose uses. A reader's search or a preview
# edit then rarely needs a glyph the page lacks, and the subset (so the page's head) seldom changes.
BASE_CHARS = "".join(chr(c) for c in [*range(0x20, 0x7F), *range(0xA0, 0x180), *range(0x2010, 0x2028),
                                      *range(0x2030, 0x2040), 0x20AC, 0x2122, 0x2190, 0x2191, 0x2192,
                                      0x2193, 0x2212, 0x2264, 0x2265, 0x00D7])


# OpenType features the page's text uses: kerning, ligatures and marks, and figures that line up
# in tables (font-variant-numeric).
LAYOUT_FEATURES = ["kern", "liga", "calt", "ccmp", "locl", "mark", "mkmk", "tnum", "lnum"]


def html_args(config: BookConfig, work: Path, citeproc: bool, css_files: list[Path], embed: bool = True) -> list[str]:
    """pandoc's arguments for the page. With `embed` the stylesheets are linked and pandoc embeds
    them (and anything else the page refers to); without it they are inlined here, in a header
    include ahead of the engine's own (see render_html)."""
    html = config.html
    if not config.embed_resources:
        # Quarto's multi-page book wants embed-resources off; this engine writes one page only.
        raise BuildError(f"{config.config_path}: format.html.embed-resources is false, but the embedded engine "
                         f"writes one self-contained page: set it to true in _quarto-embedded.yml")
    if html.get("html-math-method", "mathml") != "mathml":
        raise BuildError(f"{config.config_path}: format.html.html-math-method: the embedded engine writes maths "
                         f"as MathML only (got {html.get('html-math-method')!r})")
    args = ["-t", "html5", "--standalone", *(["--embed-resources"] if embed else []), "--mathml",
            "--section-divs", "--reference-location=section", "--wrap=none",
            "--template", str(RESOURCES / "book.html")]
    if html.get("toc", True):
        args += ["--toc", f"--toc-depth={int(html.get('toc-depth', 2))}"]
    if embed:
        for path in css_files:
            args += ["--css", str(path)]
    else:
        sheet = work / "book-css.html"
        text = "".join(path.read_text(encoding="utf-8") for path in css_files)
        sheet.write_text(f"<style>\n{text}</style>\n", encoding="utf-8")
        args += ["--include-in-header", str(sheet)]
    cap = html.get("fig-cap-location")
    if cap:
        args += ["-M", f"report-fig-cap-location={cap}"]
    pdf = pdf_link(config)
    if pdf:
        args += ["-M", f"report-pdf-href={pdf[0]}", "-M", f"report-pdf-note={pdf[1]}"]
    return args


def pdf_link(config: BookConfig) -> tuple[str, str] | None:
    """Where "Download PDF" points, and what the page says about it. With `book: site-url` the
    link is absolute, so a copy of index.html sent by email still reaches the PDF; without one
    it can only name the file beside the page, and the page says so."""
    if "pdf" not in config.downloads:
        return None
    name = f"{config.output_file}.pdf"
    book = config.raw.get("book") or {}
    site = str(book.get("site-url") or "").strip()
    if site:
        return f"{site.rstrip('/')}/{name}", ""
    return name, (f"This book names no web address (book: site-url), so the link opens {name} from the folder "
                  f"this page is in; a copy of this page on its own cannot reach it.")


# --- fonts ------------------------------------------------------------------------------------------

_FONT_FACE = re.compile(r"@font-face\s*{[^}]*}", re.S)
_FONT_URL = re.compile(r"""url\(\s*["']?([^"')]+\.(?:ttf|otf))["']?\s*\)\s*(?:format\(\s*["'][^"']*["']\s*\))?""")


def _subset_woff2(font: Path, chars: str, cache_dir: Path | None) -> bytes:
    """`font` cut down to `chars` as WOFF2, cached by font and character set. HarfBuzz subsets
    (hb-subset, in C: a millisecond where fontTools' subsetter took a quarter of a second per face,
    on the build's critical path); fontTools writes the WOFF2 (brotli)."""
    import fontTools
    import uharfbuzz as hb
    from fontTools.ttLib import TTFont

    data = font.read_bytes()
    key = hashlib.sha256(b"hb " + data + chars.encode("utf-8") + fontTools.version.encode()
                         + hb.__version__.encode()).hexdigest()
    cached = cache_dir / f"{key}.woff2" if cache_dir else None
    if cached is not None and cached.is_file():
        return cached.read_bytes()
    plan = hb.SubsetInput()  # its name IDs are 0-6, as the page wants
    plan.unicode_set.update(ord(c) for c in chars)
    plan.layout_feature_tag_set.clear()
    plan.layout_feature_tag_set.update(int.from_bytes(tag.encode("ascii"), "big") for tag in LAYOUT_FEATURES)
    plan.flags = hb.SubsetFlags.NOTDEF_OUTLINE
    subset = hb.subset(hb.Face(data), plan)
    if subset is None:
        raise BuildError(f"rendering HTML: HarfBuzz could not subset the font {font}")
    # recalcTimestamp off: the font's own dates stay, so the same input gives the same bytes
    tt = TTFont(io.BytesIO(subset.blob.data), recalcTimestamp=False)
    out = io.BytesIO()
    tt.flavor = "woff2"
    tt.save(out, reorderTables=False)
    woff2 = out.getvalue()
    if cached is not None:
        try:
            write_atomic(cached, woff2)
        except OSError:
            pass  # the cache only saves time
    return woff2


def _page_chars(doc_json: Path, meta_args: list[str]) -> str:
    """Every character the page can show: the document's (chapters, figures, tables), the
    metadata's (title, authors) and the engine's own page furniture."""
    text = doc_json.read_text(encoding="utf-8")
    for i, arg in enumerate(meta_args):
        if arg == "--metadata-file" and i + 1 < len(meta_args):
            text += Path(meta_args[i + 1]).read_text(encoding="utf-8")
    text += (RESOURCES / "reader.js").read_text(encoding="utf-8")
    return "".join(sorted(set(text) | set(BASE_CHARS)))


class FontSubsets:
    """The page's fonts, subset on a thread while pandoc writes the page.

    Subsetting four fonts takes most of a second of fontTools, and pandoc needs nothing of them
    but a URL: the stylesheet it embeds names each font by a placeholder data URL, filled in with
    the WOFF2 once pandoc is done (`fill`)."""

    def __init__(self):
        from concurrent.futures import ThreadPoolExecutor

        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-fonts")
        self.jobs: dict[str, object] = {}

    def placeholder(self, font: Path, chars: str, cache_dir: Path | None) -> str:
        token = f"report-font-{len(self.jobs)}"
        self.jobs[token] = self.pool.submit(_subset_woff2, font, chars, cache_dir)
        return f"data:font/woff2;base64,{token}"

    def fill(self, page: str) -> str:
        import base64

        for token, job in self.jobs.items():
            data = base64.b64encode(job.result()).decode("ascii")
            where = f"data:font/woff2;base64,{token})"
            if where not in page:
                raise BuildError(f"rendering HTML: pandoc did not keep the stylesheet's font URL {where[:-1]}")
            page = page.replace(where, f"data:font/woff2;base64,{data})", 1)
        return page

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def subset_css(config: BookConfig, work: Path, css: Path, chars: str, fonts: FontSubsets) -> Path:
    """A copy of a stylesheet whose TrueType/OpenType fonts are WOFF2 subsets (placeholders that
    `fonts` fills in), for pandoc to embed; a sheet without fonts is used as it is."""
    text = css.read_text(encoding="utf-8")
    if not _FONT_FACE.search(text):
        return css
    cache_dir = config.root / ".report-cache" / "fonts"

    def face(m: re.Match) -> str:
        def url(u: re.Match) -> str:
            src = (css.parent / u.group(1)).resolve()
            if not src.is_file():
                return u.group(0)  # pandoc names the missing file
            return f'url({fonts.placeholder(src, chars, cache_dir)}) format("woff2")'

        return _FONT_URL.sub(url, m.group(0))

    rewritten = _FONT_FACE.sub(face, text)
    target = work / "css" / css.name
    target.parent.mkdir(parents=True, exist_ok=True)
    # pandoc resolves the sheet's other urls from the sheet's folder: keep them absolute
    rewritten = re.sub(r"""url\(\s*["']?(?!data:|https?:|/)([^"')]+)["']?\s*\)""",
                       lambda u: f'url("{(css.parent / u.group(1)).resolve().as_posix()}")', rewritten)
    target.write_text(rewritten, encoding="utf-8")
    return target


def stylesheets(config: BookConfig, work: Path, chars: str, fonts: FontSubsets) -> list[Path]:
    css = config.html.get("css") or []
    css = css if isinstance(css, list) else [css]
    files = []
    for rel in css:
        if not (config.root / rel).is_file():
            raise BuildError(f"{config.config_path}: format.html.css: file not found: {rel}")
        files.append(config.root / rel)
    if not files:
        files.append(RESOURCES / "engine.css")
    return [subset_css(config, work, f, chars, fonts) for f in files]


# --- the page's own assets ------------------------------------------------------------------------

def _includes(work: Path) -> list[str]:
    """reader.css and figures.css in the head; figures.js and reader.js at the end of the body."""
    css = (EXTENSION / "figures.css").read_text(encoding="utf-8") + (RESOURCES / "reader.css").read_text(encoding="utf-8")
    js = (EXTENSION / "figures.js").read_text(encoding="utf-8") + "\n" + (RESOURCES / "reader.js").read_text(encoding="utf-8")
    head = work / "reader-head.html"
    head.write_text(f"<style>\n{css}</style>\n", encoding="utf-8")
    body = work / "reader-body.html"
    # "</" inside a script would end it early; the files are ours, but be safe.
    body.write_text(f"<script>\n{js.replace('</', '<' + chr(92) + '/')}</script>\n", encoding="utf-8")
    return ["--include-in-header", str(head), "--include-after-body", str(body)]


# --- after pandoc ---------------------------------------------------------------------------------

def shared_charts(doc_json: Path) -> set[str]:
    """Drawings a figure of the book holds for others to repeat (the `chart` attribute the engine
    gives such a figure), read from the document, where the preview's chapter skeletons keep it."""
    doc = json.loads(doc_json.read_text(encoding="utf-8"))
    found: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("t") in ("Div", "Figure"):
                for key, value in node["c"][0][2]:
                    if key == "chart":
                        found.update(value.split())
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc.get("blocks"))
    return found


_REPEAT = re.compile(r'<div class="report-chart" data-same-as="([\w-]+)"><div class="report-chart-art">(.*?)</div>', re.S)
_SVG = re.compile(r"<svg\b([^>]*)>.*?</svg>", re.S)


def store_once(page: str, shared: set[str]) -> str:
    """A repeated drawing becomes a reference to the first: an <svg> that uses it (figures.js
    makes it a copy of real text where script runs)."""
    def repeat(m: re.Match) -> str:
        key = m.group(1)
        if key not in shared:
            return m.group(0)  # the first is not in this book: keep the drawing

        def ref(svg: re.Match) -> str:
            attrs = re.sub(r'\sid="([^"]*)"', "", svg.group(1))
            target = re.search(r'class="report-chart-(wide|narrow)"', attrs)
            suffix = "w" if target and target.group(1) == "wide" else "n"
            return f'<svg{attrs} data-uses="{key}-{suffix}"><use href="#{key}-{suffix}"/></svg>'

        return m.group(0).replace(m.group(2), _SVG.sub(ref, m.group(2)))

    return _REPEAT.sub(repeat, page)


def name_back_links(page: str) -> str:
    """Pandoc names a note's way back only "↩︎"; say where it goes."""
    return re.sub(r'<a href="#(fnref(\d+))" class="footnote-back" role="doc-backlink">',
                  lambda m: (f'<a href="#{m.group(1)}" class="footnote-back" role="doc-backlink" '
                             f'aria-label="Back to the text of note {m.group(2)}">'), page)


def render_html(config: BookConfig, doc_json: Path, meta_args: list[str], work: Path, out: Path, citeproc: bool) -> str:
    fonts = FontSubsets()
    try:
        css = stylesheets(config, work, _page_chars(doc_json, meta_args), fonts)
        args = ["-f", "json", str(doc_json), *meta_args, *config.filter_args("before-crossref"),
                "--lua-filter", str(FILTERS / "crossref.lua"), *config.filter_args("before-citeproc")]
        if citeproc:
            args.append("--citeproc")
        args += ["--lua-filter", str(FILTERS / "format.lua"), *config.filter_args("last"),
                 f"--resource-path={config.root}{_sep()}{work}"]
        # pandoc's --embed-resources parses the whole page again to find what to embed (0.4 s for
        # this book; 2.5 s and 0.7 GB more for one five times its size). The engine's page refers
        # to nothing but its stylesheets, inlined here; a page that does refer to an image or
        # other file (a publication's own) is written again with pandoc embedding everything.
        _, stderr = run_pandoc([*args, *html_args(config, work, citeproc, css, embed=False), *_includes(work),
                                "-o", str(out)], cwd=config.root, what="rendering HTML")
        page = out.read_text(encoding="utf-8")
        if needs_embedding(page):
            _, stderr = run_pandoc([*args, *html_args(config, work, citeproc, css), *_includes(work),
                                    "-o", str(out)], cwd=config.root, what="rendering HTML")
            page = out.read_text(encoding="utf-8")
        page = fonts.fill(page)
    finally:
        fonts.close()
    page = name_back_links(store_once(page, shared_charts(doc_json)))
    out.write_text(page, encoding="utf-8")
    return stderr


# What --embed-resources would embed: an element's source, a stylesheet link, an SVG image or a
# CSS url() naming anything but a data URL (a remote one too: the page makes no request).
_RESOURCE = re.compile(
    r"""<(?:img|script|source|video|audio|track|embed|iframe|input)\b[^>]*?\ssrc=(?!["']?data:)"""
    r"""|<link\b[^>]*?\shref=(?!["']?data:)"""
    r"""|<image\b[^>]*?\s(?:xlink:)?href=(?!["']?(?:data:|#))"""
    r"""|url\(\s*(?!["']?(?:data:|#))""", re.I)


def needs_embedding(page: str) -> str | None:
    """The first reference in `page` to something outside it, or None when it is self-contained."""
    m = _RESOURCE.search(page)
    return page[m.start():m.start() + 120] if m else None


def _sep() -> str:
    return os.pathsep
