"""The figure registry: `registry.yaml` read into `Spec` objects, keyed by figure number."""
from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

_KNOWN = {
    "number", "label", "slug", "kind", "dataset", "title", "measure", "source", "noun", "unit",
    "same_as", "method",
}


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


def _load() -> dict[int, Spec]:
    text = resources.files(__package__).joinpath("registry.yaml").read_text(encoding="utf-8")
    rows = yaml.safe_load(text)["figures"]
    primary = {r["number"]: r for r in rows if "same_as" not in r}
    repeats: dict[int, list[int]] = {}
    for r in rows:
        if "same_as" in r:
            repeats.setdefault(r["same_as"], []).append(r["number"])
    specs: dict[int, Spec] = {}
    for r in rows:
        base = primary[r.get("same_as", r["number"])]
        numbers = tuple(sorted([base["number"], *repeats.get(base["number"], [])]))
        specs[r["number"]] = Spec(
            number=r["number"],
            label=r["label"],
            slug=base["slug"],
            kind=base["kind"],
            dataset=base["dataset"],
            title=base["title"],
            measure=base["measure"],
            source=base["source"],
            noun=base.get("noun", ""),
            unit=base.get("unit", "number"),
            method=base.get("method", ""),
            numbers=numbers,
            options={k: v for k, v in base.items() if k not in _KNOWN},
        )
    return dict(sorted(specs.items()))


REGISTRY: dict[int, Spec] = _load()


def spec(n: int | str) -> Spec:
    """Spec by figure number (4) or cross-reference label ('fig-gva')."""
    if isinstance(n, str) and not n.isdigit():
        for s in REGISTRY.values():
            if s.label == n:
                return s
        raise KeyError(f"no figure with label {n!r}; known: {', '.join(s.label for s in REGISTRY.values())}")
    try:
        return REGISTRY[int(n)]
    except KeyError:
        raise KeyError(f"no figure {n}; the registry has {', '.join(map(str, REGISTRY))}") from None


def unique_specs() -> list[Spec]:
    """One spec per distinct drawing (Figures 3 and 17 repeat 1 and 2)."""
    return [s for s in REGISTRY.values() if s.number == s.numbers[0]]
