"""The package file is shared with other modules: rewriting ours must keep theirs in place."""
from __future__ import annotations

import json

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
