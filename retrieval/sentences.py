"""Sentence splitting tuned for study abstracts (abbreviations, decimals, 'et al.')."""

from __future__ import annotations

import re

_BOUNDARY_RE = re.compile(
    r"[.!?][\"')\]\u201d\u2019]?(?:\s?\[\d{1,3}(?:\s*[,–-]\s*\d{1,3})*\])?"
    r"(\s+)(?=[\"'(\[\u201c\u2018]?[A-Z0-9])"
)
"""End punctuation (maybe closing a quote, straight or curly, or a bracket, and maybe followed by
a reference marker: '...et al. [29] The causes'), the space after it (group 1), and a capital or
digit next. Starting at the punctuation, not at lookbehinds, lets the regex engine skip to
candidates instead of testing every position (splitting takes 2.5x less time)."""
_ABBREV_END_RE = re.compile(
    r"(?:\bet al|\be\.g|\bi\.e|\bvs|\bDrs?|\bProf|\bFigs?|\bNo|\bapprox|\bca|\bcf|\bRefs?|\bVol"
    r"|\bSt|\bMrs?|\bJr|\bInc|\bLtd|\bfigs?|\bpp"
    r"|\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec))\.$"
)
"""A piece ending in an abbreviation goes on in the next ('Fig. 2', 'fig. 3', 'pp. 12', 'Feb.
2014'): the boundary after it is none."""
_CLOSED = ".!?:;"
"""A line ending in one of these is not continued by the next."""
_OPEN_END_RE = re.compile(
    r"\b(?:the|a|an|of|to|in|into|for|with|and|or|nor|but|against|by|on|at|from|than|as|between"
    r"|among|versus|vs|whose|which|that|is|are|was|were|be|been|had|has|have|their|its|his|her"
    r"|our|this|these|those|per|via|after|before|during|without|within)$"
)
"""An English word no sentence ends with (articles, prepositions, conjunctions, auxiliaries), in
lower case ('vitamin A' may end a title): a line ending in one goes on in the next, whatever the
next begins with."""
LIST_MARKS = "-*•►▪◦‣●■→–>"
LIST_MARK_RE = re.compile(rf"^[{re.escape(LIST_MARKS)}]\s+")
"""A list item's bullet, or a quoted line's mark, before its text: not part of a sentence."""
_ABBREV_TAIL = 12
"""Characters at a piece's end that can hold an abbreviation and the boundary before it."""


def split_sentences(text: str) -> list[str]:
    """Split text into sentences (`split_paragraphs`, one after another)."""
    return [sentence for paragraph in split_paragraphs(text) for sentence in paragraph]


def split_paragraphs(text: str) -> list[list[str]]:
    """The sentences of each paragraph or list item of `text`: each input line is split
    independently, after a line is joined to the one before it when it goes on with that one's
    sentence (`continues`: 'lower than in' / 'men'): text wrapped at a fixed width (pasted from
    PDFs) and lists that run on from their lead-in would otherwise quote halves. A line with no
    sentence gives none."""
    out: list[list[str]] = []
    for line in _unwrapped(text):
        merged: list[str] = []
        for piece in _pieces(line):
            if merged and _ABBREV_END_RE.search(merged[-1][-_ABBREV_TAIL:]):
                merged[-1] = f"{merged[-1]} {piece}"
            else:
                merged.append(piece)
        paragraph = [p.strip() for p in merged if p.strip()]
        if paragraph:
            out.append(paragraph)
    return out


def continues(last: str, line: str) -> bool:
    """Whether `line` goes on with the sentence the line before it (`last`) left open (both
    stripped): `last` ends in a word no sentence ends with; or `line` starts in lower case and
    `last` ends without closing punctuation, or, when `line` is a list item, with a comma or
    semicolon, or with a colon when the item itself ends as a part of a sentence does (comma,
    semicolon, full stop). So a list that runs on from its lead-in ('related to raised PTH,' /
    '- higher blood pressure, and' / '- insulin resistance.'; 'Risks were:' / '- falls;') is one
    sentence, and a list of points ('Key points:' / '- did not prevent bone loss') or of bare
    items ('Risk factors' / '- obesity' / '- dark skin') stays a list."""
    if not (line and last):
        return False
    if _OPEN_END_RE.search(last[-12:]):
        return True
    mark = LIST_MARK_RE.match(line)
    if mark is None:
        return line[0].islower() and last[-1] not in _CLOSED
    if not line[mark.end() : mark.end() + 1].islower():
        return False
    return last[-1] in ",;" or (last[-1] == ":" and line[-1] in ",;.")


def _unwrapped(text: str) -> list[str]:
    lines: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if lines and continues(lines[-1], line):
            lines[-1] = f"{lines[-1]} {LIST_MARK_RE.sub('', line)}"
        else:
            lines.append(line)
    return lines


def _pieces(line: str) -> list[str]:
    """The line cut at every sentence boundary (the space between sentences dropped)."""
    pieces, start = [], 0
    for m in _BOUNDARY_RE.finditer(line):
        pieces.append(line[start : m.start(1)])
        start = m.end(1)
    pieces.append(line[start:])
    return pieces
