"""Archive folder -> a new index version: full builds and incremental updates share one path.

An update reuses, for every post whose content hash is unchanged, the chunks and vectors of the
serving version; everything else is chunked and embedded, with an embedding cache so identical
text is never embedded twice. Embedding is the whole cost, so it is batched by length.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from retrieval import multilingual, store
from retrieval.archive import Post, Skipped, load_posts
from retrieval.chunking import Chunk, Chunker
from retrieval.embed_cache import EmbeddingCache, text_hash
from retrieval.embedding import Embedder
from retrieval.markdown import to_sections
from retrieval.multilingual import MultilingualEncoder
from retrieval.ontology import read_for_archive

CHUNKER_VERSION = 12
"""Bump when parsing or chunking changes, so updates stop reusing old chunks."""
EMBED_BATCH = 128

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): called as work advances (stages: chunk, embed, openings,
write)."""
Encode = Callable[[list[str]], np.ndarray]


@dataclass
class BuildReport:
    version: str = ""
    posts: int = 0
    chunks: int = 0
    embedded: int = 0
    reused: int = 0
    openings: int = 0
    """Texts of the posts' views (opening, bold lines) embedded by the multilingual model
    (retrieval/multilingual.py)."""
    seconds: float = 0.0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def changes(self) -> str:
        """How many posts were added, updated, removed and skipped, in one line."""
        return (
            f"added {len(self.added)}, updated {len(self.updated)}, "
            f"removed {len(self.removed)}, skipped {len(self.skipped)}"
        )

    def summary(self) -> str:
        lines = [
            f"index version {self.version}: {self.posts} posts, {self.chunks} chunks "
            f"in {self.seconds:.1f} s ({self.embedded} texts embedded, {self.reused} reused, "
            f"{self.openings} openings embedded)",
            self.changes(),
        ]
        lines += [f"  skipped {s.path}: {s.reason}" for s in self.skipped]
        return "\n".join(lines)


def _noop(stage: str, done: int, total: int) -> None:
    return None


def archive_fingerprint(posts: list[Post]) -> str:
    h = hashlib.sha256()
    for p in sorted(posts, key=lambda p: p.slug):
        h.update(f"{p.slug}\0{p.content_hash}\n".encode())
    return h.hexdigest()[:16]


def _reusable(previous: store.IndexData | None, model: str) -> store.IndexData | None:
    if previous is None:
        return None
    m = previous.manifest
    if m.get("model") != model or m.get("chunker_version") != CHUNKER_VERSION:
        return None
    return previous


def _previous(root: Path) -> store.IndexData | None:
    """The serving version, to report what changed; unreadable means 'no previous version'."""
    try:
        return store.load(root) if store.exists(root) else None
    except store.IndexLoadError:
        return None


def build_index(
    archive: Path,
    root: Path,
    embedder: Embedder,
    incremental: bool = False,
    progress: Progress | None = None,
    multilingual_encoder: MultilingualEncoder | None = None,
) -> BuildReport:
    """Build a new version of the index at `root` from `archive` and make it the serving one.

    With `incremental`, unchanged posts keep the serving version's chunks and vectors. The posts'
    views (opening, bold lines) are embedded with `multilingual_encoder` (default: the shared
    one).
    """
    encoder = multilingual_encoder or multilingual.shared()
    progress = progress or _noop
    started = time.perf_counter()
    root = Path(root)
    loaded = load_posts(archive)
    ontology = read_for_archive(archive)
    tag_ontology = ontology.to_json() if ontology else None
    report = BuildReport(posts=len(loaded.posts), skipped=loaded.skipped)
    with store.build_lock(root):
        previous = _previous(root)
        reuse = _reusable(previous, embedder.name) if incremental else None
        old_slugs = {p.slug: p.content_hash for p in previous.posts} if previous else {}
        new_slugs = {p.slug for p in loaded.posts}
        report.removed = sorted(set(old_slugs) - new_slugs)
        report.added = sorted(new_slugs - set(old_slugs))
        report.updated = sorted(
            p.slug
            for p in loaded.posts
            if p.slug in old_slugs and old_slugs[p.slug] != p.content_hash
        )
        fingerprint = archive_fingerprint(loaded.posts)
        if (
            reuse is not None
            and reuse.manifest.get("archive_fingerprint") == fingerprint
            and reuse.ontology == tag_ontology
            and reuse.openings is not None
            and multilingual.made_as(reuse.manifest, encoder)
        ):  # nothing to do: keep serving the current version
            report.version, report.chunks = reuse.version, len(reuse.chunks)
            report.reused = len(reuse.chunks) + len(reuse.posts)
            report.seconds = time.perf_counter() - started
            return report
        data = _assemble(loaded.posts, reuse, embedder, root, report, progress)
        data.openings, report.openings = _openings(data, previous, encoder, root, progress)
        data.manifest.update(multilingual.manifest_fields(encoder))
        data.manifest.update(
            archive=str(Path(archive).resolve()),
            archive_fingerprint=fingerprint,
            skipped=[{"path": s.path, "reason": s.reason} for s in loaded.skipped],
        )
        data.ontology = tag_ontology
        progress("write", 0, 1)
        report.seconds = time.perf_counter() - started
        data.manifest["build_seconds"] = round(report.seconds, 2)
        store.write_version(root, data)
        progress("write", 1, 1)
    report.version = data.version
    report.chunks = len(data.chunks)
    return report


def _assemble(
    posts: list[Post],
    reuse: store.IndexData | None,
    embedder: Embedder,
    root: Path,
    report: BuildReport,
    progress: Progress,
) -> store.IndexData:
    """Chunk what changed, embed what is not cached, and lay everything out in post order."""
    chunker: Chunker | None = None
    records: list[store.PostRecord] = []
    chunk_rows: list[tuple[int, str, int, str, str]] = []  # post_row, section, position, text, hash
    embed_texts: dict[str, str] = {}  # hash -> text to embed
    reused_vectors: dict[str, np.ndarray] = {}
    title_hashes: list[str] = []
    for row, post in enumerate(posts):
        progress("chunk", row, len(posts))
        old = reuse.by_slug.get(post.slug) if reuse else None
        title_h = text_hash("title\0" + post.title)
        if reuse is not None and old is not None and old.content_hash == post.content_hash:
            ids = np.flatnonzero(reuse.chunks.post_row == old.row)
            for i in ids:
                h = reuse.chunks.embed_hash[i]
                chunk_rows.append(
                    (
                        row,
                        reuse.chunks.section[i],
                        reuse.chunks.position[i],
                        reuse.chunks.text[i],
                        h,
                    )
                )
                reused_vectors[h] = reuse.chunk_vectors[i]
            reused_vectors[title_h] = reuse.title_vectors[old.row]
            bold = old.bold
        else:
            chunker = chunker or Chunker(embedder.tokenizer, embedder.max_tokens)
            sections = to_sections(post.body)
            bold = tuple(dict.fromkeys(b for s in sections for b in s.bold))
            chunks: list[Chunk] = chunker.chunk_post(post, sections)
            for c in chunks:
                h = text_hash(c.embed_text)
                embed_texts.setdefault(h, c.embed_text)
                chunk_rows.append((row, c.section, c.position, c.text, h))
            embed_texts.setdefault(title_h, post.title)
        title_hashes.append(title_h)
        records.append(store.PostRecord.of(post, row, bold))
    progress("chunk", len(posts), len(posts))
    cache = EmbeddingCache(store.embeddings_cache(root), embedder.name, embedder.dimension)
    vectors, embedded = _embed(
        embed_texts, reused_vectors, embedder.encode, cache, EMBED_BATCH, "embed", progress
    )
    report.reused = len(embed_texts) + len(reused_vectors) - embedded
    report.embedded = embedded
    dim = embedder.dimension
    chunk_vectors = (
        np.stack([vectors[r[4]] for r in chunk_rows])
        if chunk_rows
        else np.zeros((0, dim), np.float32)
    )
    title_vectors = (
        np.stack([vectors[h] for h in title_hashes])
        if title_hashes
        else np.zeros((0, dim), np.float32)
    )
    table = store.ChunkTable(
        post_row=np.array([r[0] for r in chunk_rows], dtype=np.int64),
        section=[r[1] for r in chunk_rows],
        position=[r[2] for r in chunk_rows],
        text=[r[3] for r in chunk_rows],
        embed_hash=[r[4] for r in chunk_rows],
    )
    manifest = {
        "model": embedder.name,
        "dimension": dim,
        "max_tokens": embedder.max_tokens,
        "chunker_version": CHUNKER_VERSION,
        "posts": len(records),
        "chunks": len(table),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    return store.IndexData(manifest, records, table, chunk_vectors, title_vectors)


def _openings(
    data: store.IndexData,
    previous: store.IndexData | None,
    encoder: MultilingualEncoder,
    root: Path,
    progress: Progress,
) -> tuple[np.ndarray, int]:
    """The multilingual model's vectors of each post's views (`multilingual.VIEWS`), one row per
    view in post order, and how many texts were embedded: a text the serving version or the
    cache already has is not embedded again."""
    texts = _view_texts(data)
    hashes = [[_opening_hash(t) for t in view] for view in texts]
    known: dict[str, np.ndarray] = {}
    if (
        previous is not None
        and previous.openings is not None
        and previous.manifest.get("openings_model") == encoder.name
    ):
        for view, vectors in zip(_view_texts(previous), previous.openings, strict=True):
            known.update(zip(map(_opening_hash, view), vectors, strict=True))
    todo: dict[str, str] = {}
    for view_hashes, view in zip(hashes, texts, strict=True):
        todo.update(zip(view_hashes, view, strict=True))
    cache = EmbeddingCache(store.embeddings_cache(root), encoder.name, encoder.dimension)
    vectors, embedded = _embed(
        todo, known, encoder.passages, cache, multilingual.BATCH, "openings", progress
    )
    shape = (len(multilingual.VIEWS), len(data.posts), encoder.dimension)
    out = np.zeros(shape, np.float32)
    for v, view in enumerate(hashes):
        if view:
            out[v] = np.stack([vectors[h] for h in view])
    return out, embedded


def _opening_hash(text: str) -> str:
    """A view's text in the caches, apart from the same text as a chunk or title."""
    return text_hash("opening\0" + text)


def _view_texts(data: store.IndexData) -> list[list[str]]:
    """Each view's text of every post, in post order (the stored vectors' order)."""
    per_post = [
        multilingual.views(p.title, chunks[0] if chunks else "", p.bold)
        for p, chunks in zip(data.posts, data.post_chunks(), strict=True)
    ]
    return [[texts[v] for texts in per_post] for v in range(len(multilingual.VIEWS))]


def _embed(
    texts: dict[str, str],
    known: dict[str, np.ndarray],
    encode: Encode,
    cache: EmbeddingCache,
    batch_size: int,
    stage: str,
    progress: Progress,
) -> tuple[dict[str, np.ndarray], int]:
    """Vectors for every hash in `texts` from `known`, the cache, or `encode` (longest first),
    and how many were encoded. Closes the cache."""
    vectors = dict(known)
    try:
        todo = [h for h in texts if h not in vectors]
        vectors.update(cache.get_many(todo))
        todo = sorted((h for h in todo if h not in vectors), key=lambda h: -len(texts[h]))
        progress(stage, 0, len(todo))
        for start in range(0, len(todo), batch_size):
            batch = todo[start : start + batch_size]
            encoded = encode([texts[h] for h in batch])
            fresh = dict(zip(batch, encoded, strict=True))
            cache.put_many(fresh)
            vectors.update(fresh)
            progress(stage, start + len(batch), len(todo))
    finally:
        cache.close()
    return vectors, len(todo)
