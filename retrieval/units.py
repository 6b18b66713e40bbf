"""Dose and blood-level units: people write mcg, nmol/L, '10k', weekly; posts say IU, ng/ml, daily.

`equivalents(text)` returns the same quantities in the archive's usual units, for query expansion
and for recognising the numbers a question asked about in a post's sentences; `in_archive_units`
states them for the reader.
"""

from __future__ import annotations

import re
from typing import NamedTuple

IU_PER_MCG = 40
NMOL_PER_NG = 2.5

_NUM = r"(\d{1,3}(?:[,.\s]\d{3})+|\d+(?:\.\d+)?)\s*(k\b)?"
_DOSE_RE = re.compile(
    _NUM + r"\s*(iu|i\.u\.|ie|ui|units?|mcg|µg|ug|micrograms?|mg)?\b"
    r"(?:\s*(?:a|per|/|each|every|once a|x)?\s*(daily|day|weekly|week|monthly|month)\b)?",
    re.I,
)
_VITAMIN_D = r"(?:vitamin|vit\.?)\s*d[23]?|d[23]|cholecalciferol|ergocalciferol|calcifediol"
_D_AFTER = re.compile(rf"\s*(?:of\s+)?(?:{_VITAMIN_D})\b", re.I)
_D_BEFORE = re.compile(rf"\b(?:{_VITAMIN_D})\s*(?:[:=,(]\s*)?$", re.I)
"""A milligram amount counts as vitamin D only when these words stand right next to it."""
_LEVEL_RE = re.compile(_NUM + r"\s*(ng/ml|ng/dl|ng|nmol/l|nmol|nm)\b", re.I)


def _number(digits: str, kilo: str | None) -> float:
    value = float(re.sub(r"[,\s]", "", digits)) if re.search(r"[,\s]\d{3}\b", digits) else None
    if value is None:
        # '1.000' is a thousands separator in German; '2.5' is a decimal.
        value = (
            float(digits.replace(".", ""))
            if re.fullmatch(r"\d{1,3}\.\d{3}", digits)
            else float(digits)
        )
    return value * 1000 if kilo else value


def _fmt(value: float) -> str:
    return f"{round(value):,}" if value >= 1000 else f"{value:g}"


def _names_vitamin_d(text: str, start: int, end: int) -> bool:
    """Whether the amount at text[start:end] is tied to vitamin D ('1.25 mg vitamin D3',
    'vitamin D: 1.25 mg'), as opposed to 500 mg of calcium or magnesium."""
    return bool(_D_AFTER.match(text, end) or _D_BEFORE.search(text, 0, start))


class Amount(NamedTuple):
    """A dose or blood level of the text: as written, and in the archive's unit."""

    written: float
    unit: str
    """'IU', 'mcg' or 'mg' for a dose; 'ng/ml' or 'nmol/L' for a level."""
    value: float
    archive_unit: str
    """What the archive states it in: 'IU' for a dose, 'ng/ml' for a level."""
    period: str | None = None


_MCG_UNITS = ("mcg", "µg", "ug", "microgram", "micrograms")


def doses(text: str) -> list[Amount]:
    """Every dose in the text; '10k' read as 10,000; mcg converted (vitamin D is the
    microgram-dosed nutrient people ask about), mg only when tied to vitamin D."""
    out: list[Amount] = []
    for m in _DOSE_RE.finditer(text):
        digits, kilo, unit, period = m.groups()
        unit = (unit or "").lower()
        if not unit and not kilo:
            continue
        if unit == "mg" and not _names_vitamin_d(text, m.start(), m.end(3)):
            continue
        written = _number(digits, kilo)
        if unit in _MCG_UNITS:
            unit, value = "mcg", written * IU_PER_MCG
        elif unit == "mg":
            value = written * 1000 * IU_PER_MCG
        else:
            unit, value = "IU", written
        out.append(Amount(written, unit, value, "IU", (period or "").lower() or None))
    return out


def levels(text: str) -> list[Amount]:
    """Every blood level in the text (nmol/L divided by 2.5 for ng/ml)."""
    out: list[Amount] = []
    for m in _LEVEL_RE.finditer(text):
        digits, kilo, unit = m.groups()
        written = _number(digits, kilo)
        if unit.lower().startswith("nm"):
            out.append(Amount(written, "nmol/L", written / NMOL_PER_NG, "ng/ml"))
        else:
            out.append(Amount(written, "ng/ml", written, "ng/ml"))
    return out


def iu_amounts(text: str) -> list[tuple[float, str | None]]:
    """(IU, period) for every dose in the text (`doses`)."""
    return [(d.value, d.period) for d in doses(text)]


def ng_levels(text: str) -> list[float]:
    """Blood levels in ng/ml."""
    return [level.value for level in levels(text)]


def equivalents(text: str) -> list[str]:
    """The question's quantities restated in IU, IU daily and ng/ml."""
    found: list[str] = []
    for iu, period in iu_amounts(text):
        found.append(f"{_fmt(iu)} IU")
        if period in ("week", "weekly"):
            found.append(f"{_fmt(iu / 7)} IU daily")
        elif period in ("month", "monthly"):
            found.append(f"{_fmt(iu / 30)} IU daily")
    for ng in ng_levels(text):
        found.append(f"{_fmt(ng)} ng/ml")
    return [f for f in dict.fromkeys(found) if f.lower() not in text.lower()]


def in_archive_units(text: str) -> list[str]:
    """The question's amounts that are written in units the archive seldom uses, each with its
    value in the archive's ('50 mcg = 2,000 IU', '125 nmol/L = 50 ng/ml'): the posts quote IU and
    ng/ml, so someone who asks in micrograms or nmol/L can read them (and 'how many IU in 50
    mcg?' is answered by the conversion itself, which no post states)."""
    return list(
        dict.fromkeys(
            f"{_fmt(a.written)} {a.unit} = {_fmt(a.value)} {a.archive_unit}"
            for a in (*doses(text), *levels(text))
            if a.unit != a.archive_unit
        )
    )


def number_forms(text: str) -> set[str]:
    """Spellings of the question's quantities to look for in a post ('4000', '4,000', '20 ng')."""
    forms: set[str] = set()
    for iu, _ in iu_amounts(text):
        forms |= {f"{round(iu)}", f"{round(iu):,}"}
    for ng in ng_levels(text):
        forms |= {f"{ng:g} ng", f"{ng * NMOL_PER_NG:g} nmol"}
    return {f for f in forms if len(f) >= 2}
