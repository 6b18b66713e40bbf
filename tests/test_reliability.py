"""Hard to break: random input never crashes parsing, chunking or findings; broken index files
give a clear error naming the file and the fix; a bad new version never replaces a good one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrieval import findings, store
from retrieval.archive import PostError, load_posts, parse_post
from retrieval.chunking import Chunker
from retrieval.indexer import build_index
from retrieval.markdown import to_sections
from retrieval.service import AnswerService
from tests.helpers import SEED_SLUG, SEEDS, candidates

MAX_TOKENS = 256
markdownish = st.lists(
    st.sampled_from(
        [*"abc XYZ 123.,;:!?*_#|-<>/&{}[]()\n\t\"'%", "**", "{{< toc >}}", "<span>", "&nbsp;",
         "| a | b |\n|---|---|\n", "# ", "\u200b", "\u202e", "😀", "é", "\x00", "\r\n", "IU",
         "ng/ml"]
    ),
    max_size=120,
).map("".join)  # fmt: skip
words = st.sampled_from(
    ["vitamin", "D3", "10,000 IU/day", "25(OH)D", "ng/ml.", "participants", "randomised", "of",
     "the", "a", "Conclusion:", "supercalifragilisticexpialidocious", "x" * 60, "😀😀", "и", "中文"]
)  # fmt: skip
long_markdown = (
    st.lists(st.one_of(words, markdownish), min_size=50, max_size=400)
    .map(" ".join)
    .map(lambda s: s.replace("\x00", ""))  # a NUL byte rejects the whole post: short bodies have it
)
"""Long enough to fill several chunks, so chunk boundaries and the window limit are exercised."""
junk = st.one_of(st.none(), st.integers(), st.text(max_size=30), st.lists(st.text(max_size=10)))
slugs = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._+%-]{0,40}", fullmatch=True)
titles = st.text(min_size=1, max_size=80).filter(str.strip)


@st.composite
def front_matter(draw: st.DrawFn) -> dict:
    """Mostly a usable title and slug (so the post goes on to the chunker), sometimes junk or
    nothing, plus any mix of other fields holding anything."""
    others = ["tags", "date", "categories", "extra", "aliases", "tiki_page_id"]
    meta = draw(st.dictionaries(st.sampled_from(others), junk))
    for key, good in (("title", titles), ("slug", slugs)):
        kind = draw(st.integers(0, 9))
        if kind < 8:
            meta[key] = draw(good)
        elif kind == 8:
            meta[key] = draw(junk)
    return meta


def test_random_posts_never_break_the_parser_or_the_chunker(fast_tokenizer):
    """Random front matter and markdown: a PostError or a post whose chunks fit, nothing else;
    and most cases really reach the chunker."""
    chunker = Chunker(fast_tokenizer, MAX_TOKENS)
    parsed: list[int] = []

    @settings(max_examples=200, deadline=None)
    @given(front_matter(), st.one_of(markdownish, long_markdown))
    def check(meta: dict, body: str) -> None:
        raw = (json.dumps(meta) + "\n" + body).encode("utf-8", "surrogatepass")
        try:
            post = parse_post(raw)
        except PostError:
            return
        assert post.slug and post.title
        chunks = chunker.chunk_post(post)
        ids = fast_tokenizer.encode_batch([c.embed_text for c in chunks])
        assert all(len(e.ids) <= MAX_TOKENS for e in ids)  # special tokens included
        parsed.append(len(chunks))

    check()
    assert len(parsed) >= 60, f"only {len(parsed)} of 200 random posts parsed"
    assert sum(n > 0 for n in parsed) >= 15, "the chunker hardly ever had text to chunk"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=st.text(max_size=300), body=long_markdown)
def test_chunks_always_fit_and_findings_never_crash(fast_tokenizer, tokenizer, title, body):
    from retrieval.archive import Post

    post = Post("s", title or "t", "", (), (), (), None, body, "p", "h")
    chunks = Chunker(fast_tokenizer, MAX_TOKENS).chunk_post(post)
    if chunks:
        ids = tokenizer([c.embed_text for c in chunks], add_special_tokens=True)["input_ids"]
        assert max(len(x) for x in ids) <= MAX_TOKENS
    sections = to_sections(body)
    bold = [b for s in sections for b in s.bold]
    cands = candidates([c.text for c in chunks], bold, {"2"})
    zeros = [0.0] * len(cands)
    found = findings.rank(cands, findings.Signals(zeros, zeros, zeros), {"1"})[0]
    assert all(len(f.text) <= 300 for f in found)


def test_twenty_megabyte_post_is_skipped_not_fatal(tmp_path):
    shutil.copy(next(SEEDS.glob("*.md")), tmp_path)
    big = {"title": "big", "slug": "big"}
    (tmp_path / "big.md").write_text(json.dumps(big) + "\n" + "word " * 4_000_000, "utf-8")
    result = load_posts(tmp_path)
    assert [p.slug for p in result.posts] == [SEED_SLUG]
    assert "too large" in result.skipped[0].reason


@pytest.fixture
def seed_index(tmp_path, embedder) -> Path:
    root = tmp_path / "ix"
    build_index(SEEDS, root, embedder)
    return root


@pytest.mark.parametrize(
    ("name", "damage"),
    [("chunks.faiss", b"not a faiss file"), ("titles.faiss", b""), ("meta.sqlite", b"garbage" * 99),
     ("manifest.json", b"{not json"), ("chunks.faiss", None), ("meta.sqlite", None)],
)  # fmt: skip
def test_broken_index_files_name_the_file_and_the_fix(seed_index, name, damage):
    folder = seed_index / "versions" / store.current_version(seed_index)
    if damage is None:
        (folder / name).unlink()
    else:
        (folder / name).write_bytes(damage)
    with pytest.raises(store.IndexLoadError) as err:
        store.load(seed_index)
    assert str(folder / name) in str(err.value)
    assert "vdwbot index build" in str(err.value)


@pytest.mark.parametrize("written", [store.FORMAT_VERSION + 1, "2"])
def test_an_index_in_a_format_this_version_cannot_read_is_a_clear_error(seed_index, written):
    folder = seed_index / "versions" / store.current_version(seed_index)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert manifest["format"] == store.FORMAT_VERSION  # what a build writes loads (fixture)
    (folder / "manifest.json").write_text(json.dumps({**manifest, "format": written}), "utf-8")
    with pytest.raises(store.IndexLoadError, match=r"format .* update vdwbot, or rebuild"):
        store.load(seed_index)


def test_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(store.IndexLoadError, match=r"no index at .*vdwbot index build"):
        store.load(tmp_path / "nothing")


def test_service_keeps_serving_last_good_version(seed_index, embedder):
    service = AnswerService(seed_index, embedder, "https://vitamindwiki.com")
    good = service.searcher().index.version
    # a new version appears whose FAISS file is corrupt, and the pointer moves to it
    bad = seed_index / "versions" / "99999999-bad"
    shutil.copytree(seed_index / "versions" / good, bad)
    (bad / "chunks.faiss").write_bytes(b"corrupt")
    (seed_index / "CURRENT").write_text(bad.name)
    answer = service.ask("does vitamin D help MS bone loss?")
    assert answer.hits[0].slug == SEED_SLUG
    assert service.searcher().index.version == good
    assert "corrupt FAISS file" in service.last_error


def test_questions_keep_the_old_version_while_a_new_one_loads(seed_index, embedder, monkeypatch):
    import threading

    service = AnswerService(seed_index, embedder, "https://vitamindwiki.com")
    old = service.searcher()
    build_index(SEEDS, seed_index, embedder)  # a new version appears
    release, loading = threading.Event(), threading.Event()
    real_load = store.load

    def slow_load(*args, **kwargs):
        loading.set()
        release.wait(30)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(store, "load", slow_load)
    loader = threading.Thread(target=service.searcher)
    loader.start()
    assert loading.wait(30)
    assert service.searcher() is old  # answered at once from the old version, no waiting
    release.set()
    loader.join(30)
    assert (
        service.searcher().index.version == store.current_version(seed_index) != old.index.version
    )


def test_serving_version_is_frozen_and_a_replaced_one_still_freed(seed_index, embedder):
    """Full collections skip the serving index (no long GIL pauses), yet switching frees it."""
    import gc
    import weakref

    service = AnswerService(seed_index, embedder, "https://vitamindwiki.com")
    old = service.searcher()
    walked = {id(o) for o in gc.get_objects()}
    assert not {id(old), id(old.index), id(old.index.posts), id(old.lexical)} & walked
    gone = weakref.ref(old), weakref.ref(old.index)
    del old
    build_index(SEEDS, seed_index, embedder)  # a new version appears and is switched to
    assert service.ask("does vitamin D help MS bone loss?").hits[0].slug == SEED_SLUG
    assert [ref() for ref in gone] == [None, None]  # frozen, so it had to go by reference count
