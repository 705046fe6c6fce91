"""Descriptors of the reconstructed figure datasets, key statistics and the good-work hierarchy."""
from __future__ import annotations


def other_resources() -> list[dict]:
    return []
