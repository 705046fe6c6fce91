"""The `report` command line.

Each subcommand lives in the module that owns its work; this file only wires them up, lazily,
so that `report --help` stays fast and one broken module does not take down the others.
"""
from __future__ import annotations

import importlib

import click

# name -> ("module:attribute" of a click.Command, one-line help shown by `report --help`)
COMMANDS = {
    "build": ("report.engine.cli:build", "Build the book: HTML and PDF into _book/."),
    "preview": ("report.preview.cli:preview", "Serve the HTML locally and rebuild on every save."),
    "data": ("report.data.cli:data", "Run the project's data pipeline: raw files -> data/."),
    "validate": ("report.data.cli:validate", "Validate every dataset against the data package."),
    "figures": ("report.figures.cli:figures", "Export every figure as SVG, PNG, PDF and CSV."),
    "tables": ("report.tables.cli:tables", "Render a table the project declares, for inspection."),
    "new": ("report.new_cli:new", "Start a new publication in a directory."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        module, attr = COMMANDS[name][0].split(":")
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx, formatter):
        # Listing must not import every module: help stays fast and works even if one is broken.
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][1]) for name in self.list_commands(ctx)])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="breaking-the-cycle-report")
def main():
    """Build a publication from its data: HTML and PDF, figures, tables."""


if __name__ == "__main__":  # pragma: no cover
    main()
