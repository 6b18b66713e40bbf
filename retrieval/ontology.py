"""What tag lookup takes from the site's ontology (archive/ontology.txt): which phrase names which
tag ('hay fever' => #hay_fever, 'c-section' => #caesarean) and which tags are one topic
(#chronic_kidney_disease = #CKD).

The ontology lives with the archive, not in the repo: the index build reads it when it is there
and stores this small extract in the index version, so lookup works the same wherever the index
is served.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ONTOLOGY_FILE = "ontology.txt"
_PHRASE_RULE = re.compile(r'^((?:"[^"]+"|/(?:[^/\\]|\\.)+/[a-z]*|\s)+)=>\s*#(\w+)$')
_EQUIVALENCE = re.compile(r"^#(\w+)\s*=\s*#(\w+)$")


def tag_key(tag: str) -> str:
    """'Omega-3', 'omega 3' and '#omega_3' are one tag."""
    return re.sub(r"[^a-z0-9]+", " ", tag.lower()).strip()


@dataclass(frozen=True)
class TagOntology:
    phrases: dict[str, str] = field(default_factory=dict)
    """Phrase key -> tag key."""
    equivalent: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Tag key -> the other tag keys of the same topic."""

    def tags_for(self, name: str) -> list[str]:
        """Tag keys a name can mean: itself, the tag its phrase names, and their equivalents."""
        key = tag_key(name)
        direct = list(dict.fromkeys(k for k in (key, self.phrases.get(key)) if k))
        return list(dict.fromkeys(direct + [e for k in direct for e in self.equivalent.get(k, ())]))

    def to_json(self) -> dict:
        equivalent = {k: list(v) for k, v in self.equivalent.items()}
        return {"phrases": self.phrases, "equivalent": equivalent}

    @classmethod
    def from_json(cls, data: dict) -> TagOntology:
        phrases = {str(k): str(v) for k, v in dict(data.get("phrases", {})).items()}
        groups = dict(data.get("equivalent", {}))
        equivalent = {str(k): tuple(map(str, v)) for k, v in groups.items()}
        return cls(phrases, equivalent)


def parse_ontology(text: str) -> TagOntology:
    """Phrase rules and equivalences; categories, associations and combinations are skipped."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    phrases: dict[str, str] = {}
    groups: dict[str, set[str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if m := _EQUIVALENCE.match(line):
            a, b = tag_key(m.group(1)), tag_key(m.group(2))
            merged = groups.get(a, {a}) | groups.get(b, {b})
            for key in merged:
                groups[key] = merged
        elif m := _PHRASE_RULE.match(line):
            for phrase in re.findall(r'"([^"]+)"', m.group(1)):
                phrases.setdefault(tag_key(phrase), tag_key(m.group(2)))
    equivalent = {k: tuple(sorted(g - {k})) for k, g in groups.items()}
    return TagOntology(phrases, equivalent)


def read_for_archive(archive: Path) -> TagOntology | None:
    """The ontology next to an archive folder (`.../archive/posts` -> `.../archive/ontology.txt`),
    or None when there is none."""
    path = Path(archive).resolve().parent / ONTOLOGY_FILE
    try:
        return parse_ontology(path.read_text("utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        return None
