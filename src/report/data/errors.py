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
            where.append(f"column '{shown(self.column, quote=False)}'")
        if self.value is not None:
            where.append(f"value {shown(self.value)}")
        return f"{', '.join(where)}: {self.message} [rule: {self.rule}]"


MAX_SHOWN_CHARS = 120


def plain(value: object) -> object:
    """A numpy scalar pandas handed over as the Python value it holds (its repr is the number,
    1600772, not np.int64(1600772)); anything else as it is."""
    if type(value).__module__ == "numpy" and callable(getattr(value, "item", None)):
        return value.item()
    return value


def shown(value: object, quote: bool = True) -> str:
    """A value from a data file as it may be printed: control characters escaped (a NUL byte
    must not reach the terminal), and cut short when long (a 100 KB cell is no message)."""
    value = plain(value)
    text = repr(value) if quote else repr(str(value))[1:-1]
    if len(text) > MAX_SHOWN_CHARS:
        length = len(value) if isinstance(value, (str, bytes)) else len(text)
        text = f"{text[:MAX_SHOWN_CHARS]}… ({length:,} characters)"
    return text


class DataValidationError(ValueError):
    """One or more data files break the data package's contract; `problems` lists every one."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} data problem{'s' if n != 1 else ''} found:"
        super().__init__("\n".join([head, *(f"- {p}" for p in self.problems)]))


class RawInputError(DataValidationError):
    """A raw input is missing or is not the file the manifest describes."""
