"""Every subcommand outside a project, on a wrong --project, on an internal error, and with its
output read by a program (no wrapping off a terminal)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

COMMANDS = ["build", "preview", "validate", "data", "figures", "tables"]


@pytest.mark.parametrize("command", COMMANDS)
def test_outside_a_project(book, tmp_path, monkeypatch, command):
    from click.testing import CliRunner

    from report.cli import main

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = CliRunner().invoke(main, [command])
    assert result.exit_code == 2, result.output
    assert f"error: no _quarto.yml in {elsewhere} or any parent directory" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_project_option_without_a_book(book, tmp_path, command):
    from click.testing import CliRunner

    from report.cli import main

    result = CliRunner().invoke(main, [command, "--project", str(tmp_path), "-q"])
    assert result.exit_code == 2, result.output
    assert f"error: {tmp_path}: no _quarto.yml here" in result.output
    book.assert_book_unchanged()


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_takes_the_common_options(command):
    from click.testing import CliRunner

    from report.cli import main

    text = CliRunner().invoke(main, [command, "--help"]).output
    for option in ("--project", "-q, --quiet", "-v, --verbose"):
        assert option in text, (command, option)


def test_quiet_success_prints_nothing(book):
    result = book.run("validate", "-q")
    assert result.exit_code == 0 and result.output == ""


def test_an_internal_error_is_a_message_and_v_shows_the_traceback(book, monkeypatch):
    import report.data as data

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in report")

    monkeypatch.setattr(data, "validate_all", broken)
    plain = book.run("validate")
    assert plain.exit_code == 70
    assert "error: internal error in report (RuntimeError: a bug in report); run again with -v" in plain.output
    assert "Traceback" not in plain.output
    verbose = book.run("validate", "-v")
    assert verbose.exit_code == 70 and "Traceback (most recent call last)" in verbose.output
    book.assert_book_unchanged()


def test_messages_are_not_wrapped_when_read_by_a_program(book, tmp_path):
    """The test that failed on a fresh clone: a long temporary path pushed the message over 80
    columns and rich broke the line. Output to a pipe is never wrapped."""
    deep = tmp_path / ("a-very-long-directory-name-" * 4) / ("and-another-one-" * 4)
    deep.parent.mkdir(parents=True)
    book.root.rename(deep)
    cfg = deep / "_quarto.yml"
    cfg.write_text(cfg.read_text().replace('  title: "Hostile"\n', '  title: "Hostile\n'))
    env = {k: v for k, v in os.environ.items() if k not in ("QUARTO_PROJECT_DIR", "COLUMNS")}
    proc = subprocess.run([sys.executable, "-m", "report.cli", "build", "--project", str(deep), "--engine", "embedded"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    whole = f"error: {cfg}:"
    assert any(line.startswith(whole) and "invalid YAML" in line and line.rstrip().endswith("(while scanning a quoted scalar at line 4, "
                                                                  "column 10)") for line in lines), proc.stderr
    assert len(whole) > 200
