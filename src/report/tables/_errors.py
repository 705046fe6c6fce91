"""Stand-in for `report.data.errors` while that module is not installed: same names, same message format."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    rule: str
    message: str
    row: int | None = None
    column: str | None = None
    value: object = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        if self.value is not None:
            where.append(f"value {self.value!r}")
        return f"{', '.join(where)}: {self.message} [rule: {self.rule}]"


class DataValidationError(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} data problem{'s' if n != 1 else ''} found:"
        super().__init__("\n".join([head, *(f"- {p}" for p in self.problems)]))
