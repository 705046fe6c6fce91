"""`report build`: the book as HTML and PDF, with Quarto when it is installed, else the embedded engine."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click


class ConsoleReporter:
    def __init__(self, quiet: bool):
        from rich.console import Console

        self.quiet = quiet
        self.out = Console(highlight=False)
        self.err = Console(stderr=True, highlight=False)

    def step(self, chapter: str, step: str) -> None:
        if not self.quiet:
            where = f"[bold]{chapter}[/bold] " if chapter else ""
            self.out.print(f"  {where}[dim]{step}[/dim]")

    def info(self, message: str) -> None:
        if not self.quiet:
            self.out.print(message)

    def warn(self, message: str) -> None:
        if not self.quiet:
            self.err.print(f"[yellow]warning:[/yellow] {message}", markup=True)

    def error(self, message: str) -> None:
        from rich.markup import escape

        self.err.print(f"[bold red]error:[/bold red] {escape(message)}")


def _find_root(project: str | None) -> Path:
    from report.paths import ProjectNotFound, resolve_project

    try:
        return resolve_project(project)
    except ProjectNotFound as exc:
        raise click.ClickException(str(exc)) from None


def _print_summary(reporter: ConsoleReporter, rows: list[tuple[str, str]], outputs) -> None:
    from rich.table import Table

    table = Table(show_header=False, box=None, padding=(0, 2))
    for name, value in rows:
        table.add_row(name, value)
    for p in outputs:
        table.add_row("output", str(p))
    reporter.out.print("[bold green]built[/bold green]")
    reporter.out.print(table)


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
@click.option("--quiet", is_flag=True, help="Print only errors.")
@click.option("--fresh", is_flag=True, help="Ignore cached chapter results and execute every cell.")
@click.option("--project", type=click.Path(file_okay=False, exists=True), default=None,
              help="Project directory (default: the one holding _quarto.yml above the current directory).")
def build(to: str, engine: str, quiet: bool, fresh: bool, project: str | None) -> None:
    """Render the book to _book/index.html and _book/<output-file>.pdf."""
    reporter = ConsoleReporter(quiet)
    root = _find_root(project)
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
            ("cells executed", str(result.cells_executed)),
            ("figures", str(result.figures))]
    if result.pages is not None:
        rows.append(("PDF pages", str(result.pages)))
    rows.append(("time", f"{result.seconds:.1f} s"))
    _print_summary(reporter, rows, result.outputs)
