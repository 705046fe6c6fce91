"""A chapter whose source changed only around its code (prose, headings, captions) is rendered
from the transcript of its last execution, without a kernel; anything that could change what
the code prints (its code, an inline expression, a file it read, a damaged transcript) is
executed again. A replayed chapter gives the bytes a fresh execution gives."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from report.engine.build import build

from .conftest import RecordingReporter
from .test_cache_determinism import outputs

ANALYSIS = "chapters/analysis.qmd"


def edit(root: Path, old: str, new: str, rel: str = ANALYSIS) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def kernel_steps(rep: RecordingReporter) -> list[str]:
    return [step for _, step in rep.steps if step.startswith("execute") or step == "starting Jupyter kernel"]


def test_prose_edit_is_replayed_without_a_kernel_and_matches_a_fresh_execution(copy, tmp_path):
    # A paragraph above every cell of the chapter: each cell's line moves, its code does not.
    edit(copy, "## Data {#sec-data}", "A paragraph added above the data.\n\n## Data {#sec-data}")
    rep = RecordingReporter()
    result = build(copy, "all", rep)
    assert result.chapters_replayed == [ANALYSIS]
    assert result.chapters_executed == [] and result.cells_executed == 0
    assert kernel_steps(rep) == []
    html = (copy / "_book" / "index.html").read_text(encoding="utf-8")
    assert "A paragraph added above the data." in html
    assert "have 187 jobs in all" in html  # the inline value, from the transcript
    replayed = outputs(copy)

    # The same sources executed from nothing elsewhere: the same bytes.
    fresh = tmp_path / "fresh"
    shutil.copytree(copy, fresh, ignore=shutil.ignore_patterns("_book", ".report-cache"))
    build(fresh, "all", RecordingReporter(), fresh=True)
    assert outputs(fresh) == replayed

    # The replayed chapter is cached like an executed one.
    again = build(copy, "all", RecordingReporter())
    assert again.chapters_replayed == [] and ANALYSIS in again.chapters_cached


@pytest.mark.parametrize("old, new", [
    ("`{python} total` jobs", "`{python} total + 1` jobs"),  # an inline expression
    ("shown = 40 + 2", "shown = 40 + 3"),  # a cell's code
])
def test_code_edit_is_executed(copy, old, new):
    edit(copy, old, new)
    rep = RecordingReporter()
    result = build(copy, "html", rep)
    assert result.chapters_executed == [ANALYSIS] and result.chapters_replayed == []
    assert "starting Jupyter kernel" in rep.names()


def test_changed_data_with_a_prose_edit_is_executed(copy):
    csv = copy / "data" / "tiny.csv"
    csv.write_text(csv.read_text().replace("Non-deprived,74", "Non-deprived,75"))
    edit(copy, "## Data {#sec-data}", "Prose edited with the data.\n\n## Data {#sec-data}")
    result = build(copy, "html", RecordingReporter())
    assert ANALYSIS in result.chapters_executed and result.chapters_replayed == []
    assert "have 188 jobs in all" in (copy / "_book" / "index.html").read_text(encoding="utf-8")


def test_damaged_or_linked_transcript_is_executed(copy, tmp_path):
    transcript = copy / ".report-cache" / "replay" / "chapters-analysis-qmd.json"
    data = json.loads(transcript.read_text(encoding="utf-8"))
    text = json.dumps(data)
    assert "187" in text
    transcript.write_text(text.replace("187", "999"), encoding="utf-8")  # the seal no longer fits
    edit(copy, "## Data {#sec-data}", "First edit.\n\n## Data {#sec-data}")
    result = build(copy, "html", RecordingReporter())
    assert result.chapters_executed == [ANALYSIS] and result.chapters_replayed == []
    html = (copy / "_book" / "index.html").read_text(encoding="utf-8")
    assert "have 187 jobs in all" in html and "have 999 jobs" not in html

    # A transcript that is a link to a file elsewhere is not read, even a valid one.
    outside = tmp_path / "outside.json"
    shutil.copyfile(transcript, outside)
    transcript.unlink()
    transcript.symlink_to(outside)
    kept = outside.read_bytes()
    edit(copy, "First edit.", "Second edit.")
    result = build(copy, "html", RecordingReporter())
    assert result.chapters_executed == [ANALYSIS] and result.chapters_replayed == []
    # The execution wrote a transcript of its own in place of the link, not through it...
    assert not transcript.is_symlink() and outside.read_bytes() == kept
    # ...which the next prose edit replays.
    edit(copy, "Second edit.", "Third edit.")
    assert build(copy, "html", RecordingReporter()).chapters_replayed == [ANALYSIS]


def test_a_file_where_the_transcripts_belong_is_replaced(copy):
    replay_dir = copy / ".report-cache" / "replay"
    shutil.rmtree(replay_dir)
    replay_dir.write_text("not a directory")
    edit(copy, "shown = 40 + 2", "shown = 40 + 4")  # executed: nothing to replay from
    rep = RecordingReporter()
    result = build(copy, "html", rep)
    assert result.chapters_executed == [ANALYSIS]
    assert not [w for w in rep.warnings if "could not cache" in w]
    assert replay_dir.is_dir()
    edit(copy, "## Data {#sec-data}", "Prose again.\n\n## Data {#sec-data}")
    assert build(copy, "html", RecordingReporter()).chapters_replayed == [ANALYSIS]
