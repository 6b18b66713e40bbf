"""Questions that sound like an emergency: too much taken, a poisoning, someone in danger now.

Studies cannot help in time, so both front ends first say where help is (`Answer.urgent`). The
patterns are written from how people describe such moments, not from any question set, and they
change nothing that is searched or shown: a question that only asks about toxicity ("is 10,000 IU
toxic?") is not urgent.
"""

from __future__ import annotations

import re

_SOMEONE = r"\b(?:i|i've|i have|we|he|she|they|(?:my|our) \w+(?: \w+)?)\b"
"""Someone in particular (not 'people', 'you'): it happened to them."""
_URGENT = re.compile(
    rf"{_SOMEONE}[^.?!]{{0,20}}\b(?:took|taken|swallowed|ate|drank|gave|given|had)\b[^.?!]{{0,40}}"
    r"\b(?:by (?:mistake|accident)|too much|too many|whole (?:bottle|pack|box)"
    r"|entire (?:bottle|pack|box)|all (?:the|of the|her|his|my) (?:pills|tablets|capsules|drops))"
    r"|\baccidentally (?:took|taken|swallowed|ate|drank|gave|given)\b|\boverdosed\b"
    r"|\b(?:was|were|been|got) poisoned\b"
    r"|\b(?:can'?t|cannot|unable to) breathe\b|\bchest pains?\b|\bunconscious\b|\bpassed out\b"
    r"|\bnot (?:waking up|breathing)\b|\b(?:am i|is (?:she|he|my \w+)) (?:going to die|dying)\b"
    r"|\b(?:i'm|im|i am|i feel|feeling) suicidal\b|\bkill myself\b|\bend my (?:own )?life\b"
    r"|\bself[- ]harm(?:ing)?\b"
)
"""Too much taken by someone in particular, a poisoning, breathing or chest pain, someone not
waking, or thoughts of suicide: what needs help now. Asking whether one can overdose, or how
toxicity or suicide risk relate to vitamin D, is a question for the archive."""


_ACCIDENT_ELSEWHERE = re.compile(
    r"\b(?:aus versehen|versehentlich|überdosiert|por error|por equivocación|por accidente"
    r"|sin querer|accidentalmente|par erreur|par accident|accidentellement|per errore|per sbaglio"
    r"|per incidente|por engano|acidentalmente|per ongeluk|per vergissing|przez pomyłkę"
    r"|przypadkowo|przedawkował\w*)\b"
)
"""'By mistake', 'by accident' and 'overdosed' in the seven other languages read here: the
restatement in English keeps a question's topics, not how it happened."""


def is_urgent(question: str, restated: str = "") -> bool:
    """Whether the question sounds like an emergency happening now: the English patterns on the
    question in English (`restated`, for one in another language), and an accidental intake on
    the question as asked."""
    asked = " ".join(question.lower().split())
    english = " ".join(restated.lower().split()) if restated else asked
    return _URGENT.search(english) is not None or _ACCIDENT_ELSEWHERE.search(asked) is not None
