"""Questions that sound like an emergency: too much taken, a poisoning, someone in danger now.

Studies cannot help in time, so both front ends first say where help is (`Answer.urgent`). The
patterns are written from how people describe such moments, and they change nothing that is
searched or shown. A question only about toxicity or risk ("is 10,000 IU toxic?", "can you
overdose?", "is low vitamin D linked to self-harm?") is not urgent, nor one about something long
past ("I overdosed last year").
"""

from __future__ import annotations

import re

_WHO = (
    r"\b(?:i|i've|i have|we|he|she|they|(?:my|our) \w+(?: \w+)?|(?:the|a) (?:baby|child|kid"
    r"|toddler|dog|cat)|baby|child|kid|toddler|son|daughter|husband|wife|mom|mum|dad|grandma"
    r"|grandpa|granny|grandad)\b"
)
"""Someone in particular (not 'people', 'you')."""
_TOOK = r"\b(?:took|taken|swallowed|ate|eaten|drank|drunk|gave|given|had|chugged|downed)\b"
"""Told as done ('I take 5,000 IU, is that too much?' asks about a habit)."""
_TOO_MUCH = (
    r"\b(?:by (?:mistake|accident)|(?:way )?too (?:much|many)|(?:whole|entire|full) (?:\w+ ){0,3}"
    r"(?:bottle|pack|packet|box|dropper|tube|jar|container)|a (?:bottle|pack|box|handful)"
    r"|handful|all (?:the|of the|her|his|my) (?:\w+ )?(?:pills|tablets|capsules|drops|softgels)"
    r"|(?:[5-9]|\d\d\d?) (?:\w+ )?(?:pills|tablets|capsules|caps|softgels|gummies)"
    r"|\d+ times the dose)"
)
_INTAKE = re.compile(
    rf"{_WHO}[^.?!]{{0,30}}{_TOOK}[^.?!]{{0,40}}{_TOO_MUCH}"
    rf"|^(?:just |accidentally )?{_TOOK}[^.?!]{{0,40}}{_TOO_MUCH}"
    r"|\baccidentally (?:took|taken|swallowed|ate|drank|gave|given)\b|\boverdosed\b"
    r"|\b(?:was|were|been|got) poisoned\b"
)
"""Too much taken, or a poisoning, told of someone in particular."""
_DANGER = re.compile(
    r"\b(?:can'?t|cannot|unable to|trouble|difficulty|struggling to) breath(?:e|ing)\b"
    r"|\bshort(?:ness)? of breath\b|\bchest pains?\b"
    r"|\bthroat (?:is )?(?:swelling|closing)\b|\bheart (?:is )?(?:racing|pounding)\b"
    r"|\bunconscious\b|\bpass(?:ed|ing) out\b|\bunresponsive\b|\bnot responding\b"
    r"|\b(?:not|won'?t|can'?t) (?:wake|waking)(?: \w+)? up\b|\bnot breathing\b"
    r"|\b(?:am i|is (?:she|he|my \w+)) (?:going to die|dying)\b"
    r"|\bsuicidal\b|\bkill (?:myself|himself|herself)\b|\bend (?:my|his|her) (?:own )?life\b"
    r"|\b(?:want|wants|wanted) to die\b|\b(?:i|i'm|im|i am|been|keep) (?:\w+ )?(?:self[- ]harming"
    r"|cutting myself)\b"
)
"""A person in danger: breathing, the chest or throat, the heart, not waking, thoughts of
suicide."""
_LONG_PAST = re.compile(
    r"\b(?:last|previous) (?:year|month|week|summer|winter|spring|autumn|fall)\b"
    r"|\b(?:years|months|weeks) ago\b|\bin (?:19|20)\d\d\b"
    r"|\b(?:over|during) the (?:winter|summer|spring|autumn|fall|year|years|months)\b"
)
"""Told of as long past: a question about it, not an emergency now."""
_ABOUT = re.compile(
    r"\b(?:link|linked|association|associated|relationship|risk|rates?|studies|study|research"
    r"|cause|causes|caused|lead to|leads to|prevent|prevents|reduce|reduces|affect|affects"
    r"|symptoms? of|sign of|signs of)\b[^.?!]{0,40}"
    r"\b(?:suicid\w*|self[- ]harm\w*|chest|breath\w*|heart|pass(?:ed|ing) out)"
    r"|\b(?:suicid\w*|self[- ]harm\w*)[^.?!]{0,20}\b(?:risk|rates?)\b"
)
"""A danger asked about as research, as an effect or as a symptom: a question for the
archive."""
_ACCIDENT_ELSEWHERE = re.compile(
    r"\b(?:aus versehen|versehentlich|überdosiert|ganze flasche|ganzes fläschchen|por error"
    r"|por equivocación|por accidente|sin querer|accidentalmente|frasco entero|botella entera"
    r"|bote entero|par erreur|par accident|accidentellement|flacon entier|bouteille entière"
    r"|tout le flacon|toute la boîte|toute la bouteille|per errore|per sbaglio|per incidente"
    r"|flacone intero|boccetta intera"
    r"|tutta la boccetta|tutto il flacone|por engano|sem querer|frasco inteiro|per ongeluk"
    r"|per vergissing|hele fles|hele flesje|heel flesje|przez pomyłkę|przez przypadek"
    r"|przypadkowo|przedawkował\w*|całą butelkę|całe opakowanie)\b"
)
"""'By mistake', 'by accident', 'overdosed' and 'a whole bottle' in the seven other languages read
here: the restatement in English keeps a question's topics, not how it happened."""


def is_urgent(question: str, restated: str = "") -> bool:
    """Whether the question sounds like an emergency happening now: the English patterns on the
    question in English (`restated`, for one in another language), and an accidental intake on
    the question as asked; a danger to someone unless it is asked about; never something long
    past."""
    asked = " ".join(question.lower().split())
    english = " ".join(restated.lower().split()) if restated else asked
    if _LONG_PAST.search(asked):
        return False
    if _INTAKE.search(english) or _ACCIDENT_ELSEWHERE.search(asked):
        return True
    return _DANGER.search(english) is not None and _ABOUT.search(english) is None
