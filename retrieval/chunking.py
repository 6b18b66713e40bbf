"""Sections -> chunks sized by the embedding model's own tokenizer, so nothing is truncated.

A chunk is packed from whole sentences (a sentence longer than the budget is cut at word
boundaries) and starts fresh at a heading once it is half full, so it mostly stays within one
section. A sentence that goes on over several lines (a list its lead-in runs into, text wrapped at
a fixed width) is kept in one chunk when it fits, so it is never quoted in halves. Each chunk is
embedded with its post title (and section heading) as context; the budget counts that context and
the model's special tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from retrieval.archive import Post
from retrieval.junk import is_reference_line
from retrieval.markdown import Section, to_sections
from retrieval.sentences import continues, split_sentences

CONTEXT_MAX_TOKENS = 48
"""Title + heading context is cut to this many tokens, leaving most of the window for the text."""
SPECIAL_TOKENS = 2  # [CLS] and [SEP]


class Tokenizer(Protocol):
    """The slice of a `tokenizers.Tokenizer` (no truncation, no padding) chunking needs."""

    def encode(self, sequence: str, *, add_special_tokens: bool = True) -> Any: ...

    def encode_batch(self, input: list[str], *, add_special_tokens: bool = True) -> list[Any]: ...


@dataclass(frozen=True)
class Chunk:
    slug: str
    section: str
    position: int
    text: str
    """Clean chunk text, as shown to users."""
    embed_text: str
    """What the model reads: context line + text, within the token limit."""


@dataclass
class _Unit:
    text: str
    tokens: int
    heading: str
    new_line: bool
    starts_section: bool
    goes_on: bool
    """The first sentence of a line that goes on with the sentence the line before left open
    (`sentences.continues`): packed with the unit before it."""


def _separator(unit: _Unit) -> str:
    """What goes before `unit` in a chunk's text: a blank line before a section, so that no
    sentence is read across two (`sentences.split_paragraphs` joins lines, never over a blank
    one), a line break before a line, else a space."""
    if not unit.new_line:
        return " "
    return "\n\n" if unit.starts_section else "\n"


class Chunker:
    """Packs post text into chunks of at most `max_tokens` tokens (special tokens included)."""

    def __init__(self, tokenizer: Tokenizer, max_tokens: int) -> None:
        if max_tokens < 64:
            raise ValueError(f"max_tokens {max_tokens} is too small to chunk with")
        self.tokenizer = tokenizer
        self.max_tokens = max_tokens

    def _token_counts(self, texts: list[str]) -> list[int]:
        if not texts:
            return []
        return [len(e.ids) for e in self.tokenizer.encode_batch(texts, add_special_tokens=False)]

    def _cut(self, text: str, limit: int) -> list[str]:
        """Cut text into pieces of at most `limit` tokens at token (word-piece) boundaries."""
        offsets = self.tokenizer.encode(text, add_special_tokens=False).offsets
        pieces: list[str] = []
        start_tok = 0
        while start_tok < len(offsets):
            end_tok = min(start_tok + limit, len(offsets))
            if end_tok < len(offsets):
                # back off to a word start so words are not split between chunks
                back = end_tok
                while back > start_tok + limit // 2 and offsets[back][0] == offsets[back - 1][1]:
                    back -= 1
                end_tok = back
            char_start = offsets[start_tok][0]
            char_end = offsets[end_tok][0] if end_tok < len(offsets) else len(text)
            piece = text[char_start:char_end].strip()
            if piece:
                pieces.append(piece)
            start_tok = end_tok
        return pieces

    def context(self, title: str, heading: str) -> str:
        """The title (and heading when it adds something), cut to CONTEXT_MAX_TOKENS."""
        ctx = title if not heading or heading.lower() in title.lower() else f"{title} — {heading}"
        if self._token_counts([ctx])[0] > CONTEXT_MAX_TOKENS:
            ctx = self._cut(ctx, CONTEXT_MAX_TOKENS)[0]
        return ctx

    def _units(self, sections: list[Section], budget: int) -> list[_Unit]:
        units: list[_Unit] = []
        for section in sections:
            if section.boilerplate:
                continue
            first = True
            last = ""
            for line in section.lines:
                if is_reference_line(line):
                    continue
                stripped = line.strip()
                goes_on, last = continues(last, stripped), stripped
                sentences = split_sentences(line)
                for i, (sentence, count) in enumerate(
                    zip(sentences, self._token_counts(sentences), strict=True)
                ):
                    pieces = [sentence] if count <= budget else self._cut(sentence, budget)
                    counts = [count] if count <= budget else self._token_counts(pieces)
                    for j, (piece, n) in enumerate(zip(pieces, counts, strict=True)):
                        opens = i == 0 and j == 0
                        units.append(
                            _Unit(piece, n, section.heading, opens, first, goes_on and opens)
                        )
                        first = False
        return units

    @staticmethod
    def _runs(units: list[_Unit]) -> list[list[_Unit]]:
        """`units` in runs that are one sentence over several lines (most runs are one unit)."""
        runs: list[list[_Unit]] = []
        for unit in units:
            if unit.goes_on and runs:
                runs[-1].append(unit)
            else:
                runs.append([unit])
        return runs

    def chunk_post(self, post: Post, sections: list[Section] | None = None) -> list[Chunk]:
        """All embeddable chunks of a post (boilerplate sections such as references excluded)."""
        if sections is None:
            sections = to_sections(post.body)
        chunks: list[Chunk] = []
        current: list[_Unit] = []
        used = 0
        ctx = ""

        def flush() -> None:
            nonlocal current, used
            if current:
                text = current[0].text + "".join(_separator(u) + u.text for u in current[1:])
                chunks.append(
                    Chunk(post.slug, current[0].heading, len(chunks), text, f"{ctx}\n{text}")
                )
            current, used = [], 0

        # The context depends on the section heading, so the budget is per section; one
        # conservative budget (longest context) keeps packing simple and always safe.
        heads = {s.heading for s in sections if not s.boilerplate}
        ctx_tokens = max(
            (self._token_counts([self.context(post.title, h)])[0] for h in heads), default=0
        )
        budget = self.max_tokens - SPECIAL_TOKENS - ctx_tokens - 1
        for run in self._runs(self._units(sections, budget)):
            # +1: the separator between units may cost a token when tokenized together
            size = sum(unit.tokens + 1 for unit in run)
            if current and used + size > budget >= size:
                flush()  # the run starts the next chunk whole
            for unit in run:  # a run too long for one chunk is packed unit by unit
                starts_fresh = unit.starts_section and used >= budget // 2
                if current and (starts_fresh or used + unit.tokens + 1 > budget):
                    flush()
                if not current:
                    ctx = self.context(post.title, unit.heading)
                current.append(unit)
                used += unit.tokens + 1
        flush()
        return chunks
