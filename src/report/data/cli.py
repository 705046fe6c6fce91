"""`report data` (raw files -> derived data) and `report validate` (check the whole package)."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console


@click.command()
@click.option("--raw-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory holding the raw public inputs (default: $REPORT_RAW_DIR, else data/raw).")
def data(raw_dir):
    """Derive the neighbourhood classification, summary, map data, derived statistics and Census 2021 outcomes."""
    from report import paths

    from .errors import DataValidationError
    from .pipeline import run

    console = Console(stderr=True)
    root = paths.project_root()
    raw = paths.raw_dir(root, raw_dir)
    try:
        res = run(root=root, raw=raw, console=console)
    except DataValidationError as exc:
        console.print(f"[bold red]report data: raw inputs in {raw} rejected[/]")
        click.echo(str(exc), err=True)
        sys.exit(1)
    for name, changed in res["written"].items():
        console.print(f"  {'wrote' if changed else 'unchanged'}  data/{name}")
    console.print(
        f"[green]ok[/] {res['lsoas']:,} LSOAs classified: {res['dd_lsoas']:,} doubly disadvantaged in "
        f"{res['dd_wards']:,} wards, {res['dd_population']:,} people ({res['dd_population_16_64']:,} aged 16-64); "
        f"{res['od_lsoas']:,} other deprived"
    )
    console.print(
        f"[green]ok[/] Census 2021: {res['census_measures']} measures, {res['census_rows']:,} rows by area type "
        "and region (data/census2021_outcomes.csv); 2021 rows of Figures 6, 10, 15 and all of 13, 14 derived"
    )
    console.print(_headline_table(res["census_headline"]))


def _headline_table(frame):
    """The census headline shares by area type, as a rich table for the end of `report data`."""
    from rich.table import Table

    table = Table(title="Census 2021, England, share (%) by area type: DD doubly disadvantaged, "
                        "OD other deprived, ND non-deprived", title_justify="left")
    table.add_column("measure")
    for col in frame.columns:
        table.add_column(str(col), justify="right")
    for measure, row in frame.iterrows():
        table.add_row(str(measure), *(f"{v:.1f}" for v in row))
    return table


@click.command()
def validate():
    """Validate every resource in data/datapackage.json (schema and cross-field rules)."""
    from report import paths

    from . import validate_all
    from .errors import DataValidationError

    console = Console(stderr=True)
    try:
        n = validate_all(paths.project_root())
    except DataValidationError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    console.print(f"[green]ok[/] {n} resources valid")
