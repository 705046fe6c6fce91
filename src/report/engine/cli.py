"""`report build`: the book as HTML and PDF, with Quarto when it is installed, else the embedded engine."""
from __future__ import annotations

import shutil
import subprocess
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


def _run_quarto(root: Path, to: str, reporter: ConsoleReporter) -> int:
    cmd = ["quarto", "render"]
    if to == "html":
        cmd += ["--to", "html"]
    elif to == "pdf":
        cmd += ["--to", "typst"]
    if reporter.quiet:
        cmd.append("--quiet")
    reporter.info(f"engine: quarto ({' '.join(cmd)})")
    return subprocess.run(cmd, cwd=root).returncode


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
    if engine == "quarto" or (engine == "auto" and shutil.which("quarto")):
        if not shutil.which("quarto"):
            raise click.ClickException("--engine quarto: `quarto` is not on PATH")
        sys.exit(_run_quarto(root, to, reporter))

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
    from rich.table import Table

    table = Table(show_header=False, box=None, padding=(0, 2))
    table.add_row("chapters executed", str(len(result.chapters_executed)))
    table.add_row("chapters from cache", str(len(result.chapters_cached)))
    table.add_row("cells executed", str(result.cells_executed))
    table.add_row("figures", str(result.figures))
    if result.pages is not None:
        table.add_row("PDF pages", str(result.pages))
    table.add_row("time", f"{result.seconds:.1f} s")
    for p in result.outputs:
        table.add_row("output", str(p))
    reporter.out.print("[bold green]built[/bold green]")
    reporter.out.print(table)
