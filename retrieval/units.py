"""Dose and blood-level units: people write mcg, nmol/L, '10k', weekly; posts say IU, ng/ml, daily.

`equivalents(text)` returns the same quantities in the archive's usual units, for query expansion
and for recognising the numbers a question asked about in a post's sentences.
"""

from __future__ import annotations

import re

IU_PER_MCG = 40
NMOL_PER_NG = 2.5

_NUM = r"(\d{1,3}(?:[,.\s]\d{3})+|\d+(?:\.\d+)?)\s*(k\b)?"
_DOSE_RE = re.compile(
    _NUM + r"\s*(iu|i\.u\.|ie|ui|units?|mcg|µg|ug|micrograms?|mg)?\b"
    r"(?:\s*(?:a|per|/|each|every|once a|x)?\s*(daily|day|weekly|week|monthly|month)\b)?",
    re.I,
)
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


def iu_amounts(text: str) -> list[tuple[float, str | None]]:
    """(IU, period) for every dose in the text; mcg/mg converted, '10k' read as 10,000."""
    out: list[tuple[float, str | None]] = []
    for m in _DOSE_RE.finditer(text):
        digits, kilo, unit, period = m.groups()
        unit = (unit or "").lower()
        if not unit and not kilo:
            continue
        value = _number(digits, kilo)
        if unit in ("mcg", "µg", "ug", "microgram", "micrograms"):
            value *= IU_PER_MCG
        elif unit == "mg":
            value *= 1000 * IU_PER_MCG
        out.append((value, (period or "").lower() or None))
    return out


def ng_levels(text: str) -> list[float]:
    """Blood levels in ng/ml (nmol/L divided by 2.5)."""
    levels = []
    for m in _LEVEL_RE.finditer(text):
        digits, kilo, unit = m.groups()
        value = _number(digits, kilo)
        levels.append(value / NMOL_PER_NG if unit.lower().startswith("nm") else value)
    return levels


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


def number_forms(text: str) -> set[str]:
    """Spellings of the question's quantities to look for in a post ('4000', '4,000', '20 ng')."""
    forms: set[str] = set()
    for iu, _ in iu_amounts(text):
        forms |= {f"{round(iu)}", f"{round(iu):,}"}
    for ng in ng_levels(text):
        forms |= {f"{ng:g} ng", f"{ng * NMOL_PER_NG:g} nmol"}
    return {f for f in forms if len(f) >= 2}
