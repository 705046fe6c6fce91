"""`report new DIR`: scaffold a publication (see report.new)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from report.console import EXIT_FAILED, Output, guarded


@click.command("new")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--title", default=None, help="The book's title (default: from the directory name).")
@click.option("--author", default="Author", show_default=True, help="The book's author or publisher.")
@click.option("--accent", default="12436D", show_default=True, help="Accent colour, six hex digits.")
@click.option("--highlight", default="28A197", show_default=True, help="Highlight colour, six hex digits.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@click.option("-v", "--verbose", is_flag=True, help="Print more, and tracebacks of unexpected errors.")
@guarded
def new(directory: Path, title, author, accent, highlight, quiet, verbose):
    """Start a new publication in DIRECTORY: a book that builds at once to HTML and PDF."""
    from report.new import NewProjectError, create

    output = Output(quiet, verbose)
    try:
        files = create(directory, title=title, author=author, accent=accent, highlight=highlight)
    except NewProjectError as exc:
        output.error(str(exc))
        sys.exit(EXIT_FAILED)
    output.info(f"created {len(files)} files in {directory}", label="ok", style="green")
    output.info(f"next: cd {directory} && report build   (the README has both commands)")
