"""What the embedded engine takes from a project besides _quarto.yml itself: profile files merged
as Quarto merges them, project filters from `filters:`, and the book's figure-numbering filter
(_extensions/report/book-numbers.lua) run on its own."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from report.engine.config import active_profiles, load_config, merge_config
from report.engine.errors import BuildError
from report.engine.pandoc import pandoc_path

from .conftest import REPO, make_book, run_build

NUMBERS_FILTER = REPO / "_extensions" / "report" / "book-numbers.lua"


def test_merge_follows_quarto():
    base = {"format": {"html": {"toc": True, "css": ["a.css"]}}, "title": "x"}
    over = {"format": {"html": {"embed-resources": True, "css": ["b.css", "a.css"]}}, "title": "y"}
    assert merge_config(base, over) == {
        "format": {"html": {"toc": True, "css": ["a.css", "b.css"], "embed-resources": True}},
        "title": "y",
    }


def test_active_profiles(monkeypatch):
    monkeypatch.delenv("QUARTO_PROFILE", raising=False)
    assert active_profiles({}) == ["embedded"]
    assert active_profiles({"profile": {"default": "print"}}) == ["print", "embedded"]
    monkeypatch.setenv("QUARTO_PROFILE", "draft, embedded")
    assert active_profiles({"profile": {"default": "print"}}) == ["draft", "embedded"]


def test_the_book_merges_its_embedded_profile(monkeypatch):
    monkeypatch.delenv("QUARTO_PROFILE", raising=False)
    config = load_config(REPO)
    assert config.profile_files == ["_quarto-embedded.yml"]
    assert config.embed_resources is True
    # what Quarto reads without the profile: a multi-page book
    import yaml

    assert yaml.safe_load((REPO / "_quarto.yml").read_text())["format"]["html"]["embed-resources"] is False
    assert [(f.path.name, f.at) for f in config.filters] == [("book-numbers.lua", "pre-ast"),
                                                             ("typst-pdf.lua", "pre-ast"),
                                                             ("figures.lua", "pre-quarto"),
                                                             ("colophon.lua", "post-quarto")]
    assert "_extensions/report/book-numbers.lua" in config.render_inputs
    # typst-pdf.lua acts on the PDF only, figures.lua in Quarto only (the engine puts the
    # figures' script in its page itself)
    assert config.filter_args("before-crossref") == ["--lua-filter", str(NUMBERS_FILTER),
                                                     "--lua-filter", str(NUMBERS_FILTER.with_name("typst-pdf.lua")),
                                                     "--lua-filter", str(NUMBERS_FILTER.with_name("figures.lua"))]
    assert config.filter_args("last") == []


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_filters_resolve_files_and_extensions(tmp_path):
    root = make_book(tmp_path / "book")
    write(root / "filters" / "late.lua", "return {}\n")
    write(root / "_extensions" / "acme" / "tidy" / "_extension.yml",
          "contributes:\n  filters:\n    - tidy.lua\n    - path: early.lua\n      at: pre-ast\n")
    write(root / "_extensions" / "acme" / "tidy" / "tidy.lua", "return {}\n")
    write(root / "_extensions" / "acme" / "tidy" / "early.lua", "return {}\n")
    cfg = root / "_quarto.yml"
    cfg.write_text(cfg.read_text() + "\nfilters:\n  - quarto\n  - tidy\n  - path: filters/late.lua\n    at: post-render\n")
    config = load_config(root)
    assert [(f.path.name, f.at) for f in config.filters] == [
        ("tidy.lua", "pre-quarto"), ("early.lua", "pre-ast"), ("late.lua", "post-render")]
    assert len(config.filter_args("before-crossref")) == 4
    assert config.filter_args("last") == ["--lua-filter", str(root / "filters" / "late.lua")]


def test_unknown_filter_names_the_config(tmp_path):
    root = make_book(tmp_path / "book")
    cfg = root / "_quarto.yml"
    cfg.write_text(cfg.read_text() + "\nfilters: [nowhere]\n")
    with pytest.raises(BuildError, match=r"_quarto.yml: filters: nowhere is neither a \.lua file"):
        load_config(root)


def test_embedded_profile_is_required_when_quarto_gets_a_multi_page_book(tmp_path):
    root = make_book(tmp_path / "book")
    cfg = root / "_quarto.yml"
    cfg.write_text(cfg.read_text().replace("    toc-depth: 2\n", "    toc-depth: 2\n    embed-resources: false\n", 1))
    result = run_build(root, "--to", "html")
    assert result.exit_code == 1
    assert "embed-resources is false" in result.output and "_quarto-embedded.yml" in result.output
    write(root / "_quarto-embedded.yml", "format:\n  html:\n    embed-resources: true\n")
    result = run_build(root, "--to", "html")
    assert result.exit_code == 0, result.output


# --- the book's figure-numbering filter, run by pandoc as the embedded engine runs it ------

def numbers_book(root: Path, chapters: dict[str, str], appendices: dict[str, str] | None = None) -> dict:
    """Chapter files on disk and the assembled document the engine would hand to the filter."""
    appendices = appendices or {}
    for rel, text in {**chapters, **appendices}.items():
        write(root / rel, text)

    def meta_list(items):
        return {"t": "MetaList", "c": [{"t": "MetaString", "c": rel} for rel in items]}

    blocks = []
    for rel, text in {**chapters, **appendices}.items():
        ids = [line.split("#")[1].rstrip("}") for line in text.splitlines()
               if line.startswith(("::: {#fig-", "::: {#tbl-"))]
        blocks.append({"t": "Div", "c": [["", ["report-chapter"], [["file", rel]]],
                                         [{"t": "Div", "c": [[i, [], []], []]} for i in ids]]})
    book = {"chapters": meta_list(chapters), "appendices": meta_list(appendices)}
    version = json.loads(subprocess.run([pandoc_path(), "-t", "json"], input="", capture_output=True,
                                        text=True, check=True).stdout)["pandoc-api-version"]
    return {"pandoc-api-version": version, "meta": {"book": {"t": "MetaMap", "c": book}}, "blocks": blocks}


def run_numbers(root: Path, doc: dict, to: str = "json") -> subprocess.CompletedProcess:
    return subprocess.run([pandoc_path(), "-f", "json", "-t", to, "--lua-filter", str(NUMBERS_FILTER)],
                          input=json.dumps(doc), capture_output=True, text=True, cwd=root)


def figure_numbers(out: str, prefix: str = "fig-") -> dict[str, str]:
    found = {}

    def walk(node):
        if isinstance(node, dict):
            if node.get("t") == "Div" and node["c"][0][0].startswith(prefix):
                found[node["c"][0][0]] = dict(node["c"][0][2]).get("number")
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(json.loads(out))
    return found


CELL = '```{{python}}\n#| label: {label}\n#| fig-cap: "A chart"\nshow()\n```\n'


def test_figures_numbered_through_the_book_from_the_sources(tmp_path):
    doc = numbers_book(tmp_path, {
        "index.qmd": "# Preface\n\n::: {#fig-one}\nx\n\nCaption\n:::\n",
        "ch/a.qmd": "# A\n\n" + CELL.format(label="fig-two") + "\n::: {#fig-three}\ny\n:::\n",
        "ch/b.qmd": "# B\n\nNo figures here.\n",
    }, {"ch/app.qmd": "# Appendix\n\n::: {#fig-four}\nz\n:::\n"})
    # the cell's figure is in the assembled document as the engine writes it
    doc["blocks"][1]["c"][1].insert(0, {"t": "Div", "c": [["fig-two", [], []], []]})
    run = run_numbers(tmp_path, doc)
    assert run.returncode == 0, run.stderr
    assert figure_numbers(run.stdout) == {"fig-one": "1", "fig-two": "2", "fig-three": "3", "fig-four": "4"}


def test_typst_counter_is_set_before_each_figure(tmp_path):
    doc = numbers_book(tmp_path, {"a.qmd": "# A\n\n::: {#fig-x}\nx\n:::\n\n::: {#fig-y}\ny\n:::\n"})
    run = run_numbers(tmp_path, doc, to="typst")
    assert run.returncode == 0, run.stderr
    pins = [line for line in run.stdout.splitlines() if line.startswith("#counter(")]
    assert pins == ['#counter(figure.where(kind: "quarto-float-fig")).update(0)',
                    '#counter(figure.where(kind: "quarto-float-fig")).update(1)']


def test_tables_numbered_through_the_book_on_their_own_count(tmp_path):
    # Quarto numbers tables per page (HTML) or per chapter (Typst); the book's two recommendations
    # tables are Table 1 and Table 2 wherever they are shown, figures counting apart.
    doc = numbers_book(tmp_path, {
        "a.qmd": "# A\n\n::: {#fig-x}\nx\n:::\n\n::: {#tbl-one}\nt\n\nCaption\n:::\n",
        "b.qmd": "# B\n\n::: {#tbl-two}\nu\n\nCaption\n:::\n",
    })
    run = run_numbers(tmp_path, doc)
    assert run.returncode == 0, run.stderr
    assert figure_numbers(run.stdout, "tbl-") == {"tbl-one": "1", "tbl-two": "2"}
    assert figure_numbers(run.stdout) == {"fig-x": "1"}
    typst = run_numbers(tmp_path, doc, to="typst")
    pins = [line for line in typst.stdout.splitlines() if line.startswith("#counter(")]
    assert pins == ['#counter(figure.where(kind: "quarto-float-fig")).update(0)',
                    '#counter(figure.where(kind: "quarto-float-tbl")).update(0)',
                    '#counter(figure.where(kind: "quarto-float-tbl")).update(1)']


def test_a_declared_figure_missing_from_the_output_is_an_error(tmp_path):
    doc = numbers_book(tmp_path, {"a.qmd": "# A\n\n" + CELL.format(label="fig-gone") + "\n::: {#fig-kept}\nx\n:::\n"})
    run = run_numbers(tmp_path, doc)
    assert run.returncode != 0
    assert "a.qmd: figure fig-gone is declared but not in the output" in run.stderr


def test_a_hidden_cell_draws_no_figure(tmp_path):
    hidden = CELL.format(label="fig-hidden").replace("#| fig-cap", "#| include: false\n#| fig-cap")
    doc = numbers_book(tmp_path, {"a.qmd": "# A\n\n" + hidden + "\n::: {#fig-shown}\nx\n:::\n"})
    run = run_numbers(tmp_path, doc)
    assert run.returncode == 0, run.stderr
    assert figure_numbers(run.stdout) == {"fig-shown": "1"}


def test_included_files_are_refused(tmp_path):
    doc = numbers_book(tmp_path, {"a.qmd": "# A\n\n{{< include _part.qmd >}}\n\n::: {#fig-x}\nx\n:::\n"})
    run = run_numbers(tmp_path, doc)
    assert run.returncode != 0 and "included files are not scanned" in run.stderr


def test_a_figure_no_chapter_declares_is_an_error(tmp_path):
    doc = numbers_book(tmp_path, {"a.qmd": "# A\n\nNo figure in the source.\n"})
    doc["blocks"][0]["c"][1].append({"t": "Div", "c": [["fig-ghost", [], []], []]})
    run = run_numbers(tmp_path, doc)
    assert run.returncode != 0 and "fig-ghost is a figure in the output but no chapter" in run.stderr


def link_texts(out: str) -> list[tuple[str, str]]:
    links = []

    def text(inlines):
        return "".join(i.get("c", " ") if i["t"] == "Str" else " " for i in inlines)

    def walk(node):
        if isinstance(node, dict):
            if node.get("t") == "Link":
                links.append((node["c"][2][0], text(node["c"][1])))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(json.loads(out))
    return links


def cite_para(*citations: tuple[str, str, list]) -> dict:
    """A paragraph citing each (id, mode, prefix words)."""
    cites = [{"citationId": cid, "citationPrefix": [{"t": "Str", "c": w} for w in prefix],
              "citationSuffix": [], "citationMode": {"t": mode}, "citationNoteNum": 0,
              "citationHash": 0} for cid, mode, prefix in citations]
    return {"t": "Para", "c": [{"t": "Cite", "c": [cites, []]}]}


def test_chapter_references_count_as_quartos_book(tmp_path):
    doc = numbers_book(tmp_path, {
        "index.qmd": "# Preface {.unnumbered #sec-preface}\n",
        "ch/one.qmd": "```{python}\n# not a heading\n```\n\n# One {#sec-one}\n",
        "ch/half.qmd": "---\ntitle: \"Aside {.unnumbered}\"\n---\n\nNo heading: the title is in the front matter.\n",
        "ch/two.qmd": "# Two {#sec-two}\n\n## A section {#sec-two-part}\n",
    }, {"ch/app.qmd": "# Method {#sec-method}\n", "ch/refs.qmd": "# References {.unnumbered #sec-refs}\n"})
    doc["blocks"][0]["c"][1] += [
        cite_para(("sec-two", "NormalCitation", []), ("sec-method", "NormalCitation", [])),
        cite_para(("Sec-one", "SuppressAuthor", [])),
        cite_para(("sec-method", "NormalCitation", ["Annex"])),
        cite_para(("sec-two-part", "NormalCitation", [])),  # a section: left to the engine
        cite_para(("sec-preface", "NormalCitation", [])),   # unnumbered: left to the engine
    ]
    run = run_numbers(tmp_path, doc)
    assert run.returncode == 0, run.stderr
    assert link_texts(run.stdout) == [("#sec-two", "Chapter 2"), ("#sec-method", "Appendix A"),
                                      ("#sec-one", "1"), ("#sec-method", "Annex A")]
