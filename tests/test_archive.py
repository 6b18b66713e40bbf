"""Reading posts: the real archive parses; each kind of malformed file is skipped, reported."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from retrieval import archive
from retrieval.archive import PostError, load_posts, parse_post

GOOD_META = {"title": "A title", "slug": "a-title", "date": "2013-01-02", "tags": ["bone"]}


def post_bytes(meta: dict, body: str = "Body text.") -> bytes:
    return (json.dumps(meta, indent=4) + "\n\n" + body).encode("utf-8")


def test_every_real_post_parses(archive_posts):
    assert len(archive_posts.posts) == 2467
    assert archive_posts.skipped == []
    empty = sum(1 for p in archive_posts.posts if not p.body.strip())
    assert 350 < empty < 500  # about 420 bodies are empty in the export
    assert all(p.slug and p.title for p in archive_posts.posts)


def test_real_post_fields(archive_posts):
    by_slug = {p.slug: p for p in archive_posts.posts}
    seed = by_slug["2800-iu-vitamin-d-daily-did-not-decrease-bone-loss-for-those-with-ms"]
    assert seed.title == "2800 IU vitamin D daily did not decrease bone loss for those with MS"
    assert seed.date == "2011-03-30"
    assert "Multiple Sclerosis" in seed.tags and seed.categories == (
        "Multiple Sclerosis",
        "Osteoporosis",
    )
    assert seed.page_id == 1541
    assert seed.body.startswith("# Can vitamin D(3) supplementation")


def test_tolerates_bom_crlf_missing_categories_and_extra_fields():
    meta = {**GOOD_META, "associated_tags": ["x"], "whatever": {"nested": 1}}
    raw = b"\xef\xbb\xbf" + post_bytes(meta, "Line one.\r\nLine two.\r\n").replace(b"\n", b"\r\n")
    post = parse_post(raw)
    assert post.slug == "a-title" and post.categories == ()
    assert "\r" not in post.body and post.body.startswith("Line one.")


def test_empty_body_is_a_post():
    post = parse_post(post_bytes(GOOD_META, ""))
    assert post.body == ""


def test_content_hash_tracks_content():
    a = parse_post(post_bytes(GOOD_META, "one"))
    b = parse_post(post_bytes(GOOD_META, "two"))
    assert a.content_hash != b.content_hash
    assert a.content_hash == parse_post(post_bytes(GOOD_META, "one")).content_hash


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty file"),
        (b'{"title": "x", "slug": "x"', "invalid JSON"),
        (b"{'title': 'x'}\nbody", "invalid JSON"),
        (b"# Just markdown\n", "no JSON front matter"),
        (b'["a list"]', "no JSON front matter"),
        (post_bytes({"title": "x"}), "missing or empty 'slug'"),
        (post_bytes({"title": "x", "slug": "  "}), "missing or empty 'slug'"),
        (post_bytes({"slug": "x"}), "missing or empty 'title'"),
        (post_bytes({"slug": "x", "title": ""}), "missing or empty 'title'"),
        (post_bytes({"slug": "../etc/passwd", "title": "x"}), "unsafe slug"),
        (post_bytes({"slug": "a/b", "title": "x"}), "unsafe slug"),
        (post_bytes(GOOD_META) + b"\xff\xfe bad", "not UTF-8"),
        (post_bytes(GOOD_META) + b"\x00", "NUL"),
        (post_bytes({**GOOD_META, "tags": 5}), "'tags' is not a list"),
    ],
)
def test_malformed_post_reasons(raw, reason):
    with pytest.raises(PostError, match=reason):
        parse_post(raw)


def test_malformed_files_are_skipped_and_reported(tmp_path: Path, monkeypatch):
    (tmp_path / "good.md").write_bytes(post_bytes(GOOD_META))
    (tmp_path / "bad-json.md").write_bytes(b'{"title": "x",,}\nbody')
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "latin1.md").write_bytes(b'{"title": "caf\xe9", "slug": "c"}\nbody')
    (tmp_path / "dup.md").write_bytes(post_bytes(GOOD_META, "a later copy"))
    (tmp_path / "dir.md").mkdir()
    os.symlink(tmp_path / "loop.md", tmp_path / "loop.md")
    (tmp_path / "huge.md").write_bytes(post_bytes({"title": "h", "slug": "h"}, "x" * 2000))
    monkeypatch.setattr(archive, "MAX_POST_BYTES", 1000)
    result = load_posts(tmp_path)
    assert [p.slug for p in result.posts] == ["a-title"]
    reasons = {Path(s.path).name: s.reason for s in result.skipped}
    assert set(reasons) == {
        "bad-json.md",
        "empty.md",
        "latin1.md",
        "good.md",
        "dir.md",
        "loop.md",
        "huge.md",
    }
    # files load in name order, so dup.md (first) wins and good.md is reported as its duplicate
    assert "duplicate slug 'a-title'" in reasons["good.md"]
    assert "invalid JSON" in reasons["bad-json.md"]
    assert "not a regular file" in reasons["dir.md"] or "cannot read" in reasons["dir.md"]
    assert "too large" in reasons["huge.md"]


def test_missing_archive_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="archive folder not found"):
        load_posts(tmp_path / "nope")


@pytest.mark.parametrize("slug", ["a.b_c-d", "vitamin-d+k2", "50%-more", "9am"])
def test_slugs_with_every_allowed_character_parse(slug):
    assert parse_post(post_bytes({"slug": slug, "title": "x"})).slug == slug


def test_unsafe_slug_reason_lists_what_is_allowed():
    with pytest.raises(PostError) as err:
        parse_post(post_bytes({"slug": "-a b", "title": "x"}))
    for allowed in ("'-'", "'_'", "'.'", "'+'", "'%'", "letter or digit"):
        assert allowed in str(err.value)
