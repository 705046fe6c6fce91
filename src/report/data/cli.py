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
    """Run the project's data pipeline: raw public files -> the derived files in data/.

    Which pipeline runs is the project's choice (`report: data:` in _quarto.yml names a module
    with `run(root, raw, console)` returning what it wrote, and `summary(result)` lines to print).
    """
    from report import paths, project as project_config

    from .errors import DataValidationError

    output = Output(quiet, verbose)
    root = find_project(project)
    cfg = project_config.config(root)
    if not cfg.data:
        output.error(f"{root / '_quarto.yml'}: this project declares no data pipeline; name the module "
                     "that derives its data under `report: data:`")
        sys.exit(EXIT_FAILED)
    pipeline = cfg.hook(cfg.data, "data")
    raw = paths.raw_dir(root, raw_dir)
    progress = make_console(stderr=True)
    progress.quiet = output.quiet  # rich's own switch: the progress bar stays silent with -q
    try:
        res = pipeline.run(root=root, raw=raw, console=progress)
    except DataValidationError as exc:
        output.error(f"report data: raw inputs in {raw} rejected\n{exc}")
        sys.exit(EXIT_FAILED)
    for name, changed in res["written"].items():
        output.info(f"  {'wrote' if changed else 'unchanged'}  data/{name}")
    summary = getattr(pipeline, "summary", None)
    for line in summary(res) if summary else []:
        label, _, text = line.partition(" ") if line.startswith("ok ") else ("", "", line)
        output.info(text, label=label, style="green" if label else "")


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
