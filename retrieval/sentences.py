"""Sentence splitting tuned for study abstracts (abbreviations, decimals, 'et al.')."""

from __future__ import annotations

import re

_SPLIT_RE = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"')\]]))\s+(?=[\"'(\[]?[A-Z0-9])")
_ABBREV_END_RE = re.compile(
    r"(?:\bet al|\be\.g|\bi\.e|\bvs|\bDrs?|\bProf|\bFigs?|\bNo|\bapprox|\bca|\bcf|\bRefs?|\bVol"
    r"|\bSt|\bMrs?|\bJr|\bInc|\bLtd)\.$"
)
_ABBREV_TAIL = 12
"""Characters at a piece's end that can hold an abbreviation and the boundary before it."""


def split_sentences(text: str) -> list[str]:
    """Split text into sentences; each input line is split independently."""
    out: list[str] = []
    for line in text.split("\n"):
        merged: list[str] = []
        for piece in _SPLIT_RE.split(line.strip()):
            if merged and _ABBREV_END_RE.search(merged[-1][-_ABBREV_TAIL:]):
                merged[-1] = f"{merged[-1]} {piece}"
            else:
                merged.append(piece)
        out.extend(p.strip() for p in merged if p.strip())
    return out
