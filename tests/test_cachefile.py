"""report.cachefile: the one way the tool writes and reads back what it keeps between builds."""
from __future__ import annotations

import json

import pytest

from report.cachefile import read_sealed, unseal, write_atomic, write_sealed


def test_sealed_file_reads_back_and_a_changed_one_is_refused(tmp_path):
    path = tmp_path / "deep" / "entry.json"
    write_sealed(path, {"key": "k", "value": [1, 2]})
    assert read_sealed(path) == {"key": "k", "value": [1, 2]}
    entry = json.loads(path.read_text())
    entry["body"]["value"] = [1, 3]
    with pytest.raises(ValueError, match="checksum"):
        unseal(json.dumps(entry))
    for text in ("[]", '{"body": [1], "sha256": "x"}', "not json"):
        with pytest.raises(ValueError):
            unseal(text)


def test_write_atomic_leaves_the_old_file_and_no_temporary_on_failure(tmp_path):
    path = tmp_path / "record.json"
    write_atomic(path, "old")
    write_atomic(path, b"new")
    assert path.read_bytes() == b"new"
    target = tmp_path / "a-directory"
    target.mkdir()
    (target / "inside").write_text("x")
    with pytest.raises(OSError):
        write_atomic(target, "cannot replace a directory holding files")
    assert (target / "inside").read_text() == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-directory", "record.json"]
