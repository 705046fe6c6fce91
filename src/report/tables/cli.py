"""`report tables`: render the recommendations for inspection, or check the CSV."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from report.console import EXIT_FAILED, Output, common_options, find_project, guarded


@click.command()
@click.option("--format", "fmt", type=click.Choice(["markdown", "html", "typst", "list"]), default="markdown",
              show_default=True, help="markdown = both raw blocks, as a chapter gets them; list = the numbered list.")
@click.option("--caption", default=None, help="Caption instead of the default.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here instead of standard output.")
@click.option("--check", is_flag=True, help="Only validate the CSV files.")
@click.option("--update-package", is_flag=True, help="Write the recommendations' descriptors into data/datapackage.json.")
@common_options
@guarded
def tables(fmt, caption, out, check, update_package, project, quiet, verbose):
    """Render the recommendations table (HTML, Typst, or both as a chapter sees them)."""
    from report.tables import (load_recommendations, numbered_recommendations, recommendations_table,
                               render_html, render_typst)
    from report.tables.model import DataValidationError

    output = Output(quiet, verbose)
    root = find_project(project)
    if update_package:
        from report.tables.package import update_package as update
        output.info(f"updated {update(root)}")
        return
    try:
        if check:
            recs = load_recommendations(root)
            output.info(f"recommendations: {len(recs.rows)} table rows, {len(recs.items)} numbered "
                        "recommendations, ok")
            return
        text = {
            "markdown": lambda: recommendations_table(root, caption=caption),
            "html": lambda: render_html(load_recommendations(root), caption, root),
            "typst": lambda: render_typst(load_recommendations(root), caption, root),
            "list": lambda: numbered_recommendations(root),
        }[fmt]()
    except DataValidationError as e:
        output.error(str(e))
        sys.exit(EXIT_FAILED)
    if out:
        out.write_text(text, encoding="utf-8")
        output.info(f"wrote {out}")
    else:
        # The rendered table is the command's product: printed as is, even with -q.
        click.echo(text)
