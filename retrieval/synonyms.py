"""Synonym rules kept in the repo (synonyms.txt): chat shorthand, abbreviations, languages."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

RULES_FILE = Path(__file__).with_name("synonyms.txt")
_RULE_RE = re.compile(r'^((?:"[^"]+"\s*)+)=>\s*"([^"]+)"\s*$')


@lru_cache(maxsize=1)
def rules() -> tuple[re.Pattern[str], dict[str, str], dict[str, int]]:
    """One pattern matching any alias (longest first, so 'type 2 diabetes' beats 'type 2'),
    the phrase for each lower-cased alias, and each alias's priority (longest first)."""
    phrases: dict[str, str] = {}
    text = re.sub(r"/\*.*?\*/", "", RULES_FILE.read_text("utf-8"), flags=re.S)
    for line in text.splitlines():
        m = _RULE_RE.match(line.strip())
        if m:
            for alias in re.findall(r'"([^"]+)"', m.group(1)):
                phrases.setdefault(alias.lower(), m.group(2))
    aliases = sorted(phrases, key=len, reverse=True)
    pattern = re.compile(rf"(?<![\w-])(?:{'|'.join(map(re.escape, aliases))})(?![\w-])", re.I)
    return pattern, phrases, {a: i for i, a in enumerate(aliases)}


def expansions(text: str) -> list[str]:
    """Phrases the archive uses for words in `text` (each once, longest alias first)."""
    pattern, phrases, priority = rules()
    lowered = text.lower()
    best: dict[str, int] = {}
    for m in pattern.finditer(text):
        alias = m.group(0).lower()
        phrase = phrases[alias]
        if phrase.lower() not in lowered:
            best[phrase] = min(best.get(phrase, priority[alias]), priority[alias])
    return sorted(best, key=best.__getitem__)
