"""What kind of study a post reports (its evidence label), and the year it was posted.

People ask "any actual RCTs?" and "anything recent?". The site's titles usually end with the study
type ("… – RCT", "… – meta-analysis"), so the title decides first, then the tags, then how the
opening of the body (mostly the abstract) describes its own study: "we conducted a meta-analysis",
"participants were randomized", "a 45-year-old woman". Mentions of other studies ("RCTs are
needed", "previous meta-analyses") are not the post's own design, so sentences that call for or
cite research are skipped. No label when nothing says.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from retrieval.sentences import split_sentences

RCT = "rct"
META_ANALYSIS = "meta-analysis"
SYSTEMATIC_REVIEW = "systematic-review"
REVIEW = "review"
OBSERVATIONAL = "observational"
CASE_REPORT = "case-report"
ANIMAL_OR_LAB = "animal-or-lab"
LABELS = (RCT, META_ANALYSIS, SYSTEMATIC_REVIEW, REVIEW, OBSERVATIONAL, CASE_REPORT, ANIMAL_OR_LAB)

OPENING_CHARS = 2500
"""How much of the opening is read: the abstract's design sentences come early."""

_META_RE = re.compile(r"\bmeta-?(?:meta-?)?(?:analys[ie]s|regression)\b")
_RCT_TITLE_RE = re.compile(r"\brcts?\b|\brandomi[sz]ed (?:controlled )?trials?\b")
_REVIEW_OF_TRIALS_RE = re.compile(r"\breview of (?:\w+ ){0,3}(?:rcts?|trials)\b")
_SYSTEMATIC_RE = re.compile(r"\bsystematic(?:ally)? review|\bcochrane review")
_REVIEW_RE = re.compile(r"\breview(?:s|ed)?\b")
_NOT_A_REVIEW_RE = re.compile(r"\bpeer[- ]review")
_ANIMAL_RE = re.compile(
    r"\b(?:mice|mouse|murine|rats?|rodents?|in vitro|cell lines?|cultured cells|knockout"
    r"|zebrafish|piglets?|pigs|dogs|cows|calves|sheep|monkeys|primates|chickens?)\b",
)
_HUMAN_RE = re.compile(
    r"\b(?:patients?|participants?|subjects|volunteers|women|men|children|adults|infants"
    r"|adolescents|people|persons|individuals|pregnan\w*|mothers|elderly|seniors)\b",
)
_OBSERVATIONAL_TITLE_RE = re.compile(
    r"\b(?:cohort|case-control|cross-sectional|observational (?:study|studies))\b"
)

# How an abstract describes its own design (one sentence at a time).
_OWN_META_RE = re.compile(
    r"\b(?:(?:we|this|present|current|our|a|an)(?: updated| systematic review and| dose-response)?"
    r" meta-?analys[ie]s\b|meta-?analys[ie]s (?:of|was|were|included|including|pooled)\b"
    r"|pooled (?:analysis|estimates?|relative risks?|odds ratios?|hazard ratios?)"
    r"|random[- ]effects?)",
)
_OWN_SYSTEMATIC_RE = re.compile(
    r"\b(?:(?:we|this|present|current|our|a) systematic(?:ally)? review|systematic review of"
    r"|(?:we )?searched (?:\w+ ){0,3}(?:medline|pubmed|embase|cochrane|web of science))",
)
_OWN_RCT_RE = re.compile(
    r"\b(?:(?:were|was) randomi[sz]ed|randomly (?:assigned|allocated|divided)"
    r"|randomi[sz]ed,? (?:double|single|triple)[- ]blind|double[- ]blind(?:ed)?,? (?:randomi[sz]ed"
    r"|placebo)|placebo[- ]controlled|randomi[sz]ed (?:controlled |clinical |crossover )?trial"
    r" (?:of|in|was|with|to|involving|including|among)\b|(?:this|a|our|the present|we conducted"
    r" an?) (?:\w+ ){0,3}randomi[sz]ed)",
)
_OWN_CASE_RE = re.compile(
    r"\b(?:case report|we (?:report|describe|present) (?:a|an|the|two|three) (?:\w+ ){0,3}"
    r"(?:case|patient|man|woman|boy|girl|child|infant)|an? \d+[- ](?:year|month|week)s?[- ]old"
    r" (?:\w+ ){0,2}(?:man|woman|male|female|boy|girl|patient|child|infant|baby))",
)
_OWN_OBSERVATIONAL_RE = re.compile(
    r"\b(?:cohort|case-control|case control|cross-sectional|observational|prospective(?:ly)?"
    r" (?:study|studies|followed|collected)|retrospective(?:ly)?|longitudinal (?:study|data)"
    r"|population-based|nested|registry|follow(?:ed)?[- ]up|were followed"
    r"|mendelian randomi[sz]ation"
    r"|(?:we|this study|the present study|our study) (?:\w+ ){0,3}(?:associations?|relationships?"
    r"|correlations?) (?:between|of|with))\b",
)
_OWN_REVIEW_RE = re.compile(
    r"\b(?:(?:this|the present|our|we) (?:\w+ ){0,2}review|(?:narrative|literature|comprehensive"
    r"|critical|scoping) review|in this review|we review(?:ed)?|(?:this|the) article reviews"
    r"|(?:reviews?|summari[sz]es?) (?:the|recent|current) (?:literature|evidence|data|findings))\b",
)
_ABOUT_OTHER_RESEARCH_RE = re.compile(
    r"\b(?:needed|warranted|required|should|future|further|previous|prior|earlier|recent|larger"
    r"|ongoing|planned|would|lack of|no (?:large|adequate)|have (?:shown|found|reported))\b",
)
_ABOUT_OTHER_STUDIES_RE = re.compile(
    r"\b(?:studies|evidence|literature|trials|data (?:show|suggest|indicate))"
)
"""Plural research named in a sentence: other people's trials or cohorts, unless the sentence
says it pools them (meta-analyses and systematic reviews are checked without this)."""


def label(title: str, tags: Iterable[str], opening: str) -> str | None:
    """The post's study type from its title, then tags, then its opening's own design."""
    from_title = _title_label(title.lower())
    if from_title:
        return from_title
    if any(t.lower() == META_ANALYSIS for t in tags):
        return META_ANALYSIS
    return _opening_label(opening[:OPENING_CHARS])


def _title_label(title: str) -> str | None:
    """From the lower-cased title."""
    if _META_RE.search(title):
        return META_ANALYSIS
    if _RCT_TITLE_RE.search(title):
        if _REVIEW_OF_TRIALS_RE.search(title):  # "review of 2 RCT": a review, not a trial
            return SYSTEMATIC_REVIEW if _SYSTEMATIC_RE.search(title) else REVIEW
        return RCT
    if _SYSTEMATIC_RE.search(title):
        return SYSTEMATIC_REVIEW
    if _REVIEW_RE.search(title) and not _NOT_A_REVIEW_RE.search(title):
        return REVIEW
    if _OBSERVATIONAL_TITLE_RE.search(title):
        return OBSERVATIONAL
    if _ANIMAL_RE.search(title) and not _HUMAN_RE.search(title):
        return ANIMAL_OR_LAB
    return None


def _opening_label(opening: str) -> str | None:
    """The most specific design the opening's sentences claim for their own study. Patterns
    are lower case and see lower-cased text: matching without re.I is twice as fast."""
    low = opening.lower()
    # Whole-opening searches first: a design no sentence can name is not looked for in each.
    designs = [
        (name, p)
        for name, p in _OWN_DESIGNS
        if any(k in low for k in _DESIGN_WORDS[name]) and p.search(low)
    ]
    found: set[str] = set()
    for sentence in map(str.lower, split_sentences(opening) if designs else ()):
        others = bool(_ABOUT_OTHER_RESEARCH_RE.search(sentence))
        plural = bool(_ABOUT_OTHER_STUDIES_RE.search(sentence))
        for name, pattern in designs:
            if others or (plural and name not in _POOLING) or name in found:
                continue
            if pattern.search(sentence):
                found.add(name)
    for name, _ in _OWN_DESIGNS:
        if name in found:
            if name == OBSERVATIONAL and _is_animal(low):
                return ANIMAL_OR_LAB
            return name
    return ANIMAL_OR_LAB if _is_animal(low) else None


_OWN_DESIGNS = (
    (META_ANALYSIS, _OWN_META_RE),
    (SYSTEMATIC_REVIEW, _OWN_SYSTEMATIC_RE),
    (RCT, _OWN_RCT_RE),
    (CASE_REPORT, _OWN_CASE_RE),
    (OBSERVATIONAL, _OWN_OBSERVATIONAL_RE),
    (REVIEW, _OWN_REVIEW_RE),
)
"""Most specific first: a meta-analysis of RCTs says "randomized" too."""
_DESIGN_WORDS = {
    META_ANALYSIS: ("meta", "pooled", "random"),
    SYSTEMATIC_REVIEW: ("systematic", "searched"),
    RCT: ("random", "blind", "placebo"),
    CASE_REPORT: ("case", "we report", "we describe", "we present", "old"),
    OBSERVATIONAL: ("cohort", "case", "cross-sectional", "observational", "prospective",
                    "retrospective", "longitudinal", "population-based", "nested", "registry",
                    "follow", "mendelian", "associat", "relationship", "correlat"),
    REVIEW: ("review", "summari"),
}  # fmt: skip
"""Text every match of a design's pattern contains: a substring test is ~20x cheaper than the
pattern, and most openings name only one or two designs."""
_POOLING = (META_ANALYSIS, SYSTEMATIC_REVIEW, REVIEW)


def _is_animal(opening: str) -> bool:
    """Animals or cells, and no people, in the opening."""
    return len(_ANIMAL_RE.findall(opening)) >= 2 and not _HUMAN_RE.search(opening)


_ASKED = (
    (re.compile(r"\brcts?\b|\brandomi[sz]ed\b|\btrials?\b(?! (?:and error|period|run)\b)"
                r"|\bplacebo\b"),
     (RCT,)),
    (_META_RE, (META_ANALYSIS,)),
    (_SYSTEMATIC_RE, (SYSTEMATIC_REVIEW, META_ANALYSIS)),
    (re.compile(r"(?<!peer )(?<!peer-)(?<!systematic )(?<!cochrane )\breviews?\b"), _POOLING),
)  # fmt: skip
"""What a question asking for a kind of study names, and the labels that answer it: a systematic
review is often filed as the meta-analysis it reports, and any review answers "reviews"; a
"trial", clinical or not, is what people call a study that gave the treatment ("any trials in
children?"), not "trial and error" or a trial period."""


def asked_for(question: str) -> tuple[str, ...]:
    """The study types a question asks for in words ("any RCTs on ...?", "is there a
    meta-analysis?"), in LABELS order; none when it names none. Read from the English question."""
    low = question.lower()
    wanted = {t for pattern, types in _ASKED if pattern.search(low) for t in types}
    return tuple(t for t in LABELS if t in wanted)


_NEWEST_RE = re.compile(
    r"\b(?:latest|newest|most recent|recent(?:ly)? (?:research|stud(?:y|ies)|trials?|evidence"
    r"|papers?|findings|data|work)|(?:anything|something) (?:new|recent)\b|new (?:research"
    r"|stud(?:y|ies)|evidence|findings|trials?)|up[- ]to[- ]date (?:research|evidence|view)"
    r"|current (?:research|evidence|thinking))\b"
)


def asks_newest(question: str) -> bool:
    """Whether a question asks for the newest work in words ("anything recent?", "latest research
    on ..."), as `asked_for` reads the kinds of study it asks for: people ask it so rather than
    with the `newest` option. Read from the English question."""
    return _NEWEST_RE.search(question.lower()) is not None


def year(date: str) -> int | None:
    """The year of an ISO date ("2013-05-25"), or None when there is none."""
    head = date[:4]
    return int(head) if len(head) == 4 and head.isdigit() else None
