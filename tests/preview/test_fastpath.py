"""The preview's quick render (report.preview.fastpath): a chapter rendered whole among the other
chapters' skeletons comes out exactly as in the full render, for every chapter of the real book;
and it is used only when the rest of the page cannot have changed."""
from __future__ import annotations

import copy
import json

import pytest
from project_copy import copy_project

from report.preview import fastpath


@pytest.fixture(scope="module")
def real_book(tmp_path_factory):
    """The real book built once (HTML), with what the build assembled."""
    from report.engine.build import build

    root = copy_project(tmp_path_factory.mktemp("fastpath") / "book")
    seen = {}

    class Quiet:
        def step(self, chapter, step):
            pass

        def warn(self, message):
            pass

    build(root, "html", Quiet(), on_assembled=lambda config, doc, results: seen.update(
        config=config, doc=copy.deepcopy(doc), results=results))
    return root, seen["config"], seen["doc"], seen["results"]


def test_every_chapter_rendered_among_skeletons_is_as_in_the_full_render(real_book):
    root, config, doc, results = real_book
    full = (root / "_book" / "index.html").read_text(encoding="utf-8")
    chapters = [i for i, b in enumerate(doc["blocks"]) if "report-chapter" in b["c"][0][1]]
    assert len(chapters) >= 14
    for i in chapters:
        ids = fastpath._h1_ids(doc["blocks"][i]["c"][1])
        assert ids, doc["blocks"][i]["c"][0]
        quick = fastpath.render_sections(config, doc, results, [i], ids)
        assert quick is not None
        expected = fastpath.sections_by_id(full, ids)
        for ident in ids:
            assert quick[ident] == expected[ident], f"section {ident} differs from the full render"
        assert fastpath.splice(full, quick) == full


def _edited(doc: dict, index: int, edit) -> dict:
    out = copy.deepcopy(doc)
    edit(out["blocks"][index]["c"][1])
    return out


def _first_para(blocks: list) -> dict:
    return next(b for b in blocks if b["t"] == "Para")


def test_a_prose_edit_is_planned_and_structural_edits_are_not(real_book):
    root, config, doc, results = real_book
    i = next(i for i, b in enumerate(doc["blocks"])
             if dict(b["c"][0][2]).get("file") == "chapters/05-social-capital.qmd")

    def prose(blocks):
        _first_para(blocks)["c"].insert(0, {"t": "Str", "c": "Edited."})

    assert fastpath.plan(doc, _edited(doc, i, prose)) == ([i], ["sec-social-capital"])
    assert fastpath.plan(None, doc) is None  # nothing rendered before
    assert fastpath.plan(doc, doc) is None  # nothing changed

    def heading(blocks):
        blocks.append({"t": "Header", "c": [2, ["sec-new", [], []], [{"t": "Str", "c": "New"}]]})

    def citation(blocks):
        _first_para(blocks)["c"].append({"t": "Cite", "c": [[{"citationId": "x", "citationPrefix": [], "citationSuffix": [],
                                                                "citationMode": {"t": "NormalCitation"},
                                                                "citationNoteNum": 0, "citationHash": 0}],
                                                              [{"t": "Str", "c": "@x"}]]})

    def footnote(blocks):
        _first_para(blocks)["c"].append({"t": "Note", "c": [{"t": "Para", "c": [{"t": "Str", "c": "n"}]}]})

    for structural in (heading, citation, footnote):
        assert fastpath.plan(doc, _edited(doc, i, structural)) is None, structural.__name__


def test_too_much_changed_renders_whole():
    def chapter(n, words):
        return {"t": "Div", "c": [["", ["report-chapter"], [["file", f"c{n}.qmd"]]],
                                  [{"t": "Header", "c": [1, [f"sec-{n}", [], []], [{"t": "Str", "c": "T"}]]},
                                   {"t": "Para", "c": [{"t": "Str", "c": w} for w in words]}]]}

    before = {"meta": {}, "blocks": [chapter(1, ["a"] * 50), chapter(2, ["b"] * 50)]}
    small = {"meta": {}, "blocks": [chapter(1, ["a"] * 50), chapter(2, ["b"] * 49 + ["c"])]}
    assert fastpath.plan(before, small) == ([1], ["sec-2"])
    both = {"meta": {}, "blocks": [chapter(1, ["x"] * 50), chapter(2, ["y"] * 50)]}
    assert fastpath.plan(before, both) is None


PAGE = ('<html><head><style>s</style></head><body><nav>toc</nav><main>\n'
        '<section id="one" class="level1"><h1>One</h1><section id="one-a"><p>a</p></section></section>\n'
        '<section id="two" class="level1"><h1>Two</h1><p>b</p></section>\n</main><footer>f</footer></body></html>')


def test_split_splice_and_patch():
    gaps, sections = fastpath.split_sections(PAGE)
    assert [i for i, _ in sections] == ["one", "two"] and len(gaps) == 3
    assert "".join(g + s for g, (_, s) in zip(gaps, sections)) + gaps[-1] == PAGE
    new_two = '<section id="two" class="level1"><h1>Two</h1><p>changed</p></section>'
    spliced = fastpath.splice(PAGE, {"two": new_two})
    assert "changed" in spliced and spliced.replace(new_two, "") == PAGE.replace(sections[1][1], "")
    assert fastpath.patch(PAGE, spliced) == {"sections": {"two": new_two}, "elements": []}
    assert fastpath.patch(PAGE, PAGE) == {"sections": {}, "elements": []}
    # The contents or the footer changed as well: those elements go with the patch.
    assert fastpath.patch(PAGE, spliced.replace("<nav>toc</nav>", "<nav>contents</nav>").replace(
        "<footer>f</footer>", "<footer>g</footer>")) == {
        "sections": {"two": new_two},
        "elements": [{"tag": "nav", "index": 0, "html": "<nav>contents</nav>"},
                     {"tag": "footer", "index": 0, "html": "<footer>g</footer>"}]}
    # Anything else outside the sections changed: no patch, the page reloads.
    assert fastpath.patch(PAGE, spliced.replace("<style>s</style>", "<style>t</style>")) is None
    assert fastpath.patch(PAGE, spliced.replace("<footer>f</footer>", "")) is None
    assert fastpath.splice(PAGE, {"three": "<section id=\"three\"></section>"}) is None
    assert fastpath.split_sections("<section id='x'>") is None
    assert fastpath.split_sections(PAGE.replace('<section id="two" class="level1">', "<section>")) is None


def test_the_reduced_book_is_much_smaller(real_book):
    root, config, doc, results = real_book
    keep = [7]
    assert len(json.dumps(fastpath.reduced(doc, keep))) < 0.4 * len(json.dumps(doc))
