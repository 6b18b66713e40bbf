"""Key findings: the sentences of a post that answer the question, quoted verbatim.

Candidates are the sentences of the post's best-matching chunks, its opening chunk (the abstract)
and the lines the author bolded (a bold part of a sentence: that whole sentence, `completed`). They
are ranked for the result, not just for word overlap: the question's words and the
meaning-similarity of the sentence's chunk, then what reads as a result (statistics, doses, levels
and percentages, which way an outcome went), the numbers the question asked about or the title
reports, bold lines and conclusions; a study's aim or a call for more research counts against. A
sentence on how a study was done (who took part, what they were given, what was measured) may be
quoted but never leads, unless the question asks for a dose. A question that asks for an amount
('how much', 'what dose') lifts the sentences that state one. Reference lists, citations, author
lines and affiliations are never quoted. A finding is quoted with the sentence beside it when that
one is quotable and both fit (`in_context`); the lead stays one sentence. A sentence too long to
quote whole is quoted where the question's words are (`focused`), and one cut where its chunk
ended is marked with an ellipsis.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Collection, Mapping, Sequence
from functools import lru_cache
from itertools import accumulate, pairwise
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from retrieval.junk import is_junk
from retrieval.lexical import term_spans
from retrieval.sentences import LIST_MARK_RE, LIST_MARKS, split_paragraphs
from retrieval.text import ELLIPSIS, SENTENCES_KEPT, clip

if TYPE_CHECKING:
    from retrieval.sentence_table import Candidates, SentenceTable

MAX_FINDING_CHARS = 300
MIN_SENTENCE_CHARS = 25

_NUMBER_RE = re.compile(r"\d")
_PROSE_WORD_RE = re.compile(r"(?<![\w/.-])[a-z]{3,}(?![\w/.-])")
"""A word in lower case, not part of a unit ('ng/ml') or a name ('IL-6', 'rs7041')."""
MIN_PROSE_WORDS = 4
_CLOSES_RE = re.compile(r"[.!?][\"')\]\u201d\u2019]*$")
_WORD_RE = re.compile(r"[^\W\d_]{3,}")
_CUT_OFF_RE = re.compile(
    r"\b(?:and|or|but|the|a|an|of|in|on|at|to|for|by|with|from|as|than|that|which|between"
    r"|including|versus|whereas|while|is|are|was|were)$"
)
"""A sentence that ends on such a word, with no full stop, was cut where its chunk ended ('...
significantly less for the 1000 IU group (0.05 ± 1.46%), compared to the'): it is quoted with
an ellipsis, so nobody reads it as the whole claim, and never leads."""
_CLAUSE_START_RE = re.compile(r"(?<=[,;:]) (?=\S)")
"""Where a clause starts: after a comma, semicolon or colon (a long quote may start there)."""
_ASCII_NON_LETTERS = bytes(b for b in range(128) if not chr(b).isalpha())
_CONCLUSION_RE = re.compile(
    r"^(?:authors'? |main )?(conclusions?|results?|findings|interpretation)\b|\bconclud", re.I
)
_NOTE_RE = re.compile(r"(?:note|editor'?s note)\b|n\.b\.", re.I)
"""A line the site's editor added ('Note: 95% get diabetes BEFORE age 75', 'Note - Magnesium and
Omega-3 supplementation often provide similar benefits'): quoted under its post, but an aside,
so it never leads."""
_CONCLUSION_STARTS = ("conclusion", "result", "findings", "interpretation", "author", "main")
MAX_CANDIDATES = 80

# Weights of the findings score (chosen on the dev and independent question sets together;
# figures in the README).
QUESTION_WEIGHT = 1.0
MEANING_WEIGHT = 1.3
CONTEXT_WEIGHT = 0.2
"""The question's words in the sentence's chunk: 0.1-0.3 all helped on both sets (0.2 best on
a rank-based measure and on the lead), 0.4 less."""
DOSE_ANSWER_LIFT = 0.2
"""A dose in a sentence when the question asks for one: 0.2-0.25 best on both sets together,
0.1 half the gain, 0.3 no more. Lifts for the other kinds of answer (a blood level asked for
and a level stated, a size of effect and a percentage or ratio, a time and a duration) were
neutral to slightly worse, so there are none."""
STATISTICS_LIFT = 0.15
QUANTITY_LIFT = 0.25
DIRECTION_LIFT = 0.2
AIM_PENALTY = 0.45
"""An aim restates the question, so it takes the context lift in full: 0.25 before that lift, and
0.2 more with it keeps aims below the results they introduce (0.25-0.6 measure the same on both
sets; an aim is never the answer)."""
NUMBER_LIFT = 0.03
BOLD_LIFT = 0.12
CONCLUSION_LIFT = 0.15
QUERY_NUMBER_LIFT = 0.07
TITLE_NUMBER_LIFT = 0.35


class _Cue(NamedTuple):
    """A pattern and substrings one of which each of its matches contains: most sentences have
    none of them, and testing for substrings costs far less than running the pattern."""

    keys: tuple[str, ...]
    pattern: re.Pattern[str]

    def found(self, text: str) -> bool:
        return any(k in text for k in self.keys) and self.pattern.search(text) is not None


_STATISTICS = _Cue(
    ("<", "=", ">", "≤", "95", "interval", "ratio", "relative risk", "mean difference", "signific"),
    re.compile(
        r"\bp\s*[<=>≤]\s*0?\.\d|\b95\s*%|confidence interval|odds ratio|hazard ratio"
        r"|relative risk|risk ratio|mean difference|\bsignifican"
    ),
)
_RATIO = _Cue(
    ("OR", "RR", "HR", "SMD", "WMD"), re.compile(r"\b(?:a?OR|RR|a?HR|IRR|SMD|WMD)\s*[=:,(]?\s*\d")
)
"""Looked for in the sentence as written: 'OR 0.6' is a statistic, 'or 2 doses' is not."""
_QUANTITY = _Cue(
    ("%", "percent", "iu", "i.u.", "unit", "ng", "nmol", "mcg", "µg", "ug", "mg", "x", "times",
     "fold", "twice", "half", "halv", "doubled", "tripled"),
    re.compile(
        r"\d\s*(?:%|percent|iu\b|i\.u\.|units?\b|ng\b|nmol|mcg\b|µg|ug\b|mg\b|x\b|times\b|-?fold\b)"
        r"|\b(?:twice|half|halved|doubled|tripled)\b"
    ),
)  # fmt: skip
"""A dose, a blood level, a percentage or an 'x times': the amounts results are stated in."""
_DOSE = _Cue(
    ("iu", "i.u.", "unit", "mcg", "µg", "ug", "microgram", "mg", "milligram"),
    re.compile(
        r"\d\s*(?:k\s*)?(?:iu\b|i\.u\.|units?\b|mcg\b|µg|ug\b|micrograms?\b|mg\b|milligrams?\b)"
        r"|\bmg/kg|\biu/kg|\biu/day|\biu daily"
    ),
)
"""An amount taken: IU, micrograms or milligrams ('10k IU', '50 mcg', '1.25 mg', 'IU/day')."""
_ASKS_DOSE = re.compile(
    r"\bhow much\b(?! (?:lower|higher|less|more|better|worse|faster|slower|longer|shorter|bigger"
    r"|smaller|risk|difference|effect))|\bhow many (?:iu|units|mcg|micrograms|mg|milligrams|drops"
    r"|pills|capsules|tablets)\b|\bdos(?:e|es|age|ing)\b|\bamount\b|\b(?:iu|mcg|µg|micrograms?)\b"
    r"|\bmegados|\bloading\b|\bshould (?:i|we|you|they|he|she|my \w+) take\b"
)
"""How people ask for an amount ('how much should I take', 'what dose', 'how many IU', 'is
10k IU safe'), written from how questions are put, not from the question sets; 'how much
lower/more' asks for the size of an effect instead."""
_DIRECTION = _Cue(
    ("not", "no ", "reduc", "decreas", "increas", "lower", "higher", "greater", "rais", "improv",
     "prevent", "protect", "halv", "worse", "elevat", "declin", "benefi", "fell", "rose", "dropped",
     "likely", "associated", "correlated", "linked", "risk of"),
    re.compile(
        r"\b(?:did|does|do|was|were) not\b|\bno (?:significant |)(?:effect|difference|change"
        r"|benefit|association|improvement)|\bnot (?:significantly|associated)|\b(?:reduc|decreas"
        r"|increas|lower|higher|greater|rais|improv|prevent|protect|halv|worse|elevat|declin"
        r"|benefi)\w*|\b(?:fell|rose|dropped)\b|\b(?:more|less) likely"
        r"|\b(?:associated|correlated|linked) with|\brisk of"
    ),
)  # fmt: skip
"""Which way an outcome went: reduced, increased, did not, more likely..."""
_AIM = _Cue(
    ("aim", "objective", "purpose", "goal", "hypothes", "whether", " if", "sought to", "warranted",
     "research", "studies", "trials", "needed", "unclear", "unknown", "little is known",
     "designed to"),
    re.compile(
        r"^(?:(?:background|introduction|context) and )?(?:aims?|objectives?|purpose"
        r"|hypothes[ie]s)\b(?:\s*/\s*\w+)?\s*[:.–-]?\s*(?:primary\s+)?to [a-z]{3,}\b"
        r"|\b(?:aims?|aimed|objectives?|purpose|hypothes[ie][sz]\w*) (?:of|was|were|to|is|that)\b"
        r"|\bgoals? (?:of (?:this|the|our) (?:study|trial|work|review|analysis) )?(?:was|were) to\b"
        r"|\b(?:was|were|is) designed to\b"
        r"|\b(?:assess|investigat|examin|evaluat|test|explor|determin)\w* (?:whether|if)\b"
        r"|\bsought to|\bwarranted\b|\b(?:further|more|larger|future) (?:research|studies|trials)"
        r"|\b(?:is|are|remains?) (?:needed|unclear|unknown)|\blittle is known"
    ),
)  # fmt: skip
"""What a study set out to do (in words, or as an abstract's 'Objective: To compare...'), or a call
for more research: context, not its result. Under such a label, a sentence that is not an aim
('Background and purpose: Risk of hip fracture after stroke is 2 to 4 times...') is left alone."""
_METHOD = _Cue(
    ("random", "assigned", "allocated", "divided", "stratified", "recruited", "enrolled",
     "cultured", "we ", "carried out", "conducted", "performed", "undertaken", "measured",
     "compared", "recorded", "collected", "obtained", "received", "given", "treated with",
     "supplemented with"),
    re.compile(
        r"\brandomi[sz]ed to\b|\brandomly (?:assigned|allocated|divided)"
        r"|\b(?:were|was) (?:assigned|allocated|divided|stratified) (?:to|into)\b"
        r"|\b(?:were|was) (?:recruited|enrolled|cultured)\b"
        r"|\b(?:study|trial|survey|analysis) was (?:carried out|conducted|performed|undertaken)\b"
        r"|\bwe (?:recruited|enrolled|randomi[sz]ed|included|studied|measured|compared|collected"
        r"|conducted|performed|carried out|undertook)\b"
        r"|\b(?:were|was) (?:measured|compared|recorded|collected|obtained)"
        r" (?:in|at|by|using|between|from|before|after|every|with|for)\b"
        r"|\b(?:received|(?:were|was) given) (?:either|placebo|a placebo|daily|weekly|monthly|\d)"
        r"|\b(?:received|(?:were|was) (?:given|treated with|supplemented with))"
        r" (?:[\w()-]+ ){0,4}?\d[\d,.]*\s*(?:k\s*)?(?:iu|i\.u\.|units?|mcg|µg|ug|mg)\b"
    ),
)  # fmt: skip
"""How a study was done: who took part, how they were allocated, what they were given (also
named before its amount: 'received vitamin D3 35,000 IU daily', 'were treated with oral
cholecalciferol 50,000 IU') and what was measured. Read with the amounts and design words it
holds as a result, it is not one."""
_OUTCOME = re.compile(
    r"\b(?:reduced|decreased|increased|lowered|improved|prevented|raised|rose|fell|dropped"
    r"|halved|doubled|tripled)\b|\b(?:higher|lower|greater|fewer|less|more|better|worse)\b"
    r"(?: \S+){0,3} (?:than|compared)\b|\b(?:more|less) (?:likely|often)\b|\bassociated with"
    r"|\bno (?:significant )?(?:effect|difference|change|benefit)|\bdid not\b|\bsignifican"
    r"|\bp\s*[<=]"
)
"""An outcome stated in a sentence that also says how the study was done: then it is a result."""
_SUPERSCRIPT_RE = re.compile(r"(?<=[A-Za-z)%])\.\d{1,3}(?:[,–-]\d{1,3})*(?=\s+[A-Z(]|\s*$)")
"""Reference numbers set as superscripts, flattened onto a sentence's full stop ('…in bone
density.3,5 Fracture risk…'): a letter, bracket or percent sign before the stop, so decimals
('3.5') are left alone."""
_SECTION = (
    r"abstract|background|introduction|context|objectives?|aims?|purpose|hypothes[ie]s|design"
    r"|setting|participants|patients|methods?|measurements|main outcome measures?|results?"
    r"|findings|interpretation|conclusions?|discussion|summary|importance|relevance|significance"
    r"|exposures?|interventions?|materials|subjects|study design|main results|data sources"
    r"|study selection|data extraction|data synthesis|evidence synthesis|search methods"
    r"|selection criteria|data collection and analysis|authors'? conclusions"
    r"|main outcomes? and measures?"
)
_COLON_SECTION = (
    r"populations?|samples?|settings|outcomes?|primary outcomes?|secondary outcomes?"
    r"|outcome measures?|limitations|strengths and limitations|rationale|implications"
    r"|clinical implications|practical implications|clinical relevance|statistical analys[ie]s"
    r"|analys[ie]s|eligibility criteria|information sources|search strategy|evidence acquisition"
    r"|case presentation|case report|case summary|highlights|what is known|what this study adds"
    r"|key findings|novelty|methodology|procedures|observations"
)
"""Section labels of structured abstracts (IMRAD, CONSORT and PRISMA headings, case reports,
'what this study adds' boxes) that are also everyday words opening a sentence ('Outcomes were
better…'), so they count as labels only before a colon. Administrative ones (funding, trial
registration, level of evidence) are left on their line: the junk checks read them by it."""


def _labels(names: str) -> str:
    """One to four section labels of `names` run together ('Design, Setting, and Participants',
    'Background & aims', 'BACKGROUND; AIMS')."""
    return rf"^(?i:(?:{names})(?:\s*(?:,\s*and|and|&|/|,|;)\s*(?:{names})){{0,3}})"


_SECTION_LABEL_RE = re.compile(
    rf"{_labels(f'{_SECTION}|{_COLON_SECTION}')}\s*:\s*|{_labels(_SECTION)}\s+(?=[A-Z(])"
)
"""An abstract's section label at a sentence's start ('RESULTS:', 'Conclusion:', 'Background and
aims:', 'Design, Setting, and Participants:', 'POPULATION:', or 'Results' before a capital):
shown without it, while the sentence is still read with it (conclusions lift, aims lower). A
labelled sentence starts another passage: no neighbour sentence is quoted across sections
('…centres in the USA. POPULATION: Women with…')."""
_SPEAKER_RE = re.compile(r"^[A-Z]{2,3} ?: (?=[A-Z])")
"""An interview's speaker initials at a sentence's start ('CJ : Both can help…', 'MH: Well…'):
shown without them, as a quote of what was said."""
_REFERENCE_START_RE = re.compile(
    r"^\d{1,3}(?:\s*[-–,]\s*\d{1,3})*\s+(?=(?:The|This|These|Those|That|It|In|However|Whereas"
    r"|While|Although|Thus|Therefore|Moreover|Furthermore|Also|As|We|Our|They|There|When|If"
    r"|Since|But|Such|Most|Many|Some|To|Despite|Given|Similarly|Indeed|Finally|Several|An?"
    r"|For|Among|Because|Both|One|Further|Unlike|Yet|Hence|Instead|Meanwhile|Recently|Notably"
    r"|Importantly|Additionally|Conversely|Nevertheless)\b)"
)
"""Reference numbers printed after a sentence's full stop and a space ('…could result in
improvements. 159 The latter was…', '…and cancer. 2 - 5 In addition…'): the split leaves them at
the start of the next sentence. Only before a word that opens a sentence and never follows a
count ('106 NAFLD patients were…' keeps its number)."""
_STRAY_EMPHASIS_RE = re.compile(r"\s*\*{2,}\s*(?=[.,;:!?)]|$)|\*{2,}\s*|(?<![\w%])__+|__+(?![\w%])")
"""Markdown bold marks the conversion to text left unpaired ('... your magnesium levels **.',
'** Download the PDF **'): not shown. A single '*' (a footnote mark) stays."""
_LOOSE_SPACE_RE = re.compile(
    r"(?<=[^\W\d_])\s+(?=[.,;:!?](?:\s|$))"  # after a word
    r"|(?<=[\d)%\]])\s+(?=[.,;!?](?:\s|$))"  # after a figure or a bracket ('1 : 2' stays)
    r"|(?<=\()\s+|\s+(?=\))"  # inside brackets
    r"|(?<=[.!?])\s+\.(?=\s|$)"  # a full stop repeated after a title's own ('... prevention. .')
)
"""Spaces the archive's formatting left before punctuation ('... per day .', '( HR = 2.21 , 95%
CI ...)': a bold or linked span, typeset French-style): a quote is shown without them."""
_REFERENCE_RUN_RE = re.compile(r"^\d{1,3}(?:(?:, ?| )\d{1,2}(?!\d)|, \d{3})+\s+(?=[A-Z][a-z])")
"""Two or more reference numbers before a capitalised word ('8 9 Mongolian schoolchildren…',
'126, 130, 136 Associations…'), whatever the word: a count is one number, and a thousands group
is three digits after a bare comma or space ('10,000 Finnish children', '74 942 Chinese women'
keep theirs)."""
_TRAILING_REFERENCE_RE = re.compile(
    r"(%|\)|\b(?:[nmp]mol|ng|nm|mcg|µg|ug|mg|g)\s?/\s?(?:ml|dl|l)|\b(?:iu|mcg|µg|mg))"
    r"\s+\d{1,3}(?:\s*[,–-]\s*\d{1,3})*\.$",
    re.I,
)
"""Reference numbers printed before a sentence's full stop, after a percentage, a unit or a
bracket ('…protected against breast cancer by nearly 50% 9.', '…above 50 nmol/L 33.', '…model
(EAE) 23, 24.'): no quantity of the sentence stands there. After a word a number may be the
sentence's own ('the mean age was 45.'), so those stay."""
_OPENING_MARKS = "\"'([ \u201c\u2018"
"""Quotes and brackets a sentence may open with (straight and curly)."""
_COPYRIGHT_TAIL_RE = re.compile(r"(?<=[.!?])\s+©.*$")
"""A publisher's copyright notice run on after an abstract's last sentence ('…among smokers. ©
2014 Wiley Periodicals, Inc.'): the sentence splitter starts a sentence only at a capital or a
digit, so the notice stayed on it and the junk check then left the sentence unquoted (12 of the
archive's sentences, most of them conclusions). Quoted without it."""
_CITATION_RE = re.compile(r"(?<![\d\s%])\s*\[\d{1,3}(?:\s*[,–-]\s*\d{1,3})*\](?:\s+(?=[.,;:]))?")
"""A reference marker ("[12]", "[3, 4]", "[11,14-31]") with the space before it and any before
the punctuation after it: noise in a quote (3,381 of the archive's sentences hold one). Not after
a number, where brackets hold data ("54 [41-68] nmol/L")."""


class Sentence(NamedTuple):
    """A sentence long enough to quote, with what ranking asks of it (computed once)."""

    text: str
    low: str
    has_number: bool
    concludes: bool
    whole: bool
    """Opens as a sentence does, before any section label was taken off: a capital, a digit,
    or a lower-case letter before a capital ('eGFR'), after any quote or bracket. A list item or
    a line cut from its sentence ('increased risk of T2D (RR=1.45', 'only 11% were above 75
    nmol/L') may be quoted, but alone it does not say what it is about, so it does not lead."""
    opens: bool = True
    """First of its passage (of those long enough to quote): of a list item, or of a line after
    one that ends no sentence (a heading, a title, a link). A finding is quoted with a neighbour
    from its own passage only (`in_context`): the next list item is another point, often a link
    to another post. Lines of one passage (an abstract's sections) go on from each other."""


class Cues(NamedTuple):
    """What in a sentence reads as a study's result, or as its aim."""

    statistics: bool
    """p-values, confidence intervals, odds, hazard or risk ratios, 'significant'."""
    quantity: bool
    direction: bool
    aim: bool
    method: bool
    """Says how the study was done and states no outcome."""


class Finding(NamedTuple):
    text: str
    score: float
    aim: bool
    """States what the study set out to do: quoted for context, never the lead answer."""
    row: int = -1
    """Its row in the sentence table it was ranked from (for `in_context`)."""
    result: bool = True
    """May lead: a whole sentence that states a result (`may_lead`), quoted from its start. A
    long sentence quoted from the middle ("… statistically significant effect (2 studies: …")
    leaves out what it is about: under its post's title that can do, as the lead read alone it
    cannot."""


@lru_cache(maxsize=SENTENCES_KEPT)
def is_quotable(sentence: str) -> bool:
    """False for fragments, mostly non-letters, and junk (citations, authors, site notes,
    captions, navigation, table fragments: see `retrieval.junk`). Judged without the ellipsis
    that marks a sentence cut where its chunk ended (`sentences`): the mark is no word."""
    s = sentence.strip().removesuffix(f" {ELLIPSIS}")
    tokens = len(s.split())
    if len(s) < MIN_SENTENCE_CHARS or tokens < 5 or s.endswith("?"):
        return False
    letters = _letters(s)
    if letters < 0.5 * len(s) and not _figures_in_prose(s):
        return False
    # Numbers and symbols with a word or two ("January 2000 to June 2012."): only a short or
    # number-heavy sentence can be one, so only those have their words counted.
    if (tokens <= 10 or letters < 0.7 * len(s)) and len(_WORD_RE.findall(s, 0, 200)) < 3:
        return False
    # A short line with no word in lower case is a heading, a table's header ('COV a ICC b IRR
    # c (95% CI)'), a name or a citation: 164 of the archive's 67,258 quotable sentences were.
    if tokens <= 10 and _PROSE_WORD_RE.search(s) is None:
        return False
    return not is_junk(s)


def _figures_in_prose(text: str) -> bool:
    """A whole sentence dense with figures ('Women had lower 25(OH)D levels than men (31.3 ±
    17.7 vs. 41.3 ± 26.5 ng/ml, p<0.001).'): it opens with a capital, ends as a sentence does
    and says what its figures are in words, where a table row, a citation or an index line has
    next to no words in lower case and a torn-off clause does not open with a capital."""
    first = text.lstrip(_OPENING_MARKS)[:2]
    opens = first[:1].isupper() or (first[:1].islower() and first[1:].isupper())
    return (
        opens
        and _CLOSES_RE.search(text[-4:]) is not None
        and len(_PROSE_WORD_RE.findall(text)) >= MIN_PROSE_WORDS
    )


def _letters(text: str) -> int:
    """How many letters `text` has; ASCII text (most of the archive) is counted in C."""
    if text.isascii():
        return len(text.encode("ascii").translate(None, _ASCII_NON_LETTERS))
    return sum(map(str.isalpha, text))


def _may_conclude(low: str) -> bool:
    """Cheap necessary condition for `_CONCLUSION_RE` (on the lower-cased sentence)."""
    return "conclud" in low or low.startswith(_CONCLUSION_STARTS)


def shorten(text: str, limit: int = MAX_FINDING_CHARS) -> str:
    """One line of at most `limit` characters, so a finding never exceeds it."""
    return clip(" ".join(text.split()), limit)


def focused(text: str, weights: Mapping[str, float], limit: int = MAX_FINDING_CHARS) -> str:
    """`shorten`, but a sentence too long to quote whole is quoted from the word where the
    question's terms (`weights`: term -> IDF, each counted once) weigh most within `limit`
    characters, with an ellipsis at each end it cuts; from its start when no later part weighs
    more. A long sentence often reports its outcomes one after another, and the one asked about
    can be last."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    spans = [(a, b, t) for a, b, t in term_spans(text.lower()) if t in weights]
    room = limit - 4  # '… ' before, ' …' after
    best, best_at = _weight_within(spans, weights, 0, room), 0
    for start, _, _ in spans:
        begin = text.rfind(" ", 0, start) + 1
        if begin and (w := _weight_within(spans, weights, begin, begin + room)) > best:
            best, best_at = w, begin
    if not best_at:
        return clip(text, limit)
    # start at the clause the first term is in, if that leaves half the room to spare after
    # the last term counted (a result's figures follow its subject)
    last = max(b for a, b, _ in spans if a >= best_at and b <= best_at + room)
    reach = max(0, best_at - (room - (last - best_at)) // 2)
    clauses = list(_CLAUSE_START_RE.finditer(text, reach, best_at))
    best_at = clauses[-1].end() if clauses else best_at
    tail = len(text) - room
    if best_at > tail:  # the rest fits: quote all of it, from a clause if one starts in reach
        clause = _CLAUSE_START_RE.search(text, tail, best_at)
        space = text.find(" ", tail, best_at)
        best_at = clause.end() if clause else (space + 1 if space >= 0 else best_at)
        return f"{ELLIPSIS} {text[best_at:]}"
    end = text.rfind(" ", best_at, best_at + room + 1)
    part = text[best_at : end if end > best_at else best_at + room].rstrip(",;: ")
    return f"{ELLIPSIS} {part} {ELLIPSIS}"


def _weight_within(
    spans: Sequence[tuple[int, int, str]], weights: Mapping[str, float], start: int, end: int
) -> float:
    """Weight of the distinct terms whose span lies wholly in [start, end) (spans in order)."""
    inside = {t for a, b, t in spans if a >= start and b <= end}
    return sum(weights[t] for t in inside)


@lru_cache(maxsize=SENTENCES_KEPT // 4)
def sentences(text: str) -> tuple[Sentence, ...]:
    """The quotable-length sentences of a chunk or bold line. Cached by text: the same posts
    keep answering related questions, and a repeat skips the splitting and per-sentence checks."""
    out = []
    if "." in text:  # a full stop carrying reference numbers ends its sentence without them
        text = _SUPERSCRIPT_RE.sub(".", text)
    previous = ""
    for paragraph in split_paragraphs(text):
        # a list item, or a line after a heading, a title or a link (one that ends no sentence
        # and introduces nothing), starts another passage
        goes_on = previous.endswith(":") or _CLOSES_RE.search(previous) is not None
        opens = paragraph[0][0] in LIST_MARKS or not goes_on
        previous = paragraph[-1]
        for written in paragraph:
            sentence = _read(written, opens)
            if sentence is not None:
                out.append(sentence)
                opens = False
    return tuple(out)


def _read(sentence: str, opens: bool) -> Sentence | None:
    """A sentence as written, cleaned for quoting and read for ranking (`sentences`); None when
    too short to quote."""
    if sentence[0] in LIST_MARKS:
        sentence = LIST_MARK_RE.sub("", sentence)
    elif sentence[0].isdigit():
        sentence = _REFERENCE_START_RE.sub("", sentence, count=1)
    if "[" in sentence:
        sentence = _CITATION_RE.sub("", sentence).lstrip()
    if "©" in sentence:
        sentence = _COPYRIGHT_TAIL_RE.sub("", sentence)
    low = sentence.lower()
    concludes = _may_conclude(low) and bool(_CONCLUSION_RE.search(sentence))
    label = _SECTION_LABEL_RE.match(sentence)
    opens = opens or label is not None  # a labelled section starts another passage
    shown = _SPEAKER_RE.sub("", sentence[label.end() :] if label else sentence, count=1)
    if "**" in shown or "__" in shown:
        shown = _STRAY_EMPHASIS_RE.sub(" ", shown).strip()
        shown = " ".join(shown.split())
    shown = _LOOSE_SPACE_RE.sub("", shown)
    if shown.endswith("."):
        shown = _TRAILING_REFERENCE_RE.sub(r"\1.", shown, count=1)
    if shown[:1].isdigit():  # read once labels and loose spaces are gone ('126 , 130 Asso…')
        shown = _REFERENCE_RUN_RE.sub("", shown, count=1)
    if len(shown) < MIN_SENTENCE_CHARS:
        return None
    cut = _CUT_OFF_RE.search(shown, len(shown) - 12) is not None
    if cut:
        shown += f" {ELLIPSIS}"
    whole = _opens(sentence) and not cut
    return Sentence(shown, low, bool(_NUMBER_RE.search(shown)), concludes, whole, opens)


def completed(bold: Sequence[Sentence], chunks: Sequence[Sentence]) -> list[Sentence]:
    """`bold` (the sentences of a post's bold lines) with each one the author cut from a longer
    sentence of the post's `chunks` ('did not prevent bone loss' of 'Supplementation with 20,000
    IU a week did not prevent bone loss in this small population.') replaced by the first such
    sentence that is quotable and fits in MAX_FINDING_CHARS: cut, it does not say what it is
    about. One that is a sentence itself stays: it opens and closes as a sentence does, or the
    chunks have it as a sentence of its own (a line of a list). So does one in no sentence, or
    only in ones too long. Spaces and case are ignored; the cut must fall between words."""
    if not bold or not chunks:
        return list(bold)
    whole = _Wholes(chunks)
    return [whole.of(b) for b in bold]


class _Wholes:
    """A post's chunk sentences, searched in one string for the one a bold line was cut from."""

    def __init__(self, chunks: Sequence[Sentence]) -> None:
        self.chunks = chunks
        self.flat = [" ".join(s.low.split()) for s in chunks]
        self.own = set(self.flat)
        self.joined = "\n".join(self.flat)  # a bold sentence holds no line break
        self.starts = list(accumulate((len(f) + 1 for f in self.flat), initial=0))

    def of(self, cut: Sentence) -> Sentence:
        """The first quotable chunk sentence `cut` is a fragment of (`completed`), else `cut`."""
        needle = " ".join(cut.low.split())
        if needle in self.own or (cut.whole and _CLOSES_RE.search(cut.text) is not None):
            return cut
        joined = self.joined
        at = joined.find(needle)
        while at >= 0:
            i = bisect_right(self.starts, at) - 1
            end = at + len(needle)
            between_words = not (joined[at - 1 : at].isalnum() or joined[end : end + 1].isalnum())
            whole = self.chunks[i]
            if (
                between_words
                and len(" ".join(whole.text.split())) <= MAX_FINDING_CHARS
                and is_quotable(whole.text)
            ):
                return whole
            at = joined.find(needle, at + 1)
        return cut


@lru_cache(maxsize=SENTENCES_KEPT)
def cues(sentence: Sentence) -> Cues:
    """The sentence's result cues (kept: the patterns cost more than everything else a
    sentence is checked for, and a new index version asks again for most sentences)."""
    low, has_number = sentence.low, sentence.has_number
    return Cues(
        _STATISTICS.found(low) or (has_number and _RATIO.found(sentence.text)),
        has_number and _QUANTITY.found(low),
        _DIRECTION.found(low),
        _AIM.found(low),
        _METHOD.found(low) and _OUTCOME.search(low) is None and not sentence.concludes,
    )


def states_result(sentence: Sentence, asks_dose: bool = False) -> bool:
    """A statistic, an amount, which way an outcome went, or a conclusion: what a lead must
    state. A sentence on how the study was done is not a result, unless the question asks for
    an amount (`asks_dose`) and it states the dose the study gave."""
    found = cues(sentence)
    if found.method:
        return asks_dose and states_dose(sentence)
    return found.statistics or found.quantity or found.direction or sentence.concludes


def _opens(text: str) -> bool:
    """`Sentence.whole` of a sentence as written."""
    first = text.lstrip(_OPENING_MARKS)[:2]
    return (
        first[:1].isdigit() or first[:1].isupper() or (first[:1].islower() and first[1:].isupper())
    )


def may_lead(sentence: Sentence, asks_dose: bool = False) -> bool:
    """What the lead may be: a whole sentence that states a result (`states_result`), not a note
    (`_NOTE_RE`). For a question that asks for an amount, a line cut from its sentence that
    states a dose will do."""
    whole = sentence.whole or (asks_dose and states_dose(sentence))
    return whole and states_result(sentence, asks_dose) and _NOTE_RE.match(sentence.text) is None


def asks_for_dose(question: str) -> bool:
    """Whether the question (in English) asks how much to take."""
    return _ASKS_DOSE.search(" ".join(question.lower().split())) is not None


@lru_cache(maxsize=SENTENCES_KEPT)
def states_dose(sentence: Sentence) -> bool:
    """An amount taken (IU, mcg, mg): what a question asking 'how much' wants. Looked for only
    when a question asks for one."""
    return sentence.has_number and _DOSE.found(sentence.low)


def result_lift(sentence: Sentence, asks_dose: bool = False) -> float:
    found = cues(sentence)
    lift = STATISTICS_LIFT * found.statistics + QUANTITY_LIFT * found.quantity
    if asks_dose and states_dose(sentence):
        lift += DOSE_ANSWER_LIFT
    return lift + DIRECTION_LIFT * found.direction - AIM_PENALTY * found.aim


class Signals(NamedTuple):
    """Per-candidate measures from outside this module, each 0..1 (one value per candidate)."""

    question: Sequence[float] | np.ndarray
    """Lexical overlap with the question (share of its IDF weight)."""
    meaning: Sequence[float] | np.ndarray
    """Meaning-similarity to the question of the chunk the sentence comes from."""
    context: Sequence[float] | np.ndarray
    """Lexical overlap with the question of the chunk the sentence comes from: a result often
    names its subject only in the sentences around it."""


def prior(
    has_number: np.ndarray,
    bold: np.ndarray,
    concludes: np.ndarray,
    title_number: np.ndarray,
    lift: np.ndarray,
) -> np.ndarray:
    """What each sentence scores before any question: a number, a bold line, a conclusion, a
    number of the post's title, and its result cues (`lift`). Worked out once per post
    (`SentenceTable`), so a question adds only what depends on it."""
    value = NUMBER_LIFT * has_number + BOLD_LIFT * bold
    value += CONCLUSION_LIFT * concludes + TITLE_NUMBER_LIFT * title_number
    return value + lift


def rank(
    cands: Candidates,
    signals: Signals,
    query_numbers: Collection[str],
    limit: int | Sequence[int] = 3,
    asks_dose: bool = False,
    weights: Mapping[str, float] | None = None,
) -> list[list[Finding]]:
    """Best `limit` quotable findings of each post the candidates were picked for (their
    `group`; a sequence gives one limit per group), best first, each with its score, none
    quoted twice (a bold line and its paragraph; a post that repeats an earlier post's sentence,
    such as the same abstract, quotes its next best instead); `asks_dose`: the question asks for
    an amount (`asks_for_dose`). A finding's score: its relevance to the question, the numbers asked
    about, and its `prior`. With the question's term `weights`, a sentence too long to quote
    whole is quoted where they weigh most (`focused`)."""
    table, rows = cands.table, cands.rows
    score = QUESTION_WEIGHT * np.asarray(signals.question, dtype=float)
    score += MEANING_WEIGHT * np.asarray(signals.meaning, dtype=float)
    score += CONTEXT_WEIGHT * np.asarray(signals.context, dtype=float)
    if query_numbers:
        texts = [table.sentences[row].text for row in rows.tolist()]
        asked = [any(n in text for n in query_numbers) for text in texts]
        score += QUERY_NUMBER_LIFT * np.array(asked, dtype=bool)
    score += (table.dose_prior if asks_dose else table.prior)[rows]
    result = table.dose_result if asks_dose else table.result
    order = np.lexsort((-score, cands.group))  # post by post, best first (stable: ties in order)
    ends = np.searchsorted(cands.group[order], np.arange(1, cands.groups + 1)).tolist()
    limits = [limit] * cands.groups if isinstance(limit, int) else list(limit)
    found: list[list[Finding]] = []
    row_of, score_of = rows.tolist(), score.tolist()  # Python numbers: cheaper to read one by one
    said: list[str] = []  # the texts chosen so far, as written, for the repeat check
    for (start, end), most in zip(pairwise([0, *ends]), limits, strict=True):
        chosen: list[Finding] = []
        for i in order[start:end].tolist():
            row = row_of[i]
            text = table.sentences[row].text
            if not table.quotable[row] or any(text in t or t in text for t in said):
                continue
            said.append(text)
            shown = table.shown[row]
            if weights and shown.endswith(ELLIPSIS) and len(text) > MAX_FINDING_CHARS:
                shown = focused(text, weights)
            leads = bool(result[row]) and not shown.startswith(ELLIPSIS)
            chosen.append(Finding(shown, score_of[i], bool(table.aim[row]), row, leads))
            if len(chosen) == most:
                break
        found.append(chosen)
    return found


def in_context(
    table: SentenceTable,
    found: Sequence[Finding],
    alone: Finding | None = None,
    earlier: Sequence[str] = (),
) -> list[str]:
    """A post's findings (ranked from `table`) as quoted: each with the sentence after it in
    the same passage (`Sentence.opens`), else the one before, when that one is quotable, repeats
    no other finding, here or `earlier` (those quoted for the posts above: near-copies of a paper
    share sentences), and both fit in MAX_FINDING_CHARS; `alone` (the lead) is quoted by itself.
    A result sentence often leaves its subject or its figures to the sentence beside it."""
    quoted: list[str] = []
    for f in found:
        others = [*earlier, *quoted, *(g.text for g in found if g is not f)]
        quoted.append(f.text if f is alone else _with_neighbour(table, f, others))
    return quoted


def _with_neighbour(table: SentenceTable, finding: Finding, others: Sequence[str]) -> str:
    sentence = table.sentences[finding.row].text
    text = int(table.text_of[finding.row])
    first, stop = int(table.bounds[text]), int(table.bounds[text + 1])
    for other in (finding.row + 1, finding.row - 1):
        if not (first <= other < stop and table.quotable[other]):
            continue
        if table.opens[max(other, finding.row)]:  # the later one starts another passage
            continue
        more = table.sentences[other].text
        repeats = any(more in o or o in more for o in others)
        if not repeats and len(sentence) + 1 + len(more) <= MAX_FINDING_CHARS:
            return f"{sentence} {more}" if other > finding.row else f"{more} {sentence}"
    return finding.text
