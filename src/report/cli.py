"""The `report` command line.

Each subcommand lives in the module that owns its work; this file only wires them up, lazily,
so that `report --help` stays fast and one broken module does not take down the others.
"""
from __future__ import annotations

import importlib

import click

# name -> "module:attribute" of a click.Command
COMMANDS = {
    "build": "report.engine.cli:build",
    "preview": "report.preview.cli:preview",
    "data": "report.data.cli:data",
    "validate": "report.data.cli:validate",
    "figures": "figures.cli:figures",
    "tables": "report.tables.cli:tables",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="breaking-the-cycle-report")
def main():
    """Build 'Breaking the cycle' from its data: HTML and PDF, figures, tables."""


if __name__ == "__main__":  # pragma: no cover
    main()
