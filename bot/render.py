"""Answer -> what people read: plain text (CLI) and Discord embeds, within Discord's limits."""

from __future__ import annotations

from collections import Counter

import discord

from retrieval.language import LANGUAGES, NAMES
from retrieval.search import Answer, Hit
from retrieval.tags import is_generic
from retrieval.text import clip

NO_ANSWER = "The archive has nothing clear on that."
URGENT = (
    "If someone may have taken too much or is unwell right now, call your local emergency number "
    "or a poison control centre: these posts are studies, not urgent help."
)
NOT_ADVICE = "Quotes from the archive, not medical advice."
_READ = [NAMES[code] for code in LANGUAGES]
READ_LANGUAGES = ", ".join(_READ[:-1]) + " and " + _READ[-1]
EMPTY_QUESTION = "Ask a question about vitamin D, e.g. “does vitamin D help MS bone loss?”"

# Discord limits
MESSAGE_MAX = 2000
TITLE_MAX = 256
HIT_DESCRIPTION_MAX = 2000
"""Per post embed: the first post's five findings of up to 300 characters, their bullets and its
tags fit; with the other two posts' two findings each, titles and footer, a message stays under
the 6,000 total."""
FOOTER_MAX = 2048
DESCRIPTION_MAX = 4096
CHOICE_MAX = 100
"""Autocomplete choices: name and value."""
MESSAGE_EMBEDS_TOTAL = 6000
ECHO_MAX = 200
"""User text echoed back (thread names, refusals) is cut to this many characters."""
EVIDENCE_NAMES = {
    "rct": "RCT",
    "meta-analysis": "Meta-analysis",
    "systematic-review": "Systematic review",
    "review": "Review",
    "observational": "Observational",
    "case-report": "Case report",
    "animal-or-lab": "Animal/lab study",
}
TITLE_ONLY = "Index page, no text: open it on the site."
NO_FINDINGS = "No key findings quoted: open the post."


def safe_echo(text: str, limit: int = ECHO_MAX) -> str:
    """User text made inert for display: no mentions, no markdown, one line."""
    text = " ".join(text.split())
    text = discord.utils.escape_mentions(discord.utils.escape_markdown(text))
    return clip(text, limit)


def closest_tags(answer: Answer, n: int = 5) -> list[str]:
    """The most common specific tags among the returned posts."""
    counts = Counter(t for h in answer.hits for t in dict.fromkeys(x.lower() for x in h.tags))
    return [t for t, _ in counts.most_common() if not is_generic(t)][:n]


def uncovered(answer: Answer) -> list[str]:
    """The question's subjects no post covers (why the answer is not confident), a word dropped
    when a longer name holds it ('hidradenitis' inside 'hidradenitis suppurativa')."""
    names = answer.missing  # each once already (`Searcher._uncovered`)
    return [n for n in names if not any(n != m and n in m for m in names)]


def unread_line(answer: Answer) -> str | None:
    """For a question in no language read here: which languages are, and that its posts were
    matched by meaning alone (`Answer.unread`)."""
    if not answer.unread:
        return None
    return (
        f"I read questions in {READ_LANGUAGES}; this one is in {answer.unread}, so the closest "
        "posts were found by meaning alone."
    )


def urgent_line(answer: Answer) -> str | None:
    """For a question that sounds like an emergency (`Answer.urgent`): where help is, first."""
    return URGENT if answer.urgent else None


def lead_line(answer: Answer) -> str | None:
    """'In short: <quoted sentence> [n]', n numbering the post it is quoted from (a lead is
    only shown above the first page)."""
    if answer.lead is None:
        return None
    return f"In short: {answer.lead.text} [{answer.lead.result + 1}]"


def asked_line(answer: Answer) -> str | None:
    """For a question that asked for a kind of study in words: whether the posts shown lead with
    that kind (`Answer.asked_evidence`), or none of the closest is one."""
    if not answer.asked_evidence or not answer.hits:
        return None
    kinds = " or ".join(EVIDENCE_NAMES.get(k, k) for k in answer.asked_evidence)
    if answer.hits[0].evidence in answer.asked_evidence:
        return f"Asked for: {kinds}. Those on the subject come first."
    return f"Asked for: {kinds}. None of the closest posts is one."


def units_line(answer: Answer) -> str | None:
    """The question's amounts in the units the posts use ('In the archive's units: 50 mcg =
    2,000 IU.'), confident or not: a question asking the conversion is answered by it."""
    return f"In the archive's units: {'; '.join(answer.units)}." if answer.units else None


def read_as_line(answer: Answer) -> str | None:
    """For a question answered after its misspelt words were put right: what was searched."""
    return f"Read as: {answer.read_as}" if answer.read_as else None


def nothing_quoted(hit: Hit) -> str:
    """What a post without findings is, said in its place (the CLI showed nothing for a post
    with text but nothing quotable, such as a chart and a list of links)."""
    return TITLE_ONLY if not hit.has_text else NO_FINDINGS


def badge(hit: Hit) -> str:
    """Study type and year, e.g. "RCT · 2013" (empty when neither is known)."""
    parts = [EVIDENCE_NAMES.get(hit.evidence, hit.evidence) if hit.evidence else "", hit.year]
    return " · ".join(str(p) for p in parts if p)


def answer_text(answer: Answer) -> str:
    """Plain-text reply (CLI): numbered posts with link and findings, or a plain 'nothing clear'."""
    if answer.empty:
        return EMPTY_QUESTION
    lines: list[str] = []
    for first in (urgent_line(answer), lead_line(answer)):
        if first:
            lines += [first, ""]
    notes = (
        read_as_line(answer),
        units_line(answer),
        asked_line(answer) if answer.confident else None,
    )
    for note in notes:
        if note:
            lines += [note, ""]
    if not answer.confident:
        tags = closest_tags(answer)
        lines.append(
            (unread_line(answer) or NO_ANSWER)
            + (f" Closest tags: {', '.join(tags)}." if tags else "")
        )
        if names := uncovered(answer):
            lines.append(f"No post is about: {', '.join(names)}.")
        lines.append("The nearest posts, for what they are worth:")
    for n, hit in enumerate(answer.hits, 1):
        label = badge(hit)
        lines.append(f"{n}. {hit.title}" + (f" [{label}]" if label else ""))
        lines.append(f"   {hit.url}")
        lines.extend(f"   - {f}" for f in hit.findings)
        if not hit.findings:
            lines.append(f"   ({nothing_quoted(hit)})")
    if not answer.hits:
        lines.append("No posts matched.")
    else:
        lines += ["", NOT_ADVICE]
    return "\n".join(lines)


def not_confident_text(answer: Answer) -> str:
    """Chat reply when the archive has no clear answer: say so, suggest tags for /tag."""
    tags = closest_tags(answer)
    text = unread_line(answer) or NO_ANSWER
    if answer.urgent:
        text = f"{URGENT}\n{text}"
    if names := uncovered(answer):
        text += " No post is about: " + ", ".join(f"**{safe_echo(n, 60)}**" for n in names) + "."
    if units := units_line(answer):
        text += f" {units}"
    if tags:
        text += " Closest tags (try `/tag`): " + ", ".join(f"**{safe_echo(t, 60)}**" for t in tags)
    return clip(text, MESSAGE_MAX)


def hit_embed(hit: Hit, number: int) -> discord.Embed:
    title = clip(f"{number}. {hit.title}", TITLE_MAX)
    bullets = "\n".join(f"• {discord.utils.escape_markdown(f)}" for f in hit.findings)
    tags = ", ".join(t for t in hit.tags if not is_generic(t))[:300]
    parts = [bullets or f"_{nothing_quoted(hit)}_"]
    if tags:
        parts.append(f"-# Tags: {discord.utils.escape_markdown(tags)}")
    embed = discord.Embed(
        title=title,
        url=hit.url,
        description=clip("\n".join(parts), HIT_DESCRIPTION_MAX),
        colour=discord.Colour.gold(),
    )
    if hit.date or hit.evidence:
        embed.set_author(name=" · ".join(p for p in ("VitaminDWiki", badge(hit)) if p))
    return embed


def footer_text(answer: Answer, start: int = 0) -> str:
    """'Posts 1–3 of 12 that matched'; `total` counts confident matches only, and a page is
    always full, so when fewer matched than are shown, say how many did."""
    last = start + len(answer.hits)
    shown = f"Posts {start + 1}–{last}"
    if answer.total >= last:
        return f"{shown} of {answer.total} that matched"
    return f"{shown}; only {answer.total} matched closely" if answer.total else shown


def answer_embeds(answer: Answer, start: int = 0) -> list[discord.Embed]:
    """One embed per post; the last one's footer says how many posts matched."""
    embeds = [hit_embed(h, start + i + 1) for i, h in enumerate(answer.hits)]
    if embeds:
        footer = f"{footer_text(answer, start)} · {NOT_ADVICE}"
        embeds[-1].set_footer(text=clip(footer, FOOTER_MAX))
    # Embeds in one message share a 6,000-character budget: shorten descriptions if needed.
    while sum(len(e) for e in embeds) > MESSAGE_EMBEDS_TOTAL:
        longest = max(embeds, key=lambda e: len(e.description or ""))
        longest.description = clip(longest.description or "", len(longest.description or "") // 2)
    return embeds
