"""Lines that are about a paper or the site rather than what it found: never quoted as a finding.

One place for both uses:
- `is_reference_line`: author lists, affiliations and citation lines. The chunker leaves them out
  of the embedded text (changing it changes chunks: bump `indexer.CHUNKER_VERSION`).
- `is_junk`: those, plus everything a reader should never see quoted as a key finding:
  correspondence and e-mail lines, paper metadata (funding, disclosures, keywords), "cited by",
  paywall and machine-translation notes, image captions, navigation and attachment names, links
  to other posts, HTML or Word markup left in a line, and table-row fragments (a row torn from
  its table's header reads as a list of bare values, so it is skipped rather than rewritten).

Checks run on every sentence about to be shown, so each regex runs only where a cheap test
(a trigger word, a character, the first characters) says it can match, and answers are cached
by text: the same posts keep answering related questions.
"""

from __future__ import annotations

import re
from functools import lru_cache

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
    r"|copyright|citation|cite this|source|version|publication date"
    r"|(?:received|accepted|published|revised)(?: online)?)"
    r"\s*[:.]|published on\b"
    # where and when the paper appeared ('The study was published online January 24 in ...')
    r"|(?:the|this|these) (?:study|analysis|article|paper|report|results|findings)"
    r" (?:was|were|is|are|will be) published (?:online )?(?:today|on|in|at)\b"
    # navigation and captions
    r"|(?:see|also see|click|related|references?|links?|tags?|categor(?:y|ies)|overview|items? in"
    r"|this post|contents|table of contents|back to|text in image|images? from"
    r"|scroll|watch|listen|update|top news)\b|\d{1,2}:\d\d\b"
    # PubMed's links between papers ('Comment in: ...', 'Erratum in: ...', 'Retraction of ...')
    r"|(?:editorial )?(?:comment|erratum|retraction|republished) (?:in\b|(?:on|of|for|from):)"
    r"|(?:fig(?:ure)?|table|chart|graph|image|photo|picture|diagram|infographic|video|slide)s?"
    r"\.? ?\d*[a-z]?\s?[:.–-]"
)
"""Junk by how the (lower-cased) line starts."""
_WORDS_RE = re.compile(
    r"\b(?:"
    # links, identifiers, correspondence and paper metadata
    r"https?:|www\.|(?:doi|pmid|pmcid|isbn|issn)\b|correspondence\b|corresponding author"
    r"|reprint requests?\b|e-?mail\b|fax\b|affiliated with\b|epub\b|ahead of print\b"
    r"|before print\b|published online first\b|publication date\b|p\.? ?o\.? box \d"
    r"|copyright\b|all rights reserved\b|key ?words?\s*:"
    r"|(?:received|accepted) for publication|(?:funded|sponsored) by\b|clinicaltrials\.gov|nct\d"
    r"|honorari|financial support|consultan(?:t|cy) (?:for|to)\b|conflicts? of interest"
    r"|journal\b[^.]{0,80}(?:19|20)\d\d[.,;]?$|this (?:web ?)?page\b|nofollow\b|href\b"
    r"|(?:received|accepted|published|revised)(?: online)?:? (?:\d{1,2} "
    + _MONTH
    + r"|"
    + _MONTH
    + r" \d{1,2},?) (?:19|20)\d\d"  # 6 August 2014, August 6, 2014
    # journal and citation lines
    r"|vol(?:ume)?\.? ?\d|issue \d|pp\. ?\d+ ?[-–]\s?\d"
    # site notes
    r"|cited by\b(?! (?:the|a|an|these|those|this|other|some|many|several)\b)"
    r"|google scholar\b|scholar\.google|scopus\b|pay ?wall|no abstract\b|abstract only\b"
    r"|full[- ]text\b"
    r"|pdf\b|download|publisher\b|registered users?\b|logged in\b|log ?in (?:to|with)\b"
    r"|sign(?:ed)? in (?:to|with)\b"
    r"|auto-?translat|(?:google|machine)[- ]translat|translated (?:by|with) (?:google|machine)\b"
    # navigation and attachments
    r"|click(?:ing)? (?:here|on|the|to)\b|see (?:also|vitamindwiki|overview)\b"
    r"|(?:in|on|see) vitamindwiki\b|attach(?:ed|ment)"
    # how to use the page: keys to press, the browser, the site's search
    r"|c(?:n)?trl\b|f11\b|keyboard\b|browser\b|zoom in\b|access search\b)"
)
"""Junk words anywhere in the (lower-cased) line. One group behind one `\\b`, so the regex
engine tries the alternatives only at word starts (a top-level alternation is ~4x slower)."""
_NUMBERED_CAPTION_RE = re.compile(
    r"(?:fig(?:ure)?|table|chart|graph)s?\.? ?\d+[a-z]?\b"
    r"(?! (?:shows?|showed|indicates?|demonstrates?|illustrates?|reveals?) that\b)"
)
"""A figure or table by its number with no punctuation after it ('Table 13 Age and vitamin D',
'Figure 1 gives the risk estimates…'): its caption, or a pointer to what a quote cannot show;
'Figure 2 shows that mean levels increased…' states its result and stays."""
_PAGE_NUMBER_RE = re.compile(
    r"(?<![\d.,$/:=±<>~-])\b\d{1,3}(?:,\s?\d{1,3})*\b(?![.,]?\d)(?!\s*(?:%|percent|iu\b|i\.u"
    r"|[mnpµu]?g\b|mcg|nmol|pmol|ml\b|kg|cm|mm|l\b|days?|weeks?|months?|years?|yrs?|hours?"
    r"|hrs?|min|times?|x\b|fold|cases?|patients?|subjects?|participants?|people|persons?|women"
    r"|men|children|adults|infants|mothers|studies|trials|deaths|of\b|to\b|and\b|or\b|[-–/]))",
    re.I,
)
"""A bare number that no unit, count noun or range follows: in a book's index, a page number
after its term ('latitude 139, 226, 656')."""
_STATES_RE = re.compile(
    r"\b(?:was|were|is|are|had|has|have|than|vs|versus|from|increased|decreased|reduced|rose"
    r"|fell)\b|[%=±]"
)
"""A verb or comparison of a sentence that states a result with its numbers."""
INDEX_PAGES = 3
_DIGIT_RUN_RE = re.compile(r"\d+")
_CONTENTS_LINE_RE = re.compile(r"(?<=[A-Za-z]) \d{1,3},? ((?:[A-Z]\.-?\s?){1,3})$")
"""A book's table of contents: a chapter's title, its page and its author's initials ('Vitamin
D and growth 115 H.T.', '… in the elderly 147, C.J.')."""
_NOT_CONTENTS_AFTER = frozenset(
    {"by", "at", "to", "in", "of", "for", "with", "from", "than", "and", "or", "about"}
)
_NOT_CONTENTS_INITIALS = frozenset({"I.U.", "U.S.", "U.K.", "U.S.A.", "U.N."})
"""A number after one of those words, or before one of these abbreviations, is the sentence's
own ('determined by 10 R.M.', 'care at 14 U.S. sites', 'pasta 90 I.U.')."""
_FUNDING_RE = re.compile(
    r"^(?i:(?:funding(?:/support)?|disclosure summary)\b|study funding/competing interest)"
    r"|(?i:\b(?:supported|financed) (?:in part |partly |partially )?by"
    r" (?:(?:a|an|the) )?(?:(?:research|project|program|programme) )?grants?\b)"
    r"|(?i:\b(?:declared?|reported?|ha(?:s|ve)) no (?:competing interests?|conflicts? of interest)"
    r"|\bnothing to (?:disclose|declare)\b|\bno specific grant\b|\bno funding was\b"
    r"|\bgrants? (?:no\.?|number)\s*\w)"
)
"""Funding and disclosure statements by their words ('Funding This research received no
specific grant…', 'supported in part by grants from…', 'Nigwekar declared no competing
interests.'); 'funded by' and 'sponsored by' are `_WORDS_RE`'s."""
_SUPPORTED_BY_NAME_RE = re.compile(
    r"^(?i:(?:this (?:work|study|research|project|trial) (?:was|is) )?(?:also )?supported"
    r" (?:in part |partly |partially )?by (?:(?:a|an|the) )?)[A-Z]"
    r"|(?i:\b(?:was|were|is|are) (?:also |in part |partly |partially )*(?:supported|financed)"
    r" (?:in part |partly |partially )?by (?:(?:a|an|the) )?)[A-Z]"
)
_FUNDER_RE = re.compile(
    r"(?i:foundation|institute|council|grant|award|program|ministry|universit|hospital|corporat"
    r"|authorit|\bnih\b|fund|fellowship|chair\b|laborator|agency|department|cent(?:er|re)"
    r"|contract|bursary|studentship|pharmaceutical|\binc\b|\bltd\b)"
)
"""'… was supported by <a name>' is a funding statement when it names a funder ('This study was
supported by the NASA Human Research Program', 'Supported by Cancer Research UK (grant…)');
'Supported by the increasingly widespread provision of…' and 'was supported by the Women's
Health Study' go on as prose."""
_FUNDING_WORDS = ("support", "fund", "financ", "grant", "disclos", "declare", "competing")
_TRIGGERS = frozenset({
    "http", "https", "www", "doi", "pmid", "pmcid", "isbn", "issn", "correspondence",
    "corresponding", "reprint", "email", "mail", "fax", "affiliated", "epub", "print",
    "publication", "received", "accepted", "published", "revised", "funded", "sponsored",
    "clinicaltrials", "nct", "honoraria", "honorarium", "honorariums", "financial", "consultant",
    "consultancy", "conflict", "conflicts", "journal", "page", "nofollow", "href", "vol", "volume",
    "issue", "pp", "cited", "scholar", "scopus", "paywall", "pay", "abstract", "text", "pdf",
    "download", "downloads", "downloaded", "downloading", "downloadable", "publisher", "click",
    "clicking", "see", "vitamindwiki", "attach", "attached", "attachment", "attachments", "box",
    "copyright", "rights", "key", "keyword", "keywords", "registered", "logged", "log", "login",
    "sign", "signed", "auto", "autotranslated", "google", "machine", "translated", "ctrl",
    "cntrl", "f11", "keyboard", "browser", "zoom", "access",
})  # fmt: skip
"""A word of every `_WORDS_RE` match. Only ~7% of sentences have one: finding the words and
testing the set takes half the time of running the regex on every sentence."""
_TOKEN_RE = re.compile(r"[a-z]+")
_MARKS_RE = re.compile(
    r"(?=[@©%.=\[{…])(?:"  # a lookahead set of first characters lets the engine skip ahead
    r"[@©]|%20|\.com/|\.(?:pdf|jpe?g|png|gif|docx?|xlsx?|pptx?)\b|===|\[\[|\{\{"
    r"|\.{4}|…{2}"  # contents-page leaders
    r"|\.(?<=[a-z]{2}\.)\d{5,}\b)"  # a manuscript number ("ajcn.063271")
)
"""Junk marks (2.5x faster behind the lookahead than as a bare alternation)."""
_MARKUP_RE = re.compile(
    r"</?(?:span|div|font|img|table|td|tr|strong|em|br)(?=[\s>/])|<a\s+href|</?p>|\bmso-[a-z]"
)
"""HTML or Word markup the conversion to text left in a line ("<span class=SpellE>",
"mso-spacerun"): the page's source, not its text ('<20 ng/ml' is no tag)."""
_NUMBERS_RE = re.compile(
    r"(?=\d)(?:(?:19|20)\d\d ?;\s?\d+ ?(?:\(\d+\))? ?:\s?\d"  # year;volume(issue):page
    r"|10\.\d{4,}/"  # a DOI without the word
    r"|\d{5}-\d{4}\b)"  # a ZIP+4 code in an address
)
"""Citation and address numbers, looked for only when their ";", "/" or "-" is there (digits
are everywhere in findings, these three characters much less)."""
_CELL_RE = re.compile(r"\|(?!ig\b)")
"""A table cell border (OCR turns "µg" into "|ig", which is no border)."""
_POSTED_RE = re.compile(
    r"(?=[–-]|as of)(?:[–-]|\bas of) ?(?:\w+ ){0,4}" + _MONTH + r" ?(?:19|20)\d\d\)?\.?$"
)
"""A link to another post (its title, then the month and year it was posted), or a site note
dated "as of" a month."""
_POSTED_NOTED_RE = re.compile(
    r" [–-] (?:[\w%.,-]+ ){0,3}(?=[A-Z])(?i:" + _MONTH + ")"
    r" (?:19|20)\d\d\b[ –-]+[\w(\"']"
)
"""The same link with a note after it ('... with just 800 IU daily – Dec 2012 A previously
unsuspected disease'): a list of related posts, each title with the site's comment. Its claim is
another post's, not a finding of the post quoted."""
_POSTED_BARE_RE = re.compile(r"(?:^|\s)(\S+) " + _MONTH + r" (?:19|20)\d\d$")
"""The same link without its dash ('Omega-3 aids chemotherapy (by reducing inflammation) Jan
2013'): a line that ends on a month and year, with no full stop, after a word that does not
place the date in a sentence of its own (`_DATE_WORDS`: '... was measured in Oct 2011')."""
_DATE_WORDS = frozenset({
    "in", "on", "since", "until", "till", "through", "thru", "by", "before", "after", "from",
    "of", "during", "ending", "between", "and", "or", "to", "at", "around", "about", "circa",
    "early", "late", "mid", "end", "beginning", "start", "last", "next", "this", "every", "each",
    "recorded", "dated", "as",
})  # fmt: skip
_NAMES_ARE_WITH_RE = re.compile(
    r"^(?:(?:[A-Z][\w.'’-]*|and|&)[, ]+){2,16}(?:are|is)"
    r" (?:affiliated\b|(?:with|at|from) (?:the )?[A-Z])"
)
"""People and where they work ('… are with the Departments of …', '… is at Harvard'): the place
is named, so 'Blacks and Hispanics are at greater risk' is no such line."""
_MARKED_LINE_RE = re.compile(r"^(?:[a-z]|\d{1,2}|[*†‡§¶]+) ?[A-Z]")
"""A footnote mark before a capitalised line: how affiliation lists start ("b ERATO, ...")."""
_ORGANISATION_RE = re.compile(
    r"\b(?:Agency|Univers\w*|Institut\w*|Department|Dept|Hospital|Cent(?:er|re)|College"
    r"|School|Faculty|Foundation|Laborat\w*|Division|Clinic|Ministry|Council|Inc|Ltd|GmbH"
    r"|Corporation|Society|Association|Academy|Program(?:me)?|Unit|Research|Health)\b"
)
_AUTHORS_INSIDE_RE = re.compile(
    r"[A-Z][a-z'-]+ [A-Z]{1,2}\d?, [A-Z][a-z'-]+ [A-Z]{1,2}\d?[,.]"
    r"|[A-Z][a-z'-]+ [a-z](?:, ?[a-z]\b)+"  # "Koutedakis a, d, e": affiliation marks
    r"|, ?(?:MD|PhD|MPH|MSc|BSc|DrPH|FRACP|FACP|RN|RD)\b"  # "Foggs, MD"
)
"""Two "Surname INITIALS" in a row, a name with affiliation marks, or a degree after a comma:
an author list, even after other words."""
_ABBREVIATIONS_RE = re.compile(r" = [A-Za-z][^;=]{2,80}; [\w()-]{1,30} = [A-Za-z]")
"""A list of abbreviations and what they stand for ("CD = Crohn disease; DBP = ...")."""
_LEGEND_PAIR_RE = re.compile(
    r"(?:^|[;,] )(?:[A-Z]|[A-Za-z0-9()/+%-]*[A-Z][A-Za-z0-9()/+%-]*[A-Z][A-Za-z0-9()/+%-]*)"
    r"(?:, |: ?| ?= ?)[A-Za-z][a-z]{2,}"
)
"""One entry of a legend: an abbreviation (a capital, or a word with two), then what it stands for
after a comma, colon or '=' ('RR, Rate ratio', 'VDR: vitamin D receptor', 'G=tooth germ')."""
LEGEND_PAIRS = 3
"""Entries that make a sentence a table's or figure's abbreviation legend ('O, Observed number of
cases; E, Expected number; RR, Rate ratio; ...'), not a finding, when a semicolon parts them or
the sentence says it lists abbreviations (a list in prose parts its names by commas: 'in CINAHL,
PubMed, Medline, EBSCO, ...')."""
_JOURNAL_RE = re.compile(r"\bJ\.? [A-Z].*\b(?:19|20)\d\d\b")
"""An abbreviated journal name ("Am J Clin Nutr", "J R Army Med Corps") and a year."""
_VOLUME_PAGES_RE = re.compile(
    r"\b[A-Z][A-Za-z.&]*[.,]? (?:(?:19|20)\d\d[;,:]? ?)?\d{1,4}(?: ?\(\d{1,3}\))?[,:] ?"
    r"(?:[A-Z]\d{1,5}|\d{2,5}) ?[–-] ?[A-Z]?\d{1,5}\.?$"
)
"""A line ending on a journal's (or publisher's) volume and page range ('Katherine Bourzac Nature
492, S18–S20', 'J Bone Miner Res 13:1238-1242', 'Science Press, 1998: 59-84.'): a citation. A
first page of two digits or more, or lettered ('S4'): 'Stage 3, 4-5' is no page range."""
_BRACKETED_JOURNAL_RE = re.compile(r"\[[A-Z][A-Za-z.&' -]{1,60}\.? (?:19|20)\d\d\]$")
"""A line ending on its journal and year in brackets, as PubMed lists related papers ("The
challenges of using vitamin D in cancer prevention. [Isr Med Assoc J. 2012]")."""
_NUMBERED_REF_RE = re.compile(r"^\s*\d+\.\s+[A-Z][a-z]+ [A-Z]{1,3}\b")
_DESIGN_WORDS = frozenset({
    "a", "an", "the", "of", "and", "in", "with", "from", "randomized", "randomised", "double",
    "single", "triple", "blind", "blinded", "placebo", "controlled", "clinical", "trial",
    "trials", "systematic", "review", "reviews", "meta", "analysis", "analyses", "regression",
    "dose", "response", "prospective", "retrospective", "cohort", "cohorts", "case", "control",
    "cross", "sectional", "population", "based", "community", "hospital", "nationwide",
    "observational", "pilot", "study", "studies", "secondary", "post", "hoc", "follow", "up",
    "pooled", "umbrella", "narrative", "literature", "mendelian", "randomization",
    "randomisation", "multicenter", "multicentre", "multi", "center", "centre", "open",
    "label", "phase", "ii", "iii", "longitudinal", "report", "reports", "series", "evidence",
    "update", "updated", "bayesian", "network", "crossover", "parallel", "group", "registry",
    "nested", "matched", "comparative", "survey", "overview", "consensus", "statement",
    "position", "paper", "guideline", "guidelines", "critical", "scoping", "qualitative",
    "experimental", "preliminary", "exploratory", "feasibility", "cluster", "interventional",
    "ecological", "twin", "prevalence",
})  # fmt: skip
"""What an academic title's subtitle is made of: its design ('a systematic review and
meta-analysis of randomized controlled trials', 'a population-based cohort study'); from the
CONSORT, PRISMA and STROBE names of study designs and general knowledge of how papers are titled."""
_DESIGN_NOUNS = frozenset({
    "trial", "trials", "review", "reviews", "analysis", "analyses", "study", "studies",
    "report", "reports", "series", "overview", "survey", "statement", "guideline",
    "guidelines", "update", "paper",
})  # fmt: skip
_SUBTITLE_SPLIT_RE = re.compile(r"[\s-]+")
_STATES_FINDING_RE = re.compile(
    r"\b(?:is|are|was|were|does|do|did|may|might|can|could|will|would|should|has|have|had|not|no"
    r"|higher|lower|high|low|more|less|fewer|greater|reduction|improvement|resolution|decline"
    r"|found|shown|fell|rose|grew|went|got|gave|made|led|took|became|kept"
    r"|(?:reduc|increas|improv|lower|rais|prevent|predict|protect|caus|affect|modulat"
    r"|inhibit|promot|enhanc|regulat|induc|normali[sz]|mitigat|attenuat|alleviat|decreas|correlat"
    r"|associat|link|relat|determin|influenc|impair|worsen|suppress|stimulat|restor|halv|doubl"
    r"|boost|benefit|help|fail|elevat|diminish|contribut|explain|show|reveal|confirm|support"
    r"|revers|lead|leads)\w*?(?:s|d))\b",
    re.I,
)
"""A verb, or a word that says which way something went: the title before the colon states a
finding ('Vitamin D3 level inversely correlates with fibroid volume: a cross-sectional study',
'High prevalence of deficiency in ...: a hospital-based study'), and is quoted."""


_LOWER_WORD_RE = re.compile(r"(?<![A-Za-z]-)\b[a-z][\w'’-]{3,}")
_CAPITAL_WORD_RE = re.compile(r"\b[A-Z][a-z][\w'’-]{2,}")
"""Longer words in lower case, and capitalised ones (acronyms and shouting not counted); the
tail of a hyphenated word is no word of its own ('P-value' in a table's header row)."""


@lru_cache(maxsize=16384)
def is_junk(sentence: str) -> bool:
    """True for a sentence that says who wrote, funded, cites or links something, or is a
    caption, navigation, a table fragment or a book's index: true of the page, not a finding of
    the study."""
    s = sentence.strip()
    low = s.lower()
    if "|" in s and _CELL_RE.search(s):
        return True  # a table row's cells, torn from their header
    if s.endswith(":"):
        return True  # the lead-in to a list, not a finding itself
    if _START_RE.match(low) or _reference(s, low):
        return True
    if low[:1] in "fctg" and _NUMBERED_CAPTION_RE.match(low):
        return True
    if _MARKS_RE.search(low):
        return True
    if ("<" in low or "mso-" in low) and _MARKUP_RE.search(low):
        return True
    if (";" in low or "/" in low or "-" in low) and _NUMBERS_RE.search(low):
        return True
    if not _TRIGGERS.isdisjoint(_TOKEN_RE.findall(low)) and _WORDS_RE.search(low):
        return True
    if _POSTED_RE.search(low[-40:]):
        return True
    if (" – " in s or " - " in s) and _POSTED_NOTED_RE.search(s):
        return True
    if low[-1:].isdigit() and _dated_link(low[-80:]):
        return True
    if (" are " in s or " is " in s) and _NAMES_ARE_WITH_RE.match(s):
        return True
    if s.endswith("]") and _BRACKETED_JOURNAL_RE.search(s):
        return True
    if s.rstrip(".")[-1:].isdigit() and ("–" in s or "-" in s) and _VOLUME_PAGES_RE.search(s):
        return True
    if ("J " in s and _JOURNAL_RE.search(s)) or _AUTHORS_INSIDE_RE.search(s):
        return True
    if " = " in s and _ABBREVIATIONS_RE.search(s):
        return True
    if (";" in s or low.startswith("abbreviation")) and _is_legend(s):
        return True
    if _MARKED_LINE_RE.match(s) and _ORGANISATION_RE.search(s):
        return True
    if any(w in low for w in _FUNDING_WORDS) and _funding(s):
        return True
    if is_index_line(s, low):
        return True
    if s[-2:-1].isupper() and s[-1:] == "." and _contents_line(s):
        return True
    if ":" in s and _cited_title(s):
        return True
    return _title_case(s)


def _funding(s: str) -> bool:
    if _FUNDING_RE.search(s):
        return True
    return _SUPPORTED_BY_NAME_RE.search(s) is not None and _FUNDER_RE.search(s) is not None


def is_index_line(s: str, low: str | None = None, pages_needed: int = INDEX_PAGES) -> bool:
    """A run of a book's index ('low birth weight 616 low-cost therapy 248 lower respiratory
    tract infection 288', 'C-reactive protein - See: CRP'): a cross-reference, or at least
    INDEX_PAGES page numbers, one for every five words or fewer, no sentence end and nothing a
    result is stated with ('Lifetime risk of type II diabetes was 1 in 30; today 1 in 3'
    stays). `low`: `s` lower-cased, when the caller has it; `pages_needed`: fewer for a line
    read among others of the same text ('intestinal absorption 567')."""
    low = s.lower() if low is None else low
    if " - see:" in low:
        return True
    if low[-1:] in ".!?" or len(_DIGIT_RUN_RE.findall(s)) < pages_needed:
        return False
    pages = len(_PAGE_NUMBER_RE.findall(s))
    return pages >= pages_needed and pages * 5 >= len(s.split()) and not _STATES_RE.search(low)


def _contents_line(s: str) -> bool:
    found = _CONTENTS_LINE_RE.search(s)
    if found is None:
        return False
    before = s[: found.start()].split()[-1].lower()
    return (
        before not in _NOT_CONTENTS_AFTER and found.group(1).strip() not in _NOT_CONTENTS_INITIALS
    )


def _dated_link(tail: str) -> bool:
    posted = _POSTED_BARE_RE.search(tail)
    return posted is not None and posted.group(1) not in _DATE_WORDS


def _is_legend(s: str) -> bool:
    return len(_LEGEND_PAIR_RE.findall(s)) >= LEGEND_PAIRS


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
    sentences of a finding do not. Words in lower case are counted once each: a list repeats
    its one ('Fish Oil (725 references), Creatine (471 references), ...', '... equal
    contributor, ... equal contributor')."""
    if len(_LOWER_WORD_RE.findall(s, 0, 60)) >= 3:
        return False  # prose shows within its first words: the rest need not be read
    lower = len(set(_LOWER_WORD_RE.findall(s)))
    if lower > 3:
        return False
    capitals = len(_CAPITAL_WORD_RE.findall(s))
    return capitals + lower >= 3 and capitals >= 4 * lower


def _cited_title(s: str) -> bool:
    """A paper's title as a line of its own ('Vitamin D in ankylosing spondylitis: a systematic
    review and meta-analysis.'): a subtitle of study-design words alone after the last colon, and
    before it a subject that states no finding. A citation, telling what a paper is about: 90
    of the archive's distinct quotable sentences were such titles, most under posts that list
    studies."""
    subject, _, subtitle = s.rpartition(":")
    words = [w for w in _SUBTITLE_SPLIT_RE.split(subtitle.strip().rstrip(".").lower()) if w]
    if not words or _DESIGN_NOUNS.isdisjoint(words):
        return False
    # design words only, or a short one naming where or in whom ('an urban Indian study')
    named = words[0] in ("a", "an") and len(words) <= 6 and words[-1] in _DESIGN_NOUNS
    if not (named or _DESIGN_WORDS.issuperset(words)):
        return False
    return len(subject.split()) >= 3 and _STATES_FINDING_RE.search(subject) is None
