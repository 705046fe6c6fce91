"""Embedded render engine: renders the Quarto book with pandoc, Jupyter and Typst (`report build`)."""
from .errors import BuildError

__all__ = ["BuildError"]
