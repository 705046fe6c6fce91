"""A generated book k times the size of the real one, for the scale benchmark (run.py).

    python benchmarks/scale.py PROJECT K     # turns the scratch copy PROJECT into a k-fold book

Copy c (2..k) of the book is every chapter again (index, chapters and appendices) under
`chapters/c<c>/`, drawing its own copies of the 17 figures from its own copies of every dataset
(`<name>_c<c>.csv`, declared in the data package and validated like the originals), with every
label, cross-reference and figure number moved out of the way of the other copies. So a 5-fold
book has 70 chapters, 85 charts and five times the data, and builds through exactly the code the
real book does. The Data and methods appendix of each copy describes its own copy's figures only
(each would otherwise list all of them, and the book would grow faster than k-fold).
"""
from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import yaml

FIGURES = 17  # figures in the real book's registry


def _suffix_text(text: str, c: int, names: list[str], offset: int) -> str:
    sfx = f"-c{c}"
    # Figure numbers in code: figures.show(16) -> figures.show(16 + offset)
    text = re.sub(r"\bfigures\.(show|plot|alt_text|figure_data|spec)\((\d+)",
                  lambda m: f"figures.{m.group(1)}({int(m.group(2)) + offset}", text)
    # Labels, ids and the references to them.
    text = re.sub(r"^(#\|\s*label:\s*)([\w-]+)", lambda m: m.group(1) + m.group(2) + sfx, text, flags=re.M)
    text = re.sub(r"\{[^{}\n]*\}", lambda b: re.sub(r"(?<=[{\s])#([A-Za-z][\w-]*)",
                                                     lambda m: "#" + m.group(1) + sfx, b.group(0)), text)
    text = re.sub(r"(?<![\w@])@((?:fig|sec|tbl)-[\w-]*\w)", lambda m: "@" + m.group(1) + sfx, text)
    text = re.sub(r"\]\(#([\w-]+)\)", lambda m: "](#" + m.group(1) + sfx + ")", text)
    # Datasets read by name.
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(rf"""(["']){re.escape(name)}\1""", lambda m: f"{m.group(1)}{name}_c{c}{m.group(1)}", text)
    return text


_HELPER = "_bench_figures_markdown"


def _methods_for_copy(text: str, lo: int, hi: int) -> str:
    """The Data and methods appendix lists only figures lo..hi: its call to
    methods.figures_markdown(...) goes to a copy of it, defined just above, that filters."""
    text = re.sub(rf"^def {_HELPER}\(.*?\n\n", "", text, flags=re.M | re.S)
    helper = (f"def {_HELPER}(common=None, common_note=\"\"):\n"
              f"    return \"\\n\".join(methods.figure_entry(s, common, common_note)\n"
              f"                     for s in methods.unique_specs() if {lo} <= s.number <= {hi})\n\n")
    if f"{_HELPER}(" not in text:
        text = re.sub(r"^(print\()methods\.figures_markdown\(", lambda m: helper + m.group(1) + _HELPER + "(",
                      text, count=1, flags=re.M)
    else:
        text = re.sub(rf"^(print\({_HELPER}\()", lambda m: helper + m.group(1), text, count=1, flags=re.M)
    return text


def make(project: Path, k: int) -> dict[str, int]:
    """Grow the copy of the book in `project` to k copies; returns its chapter, chart and data counts."""
    project = Path(project)
    config_path = project / "_quarto.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    book = config["book"]
    pkg_path = project / "data" / "datapackage.json"
    pkg = json.loads(pkg_path.read_text(encoding="utf-8"))
    originals = list(pkg["resources"])
    names = [r["name"] for r in originals]
    reg_path = project / (((config.get("report") or {}).get("figures")) or "figures.yml")
    registry = yaml.safe_load(reg_path.read_text(encoding="utf-8"))
    figures = list(registry["figures"])
    chapters = [c for c in book["chapters"] if isinstance(c, str)]
    appendices = list(book.get("appendices") or [])

    # The original's own Data and methods appendix lists its 17 figures only, like each copy.
    for rel in chapters + appendices:
        path = project / rel
        text = path.read_text(encoding="utf-8")
        if "methods.figures_markdown(" in text:
            path.write_text(_methods_for_copy(text, 1, FIGURES), encoding="utf-8")

    for c in range(2, k + 1):
        offset = FIGURES * (c - 1)
        for res in originals:
            copy = json.loads(json.dumps(res))
            copy["name"] = f"{res['name']}_c{c}"
            src = project / "data" / res["path"]
            stem, dot, ext = res["path"].rpartition(".")
            copy["path"] = f"{stem}_c{c}{dot}{ext}"
            shutil.copy2(src, project / "data" / copy["path"])
            if "figure" in res:
                fig = res["figure"]
                copy["figure"] = [n + offset for n in fig] if isinstance(fig, list) else fig + offset
            pkg["resources"].append(copy)
        for spec in figures:
            copy = dict(spec)
            copy["number"] = spec["number"] + offset
            copy["label"] = f"{spec['label']}-c{c}"
            if "slug" in spec:
                copy["slug"] = f"{spec['slug']}-c{c}"
            if "same_as" in spec:
                copy["same_as"] = spec["same_as"] + offset
            if "dataset" in spec:
                ds = spec["dataset"]
                # The map's region outlines are read by that exact name (figures.data), so every
                # copy draws them from the original; the copies of the file are validated data.
                copy["dataset"] = ({r: n if n == "map_regions" else f"{n}_c{c}" for r, n in ds.items()}
                                   if isinstance(ds, dict) else f"{ds}_c{c}")
            registry["figures"].append(copy)
        added = []
        for rel in chapters + appendices:
            text = (project / rel).read_text(encoding="utf-8")
            text = _suffix_text(text, c, names, offset)
            text = _methods_for_copy(text, offset + 1, offset + FIGURES)
            dest = project / "chapters" / f"c{c}" / Path(rel).name
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(text, encoding="utf-8")
            added.append(dest.relative_to(project).as_posix())
        book["chapters"] = list(book["chapters"]) + added

    pkg_path.write_text(json.dumps(pkg, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    reg_path.write_text(yaml.safe_dump(registry, sort_keys=False, allow_unicode=True), encoding="utf-8")
    config_path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    data_bytes = sum(p.stat().st_size for p in (project / "data").iterdir() if p.is_file())
    return {"chapters": len(book["chapters"]) + len(appendices), "charts": len(registry["figures"]),
            "data_bytes": data_bytes}


if __name__ == "__main__":
    print(json.dumps(make(Path(sys.argv[1]), int(sys.argv[2]))))
