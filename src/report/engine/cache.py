"""Executed chapters kept between builds in `.report-cache/`.

A chapter is re-executed when its source, the project code (src/, lib/, templates/), the
tool's own code wherever it is installed, the tool versions, or any project file its kernel opened last time (recorded with an audit hook in the
kernel) has changed. Files opened are only known after running, so an entry stores them with
their hashes and the lookup checks each one.

Beside each entry, in `replay/`, the chapter's transcript (the code it sent its kernel and what
came back) with the same dependencies: when a chapter's source has changed but not its code,
and none of those files has, the transcript is replayed into the new text (execute.Replay)
instead of starting a kernel, as for an edit to the prose between cells.

An entry must describe the bytes that were executed, never the bytes on disk when the entry is
written: an editor may save a chapter or a dataset while it runs. So the chapter's key is the
hash of the source the build parsed, each opened file's hash is taken in the kernel when the
code opens it, and `put` checks all of them again afterwards; if anything moved, nothing is
stored and `put` names what changed (the build then executes those chapters again).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

from report.cachefile import seal, unseal

from .execute import ChapterResult
from .swap import checkpoint

FORMAT_VERSION = 2
CODE_DIRS = ("src", "lib", "templates")
MISSING = ""  # the recorded hash of a file that did not exist (or was not a regular file)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha(path: Path) -> str | None:
    from report.hashing import file_sha256_or_none

    return file_sha256_or_none(path)


def _code_dirs(root: Path) -> list[tuple[str, Path]]:
    """The project's code and the tool's own package, wherever it is installed: a change to
    either can change what a chapter prints (site-packages as much as an editable checkout)."""
    import report

    dirs = [(d, root / d) for d in CODE_DIRS]
    dirs.append(("<report tool>", Path(report.__file__).resolve().parent))
    return dirs


def _tree_hash(root: Path, skip: tuple[str, ...] = ()) -> str:
    """Hash of the code dirs' files; `skip` leaves some out by label (the kernel pool's stamp
    leaves out templates/, which kernels read afresh and never import)."""
    from report.hashing import update_tree

    h = hashlib.sha256()
    for label, base in _code_dirs(root):
        if label in skip or not base.is_dir():
            continue
        update_tree(h, base, label)
    return h.hexdigest()


class ChapterCache:
    """`sources` maps each chapter to the hash of the bytes the build parsed (see build.read_sources)."""

    def __init__(self, directory: Path, root: Path, tools: dict[str, str], sources: dict[str, str]):
        self.dir = Path(directory)
        self.root = Path(root)
        self.tools = tools
        self.sources = dict(sources)
        # Hashed before any chapter runs: code edited during the build then gives entries keyed
        # on the old code, which the next build does not match.
        self._base = self._base_for(_tree_hash(self.root))
        self.corrupt: list[str] = []
        self.unwritable: list[str] = []  # entries that could not be written, with the reason

    def _base_for(self, code: str) -> str:
        return _sha(json.dumps({"format": FORMAT_VERSION, "tools": self.tools, "code": code},
                               sort_keys=True).encode())

    def _key(self, rel: str) -> str:
        return _sha(self._base.encode() + b"\0" + rel.encode() + b"\0" + self.sources[rel].encode())

    def _entry_path(self, rel: str) -> Path:
        return self.dir / (re.sub(r"[^A-Za-z0-9]+", "-", rel).strip("-") + ".json")

    def _transcript_path(self, rel: str) -> Path:
        return self.dir / "replay" / self._entry_path(rel).name

    def _deps_unchanged(self, deps: dict[str, str]) -> bool:
        return all((_file_sha(self.root / dep) or MISSING) == digest for dep, digest in deps.items())

    def get(self, rel: str, doc=None) -> ChapterResult | None:
        path = self._entry_path(rel)
        if not os.path.lexists(path):
            return None
        try:
            if not path.is_file() or path.is_symlink():
                raise ValueError("not a regular file")
            body = unseal(path.read_text(encoding="utf-8"))
            if body.get("key") != self._key(rel) or not self._deps_unchanged(body.get("deps", {})):
                return None
            result = ChapterResult.from_json(body["result"])
        except (ValueError, KeyError, TypeError, AttributeError, OSError):
            self.corrupt.append(rel)
            return None
        result.cells_executed = 0
        return result

    def replay(self, rel: str, doc, defaults: dict) -> ChapterResult | None:
        """`rel` rendered from its transcript, without a kernel, when the project code, the tools
        and every file the chapter read are as they were and the chapter sends the same code in
        the same order; None otherwise (it is then executed)."""
        from .errors import BuildError
        from .execute import ChapterExecutor, Replay, ReplayMismatch

        path = self._transcript_path(rel)
        # Only a regular file in a real directory of the cache: never one a link leads elsewhere.
        if path.parent.is_symlink() or path.is_symlink() or not path.is_file():
            return None
        try:
            body = unseal(path.read_text(encoding="utf-8"))
            if body.get("base") != self._base or body.get("rel") != rel or not self._deps_unchanged(body["deps"]):
                return None
            replay = Replay(body["transcript"])
            result = ChapterExecutor(replay, self.root, defaults).execute(rel, doc)
        except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, ReplayMismatch, BuildError):
            return None
        if not replay.finished() or dict(result.opened_sha) != body["deps"]:
            return None
        result.cells_executed = 0
        result.figures_drawn, result.figures_cached, result.health = [], [], []
        result.transcript = None  # the one kept is still the right one
        return result

    def changed_inputs(self, rel: str, result: ChapterResult) -> list[str]:
        """Inputs of `rel` whose bytes on disk are no longer those the execution used."""
        changed = []
        if (_file_sha(self.root / rel) or MISSING) != self.sources[rel]:
            changed.append(rel)
        for dep, digest in sorted(result.opened_sha.items()):
            if dep != rel and (_file_sha(self.root / dep) or MISSING) != digest:
                changed.append(dep)
        return changed

    def put(self, rel: str, doc, result: ChapterResult) -> list[str]:
        """Store `result` unless an input changed while it ran; returns the changed inputs (empty
        when stored). A failure to write is remembered in `unwritable`, never raised: the cache
        only saves time."""
        changed = self.changed_inputs(rel, result)
        if changed:
            return changed
        deps = {dep: digest for dep, digest in sorted(result.opened_sha.items())}
        writes = [(self._entry_path(rel), {"key": self._key(rel), "deps": deps, "result": result.to_json()})]
        replay_dir = self._transcript_path(rel).parent
        if result.transcript is not None and not replay_dir.is_symlink():
            if replay_dir.exists() and not replay_dir.is_dir():
                replay_dir.unlink()  # a file where the transcripts belong would keep them all out
            writes.append((self._transcript_path(rel), {"base": self._base, "rel": rel, "deps": deps,
                                                        "transcript": result.transcript}))
        for path, body in writes:  # the entry first: it is worth keeping without its transcript
            try:
                self._write(path, body)
            except OSError as exc:
                from report.console import os_error_message

                self.unwritable.append(f"{rel}: {os_error_message(exc)}")
                break
        return []

    @staticmethod
    def _write(path: Path, body: dict) -> None:
        # Unique per process: two builds of one project may write the same entry at once.
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)  # a directory where an entry belongs would block every build
            tmp.write_text(seal(body), encoding="utf-8")
            checkpoint("cache-write")
            os.replace(tmp, path)
        except OSError:
            try:
                tmp.unlink()
            except OSError:
                pass
            raise
