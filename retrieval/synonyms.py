"""Synonym rules kept in the repo (synonyms.txt): chat shorthand, abbreviations, languages."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

RULES_FILE = Path(__file__).with_name("synonyms.txt")
_RULE_RE = re.compile(r'^((?:"[^"]+"\s*)+)=>\s*"([^"]+)"\s*$')


@lru_cache(maxsize=1)
def rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    """(alias pattern, phrase) pairs; longer aliases first so 'type 2 diabetes' beats 'type 2'."""
    pairs: list[tuple[str, str]] = []
    text = re.sub(r"/\*.*?\*/", "", RULES_FILE.read_text("utf-8"), flags=re.S)
    for line in text.splitlines():
        m = _RULE_RE.match(line.strip())
        if m:
            pairs += [(alias, m.group(2)) for alias in re.findall(r'"([^"]+)"', m.group(1))]
    pairs.sort(key=lambda p: -len(p[0]))
    return tuple(
        (re.compile(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", re.I), phrase)
        for alias, phrase in pairs
    )


def expansions(text: str) -> list[str]:
    """Phrases the archive uses for words in `text` (each once, in rule order)."""
    found: list[str] = []
    for pattern, phrase in rules():
        if pattern.search(text) and phrase not in found and phrase.lower() not in text.lower():
            found.append(phrase)
    return found
