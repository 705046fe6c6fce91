"""`report data` (raw files -> derived data) and `report validate` (check the whole package)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from report.console import EXIT_FAILED, Output, common_options, find_project, guarded, make_console


@click.command()
@click.option("--raw-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory holding the raw public inputs (default: $REPORT_RAW_DIR, else data/raw).")
@common_options
@guarded
def data(raw_dir, project, quiet, verbose):
    """Derive the neighbourhood classification, summary, map data, derived statistics and Census 2021 outcomes."""
    from report import paths

    from .errors import DataValidationError
    from .pipeline import run

    output = Output(quiet, verbose)
    root = find_project(project)
    raw = paths.raw_dir(root, raw_dir)
    progress = make_console(stderr=True)
    progress.quiet = output.quiet  # rich's own switch: the progress bar stays silent with -q
    try:
        res = run(root=root, raw=raw, console=progress)
    except DataValidationError as exc:
        output.error(f"report data: raw inputs in {raw} rejected\n{exc}")
        sys.exit(EXIT_FAILED)
    for name, changed in res["written"].items():
        output.info(f"  {'wrote' if changed else 'unchanged'}  data/{name}")
    output.info(
        f"{res['lsoas']:,} LSOAs classified: {res['dd_lsoas']:,} doubly disadvantaged in "
        f"{res['dd_wards']:,} wards, {res['dd_population']:,} people ({res['dd_population_16_64']:,} aged 16-64); "
        f"{res['od_lsoas']:,} other deprived", label="ok", style="green")
    output.info(
        f"Census 2021: {res['census_measures']} measures, {res['census_rows']:,} rows by area type and region "
        "(data/census2021_outcomes.csv); 2021 rows of Figures 6, 10, 15 and all of 13, 14 derived",
        label="ok", style="green")
    for line in _headline_lines(res["census_headline"]):
        output.info(line)


def _headline_lines(frame) -> list[str]:
    """The census headline shares by area type, as plain aligned lines (never wrapped in a pipe)."""
    cols = [str(c) for c in frame.columns]
    width = max(len(str(m)) for m in frame.index)
    lines = ["Census 2021, England, share (%) by area type (DD doubly disadvantaged, OD other deprived, "
             "ND non-deprived):", f"  {'':<{width}}  " + "  ".join(f"{c:>7}" for c in cols)]
    for measure, row in frame.iterrows():
        lines.append(f"  {str(measure):<{width}}  " + "  ".join(f"{v:>7.1f}" for v in row))
    return lines


@click.command()
@click.option("--fresh", is_flag=True, help="Check every resource again, even those that passed with the same "
              "bytes before.")
@common_options
@guarded
def validate(fresh, project, quiet, verbose):
    """Validate every resource in data/datapackage.json (schema and cross-field rules).

    Resources that passed before with the same bytes, descriptor and validator code (the record
    `report build` keeps in .report-cache/) are not checked again; --fresh checks them all."""
    from . import validate_all
    from .errors import DataValidationError

    output = Output(quiet, verbose)
    root = find_project(project)
    # The same record the build keeps: only passes are in it, so a failure is always re-checked.
    cache = root / ".report-cache" / "validation.json"
    try:
        n = validate_all(root, cache=cache, refresh=fresh)
    except DataValidationError as exc:
        output.error(str(exc))
        sys.exit(EXIT_FAILED)
    output.info(f"{n} resources valid", label="ok", style="green")
