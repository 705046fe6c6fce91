"""Where things are. Every module asks here instead of guessing from its own location."""
from __future__ import annotations

import os
from pathlib import Path

RAW_DIR_ENV = "REPORT_RAW_DIR"


class ProjectNotFound(RuntimeError):
    pass


def project_root(start: Path | None = None) -> Path:
    """The directory holding `_quarto.yml`.

    Quarto sets QUARTO_PROJECT_DIR for code it runs; the embedded engine does the same, so code
    in chapters and figures finds the project the same way under both engines.
    """
    env = os.environ.get("QUARTO_PROJECT_DIR")
    if env and (Path(env) / "_quarto.yml").is_file():
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / "_quarto.yml").is_file():
            return d
    raise ProjectNotFound(f"no _quarto.yml in {here} or any parent directory: run this inside the report project")


def data_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "data"


def raw_dir(root: Path | None = None, override: str | os.PathLike | None = None) -> Path:
    """Raw public inputs: --raw-dir, else $REPORT_RAW_DIR, else data/raw (git-ignored)."""
    if override:
        return Path(override).resolve()
    env = os.environ.get(RAW_DIR_ENV)
    if env:
        return Path(env).resolve()
    return data_dir(root) / "raw"


def figures_dir(root: Path | None = None) -> Path:
    # Not `figures/`: a directory named like the figures package would shadow it for any Python
    # started in the project (an editable install resolves packages after the current directory).
    return (root or project_root()) / "_figures"


def templates_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "templates"


def resolve_project(project: str | os.PathLike | None) -> Path:
    """The project a command works on: --project if given (it must hold _quarto.yml), else the
    one around the current directory."""
    if project:
        root = Path(project).resolve()
        if not (root / "_quarto.yml").is_file():
            raise ProjectNotFound(f"{root}: no _quarto.yml here")
        return root
    return project_root()


# --- Staying inside the project -------------------------------------------------------------
#
# A build reads only the project's own files: a chapter, image, dataset or template that names
# (or links to) a file elsewhere would copy that file into the book (pandoc inlines images as
# base64; Typst follows symbolic links). Every path a build or a data load takes from a file the
# user wrote goes through `confine`.


class OutsideProject(ValueError):
    """A path named in the project's files leads outside the project directory."""


def confine(root: Path, name: str | os.PathLike, what: str, base: Path | None = None) -> Path:
    """The path `name` (relative to `base`, default the root) resolved, with every symbolic link
    followed; raises OutsideProject, naming `what` (where the path came from), when it ends up
    outside `root`. A path that does not exist is returned resolved as far as it goes."""
    root = Path(root).resolve()
    raw = Path(name)
    target = ((base or root) / raw).resolve()
    if target != root and root not in target.parents:
        via = ""
        lexical = Path(os.path.normpath((base or root) / raw))
        if lexical == root or root in lexical.parents:
            via = " through a symbolic link"
        raise OutsideProject(f"{what}: {os.fspath(name)!r} leads outside the project{via} (to {target}); "
                             f"a book may only use files inside {root}")
    return target


def linked_outside(root: Path, directory: Path, skip: tuple[Path, ...] = ()) -> list[tuple[Path, Path]]:
    """Symbolic links under `directory` whose target lies outside `root`, as (link, target);
    folders in `skip` are not looked into."""
    root = Path(root).resolve()
    found = []
    for dirpath, dirnames, filenames in os.walk(directory):
        if Path(dirpath) in skip:
            dirnames.clear()
            continue
        for name in [*dirnames, *filenames]:
            p = Path(dirpath) / name
            if p.is_symlink() and p not in skip:
                target = p.resolve()
                if target != root and root not in target.parents:
                    found.append((p, target))
    return found


class NotARegularFile(OSError):
    pass


def read_regular(path: Path) -> bytes:
    """The bytes of `path`, refusing anything but a regular file: a FIFO (or a device) would
    block the build forever, a directory is a mistake to name as such."""
    import stat

    path = Path(path)
    try:
        # O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except IsADirectoryError:
        raise NotARegularFile(21, "is a directory, not a file", str(path)) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise NotARegularFile(21, "is a directory, not a file", str(path))
        if not stat.S_ISREG(st.st_mode):
            kind = "a named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode) else "not a regular file"
            raise NotARegularFile(22, f"is {kind}; only regular files can be read", str(path))
        chunks = []
        with os.fdopen(fd, "rb", closefd=False) as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
