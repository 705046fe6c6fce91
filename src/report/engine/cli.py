"""`report build`: the book as HTML and PDF, with Quarto when it is installed, else the embedded engine."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from report.console import common_options, guarded


class ConsoleReporter:
    """Prints the engine's progress. Everything the engine reports may carry user text (paths,
    cell source, pandoc warnings), so it goes through report.console: printed literally, and not
    wrapped off a terminal."""

    def __init__(self, quiet: bool, verbose: bool = False):
        from report.console import Output

        self.output = Output(quiet, verbose)
        self.quiet = self.output.quiet
        self.verbose = self.output.verbose
        self.out = self.output.out
        self.err = self.output.err

    def step(self, chapter: str, step: str) -> None:
        if self.quiet:
            return
        # One line per executed cell is only wanted when asked for.
        if step.startswith("execute: ") and not self.verbose:
            return
        from rich.text import Text

        line = Text("  ")
        if chapter:
            line.append(chapter, style="bold").append(" ")
        line.append(step, style="dim")
        self.out.print(line)

    def info(self, message: str) -> None:
        self.output.info(message)

    def warn(self, message: str) -> None:
        self.output.warn(message)

    def error(self, message: str) -> None:
        self.output.error(message)


def _find_root(project: str | None) -> Path:
    from report.console import find_project

    return find_project(project)


def _print_summary(reporter: ConsoleReporter, rows: list[tuple[str, str]], outputs) -> None:
    # Plain aligned lines rather than a table: a table is cut to 80 columns off a terminal.
    rows = rows + [("output", str(p)) for p in outputs]
    reporter.output.info("", label="built", style="bold green")
    for label, value in rows:
        reporter.output.info(f"{label:<21}{value}")


def _build_with_quarto(root: Path, to: str, reporter: ConsoleReporter, quarto: str) -> None:
    from .errors import BuildError
    from .quarto_run import build_with_quarto, quarto_version

    reporter.info(f"engine: quarto {quarto_version(quarto)} ({quarto}) in {root}")
    try:
        result = build_with_quarto(root, to, reporter, quarto)
    except BuildError as exc:
        reporter.error(str(exc))
        sys.exit(1)
    if reporter.quiet:
        return
    rows = [("chapters executed", str(result.chapters_executed))]
    if result.figures:
        rows.append(("figures", str(result.figures)))
    if result.pages is not None:
        rows.append(("PDF pages", str(result.pages)))
    rows.append(("time", f"{result.seconds:.1f} s"))
    _print_summary(reporter, rows, result.outputs)


@click.command()
@click.option("--to", "to", type=click.Choice(["html", "pdf", "all"]), default="all", show_default=True,
              help="Which outputs to build.")
@click.option("--engine", type=click.Choice(["auto", "quarto", "embedded"]), default="auto", show_default=True,
              help="auto: quarto when it is on PATH, else the embedded engine.")
@click.option("--fresh", is_flag=True, help="Ignore cached chapter results and execute every cell.")
@common_options
@guarded
def build(to: str, engine: str, fresh: bool, project: str | None, quiet: bool, verbose: bool) -> None:
    """Render the book to _book/index.html and _book/<output-file>.pdf."""
    root = _find_root(project)
    reporter = ConsoleReporter(quiet, verbose)
    quarto = shutil.which("quarto")
    if engine == "quarto" or (engine == "auto" and quarto):
        if not quarto:
            raise click.ClickException("--engine quarto: `quarto` is not on PATH")
        _build_with_quarto(root, to, reporter, quarto)
        return

    from .build import build as run_build
    from .errors import BuildError

    reporter.info(f"engine: embedded (pandoc + Jupyter + Typst) in {root}")
    try:
        result = run_build(root, to, reporter, fresh=fresh)
    except BuildError as exc:
        reporter.error(str(exc))
        sys.exit(1)
    if quiet:
        return
    rows = [("chapters executed", str(len(result.chapters_executed))),
            ("chapters from cache", str(len(result.chapters_cached))),
            *([("chapters replayed", str(len(result.chapters_replayed)))]
              if result.chapters_replayed else []),
            ("cells executed", str(result.cells_executed)),
            ("figures", str(result.figures))]
    if result.pages is not None:
        rows.append(("PDF pages", str(result.pages)))
    rows.append(("time", f"{result.seconds:.1f} s"))
    _print_summary(reporter, rows, result.outputs)
