from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from report.figures.cli import figures as figures_cmd

from fig_support import needs_real_data


@needs_real_data
def test_export_writes_all_formats_deterministically(tmp_path):
    runner = CliRunner()
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        res = runner.invoke(figures_cmd, ["--out", str(out), "--only", "4", "--only", "14", "--only", "3"])
        assert res.exit_code == 0, res.output
    names = sorted(p.name for p in a.iterdir())
    for stem in ("fig04-gva", "fig14-health", "fig01-fig03-map"):
        for ext in ("svg", "png", "pdf", "csv"):
            assert f"{stem}.{ext}" in names
    assert (a / "fig04-gva.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for p in a.iterdir():
        if p.suffix in (".svg", ".pdf", ".csv"):
            assert p.read_bytes() == (b / p.name).read_bytes(), f"{p.name} differs between runs"
    assert b"CreationDate" not in (a / "fig04-gva.pdf").read_bytes()
    df = pd.read_csv(a / "fig04-gva.csv")
    assert list(df.columns) == ["area_type", "year", "gva_per_capita_gbp", "provenance"]


def test_unknown_figure_is_a_usage_error(tmp_path):
    res = CliRunner().invoke(figures_cmd, ["--out", str(tmp_path), "--only", "42"])
    assert res.exit_code == 2 and "no figure 42" in res.output
