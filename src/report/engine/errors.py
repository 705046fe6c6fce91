"""The one exception type the CLI turns into a readable message and a non-zero exit."""
from __future__ import annotations


class BuildError(Exception):
    """A problem in the book's sources or tools, described for the person who wrote them."""
