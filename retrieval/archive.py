"""Read a folder of VitaminDWiki posts: a JSON front matter object, then a markdown body.

A file that cannot be read is skipped with its path and reason; it never stops a build.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

MAX_POST_BYTES = 5_000_000
"""Larger files are skipped: the biggest real post is ~0.6 MB; 5 MB is a corrupt export."""

SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+%-]*$")


class PostError(ValueError):
    """A post file that cannot be used; the message is the reason shown in build reports."""


@dataclass(frozen=True)
class Post:
    slug: str
    title: str
    date: str
    tags: tuple[str, ...]
    categories: tuple[str, ...]
    aliases: tuple[str, ...]
    page_id: int | None
    body: str
    path: str
    content_hash: str


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass
class LoadResult:
    posts: list[Post] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _string_list(value: object, name: str) -> tuple[str, ...]:
    """Front matter lists: tolerate missing/null, a lone string, and non-string items."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise PostError(f"'{name}' is not a list")
    return tuple(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))


def parse_post(raw: bytes, path: str = "<memory>") -> Post:
    """Parse one post file's bytes; raises PostError with a human-readable reason."""
    if not raw.strip():
        raise PostError("empty file")
    if b"\x00" in raw:
        raise PostError("contains NUL bytes (binary file?)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PostError(f"not UTF-8 (byte {exc.start})") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip()
    if not text.startswith("{"):
        raise PostError("no JSON front matter (file must start with '{')")
    try:
        meta, end = json.JSONDecoder().raw_decode(text)
    except json.JSONDecodeError as exc:
        raise PostError(f"invalid JSON front matter: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(meta, dict):
        raise PostError("front matter is not a JSON object")
    slug = meta.get("slug")
    if not isinstance(slug, str) or not slug.strip():
        raise PostError("missing or empty 'slug'")
    slug = slug.strip()
    if ".." in slug or not SLUG_RE.match(slug):
        raise PostError(
            f"unsafe slug {slug[:80]!r} (letters, digits, '-', '_', '.', '+', '%' only, starting "
            "with a letter or digit, no '..')"
        )
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise PostError("missing or empty 'title'")
    page_id = meta.get("tiki_page_id")
    body = text[end:].strip("\n")
    return Post(
        slug=slug,
        title=" ".join(title.split()),
        date=str(meta.get("date") or ""),
        tags=_string_list(meta.get("tags"), "tags"),
        categories=_string_list(meta.get("categories"), "categories"),
        aliases=_string_list(meta.get("aliases"), "aliases"),
        page_id=page_id if isinstance(page_id, int) else None,
        body=body,
        path=path,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def read_post(path: Path) -> Post:
    """Read and parse one file; oversize, unreadable and non-regular files are PostErrors."""
    try:
        if not path.is_file():
            raise PostError("not a regular file")
        size = path.stat().st_size
        if size > MAX_POST_BYTES:
            raise PostError(f"too large ({size:,} bytes > {MAX_POST_BYTES:,})")
        raw = path.read_bytes()
    except OSError as exc:
        raise PostError(f"cannot read: {exc.strerror or exc}") from None
    return parse_post(raw, str(path))


def load_posts(folder: str | os.PathLike[str]) -> LoadResult:
    """Every `*.md` post in `folder`, sorted by file name; the first file with a slug wins."""
    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"archive folder not found: {root}")
    result = LoadResult()
    seen: dict[str, str] = {}
    for path in sorted(root.glob("*.md")):
        try:
            post = read_post(path)
        except PostError as exc:
            result.skipped.append(Skipped(str(path), str(exc)))
            continue
        if post.slug in seen:
            result.skipped.append(
                Skipped(str(path), f"duplicate slug {post.slug!r} (kept {seen[post.slug]})")
            )
            continue
        seen[post.slug] = str(path)
        result.posts.append(post)
    return result
