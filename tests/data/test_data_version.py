import shutil
from pathlib import Path

from report.data.version import data_files, data_version

REPO = Path(__file__).resolve().parents[2]


def copy_data(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    shutil.copytree(REPO / "data", root / "data", ignore=shutil.ignore_patterns("raw"))
    (root / "_quarto.yml").write_text("project: {type: book}\n", encoding="utf-8")
    return root


def test_version_is_stable_and_covers_every_resource(tmp_path):
    root = copy_data(tmp_path)
    names = {f.name for f in data_files(root)}
    assert {"datapackage.json", "fig16_childcare.csv", "key_statistics.csv", "map_regions.geojson"} <= names
    assert data_version(root) == data_version(root) == data_version(REPO)
    assert len(data_version(root)) == 12


def test_any_data_edit_changes_the_version(tmp_path):
    root = copy_data(tmp_path)
    before = data_version(root)
    path = root / "data" / "fig16_childcare.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",17", ",18", 1), encoding="utf-8")
    assert data_version(root) != before
