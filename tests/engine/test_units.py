"""Parsing .qmd files and _quarto.yml."""
from __future__ import annotations

from pathlib import Path

import pytest

from report.engine.config import format_date, load_config
from report.engine.errors import BuildError
from report.engine.qmd import Markdown, inline_exprs, parse_qmd

QMD = """\
---
title: "T"
execute:
  echo: true
---

# Heading

Value `{python} x + 1` and ``{python} "a`b"`` and `plain code`.

```{python}
#| label: fig-a
#| fig-cap: "Cap"
x = 1
```

````markdown
`{python} not_evaluated` inside a listing
```{python}
also_not_a_cell()
```
````

```{=html}
<b>raw</b>
```
"""


def test_parse_qmd_cells_options_lines(tmp_path):
    doc = parse_qmd(tmp_path / "c.qmd", QMD)
    assert doc.front_matter == {"title": "T", "execute": {"echo": True}}
    cells = doc.cells
    assert len(cells) == 1
    assert cells[0].line == 11
    assert cells[0].options == {"label": "fig-a", "fig-cap": "Cap"}
    assert cells[0].source == "x = 1\n"
    assert isinstance(doc.chunks[0], Markdown) and doc.chunks[0].line == 6


def test_inline_expressions_skip_code_listings(tmp_path):
    doc = parse_qmd(tmp_path / "c.qmd", QMD)
    exprs = [(m.group("expr"), line) for chunk in doc.chunks if isinstance(chunk, Markdown) for m, line in inline_exprs(chunk)]
    assert exprs == [("x + 1", 9), ('"a`b"', 9)]


def test_unclosed_fence_and_bad_options(tmp_path):
    with pytest.raises(BuildError, match=r"c.qmd:3: code block .* never closed"):
        parse_qmd(tmp_path / "c.qmd", "# A\n\n```{python}\nx = 1\n")
    with pytest.raises(BuildError, match=r"c.qmd:1: invalid `#\|` cell options"):
        parse_qmd(tmp_path / "c.qmd", "```{python}\n#| label: [unclosed\nx\n```\n")


def test_format_date():
    assert format_date("2024-10", "MMMM YYYY") == "October 2024"
    assert format_date("2024-03-05", "D MMMM YYYY") == "5 March 2024"
    assert format_date("sometime", None) == "sometime"


def test_config_entries_parts_appendices_and_defaults():
    root = Path(__file__).resolve().parents[1] / "fixtures" / "book"
    cfg = load_config(root)
    assert [(e.kind, e.path or e.title) for e in cfg.entries] == [
        ("chapter", "index.qmd"), ("chapter", "chapters/intro.qmd"), ("part", "Evidence"),
        ("chapter", "chapters/analysis.qmd"), ("chapter", "chapters/more.qmd"),
        ("appendix", "chapters/appendix-a.qmd"), ("appendix", "chapters/references.qmd"),
    ]
    assert [a.name for a in cfg.authors] == ["Centre for Progressive Policy", "Local Trust"]
    assert cfg.authors[0].url == "https://www.progressive-policy.net"
    assert cfg.crossref["chapters"] is False and cfg.crossref["appendix-delim"] == "."
    assert cfg.output_file == "fixture-book" and cfg.date == "October 2024"
    assert cfg.execute["echo"] is False


def test_config_requires_book_section(tmp_path):
    (tmp_path / "_quarto.yml").write_text("project:\n  type: book\n")
    with pytest.raises(BuildError, match="missing `book:` section"):
        load_config(tmp_path)


def test_inline_values_are_chosen_as_quarto_chooses():
    from report.engine.execute import inline_markdown

    # text/markdown wins over text/plain
    assert inline_markdown({"text/markdown": "<!-- claim -->", "text/plain": "<claim>"}) == "<!-- claim -->"
    # a quoted string loses its quotes and has markdown punctuation escaped
    assert inline_markdown({"text/plain": "'*not emphasis*'"}) == "\\*not emphasis\\*"
    # anything else is inserted as it is, as Quarto does (np.int64(75) would print as code)
    assert inline_markdown({"text/plain": "21"}) == "21"
    assert inline_markdown({"text/plain": "np.int64(75)"}) == "np.int64(75)"
    # an empty result is refused: Quarto would leave the expression's source in the text
    assert inline_markdown({"text/plain": ""}) is None
    assert inline_markdown({}) is None


def test_stated_numbers_carry_their_own_markdown():
    from report.fmt import millions, pct
    from report.provenance import Value

    assert pct(Value(47.6, "derived"))._repr_markdown_() == "47\\.6\\%"
    # a no-break space stays a character (repr() would write \xa0)
    assert millions(Value(2_077_725, "derived"))._repr_markdown_() == "2\\.1\u00a0million"


def test_kernel_spec_is_found_where_jupyter_client_looks_without_importing_ipython(tmp_path):
    """The build names the kernel spec directories itself (jupyter_client's default imports
    IPython into the build process to find one of them): the same directories, in the same
    order, so an installed `python3` spec wins exactly as it would have."""
    import os
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from report.engine.execute import _kernel_manager_class\n"
        "km = _kernel_manager_class()(kernel_name='python3')\n"
        "ours = km.kernel_spec_manager.kernel_dirs\n"
        "assert km.kernel_spec.language == 'python', km.kernel_spec\n"
        "assert 'IPython' not in sys.modules, 'IPython imported'\n"
        "from jupyter_client.kernelspec import KernelSpecManager\n"
        "theirs = KernelSpecManager().kernel_dirs\n"
        "assert ours == theirs, (ours, theirs)\n"
    )
    for env in ({}, {"IPYTHONDIR": str(tmp_path / "ipython")}):
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env={**os.environ, **env})
        assert proc.returncode == 0, proc.stderr


def test_a_chart_whose_font_typst_lacks_is_reported():
    """Charts are SVG with text as text; Typst, held to the project's fonts and its own, would set
    a family it cannot find in another font without a word, so the build says so."""
    from report.engine.render_typst import svg_font_warnings

    cfg = load_config(Path(__file__).resolve().parents[2])  # the book: font-paths is fonts/
    images = {
        "a.svg": b"<svg><text style=\"font-size: 9px; font-family: 'Source Sans Pro', 'DejaVu Sans', sans-serif\">"
                 b"ok</text></svg>",
        "b.svg": b"<svg font-family=\"'Missing Grotesk', sans-serif\"><text>not found</text></svg>",
        "c.svg": b"<svg><text style=\"font-family: sans-serif\">any font will do</text></svg>",
        "d.png": b"font-family: 'Missing Grotesk'",
    }
    notes = svg_font_warnings(cfg, images)
    assert len(notes) == 1 and notes[0].startswith("b.svg: its text is set in Missing Grotesk")
    assert "format.typst.font-paths (fonts)" in notes[0]


def test_the_pdf_uses_no_font_installed_on_the_machine(tmp_path):
    """A font the project lacks is not taken from the system (the PDF would then differ from one
    machine to the next): Typst falls back to its own fonts."""
    from types import SimpleNamespace

    import typst
    from pypdf import PdfReader

    from report.engine.render_typst import compile_pdf

    system = set(typst.Fonts(include_system_fonts=True, include_embedded_fonts=False, font_paths=[]).families())
    own = set(typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=[]).families())
    outside = sorted(system - own)
    if not outside:
        pytest.skip("no font is installed on this machine that Typst does not carry itself")
    (tmp_path / "t.typ").write_text(f'#set text(font: "{outside[0]}")\nHello', encoding="utf-8")
    config = SimpleNamespace(root=tmp_path, font_paths=[], typst={}, config_path=tmp_path / "_quarto.yml")
    compile_pdf(config, tmp_path / "t.typ", tmp_path / "t.pdf", 0)
    fonts = {str(f["/BaseFont"]) for page in PdfReader(tmp_path / "t.pdf").pages
             for f in (page["/Resources"].get("/Font") or {}).values()}
    assert fonts and not any(outside[0].replace(" ", "") in name for name in fonts), fonts


class _Channel:
    """A channel of a kernel that replies at once: `replies` come back in order, then Empty.
    Records each wait that ended with nothing to read."""

    def __init__(self, replies):
        self.replies = list(replies)
        self.idle_waits: list[float] = []

    def send(self, msg):
        pass

    async def get_msg(self, timeout=None):
        from queue import Empty

        if self.replies:
            return self.replies.pop(0)
        self.idle_waits.append(timeout or 0)
        raise Empty


def test_kernel_handshake_does_not_wait_for_iopub_to_fall_silent():
    """jupyter_client's handshake ends by reading IOPub until 0.2 s pass without a message, on
    every kernel's boot; the engine's client drains what is there and goes on."""
    import asyncio

    from report.engine.execute import _kernel_manager_class

    client = _kernel_manager_class()(kernel_name="python3").client()
    status = {"msg_type": "status", "parent_header": {}, "content": {"execution_state": "idle"}}
    shell = _Channel([{"msg_type": "kernel_info_reply", "content": {"protocol_version": "5.3"}}])
    iopub = _Channel([status, status, status])
    client._shell_channel, client._iopub_channel = shell, iopub
    asyncio.run(client.wait_for_ready(timeout=5))
    assert iopub.replies == []  # the handshake's messages are read
    assert iopub.idle_waits == [0]  # and nothing is waited for once they are
