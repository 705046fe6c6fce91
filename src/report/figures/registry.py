"""A publication's figure registry (`figures.yml`, named by `report: figures:` in _quarto.yml)
read into `Spec` objects keyed by figure number, with the colours it gives its categories.

The registry belongs to the publication, not to the tool: `report figures`, `figures.plot(n)`
and the chapters' `figures.show(n)` use the registry of the project they run in, re-read when
the file changes.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_KNOWN = {
    "number", "label", "slug", "kind", "dataset", "title", "measure", "source", "noun", "unit",
    "same_as", "method",
}


class RegistryError(ValueError):
    """The figure registry file cannot be read or names something impossible."""


@dataclass(frozen=True)
class Spec:
    number: int
    label: str
    slug: str
    kind: str
    dataset: str | dict[str, str]
    title: str
    measure: str
    source: str
    noun: str = ""
    unit: str = "number"
    method: str = ""  # how the real values were made, for the book's Data and methods appendix
    # The publication prints Figures 1/3 and 2/17 twice; both numbers share one drawing.
    numbers: tuple[int, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def datasets(self) -> dict[str, str]:
        """Role -> resource name, also for single-dataset figures (role 'data')."""
        return dict(self.dataset) if isinstance(self.dataset, dict) else {"data": self.dataset}

    @property
    def stem(self) -> str:
        """File stem for exports: fig04-gva, fig01-fig03-map."""
        nums = "-".join(f"fig{n:02d}" for n in self.numbers)
        return f"{nums}-{self.slug}"

    def opt(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)


@dataclass(frozen=True)
class Registry:
    path: Path
    specs: dict[int, Spec]
    colours: dict[str, str]
    spoken: dict[str, str] = field(default_factory=dict)  # column -> how alt text names its categories


def _specs(rows: list[dict], path: Path) -> dict[int, Spec]:
    for i, r in enumerate(rows):
        missing = [k for k in ("number", "label") if k not in r]
        if missing:
            raise RegistryError(f"{path}: figure entry {i + 1} has no {', '.join(missing)}")
    primary = {r["number"]: r for r in rows if "same_as" not in r}
    repeats: dict[int, list[int]] = {}
    for r in rows:
        if "same_as" in r:
            if r["same_as"] not in primary:
                raise RegistryError(f"{path}: figure {r['number']} is same_as {r['same_as']}, which is not a figure")
            repeats.setdefault(r["same_as"], []).append(r["number"])
    specs: dict[int, Spec] = {}
    for r in rows:
        base = primary[r.get("same_as", r["number"])]
        missing = [k for k in ("slug", "kind", "dataset", "title", "measure", "source") if k not in base]
        if missing:
            raise RegistryError(f"{path}: figure {base['number']} has no {', '.join(missing)}")
        numbers = tuple(sorted([base["number"], *repeats.get(base["number"], [])]))
        specs[int(r["number"])] = Spec(
            number=int(r["number"]), label=str(r["label"]), slug=base["slug"], kind=base["kind"],
            dataset=base["dataset"], title=base["title"], measure=base["measure"], source=base["source"],
            noun=base.get("noun", ""), unit=base.get("unit", "number"), method=base.get("method", ""),
            numbers=numbers, options={k: v for k, v in base.items() if k not in _KNOWN},
        )
    return dict(sorted(specs.items()))


_cache: dict[Path, tuple[float, Registry]] = {}


def registry(root: Path | None = None) -> Registry:
    """The registry of the project at `root` (default: the current project)."""
    from report import project

    path = project.config(root).figures
    try:
        mtime = path.stat().st_mtime
    except OSError:
        raise RegistryError(f"{path}: no figure registry (name it under `report: figures:` in _quarto.yml)") from None
    hit = _cache.get(path)
    if hit and hit[0] == mtime:
        return hit[1]
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise RegistryError(f"{path}: invalid YAML: {exc}") from None
    rows = data.get("figures") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise RegistryError(f"{path}: expected a list under `figures:`")
    colours = data.get("colours") or {}
    if not isinstance(colours, dict):
        raise RegistryError(f"{path}: `colours:` must map category names to colours")
    spoken = data.get("spoken") or {}
    if not isinstance(spoken, dict) or not all("{}" in str(v) for v in spoken.values()):
        raise RegistryError(f"{path}: `spoken:` must map column names to phrases holding {{}}")
    reg = Registry(path, _specs(rows, path), {str(k): str(v) for k, v in colours.items()},
                   {str(k): str(v) for k, v in spoken.items()})
    _cache[path] = (mtime, reg)
    return reg


def colours() -> dict[str, str]:
    try:
        return registry().colours
    except Exception:  # noqa: BLE001 - outside a project (a test of the framework): house colours only
        return {}


def spoken() -> dict[str, str]:
    try:
        return registry().spoken
    except Exception:  # noqa: BLE001 - as colours()
        return {}


class _Current(Mapping):
    """`REGISTRY[n]`: the current project's specs, looked up when used."""

    def __getitem__(self, n: int) -> Spec:
        return registry().specs[n]

    def __iter__(self) -> Iterator[int]:
        return iter(registry().specs)

    def __len__(self) -> int:
        return len(registry().specs)


REGISTRY: Mapping[int, Spec] = _Current()


def spec(n: int | str) -> Spec:
    """Spec by figure number (4) or cross-reference label ('fig-gva')."""
    specs = registry().specs
    if isinstance(n, str) and not n.isdigit():
        for s in specs.values():
            if s.label == n:
                return s
        raise KeyError(f"no figure with label {n!r}; known: {', '.join(s.label for s in specs.values())}")
    try:
        return specs[int(n)]
    except KeyError:
        raise KeyError(f"no figure {n}; the registry has {', '.join(map(str, specs))}") from None


def unique_specs() -> list[Spec]:
    """One spec per distinct drawing (Figures 3 and 17 repeat 1 and 2)."""
    return [s for s in registry().specs.values() if s.number == s.numbers[0]]
