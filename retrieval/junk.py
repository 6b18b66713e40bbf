"""Lines that are about a paper or the site rather than what it found: never quoted as a finding.

One place for both uses:
- `is_reference_line`: author lists, affiliations and citation lines. The chunker leaves them out
  of the embedded text (changing it changes chunks: bump `indexer.CHUNKER_VERSION`).
- `is_junk`: those, plus everything a reader should never see quoted as a key finding:
  correspondence and e-mail lines, paper metadata (funding, disclosures, keywords), "cited by" and
  paywall notes, image captions, navigation and attachment names, links to other posts, and
  table-row fragments (a row torn from its table's header reads as a list of bare values, so it
  is skipped rather than rewritten).

Checks run on every sentence about to be shown, so the keyword tests are one regex over the
lower-cased text, and the slower structural ones run only when a cheap test lets them.
"""

from __future__ import annotations

import re

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"

# --- reference lines (also kept out of the embedded text) ---------------------------------------
_AUTHOR_LINE_RE = re.compile(r"^(?:[A-Z][\w'-]+(?: [A-Z][\w'-]+)? [A-Z]{1,3}\d*(?:,|\.|$)\s*){2,}")
_AFFILIATION_RE = re.compile(
    r"^\d*\s*(?:Department|Dept\.?|Division|School|Faculty|Institute|Cent(?:er|re)|University"
    r"|Hospital|Laborator(?:y|ies)|Unit)\b[^.]*,",
    re.I,
)
_CITATION_RE = re.compile(
    r"^(?:doi:|pmid:?\s*\d|pmcid|copyright|©|received:|accepted:|published:|e-?mail:)"
    r"|;\s*\d+\s*\(\d+\)|\bdoi\b"
    r"|^[A-Z][\w.]*(?: [A-Z&][\w.]*){0,6}\.? (?:19|20)\d{2}"  # a journal and its date
    r"(?: [A-Z][a-z]{2,8})?(?: \d{1,2})?[.;:]?$",
    re.I,
)


def is_reference_line(line: str) -> bool:
    """Author lists, affiliations and citation lines: kept for display, not worth a vector."""
    if len(line) > 400:
        return False
    return bool(
        _AUTHOR_LINE_RE.match(line) or _AFFILIATION_RE.match(line)
        or (len(line) < 200 and _CITATION_RE.search(line))
    )  # fmt: skip


# --- everything else never quoted ---------------------------------------------------------------
_START_RE = re.compile(
    # paper metadata headings
    r"(?:authors?'? ?(?:disclosures?|contributions?|information|details)|disclosures?"
    r"|conflicts? of interest|competing interests?|funding|financial (?:support|disclosure)"
    r"|acknowledge?ments?|keywords?|key words|abbreviations|trial registration|affiliations?"
    r"|copyright|citation|cite this|source|(?:received|accepted|published|revised)(?: online)?)"
    r"\s*[:.]"
    # navigation and captions
    r"|(?:see|also see|click|related|references?|links?|tags?|categor(?:y|ies)|overview|items? in"
    r"|this post|contents|table of contents|back to|text in image|images? from"
    r"|scroll|watch|listen|update)\b|\d{1,2}:\d\d\b"
    r"|(?:fig(?:ure)?|table|chart|graph|image|photo|picture|diagram|infographic|video|slide)s?"
    r"\.? ?\d*[a-z]?\s?[:.–-]"
)
"""Junk by how the (lower-cased) line starts."""
_WORDS_RE = re.compile(
    r"\b(?:"
    # links, identifiers, correspondence and paper metadata
    r"https?:|www\.|(?:doi|pmid|pmcid|isbn|issn)\b|correspondence\b|corresponding author"
    r"|reprint requests?\b|e-?mail\b|fax\b|affiliated with\b|epub\b|ahead of print\b"
    r"|(?:received|accepted) for publication|(?:funded|sponsored) by\b|clinicaltrials\.gov|nct\d"
    r"|honorari|financial support|consultan(?:t|cy) (?:for|to)\b|conflicts? of interest"
    r"|journal\b[^.]{0,80}(?:19|20)\d\d\.?$|this (?:web ?)?page\b|nofollow\b|href\b"
    r"|(?:received|accepted|published|revised)(?: online)?:? \d{1,2} " + _MONTH + r" (?:19|20)\d\d"
    # journal and citation lines
    r"|(?:19|20)\d\d ?;\s?\d+ ?(?:\(\d+\))? ?:\s?\d"
    r"|vol(?:ume)?\.? ?\d|issue \d|pp?\. ?\d+ ?[-–]\s?\d"
    # site notes
    r"|cited by\b(?! (?:the|a|an|these|those|this|other|some|many|several)\b)"
    r"|google scholar\b|scopus\b|pay ?wall|no abstract\b|abstract only\b|full[- ]text\b"
    r"|pdf\b|download|publisher\b|read more\b|continue reading\b"
    # navigation and attachments
    r"|click(?:ing)? (?:here|on|the|to)\b|see (?:also|vitamindwiki|overview)\b"
    r"|(?:in|on|see) vitamindwiki\b|attach(?:ed|ment))"
)
"""Junk words anywhere in the (lower-cased) line. One group behind one `\\b`, so the regex
engine tries the alternatives only at word starts (a top-level alternation is ~4x slower)."""
_MARKS_RE = re.compile(r"[@©]|\.com/|\.(?:pdf|jpe?g|png|gif|docx?|xlsx?|pptx?)\b|===|\[\[|\{\{")
_POSTED_RE = re.compile(r"(?:[–-]|\bas of) ?(?:\w+ ){0,4}" + _MONTH + r" ?(?:19|20)\d\d\.?$")
"""A link to another post (its title, then the month and year it was posted), or a site note
dated "as of" a month."""
_NAMES_ARE_WITH_RE = re.compile(
    r"^(?:(?:[A-Z][\w.'’-]*|and|&)[, ]+){2,16}(?:are|is) (?:with|at|from|affiliated)\b"
)
_MARKED_LINE_RE = re.compile(r"^(?:[a-z]|\d{1,2}|[*†‡§¶]+) ?[A-Z]")
"""A footnote mark before a capitalised line: how affiliation lists start ("b ERATO, ...")."""
_ORGANISATION_RE = re.compile(
    r"\b(?:Agency|Universit\w*|Institut\w*|Department|Dept|Hospital|Cent(?:er|re)|College"
    r"|School|Faculty|Foundation|Laborator\w*|Division|Clinic|Ministry|Council|Inc|Ltd|GmbH"
    r"|Corporation|Society|Association|Academy|Program(?:me)?|Unit|Research|Health)\b"
)
_AUTHORS_INSIDE_RE = re.compile(r"[A-Z][a-z'-]+ [A-Z]{1,2}\d?, [A-Z][a-z'-]+ [A-Z]{1,2}\d?[,.]")
"""Two "Surname INITIALS" in a row: an author list, even after other words."""
_ABBREVIATIONS_RE = re.compile(r" = [A-Za-z][^;=]{2,80}; [\w()-]{1,30} = [A-Za-z]")
"""A list of abbreviations and what they stand for ("CD = Crohn disease; DBP = ...")."""
_NUMBERED_REF_RE = re.compile(r"^\s*\d+\.\s+[A-Z][a-z]+ [A-Z]{1,3}\b")
_LOWER_WORD_RE = re.compile(r"\b[a-z][\w'’-]{3,}")
_CAPITAL_WORD_RE = re.compile(r"\b[A-Z][a-z][\w'’-]{2,}")
"""Longer words in lower case, and capitalised ones (acronyms and shouting not counted)."""


def is_junk(sentence: str) -> bool:
    """True for a sentence that says who wrote, funded, cites or links something, or is a
    caption, navigation or table fragment: true of the page, not a finding of the study."""
    s = sentence.strip()
    low = s.lower()
    if " | " in s or s.startswith("|") or s.endswith("|"):
        return True  # a table row's cells, torn from their header
    if _START_RE.match(low) or _reference(s, low):
        return True
    if _WORDS_RE.search(low) or _MARKS_RE.search(low):
        return True
    if _POSTED_RE.search(low[-40:]):
        return True
    if (" are " in s or " is " in s) and _NAMES_ARE_WITH_RE.match(s):
        return True
    if _AUTHORS_INSIDE_RE.search(s) or (" = " in s and _ABBREVIATIONS_RE.search(s)):
        return True
    if _MARKED_LINE_RE.match(s) and _ORGANISATION_RE.search(s):
        return True
    return _title_case(s)


def _reference(s: str, low: str) -> bool:
    """`is_reference_line`, with its unanchored citation patterns tried only when their literal
    text (";" or "doi") is there."""
    if len(s) > 400:
        return False
    if _AUTHOR_LINE_RE.match(s) or _AFFILIATION_RE.match(s) or _NUMBERED_REF_RE.match(s):
        return True
    if len(s) >= 200:
        return False
    return bool(_CITATION_RE.match(s) or ((";" in s or "doi" in low) and _CITATION_RE.search(s)))


def _title_case(s: str) -> bool:
    """Names, affiliations, headings and post titles capitalise (nearly) every longer word; the
    sentences of a finding do not."""
    lower = len(_LOWER_WORD_RE.findall(s))
    if lower > 3:
        return False
    capitals = len(_CAPITAL_WORD_RE.findall(s))
    return capitals + lower >= 3 and capitals >= 4 * lower
