"""Chapter code that misbehaves (hangs, kills its kernel, prints megabytes), and sources edited
while the build runs: the message names chapter and line; the book never shows stale text."""
from __future__ import annotations

import pytest

from .conftest import CONFIG


@pytest.fixture(autouse=True)
def one_kernel(monkeypatch):
    monkeypatch.setenv("REPORT_KERNELS", "1")  # one chapter with code: one kernel either way, said plainly


def cell(code: str, front: str = "") -> str:
    return f"{front}# One\n\n```{{python}}\n{code}\n```\n"


def test_execute_timeout_in_quarto_yml_is_honoured(book):
    book.write("_quarto.yml", CONFIG.replace("  echo: false\n", "  echo: false\n  timeout: 1\n"))
    book.chapter(cell("import time\ntime.sleep(60)"))
    book.assert_refused(book.build(), "chapters/one.qmd:3: did not finish within 1 s", "time.sleep(60)")


def test_execute_timeout_in_a_chapter_is_honoured(book):
    book.chapter(cell("import time\ntime.sleep(60)", front="---\nexecute:\n  timeout: 1\n---\n\n"))
    book.assert_refused(book.build(), "chapters/one.qmd:8: did not finish within 1 s")


def test_a_kernel_that_dies_names_chapter_and_cell(book):
    book.chapter(cell("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"))
    book.assert_refused(book.build(), "chapters/one.qmd:3: the Jupyter kernel died",
                        "os.kill(os.getpid(), signal.SIGKILL)")


def test_a_cell_printing_too_much_is_stopped(book, monkeypatch):
    monkeypatch.setenv("REPORT_MAX_CELL_OUTPUT_MB", "1")
    book.chapter(cell("print('x' * 3_000_000)"))
    book.assert_refused(book.build(), "chapters/one.qmd:3: the output is 3.0 MB, over the limit of 1 MB",
                        "REPORT_MAX_CELL_OUTPUT_MB")


def test_a_failing_cell_with_markup_in_its_error_is_printed_as_written(book):
    book.chapter(cell("raise ValueError('[bold red]not markup[/] :x:')"))
    out = book.assert_refused(book.build(), "chapters/one.qmd:3: cell failed",
                              "[bold red]not markup[/] :x:")
    assert "\u274c" not in out


# --- Edited while running: the last save wins ----------------------------------------------

def test_a_chapter_saved_while_it_runs_is_executed_again(book):
    """The cell itself saves a new version of its chapter, as an editor would mid-build."""
    book.chapter(cell(
        "from pathlib import Path\n"
        "p = Path('chapters/one.qmd')\n"
        "p.write_text(p.read_text().replace('SAVE-' + '1', 'SAVE-' + '2'))\n"
        "print('printed by SAVE-1')"))
    result = book.build()
    assert result.exit_code == 0, result.output
    assert "changed while it ran (chapters/one.qmd): executing it again" in result.output
    html = book.path("_book/index.html").read_text()
    assert "printed by SAVE-2" in html and "SAVE-1" not in html
    # ...and the cache holds the version that was executed: nothing runs again, nothing changes.
    again = book.build()
    assert "chapters executed    0" in again.output, again.output
    assert book.path("_book/index.html").read_text() == html


def test_a_dataset_saved_while_a_chapter_reads_it_is_read_again(book):
    book.write("data/extra/values.txt", "1\n")
    book.chapter(cell(
        "from pathlib import Path\n"
        "p = Path('data/extra/values.txt')\n"
        "value = int(p.read_text())\n"
        "if value == 1:\n"
        "    p.write_text('2\\n')\n"
        "print(f'value is {value}')"))
    result = book.build()
    assert result.exit_code == 0, result.output
    html = book.path("_book/index.html").read_text()
    assert "value is 2" in html and "value is 1" not in html
    again = book.build()
    assert "chapters executed    0" in again.output, again.output
    # An edit after the build is seen by the next one (the cache is keyed on what was read).
    book.write("data/extra/values.txt", "3\n")
    third = book.build()
    assert "chapters executed    1" in third.output
    assert "value is 3" in book.path("_book/index.html").read_text()


def test_a_chapter_that_never_settles_is_not_cached(book):
    book.chapter(cell(
        "from pathlib import Path\n"
        "p = Path('chapters/one.qmd')\n"
        "p.write_text(p.read_text() + '\\nMore text.\\n')"))
    result = book.build()
    assert result.exit_code == 0, result.output
    assert "kept changing while chapters/one.qmd was executed (3 times)" in result.output
    assert "not cached: build again" in result.output
    again = book.build()
    assert "chapters executed    1" in again.output
