"""Two array helpers the per-question code shares: spans of a flat table, and distinct values."""

from __future__ import annotations

import numpy as np


def ranges(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The integers of each range [start, end), one range after the other, and their sizes."""
    sizes = ends - starts
    offsets = np.repeat(starts - np.cumsum(sizes) + sizes, sizes)
    return offsets + np.arange(int(sizes.sum())), sizes


def unique(values: np.ndarray) -> np.ndarray:
    """`np.unique` by sorting: for a thousand values 5 instead of 47 us, and 2 instead of 5 for
    fifty (numpy 2.4 hashes them)."""
    ordered = np.sort(values)
    keep = np.ones(len(ordered), dtype=bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]
