"""Problems found in data files, and the error that carries them.

Every problem names the file, the 1-based line in the CSV (header = line 1), the column, the
offending value and the rule broken, so a reader can open the file and fix it without reading code.
"""
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
    """One or more data files break the data package's contract; `problems` lists every one."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} data problem{'s' if n != 1 else ''} found:"
        super().__init__("\n".join([head, *(f"- {p}" for p in self.problems)]))


class RawInputError(DataValidationError):
    """A raw input is missing or is not the file the manifest describes."""
