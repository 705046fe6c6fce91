"""A damaged cache never fails a build, and never fails the next one; a machine that cannot
write (read-only, disk full) gets a sentence naming the file, not a traceback."""
from __future__ import annotations

import errno
import os
import shutil

import pytest

CACHE = ".report-cache"
ENTRY = f"{CACHE}/chapters-one-qmd.json"


def make_dir(book, rel):
    p = book.path(rel)
    if p.is_dir():
        shutil.rmtree(p)
    elif os.path.lexists(p):
        p.unlink()
    p.mkdir(parents=True)
    (p / "inside").write_text("x")


def replace_with(book, rel, content: bytes):
    p = book.path(rel)
    if p.is_dir() and not p.is_symlink():
        shutil.rmtree(p)
    elif os.path.lexists(p):
        p.unlink()
    p.write_bytes(content)


def symlink_out(book, rel):
    p = book.path(rel)
    p.unlink()
    p.symlink_to("/etc/passwd")


def fifo(book, rel):
    p = book.path(rel)
    p.unlink()
    os.mkfifo(p)


def first_ast_entry(book):
    return sorted(book.path(f"{CACHE}/ast").iterdir())[0].relative_to(book.root).as_posix()


DAMAGE = {
    "a chapter entry that is a directory": (lambda b: make_dir(b, ENTRY), True),
    "a chapter entry of random bytes": (lambda b: replace_with(b, ENTRY, os.urandom(300)), True),
    "a chapter entry cut short": (lambda b: replace_with(b, ENTRY, b.path(ENTRY).read_bytes()[:50]), True),
    "a chapter entry whose checksum is wrong": (
        lambda b: replace_with(b, ENTRY, b.path(ENTRY).read_bytes().replace(b"First chapter", b"Forged chapter")), True),
    "a chapter entry that links to /etc/passwd": (lambda b: symlink_out(b, ENTRY), True),
    "a chapter entry that is a FIFO": (lambda b: fifo(b, ENTRY), True),
    "another chapter's entry in its place": (
        lambda b: replace_with(b, ENTRY, b.path(f"{CACHE}/index-qmd.json").read_bytes()), False),
    "the render record of random bytes": (lambda b: replace_with(b, f"{CACHE}/render.json", os.urandom(100)), False),
    "the render record is a directory": (lambda b: make_dir(b, f"{CACHE}/render.json"), False),
    "the validation record of random bytes": (
        lambda b: replace_with(b, f"{CACHE}/validation.json", os.urandom(100)), False),
    "the validation record is a directory": (lambda b: make_dir(b, f"{CACHE}/validation.json"), False),
    "an AST entry of random bytes": (lambda b: replace_with(b, first_ast_entry(b), os.urandom(100)), False),
    "the AST directory is a file": (lambda b: replace_with(b, f"{CACHE}/ast", b"not a directory"), False),
    "the whole cache is a file": (lambda b: replace_with(b, CACHE, b"not a directory"), False),
    "the whole cache deleted": (lambda b: shutil.rmtree(b.path(CACHE)), False),
}


@pytest.mark.parametrize("case", list(DAMAGE))
def test_damaged_cache_costs_time_not_a_build(book, case):
    damage, warned = DAMAGE[case]
    damage(book)
    first = book.build()
    assert first.exit_code == 0, first.output
    assert "Traceback" not in first.output
    if warned:
        assert "cache entry for chapters/one.qmd is corrupt; executing it again" in first.output
    # Same inputs, so the same bytes: the rebuilt book is the one that was there.
    book.assert_book_unchanged()
    second = book.build()
    assert second.exit_code == 0, second.output
    assert "corrupt" not in second.output
    book.assert_book_unchanged()
    if case != "the whole cache is a file":  # with nowhere to keep entries, every build executes
        assert "chapters executed    0" in second.output


def test_a_cache_entry_that_cannot_be_written_is_a_warning(book):
    book.chapter("# One\n\nChanged text.\n")
    # The temporary file the entry is written through is in the way (as a full disk would be).
    book.path(f"{ENTRY}.{os.getpid()}.tmp").mkdir()
    result = book.build()
    assert result.exit_code == 0, result.output
    assert "warning: could not cache chapters/one.qmd" in result.output
    assert "Changed text." in book.path("_book/index.html").read_text()


def _fail(code, name):
    def raiser(*args, **kwargs):
        raise OSError(code, os.strerror(code), name)
    return raiser


MACHINE = {
    "a read-only project": ("report.engine.swap.tempfile.mkdtemp", errno.EROFS,
                            "the file system is read-only"),
    "a project the user may not write to": ("report.engine.swap.tempfile.mkdtemp", errno.EACCES,
                                            "permission denied"),
    "a full disk while writing the book": ("report.engine.build._write_manifest", errno.ENOSPC,
                                           "no space left on the device"),
    "a full disk while writing the HTML": ("report.engine.render_html.run_pandoc", errno.ENOSPC,
                                           "no space left on the device"),
    "a quota exceeded while writing the book": ("report.engine.build._write_manifest", errno.EDQUOT,
                                                "no space left on the device (disk full or over quota)"),
}


@pytest.mark.parametrize("case", list(MACHINE))
def test_machine_failures_are_a_message(book, monkeypatch, case):
    """Simulated at the call that would fail (root ignores permissions, and no test may fill the
    disk): the point is what the author is told and that `_book/` survives."""
    target, code, words = MACHINE[case]
    name = str(book.path("_book.build-x/out/index.html"))
    monkeypatch.setattr(target, _fail(code, name))
    book.chapter("# One\n\nChanged so that the book is rendered again.\n")
    book.assert_refused(book.build(), f"error: {name}: {words}")
