"""Category vocabularies a publication declares in its data package.

    "vocabularies": {
      "area_type": {"values": ["Doubly disadvantaged", "Other deprived", "Non-deprived"],
                    "totals": ["All areas"]},
      "region": {"values": ["North East", ...], "totals": ["England"]}
    }

`values` are the categories in the order charts and tables show them (the first is the
publication's subject, drawn on top); `totals` are aggregate rows (England, All areas) that a
chart sets apart rather than drawing as one more category. The figure framework, the validator
and the chapters read the order from here, so a second publication brings its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Vocabulary:
    name: str
    values: tuple[str, ...]
    totals: tuple[str, ...] = ()

    @property
    def subject(self) -> str | None:
        return self.values[0] if self.values else None


def vocabularies(root: Path | None = None) -> dict[str, Vocabulary]:
    from .package import parsed, read_bytes

    try:
        pkg = parsed(read_bytes(root))
    except (OSError, ValueError):
        return {}
    found = pkg.get("vocabularies") if isinstance(pkg, dict) else None
    if not isinstance(found, dict):
        return {}
    return {name: Vocabulary(name, tuple(map(str, v["values"])), tuple(map(str, v.get("totals") or ())))
            for name, v in found.items() if isinstance(v, dict) and isinstance(v.get("values"), list)}


def vocabulary(name: str, root: Path | None = None) -> Vocabulary | None:
    return vocabularies(root).get(name)
