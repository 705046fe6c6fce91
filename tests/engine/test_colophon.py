"""The book states what built it: the commit (and whether the tree was clean) and the data version."""
from __future__ import annotations

import subprocess

from .conftest import make_book, run_build


def git(root, *args):
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout.strip()


def test_colophon_names_the_commit(tmp_path):
    root = make_book(tmp_path / "book")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "fixture")
    commit = git(root, "rev-parse", "HEAD")[:12]
    result = run_build(root, "--to", "html")
    assert result.exit_code == 0, result.output
    html = (root / "_book" / "index.html").read_text(encoding="utf-8")
    assert f"Built from commit {commit}." in html

    # an edit to a tracked file marks the build as made from uncommitted changes
    chapter = next((root / "chapters").glob("*.qmd"))
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    result = run_build(root, "--to", "html")
    assert result.exit_code == 0, result.output
    html = (root / "_book" / "index.html").read_text(encoding="utf-8")
    assert f"Built from commit {commit} with uncommitted changes." in html
