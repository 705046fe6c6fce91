"""Loading and validating the report's data package; the raw -> derived pipeline lives in `pipeline`."""
from __future__ import annotations

from .errors import DataValidationError, Problem

__all__ = ["DataValidationError", "Problem"]
