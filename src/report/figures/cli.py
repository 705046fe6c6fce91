"""`report figures`: export the figures (see figures.export)."""
from __future__ import annotations

from pathlib import Path

import click

from report.console import Output, common_options, find_project, guarded


@click.command("figures")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output directory (default: _figures/ in the project).")
@click.option("--only", "only", type=int, multiple=True, metavar="N",
              help="Only figure N (repeatable). 3 and 17 are the same drawings as 1 and 2.")
@common_options
@guarded
def figures(out_dir: Path | None, only: tuple[int, ...], project: str | None, quiet: bool, verbose: bool):
    """Export every figure as SVG, PNG (300 dpi) and PDF, with the data behind it as CSV."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from report import paths

    from .data import FigureDataError
    from .registry import RegistryError
    from .export import export, targets

    output = Output(quiet, verbose)
    root = find_project(project)
    out_dir = out_dir or paths.figures_dir(root)
    try:
        todo = targets(only)
    except KeyError as e:
        raise click.UsageError(str(e.args[0])) from None
    except RegistryError as e:
        raise click.ClickException(str(e)) from None
    with Progress(TextColumn("[bold]figures[/]"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.description}", markup=False), console=output.err, transient=False,
                  disable=output.quiet) as bar:
        task = bar.add_task("", total=len(todo))

        def tick(s):
            bar.update(task, advance=1, description=s.stem)

        try:
            written = export(out_dir, only, progress=tick)
        except (FigureDataError, FileNotFoundError, RegistryError) as e:
            raise click.ClickException(str(e)) from None
    output.info(f"wrote {len(written)} files for {len(todo)} figures to {out_dir}")
