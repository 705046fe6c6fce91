"""`report tables`: render a table the project declares, for inspection or to check its data."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from report.console import EXIT_FAILED, EXIT_USAGE, Output, common_options, find_project, guarded


@click.command()
@click.argument("name", required=False)
@click.option("--caption", default=None, help="Caption instead of the table's own.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here instead of standard output.")
@click.option("--check", is_flag=True, help="Only check that every declared table renders from valid data.")
@common_options
@guarded
def tables(name, caption, out, check, project, quiet, verbose):
    """Render the table NAME as a chapter gets it (raw HTML and Typst blocks), or list the tables.

    A project declares its tables under `report: tables:` in _quarto.yml, each a function
    `(root, caption=None) -> markdown` (see report.tables for the Jinja helpers)."""
    import inspect

    from report import project as project_config
    from report.data.errors import DataValidationError

    output = Output(quiet, verbose)
    root = find_project(project)
    cfg = project_config.config(root)
    if not cfg.tables:
        output.error(f"{root / '_quarto.yml'}: this project declares no tables under `report: tables:`")
        sys.exit(EXIT_FAILED)
    if name is None and not check:
        for key, spec in cfg.tables.items():
            output.info(f"{key}  ({spec})")
        return
    if name is not None and name not in cfg.tables:
        output.error(f"no table {name!r}; this project declares: {', '.join(cfg.tables)}")
        sys.exit(EXIT_USAGE)
    todo = [name] if name else list(cfg.tables)
    rendered = {}
    try:
        for key in todo:
            fn = cfg.hook(cfg.tables[key], f"tables.{key}")
            kwargs = {"caption": caption} if caption and "caption" in inspect.signature(fn).parameters else {}
            rendered[key] = fn(root, **kwargs)
    except DataValidationError as e:
        output.error(str(e))
        sys.exit(EXIT_FAILED)
    if check:
        output.info(f"{len(rendered)} table(s) render from valid data: {', '.join(rendered)}", label="ok", style="green")
        return
    text = rendered[name]
    if out:
        out.write_text(text, encoding="utf-8")
        output.info(f"wrote {out}")
    else:
        # The rendered table is the command's product: printed as is, even with -q.
        click.echo(text)
