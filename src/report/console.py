"""What every `report` subcommand shares: its common options, its consoles and how it fails.

Two rules hold for everything printed here:

- Text that comes from the user's files (a path, a cell, a CSV value, a pandoc warning) is
  printed literally: rich markup is off for it and emoji codes are never expanded, so
  `![x](missing[/].png)` cannot crash the printer and `:x:` stays `:x:`.
- Off a terminal nothing is wrapped: a message that a script or a test greps must not depend on
  how long the temporary path in it happens to be.

Every failure ends in one `error:` line (or block) and an exit code, never a traceback, unless
`-v` asks for one:

  0  done            1  the book, data or a file is wrong (the message says which)
  2  usage: a bad option, or not inside a project        70  a bug in `report` itself
  130 interrupted
"""
from __future__ import annotations

import errno
import functools
import os
import sys
import traceback
from pathlib import Path
from typing import Callable

import click

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130


def make_console(stderr: bool = False):
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    tty = bool(getattr(stream, "isatty", lambda: False)())
    # soft_wrap: rich otherwise breaks lines at 80 columns whenever output is not a terminal.
    return Console(stderr=stderr, highlight=False, emoji=False, soft_wrap=not tty)


def styled(label: str, style: str, text: str):
    """`label` in `style`, then `text` exactly as given (no markup, no emoji)."""
    from rich.text import Text

    return Text.assemble((label, style), " " if label else "", text)


class Output:
    """The two consoles of a command with its -q/-v choice applied."""

    def __init__(self, quiet: bool = False, verbose: bool = False):
        self.quiet = quiet
        self.verbose = verbose and not quiet
        self.out = make_console()
        self.err = make_console(stderr=True)

    def info(self, text: str, label: str = "", style: str = "") -> None:
        if not self.quiet:
            self.out.print(styled(label, style, text))

    def detail(self, text: str) -> None:
        if self.verbose:
            self.out.print(styled("", "", text), style="dim")

    def warn(self, text: str) -> None:
        if not self.quiet:
            self.err.print(styled("warning:", "yellow", text))

    def error(self, text: str) -> None:
        self.err.print(styled("error:", "bold red", text))


def common_options(fn: Callable) -> Callable:
    """--project, -q/--quiet and -v/--verbose, the same on every subcommand."""
    fn = click.option("-v", "--verbose", is_flag=True,
                      help="Say more: every step, and the traceback of an internal error.")(fn)
    fn = click.option("-q", "--quiet", is_flag=True, help="Print only errors.")(fn)
    fn = click.option("--project", type=click.Path(file_okay=False), default=None,
                      help="Project directory (default: the one holding _quarto.yml at or above the "
                           "current directory).")(fn)
    return fn


def find_project(project: str | None) -> Path:
    """The project root for --project (or the current directory), and QUARTO_PROJECT_DIR set to
    it, so code that finds the project by itself (data loaders, figures) agrees with the command."""
    from report.paths import resolve_project

    root = resolve_project(project)
    os.environ["QUARTO_PROJECT_DIR"] = str(root)
    return root


def os_error_message(exc: OSError) -> str:
    """An OSError as a sentence naming the file and what to do, for the errors a user can fix."""
    name = exc.filename if exc.filename is not None else ""
    where = f"{name}: " if name else ""
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        return f"{where}no space left on the device (disk full or over quota); free some space and run again"
    if code in (errno.EROFS,):
        return f"{where}the file system is read-only; build in a writable copy of the project"
    if code in (errno.EACCES, errno.EPERM):
        return f"{where}permission denied; check that you may write to the project directory"
    return f"{where}{exc.strerror or exc}"


def _failure(exc: BaseException) -> tuple[int, str] | None:
    """(exit code, message) for the errors a command expects; None for a bug."""
    from report.paths import OutsideProject, ProjectNotFound

    if isinstance(exc, ProjectNotFound):
        return EXIT_USAGE, str(exc)
    if isinstance(exc, OutsideProject):
        return EXIT_FAILED, str(exc)
    try:
        from report.engine.errors import BuildError
    except ImportError:  # pragma: no cover - the engine is part of this package
        BuildError = ()  # type: ignore[assignment]
    if BuildError and isinstance(exc, BuildError):
        return EXIT_FAILED, str(exc)
    from report.data.errors import DataValidationError

    if isinstance(exc, DataValidationError):
        return EXIT_FAILED, str(exc)
    if isinstance(exc, OSError):
        return EXIT_FAILED, os_error_message(exc)
    return None


def guarded(fn: Callable) -> Callable:
    """Run a command so that it ends in a message and an exit code, never a traceback.

    The wrapped command takes `quiet` and `verbose` (from common_options); -v adds the traceback
    of an unexpected error."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        verbose = bool(kwargs.get("verbose"))
        # find_project points QUARTO_PROJECT_DIR at the project for the command's own code; a
        # command run in-process (tests, other tools) must not leave it set for the caller.
        saved = os.environ.get("QUARTO_PROJECT_DIR")
        try:
            return fn(*args, **kwargs)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            make_console(stderr=True).print(styled("interrupted", "bold red", ""))
            sys.exit(EXIT_INTERRUPTED)
        except Exception as exc:  # noqa: BLE001 - the one place that turns errors into messages
            err = make_console(stderr=True)
            known = _failure(exc)
            if known is not None:
                code, message = known
                err.print(styled("error:", "bold red", message))
                if verbose:
                    err.print(traceback.format_exc(), markup=False, style="dim")
                sys.exit(code)
            name = type(exc).__name__
            err.print(styled("error:", "bold red",
                             f"internal error in report ({name}: {exc})"
                             + ("" if verbose else "; run again with -v for the traceback")))
            if verbose:
                err.print(traceback.format_exc(), markup=False)
            sys.exit(EXIT_INTERNAL)
        finally:
            if saved is None:
                os.environ.pop("QUARTO_PROJECT_DIR", None)
            else:
                os.environ["QUARTO_PROJECT_DIR"] = saved

    return run
