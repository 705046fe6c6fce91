"""`report build` runs the data package's validate_all(root) first, when the project has one."""
from __future__ import annotations

import importlib.machinery
import sys
import types

import pytest

from report.engine.build import validate_data
from report.engine.errors import BuildError


@pytest.fixture
def fake_data_module(monkeypatch):
    mod = types.ModuleType("report.data")
    mod.__spec__ = importlib.machinery.ModuleSpec("report.data", loader=None)

    class DataValidationError(ValueError):
        pass

    calls = []

    def validate_all(root):
        calls.append(root)
        if (root / "data" / "bad").exists():
            raise DataValidationError("data/tiny.csv row 3: jobs must be a number")

    mod.DataValidationError = DataValidationError
    mod.validate_all = validate_all
    monkeypatch.setitem(sys.modules, "report.data", mod)
    return calls


def test_validation_error_stops_the_build_with_its_message(tmp_path, fake_data_module):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "datapackage.json").write_text("{}")
    (tmp_path / "data" / "bad").write_text("")
    with pytest.raises(BuildError, match="data validation failed:\ndata/tiny.csv row 3: jobs must be a number"):
        validate_data(tmp_path)
    assert fake_data_module == [tmp_path]


def test_valid_data_passes_and_projects_without_a_data_package_skip(tmp_path, fake_data_module):
    validate_data(tmp_path)  # no data/datapackage.json: nothing to validate
    assert fake_data_module == []
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "datapackage.json").write_text("{}")
    validate_data(tmp_path)
    assert fake_data_module == [tmp_path]
