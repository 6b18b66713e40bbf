"""Markdown post bodies -> clean text sections, via markdown-it-py tokens.

The archive was exported from a wiki, so bodies mix markdown with raw HTML, entities, Hugo
shortcodes and what is left of the wiki's own markup (`wiki_text`). Headings become section
titles; everything else becomes readable lines. Bold spans are kept because the site's authors
bold the key result of a study.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

SHORTCODE_RE = re.compile(r"\{\{[<%].*?[>%]\}\}", re.DOTALL)
TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]{0,500})?/?>")
COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
SPLIT_TAG_RE = re.compile(r"<[A-Za-z][A-Za-z0-9:-]*\s[^<>]{0,500}?=[^<>]{0,500}?>")
"""A tag with attributes, which Word's HTML (pasted into a few posts) splits over a blank line
('<span', a blank line, 'style=...>'): the blank line ends the block, so each half was read as
text."""
BLOCK_END_RE = re.compile(r"<br\s*/?>|</(?:p|div|tr|li|h[1-6]|table|ul|ol)\s*>", re.I)
CELL_END_RE = re.compile(r"</t[dh]\s*>", re.I)
BOLD_OPEN_RE = re.compile(r"<(?:strong|b)(?:\s[^>]*)?>", re.I)
BOLD_CLOSE_RE = re.compile(r"</(?:strong|b)\s*>", re.I)
HTML_BOLD_RE = re.compile(r"<(?:strong|b)(?:\s[^>]*)?>(.*?)</(?:strong|b)\s*>", re.I | re.DOTALL)
INVISIBLE_RE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
SPACE_RE = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
BOILERPLATE_HEADING_RE = re.compile(
    r"^\s*(see also|references?|bibliography|attached files?|attachments?|"
    r"related (?:posts|pages)|pdf is attached)\b",
    re.I,
)

_PARSER = MarkdownIt("commonmark", {"html": True}).enable("table")

# The wiki's (Tiki) markup the export left in 80 of the archive's posts, by its syntax: a plugin
# is {NAME(params)}content{NAME} or {name params}; colour is ~~#00F:text~~; a wiki link is
# ((Page)) or ((Page|label)); an external link [url|label]; %%% a line break, ~hs~ a space;
# __bold__, ===underline=== and -=title bar=-.
WIKI_HIDDEN_RE = re.compile(r"\{(ANAME|FOOTNOTE)\([^{}]*?\)\}.*?\{\1\}", re.DOTALL)
"""Plugins whose content is no text of the post: an anchor's name, a footnote's reference."""
WIKI_PLUGIN_RE = re.compile(
    r"\{[A-Z][A-Z0-9_]*(?:\([^{}]*?\))?\s*/?\}"
    r"|\{(?:img|module|mediaplayer|redirect|include|attach|file|toc|maketoc|rss)\b[^{}]*\}"
)
"""Other plugin tags (their content, a subscript or a font's text, stays) and the plugins that
show something else (an image, a box, another page)."""
WIKI_COLOUR_RE = re.compile(r"~~(?:#[0-9A-Fa-f]{3,6}|[a-z]+):(?:(.*?)~~)?", re.DOTALL)
"""A coloured span, or an opener its end was lost from."""
WIKI_LINK_RE = re.compile(r"\(\(([^()|]*?)(?:\s*\|\s*([^()]*?))?\)\)")
WIKI_URL_LINK_RE = re.compile(r"\[(?:https?|ftp)://[^\s|\]]*\|([^\]]*)\]")
WIKI_BOLD_RE = re.compile(r"(?<![\w/])__\s*([^_\n]+?)(\s*)__")
"""Bold in the wiki's syntax, which allows spaces inside ('__14 X __more'), as markdown bold."""
WIKI_UNDERLINE_RE = re.compile(r"===([^=\n]+?)===|-=([^=\n]+?)=-")
WIKI_LABEL_RE = re.compile(r"\b([A-Z]{4,})::(?=\s)")
"""A section label set with two colons ('RESULTS::')."""


@dataclass
class Section:
    """Text under one heading. `boilerplate` marks reference/see-also lists: shown, not embedded."""

    heading: str
    lines: list[str] = field(default_factory=list)
    bold: list[str] = field(default_factory=list)

    @property
    def boilerplate(self) -> bool:
        return bool(BOILERPLATE_HEADING_RE.match(self.heading))


def clean_text(text: str) -> str:
    """Final pass on any text: entities decoded, leftover tags and invisible characters gone."""
    text = html.unescape(text)
    text = SHORTCODE_RE.sub(" ", text)
    text = TAG_RE.sub(" ", text)
    text = INVISIBLE_RE.sub("", text)
    return SPACE_RE.sub(" ", text).strip()


def wiki_text(body: str) -> str:
    """`body` with the wiki's markup turned into the text it shows (see WIKI_*_RE)."""
    if "{" in body:
        body = WIKI_PLUGIN_RE.sub("", WIKI_HIDDEN_RE.sub("", body))
    if "~" in body:
        body = WIKI_COLOUR_RE.sub(lambda m: m.group(1) or "", body).replace("~hs~", " ")
    if "((" in body:
        body = WIKI_LINK_RE.sub(lambda m: m.group(2) or m.group(1), body)
    if "|" in body:
        body = WIKI_URL_LINK_RE.sub(r"\1", body)
    if "__" in body:
        body = WIKI_BOLD_RE.sub(r"**\1**\2", body)
    if "=" in body:
        body = WIKI_UNDERLINE_RE.sub(lambda m: m.group(1) or m.group(2), body)
    return WIKI_LABEL_RE.sub(r"\1:", body.replace("%%%", "\n"))


def _joined_tag(tag: re.Match[str]) -> str:
    """A tag on one line (`SPLIT_TAG_RE`); one already on one line is left as it is."""
    text = tag.group()
    return " ".join(text.split()) if "\n" in text else text


def _html_to_lines(raw: str) -> list[str]:
    """Raw HTML block -> its visible text, one line per block element (comments are gone
    already: `to_sections` drops them before parsing)."""
    raw = CELL_END_RE.sub(" | ", raw)
    raw = BLOCK_END_RE.sub("\n", raw)
    lines = (clean_text(line).strip(" |") for line in raw.split("\n"))
    return [line for line in lines if line]


class _Builder:
    """Accumulates sections while walking the flat token stream."""

    def __init__(self) -> None:
        self.sections: list[Section] = [Section(heading="")]
        self.list_depth = 0
        self.row: list[str] | None = None

    @property
    def current(self) -> Section:
        return self.sections[-1]

    def add_line(self, line: str) -> None:
        if line:
            self.current.lines.append(line)

    def inline(self, token: Token) -> str:
        """Render an inline token's children to text, recording bold spans."""
        parts: list[str] = []
        bold: list[str] | None = None
        for child in token.children or []:
            piece = ""
            if child.type in ("text", "code_inline"):
                piece = child.content
            elif child.type in ("softbreak", "hardbreak"):
                piece = " "
            elif child.type == "strong_open":
                bold = []
            elif child.type == "strong_close" and bold is not None:
                self.keep_bold("".join(bold))
                bold = None
            elif child.type == "html_inline":
                if BOLD_OPEN_RE.fullmatch(child.content.strip()):
                    bold = []
                elif BOLD_CLOSE_RE.fullmatch(child.content.strip()) and bold is not None:
                    self.keep_bold("".join(bold))
                    bold = None
                else:
                    piece = " "
            if piece:
                parts.append(piece)
                if bold is not None:
                    bold.append(piece)
        if bold:
            self.keep_bold("".join(bold))
        return clean_text("".join(parts))

    def keep_bold(self, text: str) -> None:
        text = clean_text(text)
        if len(text) >= 12:
            self.current.bold.append(text)


def to_sections(body: str) -> list[Section]:
    """Split a markdown body into clean sections; empty sections are dropped."""
    builder = _Builder()
    if "<" in body:  # a comment or tag the parser would cut at a blank line, whole first
        body = SPLIT_TAG_RE.sub(_joined_tag, COMMENT_RE.sub(" ", body))
    tokens = _PARSER.parse(wiki_text(SHORTCODE_RE.sub(" ", body)))
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            heading = builder.inline(tokens[i + 1]) if i + 1 < len(tokens) else ""
            builder.sections.append(Section(heading=heading))
            i += 3
            continue
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            builder.list_depth += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            builder.list_depth -= 1
        elif tok.type == "tr_open":
            builder.row = []
        elif tok.type == "tr_close" and builder.row is not None:
            builder.add_line(" | ".join(cell for cell in builder.row if cell))
            builder.row = None
        elif tok.type == "inline":
            text = builder.inline(tok)
            if builder.row is not None:
                builder.row.append(text)
            elif text:
                builder.add_line(f"- {text}" if builder.list_depth else text)
        elif tok.type == "html_block":
            for span in HTML_BOLD_RE.findall(tok.content):
                builder.keep_bold(span)
            for line in _html_to_lines(tok.content):
                builder.add_line(line)
        elif tok.type in ("fence", "code_block"):
            for line in tok.content.splitlines():
                builder.add_line(clean_text(line))
        i += 1
    return [s for s in builder.sections if s.lines]
