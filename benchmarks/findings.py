"""Junk in the quoted findings, over 500+ questions; prints one JSON object.

    .venv/bin/python benchmarks/findings.py [--index DIR] [--generated N] [--seed S]

Questions: the dev set, the independent set (../shared/eval), and questions made from the titles
of posts neither set names as relevant ("what about <title>?", "is it true that <title>?").
Every finding shown for the first 3 posts is checked by `junk_reasons` below: simple checks kept
apart from `retrieval.junk` (other code, other rules), so the filter cannot pass by grading
itself. The index is only read. A seeded sample of 30 findings is printed for a person to read.
It also counts answers that quote a sentence twice (in two posts) and findings that are a post's
title (a link), and times the junk filter.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from retrieval import findings, junk, store  # noqa: E402
from retrieval.embedding import BACKENDS, Embedder  # noqa: E402
from retrieval.search import Hit, Searcher  # noqa: E402

QUESTION_FILES = (
    HERE / "questions_dev.json",
    HERE.parent.parent / "shared/eval/questions_independent.json",
)
TEMPLATES = ("what about {t}?", "is it true that {t}?", "what does the archive say on {t}?")

# --- the independent junk check ------------------------------------------------------------------
_PHRASES = {
    "site note": ("paywall", "pay wall", "google scholar", "scholar.google", "scopus",
                  "no abstract", "abstract only", "full text", "subscription", "read more",
                  "this page", "this web page", "registered user", "logged in", "log in to",
                  "auto-translated", "google translat", "machine translat"),
    "navigation": ("click here", "click on", "see also", "attached", "attachment", "download",
                   ".pdf", ".jpg", ".jpeg", ".png", ".gif", ".doc", "===", "[[", "{{", "<span",
                   "<div", "<font", "<a href", "mso-", "ctrl", "cntrl", "browser", "keyboard",
                   "zoom in", "access search"),
    "correspondence": ("correspondence", "corresponding author", "e-mail", "email:", "reprint",
                       "@", "http", "www."),
    "metadata": ("doi:", "doi.org", "pmid", "pmcid", "copyright", "all rights reserved",
                 "conflict of interest", "conflicts of interest", "funded by", "received:",
                 "accepted:", "published online", "epub", "keywords:", "affiliation",
                 "equal contributor", "contributed equally"),
}  # fmt: skip
_PHRASE_RES = {
    kind: re.compile(
        "|".join(("(?<![a-z])" if p[0].isalpha() else "") + re.escape(p) for p in phrases)
    )
    for kind, phrases in _PHRASES.items()
}
"""Each phrase from a word's start: 'epub' is metadata, 'Czech Republic' is not."""
_PLACING = {
    "in", "on", "since", "until", "through", "from", "by", "before", "after", "of", "during",
    "between", "and", "to", "ending", "early", "late", "mid", "recorded",
}  # fmt: skip
"""Words that make a closing month and year part of a sentence ('measured in Oct 2011')."""
_MONTHS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec",
}  # fmt: skip

_PAPER_DESIGN_RE = re.compile(
    r"(?:an? )?(?:[\w-]+ ){0,6}(?:trial|trials|meta-analysis|meta-analyses|review|study|studies"
    r"|case report|case series)(?: (?:and|of) (?:[\w-]+ ){0,5}(?:trials|studies|meta-analysis"
    r"|meta-analyses|review))?",
    re.I,
)
"""A paper's title names its design after a colon ("...: a randomised controlled trial")."""
_FINITE_RE = re.compile(
    r"\b(?:is|are|was|were|has|have|had|does|did|can|may|not|no|\w+(?:es|ed|ing)"
    r"|(?:predict|prevent|protect|affect|lower|boost|help|fail|cut|show|reveal|lead)s)\b",
    re.I,
)
"""A subject with a verb states a finding; one without ("Vitamin D in asthma") only names it."""


def junk_reasons(text: str) -> list[str]:
    """Why a finding reads as junk (empty when it does not)."""
    low = text.lower()
    reasons = [kind for kind, found in _PHRASE_RES.items() if found.search(low)]
    if re.match(
        r"(?:editorial )?(?:comment|erratum|retraction|republished)"
        r"\s+(?:in\b|(?:on|of|for|from)\s*:)",
        low,
    ):
        reasons.append("citation of another paper")  # PubMed's "Comment in: ...", "Erratum in: ..."
    if re.search(r"\[[^\[\]]*\b(?:19|20)\d\d\]\s*$", text):  # "... [N Engl J Med. 2012]"
        reasons.append("citation of another paper")
    if re.search(
        r"[A-Za-z][.,]? (?:\d{4}[;,:] ?)?\d+(?: ?\(\d+\))?[:,] ?(?:[A-Z]\d+|\d\d+)"
        r" ?[–-] ?[A-Z]?\d+\.?$",
        text,
    ):
        reasons.append("citation of another paper")  # "... Nature 492, S18–S20", "13:1238-1242"
    subject, colon, design = text.rstrip(" .").rpartition(":")
    if colon and _PAPER_DESIGN_RE.fullmatch(design.strip()) and not _FINITE_RE.search(subject):
        reasons.append("citation of another paper")  # "X and Y: a systematic review"
    if "|" in text.replace("|ig", ""):  # "|ig" is how OCR renders "µg"
        reasons.append("table fragment")
    if re.search(r"\bcited by\s+(?:\d|in\b|google|scopus)", low):
        reasons.append("site note")
    words = text.split()
    names = [w for w in words if len(w.strip(",.;")) > 3 and w.isalpha()]
    if len(names) >= 3 and sum(w[0].isupper() and w[1:].islower() for w in names) > 0.85 * len(
        names
    ):
        reasons.append("title case (names, headings, titles)")
    name_initials = sum(
        bool(re.fullmatch(r"[A-Z][a-z'-]+", a) and re.fullmatch(r"[A-Z]{1,3}\d?[,.]", b))
        for a, b in itertools.pairwise(words)
    )
    if name_initials >= 2:  # "Smith AB, Jones C, ..."
        reasons.append("author list")
    if len(re.findall(r"[A-Za-z]{3,}", text)) < 3:
        reasons.append("too few words to read")
    short = len(words) <= 10
    if short and not any(w.islower() and len(w) >= 3 for w in re.findall(r"[A-Za-z]+", text)):
        reasons.append("no word in lower case (heading, table header, name)")
    tail = low.rstrip(" .").split()[-2:]
    dated = len(tail) == 2 and tail[0] in _MONTHS and tail[1].isdigit() and len(tail[1]) == 4
    if dated and ("–" in text or " - " in text):
        reasons.append("link to another post (title – month year)")
    last = low.split()[-3:]
    if dated and len(last) == 3 and last[0] not in _PLACING and text.rstrip()[-1:].isdigit():
        reasons.append("dated line without a sentence (title or note, month year)")
    for dash in re.finditer(r" [–-] ", text):  # the same link with the site's note after it
        after = text[dash.end() :].split()
        for i, word in enumerate(after[:4]):
            year = after[i + 1] if i + 1 < len(after) else ""
            noted = i + 2 < len(after)  # something follows the date
            month = word.rstrip(".")
            named = month.istitle() and month.lower() in _MONTHS  # as a title writes it: 'Dec'
            if noted and named and re.fullmatch(r"(?:19|20)\d\d", year):
                reasons.append("link to another post (title – month year)")
    if re.match(r"(?:fig(?:ure)?s?\.?|table|chart|graph|image|photo)\s*\d*\s*[:.]", low):
        reasons.append("caption")
    numbered = re.match(
        r"(?:fig(?:ure)?s?\.?|tables?|charts?|graphs?)\s*\d+[a-z]?\s+(\w+ \w+)", low
    )
    if numbered and not re.fullmatch(
        r"(?:show|shows|showed|indicates|demonstrates) that", numbered[1]
    ):
        reasons.append("caption")  # a numbered figure or table named, not its result stated
    organisation = re.search(r"universit|institut|department|hospital|school of|faculty", low)
    organisation = organisation or re.search(r"\bagency\b", low)
    long_lower = [w for w in words if len(w) > 3 and w[0].islower() and w.isalpha()]
    if organisation and text.count(",") >= 1 and len(long_lower) <= 1:
        reasons.append("affiliation")
    if re.search(r"\b(?:are|is) with\b", text) and text[:1].isupper() and len(long_lower) <= 2:
        reasons.append("affiliation")
    if re.match(r"\d{1,2}:\d\d\b", text):
        reasons.append("transcript timestamp")
    if re.search(r"\d{4}\s*;\s*\d+\s*(?:\(\d+\))?\s*:\s*\d", text):
        reasons.append("citation")
    if re.search(r"\d+\(\d+\):\s?\d+", text) or re.search(r"\bvol\.\s?\d", low):
        reasons.append("citation")
    if re.search(r"\bJ\b\.?\s", text) and re.search(r"\b(?:19|20)\d\d\b", text):
        reasons.append("citation")  # an abbreviated journal ("Am J Clin Nutr") and a year
    if len(re.findall(r"\S+ = [A-Za-z]", text)) >= 2 and ";" in text:
        reasons.append("abbreviations")
    defined = re.findall(r"(?:^|[;,:]\s*)[A-Z][\w/()+-]{0,9}\s*[,:=]\s*[A-Za-z][a-z]{2,}", text)
    if len(defined) >= 3 and (";" in text or low.startswith("abbreviation")):
        reasons.append("abbreviations")  # a legend: "RR, rate ratio; CI, confidence interval"
    if "**" in text or re.search(r"(?<!\w)__|__(?!\w)", text):
        reasons.append("markup left in")  # unpaired markdown bold
    paid = re.search(r"\b(?:supported|funded|financed|sponsored)\b[^.;]{0,30}\bby\b", low)
    funder = r"foundation|institute|council|grant|award|ministry|fund|fellowship|contract"
    declared = r"\b(?:no|declared?|declaration of|potential|any|reported?)\b[\w ]{0,20}"
    if (paid and re.search(funder, low)) or re.search(
        rf"{declared}competing interest"
        r"|^competing interest|competing interests?(?:\(s\))?\s*(?::|none|statement)"
        r"|nothing to (?:disclose|declare)|no specific grant|no funding",
        low,
    ):  # a disclosure, not a sentence that speaks of competing interests ("tighten the ...")
        reasons.append("funding or disclosure")
    entries = re.findall(r"[a-z]{3,} \d{1,3}(?:, \d{1,3})*(?= [a-z]|$)", text)
    stated = re.search(r"\b(?:was|were|is|are|had|has|have|than|from|received)\b|[%(]", low)
    ends = text.rstrip().endswith((".", "…", "!", "?", ")"))
    if " - see:" in low or (len(entries) >= 3 and not stated and not ends):
        reasons.append("book index")
    if re.search(r"(?:[a-z]{4,}|\b[A-Z]) \d{2,3},? (?:[A-Z]\.-?){1,3}$", text):
        reasons.append("book contents")  # a chapter's title, page and author's initials
    return sorted(set(reasons))


# --- questions -----------------------------------------------------------------------------------
def file_questions() -> tuple[list[str], set[str]]:
    """Questions of the evaluation files and the slugs they name."""
    questions, touched = [], set()
    for path in QUESTION_FILES:
        if not path.exists():
            print(f"skipping missing {path}", file=sys.stderr)
            continue
        for item in json.loads(path.read_text("utf-8")):
            questions.append(item["question"])
            touched.update(item.get("relevant", {}))
    return questions, touched


def title_questions(
    index: store.IndexData, touched: set[str], n: int, rng: random.Random
) -> list[str]:
    """`n` questions from titles of posts the evaluation files do not name."""
    titles = sorted({p.title for p in index.posts if p.slug not in touched and len(p.title) > 12})
    chosen = rng.sample(titles, min(n, len(titles)))
    out = []
    for title in chosen:
        topic = re.sub(r"\s+[–-]\s+[^–-]*$", "", title).strip() or title  # "… – RCT 2013" off
        out.append(rng.choice(TEMPLATES).format(t=topic[0].lower() + topic[1:]))
    return out


def _sentences(finding: str) -> list[str]:
    """A finding's sentences (it may be quoted with the one beside it), ellipses off."""
    return re.split(r"(?<=[.!?])\s+", finding.strip("… "))


def _words(text: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in text.casefold()).split())


def titles_quoted(findings_shown: list[str], titles: set[str]) -> int:
    """Findings that are, or hold as one of their sentences, a post's title (`titles` by
    `_words`): a link to that post or a heading, not a finding."""
    return sum(any(_words(s) in titles for s in [f, *_sentences(f)]) for f in findings_shown)


def repeats_a_quote(hits: list[Hit]) -> bool:
    """Whether a later post of the answer quotes a sentence an earlier one quotes (each finding
    read as its sentences, spaces, punctuation and case ignored): the reader would read it
    twice."""
    seen: set[str] = set()
    for hit in hits:
        mine = {
            re.sub(r"[\W_]+", "", s.lower())
            for f in hit.findings
            for s in _sentences(f)
            if len(s) >= 25
        }
        if mine & seen:
            return True
        seen |= mine
    return False


QUOTABLE_CHECK_TARGET_US = 50
"""The junk filter reads every sentence of a version when its tables are built: tens of
microseconds a sentence at most (a timed unit test checked this before; timings live here)."""


def quotable_check_us(texts: list[str]) -> float:
    """Microseconds `findings.is_quotable` (the junk filter) takes a sentence, uncached: it
    reads every sentence of a version when its tables are built. Each distinct text once, the
    filter's cache emptied first (marking the texts distinct instead changed how they end,
    which some checks read)."""
    lines = list(dict.fromkeys(texts))
    junk.is_junk.cache_clear()
    began = time.perf_counter()
    for line in lines:
        findings.is_quotable.__wrapped__(line)
    return round((time.perf_counter() - began) / max(len(lines), 1) * 1e6, 1)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--index", type=Path, default=HERE.parent / "index" / "archive")
    p.add_argument("--generated", type=int, default=360, help="questions made from titles")
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--backend", choices=BACKENDS, default="onnx")
    args = p.parse_args()
    rng = random.Random(args.seed)
    embedder = Embedder(backend=args.backend, cache_dir=store.onnx_cache(args.index))
    searcher = Searcher(store.load(args.index, expected_model=embedder.name), embedder)
    questions, touched = file_questions()
    n_files = len(questions)
    questions += title_questions(searcher.index, touched, args.generated, rng)
    shown: list[dict] = []
    empty_with_text = title_only = hits = leads = repeating = 0
    began = time.perf_counter()
    for q in questions:
        answer = searcher.search(q, k=3)
        leads += answer.lead is not None
        repeating += repeats_a_quote(answer.hits)
        for rank, hit in enumerate(answer.hits):
            hits += 1
            title_only += not hit.has_text
            empty_with_text += hit.has_text and not hit.findings
            shown += [{"question": q, "rank": rank, "slug": hit.slug, "finding": f}
                      for f in hit.findings]  # fmt: skip
    seconds = time.perf_counter() - began
    check_us = quotable_check_us([s["finding"] for s in shown])
    titles = {_words(p.title) for p in searcher.index.posts}
    as_titles = titles_quoted([s["finding"] for s in shown], titles)
    flagged = [dict(s, reasons=r) for s in shown if (r := junk_reasons(s["finding"]))]
    by_reason: dict[str, int] = {}
    for j in flagged:
        for r in j["reasons"]:
            by_reason[r] = by_reason.get(r, 0) + 1
    sample = rng.sample(shown, min(30, len(shown)))
    print(json.dumps({
        "index": str(args.index), "version": searcher.index.version,
        "questions": len(questions), "from_files": n_files, "from_titles": len(questions) - n_files,
        "hits": hits, "findings": len(shown), "junk": len(flagged), "junk_by_reason": by_reason,
        "hits_with_text_but_no_findings": empty_with_text, "title_only_hits": title_only,
        "answers_with_lead": leads, "answers_repeating_a_quote": repeating,
        "findings_that_are_a_post_title": as_titles,
        "quotable_check_us_per_sentence": check_us,
        "quotable_check_within_target": check_us <= QUOTABLE_CHECK_TARGET_US,
        "seconds": round(seconds, 1), "junk_findings": flagged, "sample": sample,
    }, ensure_ascii=False, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
