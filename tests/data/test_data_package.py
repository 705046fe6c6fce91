"""The package file is shared with other modules: rewriting ours must keep theirs in place."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from report.data.package import dumps, merge_resources, read_package, write_package
from breaking_the_cycle.spec import update_package


def test_merge_keeps_foreign_resources_in_place():
    pkg = {"resources": [{"name": "a", "v": 1}, {"name": "theirs", "v": 9}, {"name": "b", "v": 1}]}
    out = merge_resources(pkg, [{"name": "b", "v": 2}, {"name": "a", "v": 2}, {"name": "c", "v": 2}])
    assert [(r["name"], r["v"]) for r in out["resources"]] == [("a", 2), ("theirs", 9), ("b", 2), ("c", 2)]


def test_update_package_is_idempotent_and_keeps_others(project):
    path = project / "data" / "datapackage.json"
    pkg = read_package(project)
    foreign = {"name": "zz_other_module", "path": "zz.csv", "note": "not ours"}
    pkg["resources"].insert(2, foreign)
    write_package(pkg, project)
    update_package(project)
    after = json.loads(path.read_text(encoding="utf-8"))
    assert after["resources"][2] == foreign
    text = path.read_text(encoding="utf-8")
    update_package(project)
    assert path.read_text(encoding="utf-8") == text == dumps(after)


def test_vocabularies_follow_the_package_as_it_is_now(project):
    """vocabularies() parses the package once per content, not once per path: an edit is seen at
    the next call, and a missing or broken package gives none."""
    from report.data.vocab import vocabularies

    path = project / "data" / "datapackage.json"
    pkg = json.loads(path.read_text(encoding="utf-8"))
    first = vocabularies(project)["region"]
    assert first.values[0] == "North East" and first.totals == ("England",)
    pkg["vocabularies"]["region"]["values"] = ["London", *[v for v in first.values if v != "London"]]
    path.write_text(json.dumps(pkg), encoding="utf-8")
    assert vocabularies(project)["region"].values[0] == "London"
    path.write_text("{ not json", encoding="utf-8")
    assert vocabularies(project) == {}
    path.unlink()
    assert vocabularies(project) == {}


def test_the_shared_parse_is_left_as_the_file_says(project):
    """Every reader shares one parse of the package per content, so none of them may edit it:
    after validating, loading each resource with its facts, and writing the methods appendix,
    the shared parse still equals the file."""
    from report.data import facts, load, resource_names, validate_all
    from report.data.package import parsed, read_bytes
    from report.figures import methods

    shutil.copy2(Path(__file__).resolve().parents[2] / "figures.yml", project / "figures.yml")
    raw = read_bytes(project)
    validate_all(project)
    for name in resource_names(project):
        if name != "map_regions":
            load(name, project)
            facts(name, project)
    methods.figures_markdown(common="lsoa_classification")
    methods.statistics_markdown()
    assert parsed(raw) == json.loads(raw)
    assert parsed(read_bytes(project)) is parsed(raw)  # the same content: not parsed again
