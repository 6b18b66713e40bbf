"""The real bot against the local Discord stand-in: sync, /ask, threads, /tag, /reindex, /report,
the scheduled sync, limits. Every message the bot sends or edits in a session is checked to allow
no mentions and to fit Discord's limits when the session ends.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import web

from bot.app import VdwBot, point_at
from bot.config import Settings
from bot.render import EMPTY_QUESTION, closest_tags
from retrieval import store
from retrieval.evidence import LABELS
from retrieval.indexer import build_index
from retrieval.service import AnswerService
from tests.discord_standin import (
    BASIC_PERMISSIONS,
    CHANNEL_ID,
    EPHEMERAL,
    GUILD_ID,
    MAINTAINER_ROLE_ID,
    MANAGE_GUILD,
    OTHER_CHANNEL_ID,
    OTHER_GUILD_ID,
    Call,
    StandIn,
    is_public_followup,
    shard_of,
)
from tests.helpers import REPO, SEED_SLUG, SEEDS, git, share_onnx_export, write_post

# Each test starts a real bot against the stand-in (about 90 s for the file): the full tier.
pytestmark = pytest.mark.slow

SEED_URL = f"https://vitamindwiki.com/pages/{SEED_SLUG}/"
TOPICS = [
    ("pregnancy", "Pregnant women given 4000 IU vitamin D had fewer complications"),
    ("cancer", "Breast cancer risk was lower with higher vitamin D levels"),
    ("diabetes", "Type 2 diabetes blood sugar improved with 50000 IU weekly vitamin D"),
    ("asthma", "Asthma attacks halved in children taking vitamin D"),
    ("depression", "Winter depression lifted after vitamin D supplementation"),
    ("bone", "Hip fractures fell with vitamin D and calcium in seniors"),
]
SUNLIGHT_POSTS = 12
"""Posts sharing the tag 'sunlight': more than one /tag page (10 a page)."""
POSTS = 1 + len(TOPICS) + SUNLIGHT_POSTS
MAINTAINER_USER = 4242
NOT_CONFIDENT = "how do I change a tire on a Tesla"


def fill_archive(folder: Path) -> None:
    shutil.copy(next(SEEDS.glob("*.md")), folder)
    for tag, title in TOPICS:
        write_post(folder, f"{tag}-post", title, [tag, "vitamin d"], 3)
    for i in range(SUNLIGHT_POSTS):
        write_post(
            folder, f"sun-{i:02d}", f"Sunlight study {i} on vitamin D in winter", ["sunlight"], 1
        )


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bot_archive")
    fill_archive(folder)
    return folder


@pytest.fixture(scope="module")
def built_index(archive, embedder, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bot_index") / "ix"
    build_index(archive, root, embedder)
    return root


@pytest.fixture
def index_copy(built_index, tmp_path) -> Path:
    root = tmp_path / "ix"
    shutil.copytree(built_index, root)
    return root


@pytest.fixture
def git_archive(tmp_path) -> tuple[Path, Path]:
    """(upstream working copy, the bot's clone of it), both holding the test archive."""
    remote, upstream, clone = (tmp_path / n for n in ("remote.git", "upstream", "posts"))
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    git(tmp_path, "clone", "-q", str(remote), str(upstream))
    fill_archive(upstream)
    git(upstream, "add", "-A")
    git(upstream, "commit", "-qm", "archive")
    git(upstream, "push", "-q", "origin", "HEAD:main")
    git(tmp_path, "clone", "-q", str(remote), str(clone))
    return upstream, clone


def push_post(upstream: Path, slug: str, title: str) -> None:
    write_post(upstream, slug, title, [slug], 3)
    git(upstream, "add", "-A")
    git(upstream, "commit", "-qm", f"add {slug}")
    git(upstream, "push", "-q", "origin", "HEAD:main")


def assert_inert(body: dict) -> None:
    """No live mention can ping anyone, and every Discord limit holds."""
    assert body.get("allowed_mentions") == {"parse": []}
    assert len(body.get("content") or "") <= 2000
    embeds = body.get("embeds") or []
    assert len(embeds) <= 10
    total = 0
    for e in embeds:
        assert len(e.get("title", "")) <= 256 and len(e.get("description", "")) <= 4096
        assert len(e.get("fields", [])) <= 25
        assert len(e.get("footer", {}).get("text", "")) <= 2048
        total += len(e.get("title", "")) + len(e.get("description", ""))
        total += len(e.get("footer", {}).get("text", "")) + len(e.get("author", {}).get("name", ""))
    assert total <= 6000


@asynccontextmanager
async def bot_session(
    root: Path, embedder, api_suffix: str = "", standin: StandIn | None = None, **overrides
) -> AsyncIterator[tuple[StandIn, VdwBot]]:
    """(stand-in, bot) with the bot connected and its commands synced; on the way out, every
    message the bot sent or edited is checked with `assert_inert`."""
    standin = standin or StandIn(heartbeat_ms=300)
    await standin.start()
    point_at(standin.api_base + api_suffix, standin.gateway_url)
    options = {
        "index": root, "guild_ids": [GUILD_ID], "answer_channels": [CHANNEL_ID],
        "maintainer_roles": [MAINTAINER_ROLE_ID], "ask_rate": 3, "ask_per_seconds": 60,
        **overrides,
    }  # fmt: skip
    settings = Settings(_env_file=None, **options)
    bot = VdwBot(settings, AnswerService(root, embedder, settings.base_url))
    task = asyncio.create_task(bot.start("fake-token-abc"))
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait({task, ready}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
    assert ready in done, f"bot did not become ready: {task.exception() if task.done() else ''}"
    await standin.wait_for(lambda s: s.calls_to(r"/applications/\d+/guilds/\d+/commands", "PUT"))
    try:
        yield standin, bot
    finally:
        await bot.close()
        await asyncio.wait_for(task, 10)
        await standin.stop()
    bodies = standin.message_bodies()
    assert bodies, "the session sent nothing"
    for call, body in bodies:
        try:
            assert_inert(body)
        except AssertionError as exc:
            raise AssertionError(f"{call.method} {call.path}: {body}") from exc


@pytest.fixture
async def running(index_copy, archive, embedder):
    async with bot_session(index_copy, embedder, archive=archive) as session:
        yield session


def recording_asks(bot: VdwBot) -> list[tuple[str, tuple[str, ...]]]:
    """(question, previous) of every search the bot makes from now on; answers stay real."""
    asked: list[tuple[str, tuple[str, ...]]] = []
    ask = bot.service.ask

    def recording_ask(question, k=3, start=0, *, previous=(), **filters):
        asked.append((question, tuple(previous)))
        return ask(question, k, start, previous=previous, **filters)

    bot.service.ask = recording_ask
    return asked


async def followups(
    standin: StandIn, iid: str, n: int = 1, timeout: float = 30, public: bool = True
) -> list[Call]:
    """The first `n` follow-up messages of an interaction: public answers, or private ones."""

    def found(s: StandIn):
        posts = [
            c
            for c in s.replies_to(iid)
            if c.path.startswith("/webhooks/") and c.method == "POST"
            and is_public_followup(c) == public
        ]  # fmt: skip
        return posts[:n] if len(posts) >= n else None

    return await standin.wait_for(found, timeout)


async def callback(standin: StandIn, iid: str, timeout: float = 30) -> Call:
    return (
        await standin.wait_for(
            lambda s: [c for c in s.replies_to(iid) if c.path.endswith("/callback")], timeout
        )
    )[0]


async def edited_to(standin: StandIn, iid: str, text: str, timeout: float = 180) -> Call:
    """The first edit of the interaction's messages whose content contains `text`."""
    found = await standin.wait_for(
        lambda s: [c for c in s.replies_to(iid) if c.method == "PATCH"
                   and text in (c.body or {}).get("content", "")], timeout
    )  # fmt: skip
    return found[0]


def buttons(message: dict) -> list[dict]:
    return [c for row in message.get("components", []) for c in row["components"]]


def report_day() -> str:
    return time.strftime("%Y-%m-%d", time.gmtime())


# ---------------------------------------------------------------- /ask


async def test_commands_sync_and_ask_answers_with_embed(running):
    standin, _bot = running
    synced = standin.calls_to(r"/applications/\d+/guilds/\d+/commands", "PUT")[-1].body
    assert {c["name"] for c in synced} == {"ask", "tag", "tags", "reindex", "status", "report"}
    iid = await standin.slash("ask", question="does vitamin D help MS bone loss?")
    assert (await callback(standin, iid)).body["type"] == 5  # deferred at once
    (reply,) = await followups(standin, iid)
    top = reply.body["embeds"][0]
    assert top["url"] == SEED_URL
    assert top["title"].startswith("1. 2800 IU vitamin D daily did not decrease bone loss")
    assert top["description"].startswith("• ")
    assert reply.body["content"].startswith("In short: ") and reply.body["content"].endswith("]")
    assert "More results" in [b.get("label") for b in buttons(reply.body)]
    assert "Posts 1–3" in reply.body["embeds"][-1]["footer"]["text"]
    iid = await standin.slash("ask", question="any RCTs on vitamin D and MS bone loss?")
    (reply,) = await followups(standin, iid)
    lead, asked = reply.body["content"].split("\n")
    assert lead.startswith("In short: ")
    assert asked == "Asked for: RCT. Those on the subject come first."


async def test_ask_filters_by_evidence_and_shows_the_badge(running):
    standin, _ = running
    synced = standin.calls_to(r"/applications/\d+/guilds/\d+/commands", "PUT")[-1].body
    options = {o["name"]: o for o in next(c for c in synced if c["name"] == "ask")["options"]}
    assert [c["value"] for c in options["evidence"]["choices"]] == list(LABELS)
    assert options["newest"]["type"] == 5  # boolean
    question = "does vitamin D help MS bone loss?"
    iid = await standin.slash("ask", question=question, evidence="rct", newest=True)
    (reply,) = await followups(standin, iid)
    top = reply.body["embeds"][0]
    assert top["url"] == SEED_URL and "RCT · 2011" in top["author"]["name"]
    iid = await standin.slash("ask", uid=223, question=question, evidence="meta-analysis")
    (reply,) = await followups(standin, iid)
    assert reply.body["content"].startswith("The archive has nothing clear on that.")


async def test_more_results_only_for_asker_and_feedback_keeps_no_user(running):
    standin, bot = running
    iid = await standin.slash("ask", uid=222, question="vitamin D trial results")
    (reply,) = await followups(standin, iid)
    more = next(b for b in buttons(reply.body) if b.get("label") == "More results")
    thumbs = next(b for b in buttons(reply.body) if (b.get("emoji") or {}).get("name") == "👎")
    message = reply.response  # the message the stand-in created: the view is bound to its id
    other = await standin.click(message, more["custom_id"], uid=333)
    refusal = await callback(standin, other)
    assert refusal.body["data"]["flags"] == EPHEMERAL
    assert "Only the person" in refusal.body["data"]["content"]
    mine = await standin.click(message, more["custom_id"], uid=222)
    (page2,) = await followups(standin, mine)
    assert page2.body["embeds"][0]["title"].startswith("4. ")
    for _ in range(3):  # one person's repeated clicks are one vote
        vote = await standin.click(message, thumbs["custom_id"], uid=222)
        await callback(standin, vote)
    shown = [e["url"].rstrip("/").rsplit("/", 1)[1] for e in reply.body["embeds"]]
    votes = sqlite3.connect(bot.service.root / "feedback.sqlite")
    stored = votes.execute("SELECT * FROM votes").fetchall()
    assert [row[2:] for row in stored] == [("vitamin D trial results", " ".join(shown), -1)]
    assert "222" not in {str(v) for v in stored[0]}
    # the member's name ("user222" in the stand-in) and id are stored nowhere; the question log
    # has the question but no user at all
    for name in ("feedback.sqlite", "questions.sqlite"):
        assert b"user222" not in (bot.service.root / name).read_bytes()
    logged = sqlite3.connect(bot.service.root / "questions.sqlite")
    assert logged.execute("SELECT * FROM questions").fetchall()[0][1] == "vitamin D trial results"
    assert not {"user_id", "user", "name"} & {
        r[1] for r in logged.execute("PRAGMA table_info(questions)")
    }


async def test_not_confident_says_so_with_tags(running):
    standin, bot = running
    iid = await standin.slash("ask", question=NOT_CONFIDENT)
    (reply,) = await followups(standin, iid)
    content = reply.body["content"]
    assert content.startswith("The archive has nothing clear on that.")
    assert not reply.body.get("embeds")
    near = bot.service.ask(NOT_CONFIDENT)  # the posts the reply was drawn from
    tags = closest_tags(near)
    assert tags, "the nearest posts have specific tags to suggest"
    assert "Closest tags (try `/tag`): " + ", ".join(f"**{t}**" for t in tags) in content
    assert set(tags) <= {t.lower() for h in near.hits for t in h.tags}


@pytest.mark.parametrize(
    "question",
    ["@everyone @here <@&123> <@456> look " + "x" * 5000, "```\n<@&1>\n```**bold** ||spoiler||",
     "", "   ", "?", "😀😀😀", "\u200b\u202e vitamin D", "https://evil.example/@everyone"],
)  # fmt: skip
async def test_hostile_questions_get_inert_replies(running, question):
    standin, _ = running
    iid = await standin.slash("ask", uid=hash(question) % 10_000 + 1000, question=question)
    (reply,) = await followups(standin, iid)  # a public answer, not a private error
    assert reply.body.get("content") or reply.body.get("embeds")


async def test_cooldown_per_user(running):
    standin, _ = running
    ids = [
        await standin.slash("ask", uid=444, question=f"vitamin D question {i}") for i in range(4)
    ]
    for iid in ids[:3]:
        await followups(standin, iid)  # the first three are answered
    last = await callback(standin, ids[-1])
    assert last.body["type"] == 4 and last.body["data"]["flags"] == EPHEMERAL
    assert "Slow down" in last.body["data"]["content"]
    other = await standin.slash("ask", uid=445, question="vitamin D question")
    assert (await callback(standin, other)).body["type"] == 5
    await followups(standin, other)


async def test_mention_questions_share_the_ask_cooldown(running):
    standin, _ = running
    for i in range(2):
        iid = await standin.slash("ask", uid=446, question=f"vitamin D and bones {i}")
        await followups(standin, iid)
    await standin.say("<@900000000000000002> vitamin D and asthma", uid=446)
    await standin.wait_for(lambda s: len(s.calls_to(r"/channels/\d+/messages/\d+/threads")) == 1)
    await standin.say("<@900000000000000002> vitamin D and diabetes", uid=446)
    refused = await standin.wait_for(
        lambda s: [c for c in s.calls_to(r"/channels/\d+/messages", "POST")
                   if "Slow down" in (c.body.get("content") or "")]
    )  # fmt: skip
    assert refused[0].path == f"/channels/{CHANNEL_ID}/messages"  # in place, not a thread
    assert len(standin.calls_to(r"/channels/\d+/messages/\d+/threads")) == 1


# ---------------------------------------------------------------- threads


async def test_mention_answered_in_a_thread_and_follow_up_asked_in_context(running):
    standin, bot = running
    asked = recording_asks(bot)
    opening = "does vitamin_D *help* MS bone loss?"
    await standin.say(f"<@900000000000000002> {opening}")
    (thread,) = await standin.wait_for(lambda s: s.calls_to(r"/channels/\d+/messages/\d+/threads"))
    assert thread.body["name"] == opening  # as typed: no markdown escapes in a thread name
    thread_id = thread.response["id"]
    (answer,) = await standin.wait_for(
        lambda s: s.calls_to(rf"/channels/{thread_id}/messages", "POST")
    )
    assert answer.body["embeds"][0]["url"] == SEED_URL
    await standin.wait_for(lambda s: int(thread_id) in {t.id for t in bot.get_all_channels()}
                           or bot.get_channel(int(thread_id)))  # fmt: skip

    await standin.say("just chatting, not asking the bot", channel_id=int(thread_id),
                      mention_bot=False)  # fmt: skip
    await standin.say("<@900000000000000002> what dose did they use?", channel_id=int(thread_id))
    await standin.say("<@900000000000000002> and for kids?", channel_id=int(thread_id), uid=112)
    replies = await standin.wait_for(
        lambda s: (found := s.calls_to(rf"/channels/{thread_id}/messages", "POST"))[2:] and found
    )
    assert len(replies) == 3  # the opening answer and the two follow-ups; the chat got nothing
    assert all(r.body.get("embeds") or r.body.get("content") for r in replies)
    assert asked == [
        (opening, ()),
        ("what dose did they use?", (opening,)),
        ("and for kids?", (opening, "what dose did they use?")),
    ]


async def test_small_talk_gets_the_prompt_in_place_and_is_no_turn_of_a_thread(running):
    standin, bot = running
    asked = recording_asks(bot)
    await standin.say("<@900000000000000002> hi there, thanks!")
    opening = "vitamin D and asthma attacks"  # positive control, sent after it
    await standin.say(f"<@900000000000000002> {opening}")
    (thread,) = await standin.wait_for(lambda s: s.calls_to(r"/channels/\d+/messages/\d+/threads"))
    thread_id = thread.response["id"]
    await standin.wait_for(lambda s: s.calls_to(rf"/channels/{thread_id}/messages", "POST"))
    (prompt,) = [c for c in standin.calls_to(r"/channels/\d+/messages", "POST")
                 if c.body.get("content") == EMPTY_QUESTION]  # fmt: skip
    assert prompt.path == f"/channels/{CHANNEL_ID}/messages"  # in place, not a thread
    assert prompt.body.get("message_reference")
    await standin.wait_for(lambda s: bot.get_channel(int(thread_id)))

    await standin.say("<@900000000000000002> thank you so much!", channel_id=int(thread_id))
    await standin.say("<@900000000000000002> and for kids?", channel_id=int(thread_id), uid=113)
    await standin.wait_for(lambda s: len(asked) == 2)  # another asker: the first is at the limit
    assert asked == [(opening, ()), ("and for kids?", (opening,))]  # small talk never searched


async def test_silent_where_not_invited(running):
    standin, _ = running
    await standin.say("<@900000000000000002> vitamin D?", channel_id=OTHER_CHANNEL_ID)
    await standin.say("vitamin D and bones", mention_bot=False)
    # positive control: the same bot answers an invited question sent after those two
    await standin.say("<@900000000000000002> vitamin D and asthma attacks")
    await standin.wait_for(lambda s: s.calls_to(r"/channels/\d+/messages", "POST"))
    (thread,) = standin.calls_to(r"/channels/\d+/messages/\d+/threads")
    assert "asthma" in thread.body["name"]
    posted = standin.calls_to(r"/channels/\d+/messages.*", "POST")
    assert {c.path for c in posted} == {
        thread.path,
        f"/channels/{thread.response['id']}/messages",
    }


# ---------------------------------------------------------------- /tag


async def test_tag_autocomplete_listing_and_paging(running):
    standin, _ = running
    iid = await standin.autocomplete("tag", "name", "diabetis")
    choices = (await callback(standin, iid)).body["data"]["choices"]
    assert 1 <= len(choices) <= 25 and choices[0]["value"] == "diabetes"
    iid = await standin.slash("tag", name="PREGNANCY")
    embed = (await callback(standin, iid)).body["data"]["embeds"][0]
    assert embed["title"].startswith("Tag: pregnancy (1 posts)")
    assert "https://vitamindwiki.com/pages/pregnancy-post/" in embed["description"]

    iid = await standin.slash("tag", uid=120, name="sunlight")
    first = await callback(standin, iid)
    page1 = first.body["data"]["embeds"][0]
    assert page1["title"] == f"Tag: sunlight ({SUNLIGHT_POSTS} posts)"
    assert page1["footer"]["text"].startswith("Page 1/2") and page1["description"].count("• ") == 10
    older = next(b for b in buttons(first.body["data"]) if "Older" in b["label"])
    message = {**standin.message(str(CHANNEL_ID), first.body["data"]), "id": standin.next_id()}
    refused = await callback(standin, await standin.click(message, older["custom_id"], uid=121))
    assert refused.body["data"]["flags"] == EPHEMERAL
    turned = await callback(standin, await standin.click(message, older["custom_id"], uid=120))
    assert turned.body["type"] == 7  # the same message, updated
    page2 = turned.body["data"]["embeds"][0]
    assert page2["footer"]["text"].startswith("Page 2/2") and page2["description"].count("• ") == 2
    links = {line for p in (page1, page2) for line in p["description"].splitlines()}
    assert len(links) == SUNLIGHT_POSTS  # every post once, none repeated across pages


# ---------------------------------------------------------------- maintainers


async def test_maintainer_commands_refused_for_others(running):
    standin, _ = running
    for name in ("reindex", "status", "report"):
        iid = await standin.slash(name, uid=555, permissions=BASIC_PERMISSIONS)
        reply = await callback(standin, iid)
        assert reply.body["data"]["flags"] == EPHEMERAL
        assert "Only maintainers" in reply.body["data"]["content"]


async def test_maintainer_named_by_user_id(index_copy, embedder):
    async with bot_session(index_copy, embedder, maintainer_users=[MAINTAINER_USER]) as (
        standin,
        _,
    ):
        allowed = await standin.slash("status", uid=MAINTAINER_USER, permissions=BASIC_PERMISSIONS)
        assert "**Serving version**" in (await callback(standin, allowed)).body["data"]["content"]
        other = await standin.slash(
            "status", uid=MAINTAINER_USER + 1, permissions=BASIC_PERMISSIONS
        )
        assert "Only maintainers" in (await callback(standin, other)).body["data"]["content"]


async def test_status_for_maintainers(running):
    standin, bot = running
    iid = await standin.slash("ask", uid=801, question="does vitamin D help MS bone loss?")
    await followups(standin, iid)
    iid = await standin.slash("status", uid=802, permissions=MANAGE_GUILD | BASIC_PERMISSIONS)
    reply = (await callback(standin, iid)).body["data"]
    assert reply["flags"] == EPHEMERAL
    version = bot.service.searcher().index.version
    content = reply["content"]
    assert f"**Serving version** `{version}`" in content and f"**Posts** {POSTS}" in content
    assert "all-MiniLM-L6-v2" in content and "**answers** 1 " in content
    assert "**Archive sync** off" in content
    assert "**Shards** 0 of 1 · heartbeat 0: " in content


async def test_report_lists_unanswered_questions_and_thumbs_down(running):
    standin, _ = running
    iid = await standin.slash("ask", uid=901, question=NOT_CONFIDENT)
    await followups(standin, iid)
    iid = await standin.slash("ask", uid=902, question="vitamin D in pregnancy")
    (answer,) = await followups(standin, iid)
    down = next(b for b in buttons(answer.body) if (b.get("emoji") or {}).get("name") == "👎")
    await callback(standin, await standin.click(answer.response, down["custom_id"], uid=902))
    iid = await standin.slash("report", uid=903, roles=[MAINTAINER_ROLE_ID], days=7)
    assert (await callback(standin, iid)).body["data"]["flags"] == EPHEMERAL  # private thinking
    (report,) = await followups(standin, iid, public=False)
    content = report.body["content"]
    assert report.body["flags"] == EPHEMERAL
    assert content.startswith("Gap report, last 7 days: 2 questions, 1 without a confident answer")
    assert f"1× {NOT_CONFIDENT}" in content
    first_title = answer.body["embeds"][0]["title"].split(". ", 1)[1]
    assert "1× vitamin D in pregnancy → " + first_title in content
    assert "pregnancy" in content.split("Most asked topics")[1]
    (csv_name,) = report.files
    assert csv_name == "gap-report-7d.csv"
    assert (
        f"no_confident_answer,{report_day()},{NOT_CONFIDENT},1".encode() in report.files[csv_name]
    )


# ---------------------------------------------------------------- /reindex


async def test_reindex_never_stalls_answers(running, archive, tmp_path):
    """An /ask sent while the build holds its model mid-embedding gets a real answer before the
    build goes on: the build runs on a model instance of its own, with fewer threads."""
    standin, bot = running
    posts = tmp_path / "posts"
    shutil.copytree(archive, posts)
    for tag in ("newtopic-a", "newtopic-b"):
        write_post(posts, tag, f"Vitamin D and {tag} in a long study", [tag], 60)
    bot.settings.archive = posts
    embedding, answered = threading.Event(), threading.Event()
    make = bot.service.build_embedder
    made = []

    def build_embedder():
        model = make()
        made.append(model)
        encode = model.encode

        def encode_then_hold_the_model(texts, progress=False):
            vectors = encode(texts)
            with model._lock:  # as if the next batch were being embedded right now
                embedding.set()
                answered.wait(60)
            return vectors

        model.encode = encode_then_hold_the_model
        return model

    bot.service.build_embedder = build_embedder
    beats = standin.heartbeats
    iid = await standin.slash("reindex", uid=666, roles=[MAINTAINER_ROLE_ID], full=True)
    assert (await callback(standin, iid)).body["type"] == 5
    assert await asyncio.to_thread(embedding.wait, 60), "the build never embedded"
    second = await standin.slash("reindex", uid=667, permissions=MANAGE_GUILD | BASIC_PERMISSIONS)
    assert "already running" in (await callback(standin, second)).body["data"]["content"]
    during = await standin.slash("ask", uid=668, question="does vitamin D help MS bone loss?")
    try:
        (answer,) = await followups(standin, during, timeout=30)
    finally:
        answered.set()
    assert answer.body["embeds"][0]["url"] == SEED_URL
    (model,) = made
    assert model is not bot.service.embedder
    assert model.threads == max(1, (os.cpu_count() or 1) - 1)  # a core left to questions
    done = await edited_to(standin, iid, "Reindex done")
    assert "added 2" in done.body["content"]
    assert standin.heartbeats > beats and standin.identified == 1 and standin.resumed == 0
    iid = await standin.slash("ask", uid=669, question="vitamin D and newtopic-a")
    (after,) = await followups(standin, iid)
    assert after.body["embeds"][0]["url"].endswith("/pages/newtopic-a/")


async def test_reindex_incremental_embeds_only_what_changed(
    index_copy, archive, embedder, tmp_path
):
    posts = tmp_path / "posts"
    shutil.copytree(archive, posts)
    write_post(posts, "added-post", "Vitamin D and gout flares", ["gout"], 2)
    (posts / "sun-00.md").unlink()
    async with bot_session(index_copy, embedder, archive=posts) as (standin, bot):
        embedded: list[str] = []
        make = bot.service.build_embedder

        def counting_build_embedder():
            model = make()
            encode = model.encode
            model.encode = lambda texts, progress=False: embedded.extend(texts) or encode(texts)
            return model

        bot.service.build_embedder = counting_build_embedder
        before = bot.service.searcher().index.version
        iid = await standin.slash("reindex", uid=670, roles=[MAINTAINER_ROLE_ID])
        done = await edited_to(standin, iid, "Reindex done")
        assert "added 1, updated 0, removed 1" in done.body["content"]
        version = bot.service.searcher().index.version
        assert version != before and f"`{version}`" in done.body["content"]
        assert store.load(index_copy).manifest["posts"] == POSTS
        # the new post was embedded; every other post's vectors were reused
        assert any("gout flares" in text for text in embedded)
        others = [p.title for p in store.load(index_copy).posts if p.slug != "added-post"]
        assert not [text for text in embedded for title in others if title in text]


async def test_reindex_pulls_the_archive_first(index_copy, embedder, git_archive):
    upstream, clone = git_archive
    push_post(upstream, "pulled-post", "Vitamin D and restless legs")
    async with bot_session(index_copy, embedder, archive=clone, archive_pull=True) as (
        standin,
        bot,
    ):
        iid = await standin.slash("reindex", uid=671, roles=[MAINTAINER_ROLE_ID])
        await edited_to(standin, iid, "archive moved")
        done = await edited_to(standin, iid, "Reindex done")
        assert "added 1, updated 0, removed 0" in done.body["content"]
        assert "pulled-post" in bot.service.searcher().index.by_slug


async def test_reindex_without_an_archive_says_so(index_copy, embedder):
    async with bot_session(index_copy, embedder, archive=None) as (standin, _):
        iid = await standin.slash("reindex", uid=672, roles=[MAINTAINER_ROLE_ID])
        reply = (await callback(standin, iid)).body["data"]
        assert reply["flags"] == EPHEMERAL
        assert reply["content"].startswith("No archive folder is configured (VDWBOT_ARCHIVE)")


async def test_reindex_failures_are_shown_in_the_progress_message(index_copy, embedder, tmp_path):
    missing = tmp_path / "no-such-folder"
    async with bot_session(index_copy, embedder, archive=missing) as (standin, bot):
        iid = await standin.slash("reindex", uid=673, roles=[MAINTAINER_ROLE_ID])
        stopped = await edited_to(standin, iid, "Reindex stopped", timeout=30)
        assert f"archive folder not found: {missing}" in stopped.body["content"]
        assert not [c for c in standin.replies_to(iid) if "went wrong" in str(c.body)]

        bot.settings.archive = SEEDS
        with store.build_lock(index_copy):  # a CLI build holding the index
            iid = await standin.slash("reindex", uid=674, roles=[MAINTAINER_ROLE_ID])
            stopped = await edited_to(standin, iid, "Reindex stopped", timeout=30)
        assert "another build is running" in stopped.body["content"]
        # the lock is free again for the next one
        iid = await standin.slash("reindex", uid=675, roles=[MAINTAINER_ROLE_ID])
        await edited_to(standin, iid, "Reindex done")


# ---------------------------------------------------------------- scheduled sync


async def test_scheduled_sync_pulls_and_updates_never_beside_a_reindex(index_copy, embedder,
                                                                     git_archive):  # fmt: skip
    upstream, clone = git_archive
    push_post(upstream, "synced-post", "Vitamin D and hair loss in a synced post")
    async with bot_session(index_copy, embedder, archive=clone, sync_hours=0.001) as (standin, bot):
        admin = bot.get_cog("Admin")
        await standin.wait_for(lambda s: admin.last_sync is not None, 60)
        assert admin.last_sync.ok, admin.last_sync.text
        assert "archive moved" in admin.last_sync.text and "added 1" in admin.last_sync.text
        iid = await standin.slash("ask", uid=680, question="vitamin D and hair loss")
        (answer,) = await followups(standin, iid)
        assert answer.body["embeds"][0]["url"].endswith("/pages/synced-post/")
        iid = await standin.slash("status", uid=681, roles=[MAINTAINER_ROLE_ID])
        status = (await callback(standin, iid)).body["data"]["content"]
        version = bot.service.searcher().index.version
        assert "**Archive sync** every 0.001 h; last " in status and f"`{version}`" in status

        async with bot.rebuilding:  # a /reindex running
            skipped = await admin.sync_once()
        assert not skipped.ok and "skipped" in skipped.text


# ---------------------------------------------------------------- connection and load


async def test_api_base_in_discord_py_form(index_copy, embedder):
    async with bot_session(index_copy, embedder, api_suffix="/api/v10") as (standin, _):
        iid = await standin.slash("ask", question="does vitamin D help MS bone loss?")
        (reply,) = await followups(standin, iid)
        assert reply.body["embeds"][0]["url"] == SEED_URL


async def test_rest_base_that_is_not_discord_is_a_clear_startup_error(index_copy):
    async def anything(request: web.Request) -> web.Response:
        return web.json_response({"hello": "not discord"})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", anything)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    env = {**os.environ, "DISCORD_TOKEN": "fake", "VDWBOT_INDEX": str(index_copy),
           "VDWBOT_DISCORD_API_BASE": f"http://127.0.0.1:{port}"}  # fmt: skip
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=REPO, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        _out, err = await asyncio.wait_for(proc.communicate(), 120)
    finally:
        await runner.cleanup()
    assert proc.returncode == 1
    (line,) = [line for line in err.decode().splitlines() if line.startswith("vdwbot:")]
    assert line.startswith(
        f"vdwbot: http://127.0.0.1:{port}/api/v10 did not answer like Discord's API ("
    )
    assert line.endswith(
        "VDWBOT_DISCORD_API_BASE should be the server's root (e.g. https://discord.com) "
        "or its /api/v10 URL"
    )
    assert "Traceback" not in err.decode()


async def test_gateway_reconnect_mid_answer_is_resumed_and_the_answer_arrives(running):
    standin, bot = running
    searching, release = threading.Event(), threading.Event()
    ask = bot.service.ask

    def held_ask(*args, **kwargs):
        searching.set()
        release.wait(30)  # the answer is still being prepared while the gateway reconnects
        return ask(*args, **kwargs)

    bot.service.ask = held_ask
    iid = await standin.slash("ask", uid=701, question="does vitamin D help MS bone loss?")
    try:
        assert await asyncio.to_thread(searching.wait, 30)
        await standin.drop_connection()  # op 7 while the answer is being prepared
        await standin.wait_for(lambda s: s.resumed >= 1, 30)
        assert not [c for c in standin.replies_to(iid) if c.path.startswith("/webhooks/")]
    finally:
        release.set()
    assert standin.identified == 1  # resumed, not a fresh session
    (first,) = await followups(standin, iid)
    assert first.body["embeds"][0]["url"] == SEED_URL
    bot.service.ask = ask
    iid = await standin.slash("ask", uid=702, question="vitamin D and asthma attacks")
    (second,) = await followups(standin, iid)
    assert second.body["embeds"]


async def test_load_200_asks_all_answered_off_the_loop_cooldown_holds(running):
    standin, bot = running
    in_flight = peak = on_loop = 0
    counting = threading.Lock()
    ask, loop_thread = bot.service.ask, threading.get_ident()

    def counting_ask(*args, **kwargs):
        nonlocal in_flight, peak, on_loop
        with counting:
            on_loop += threading.get_ident() == loop_thread
            in_flight += 1
            peak = max(peak, in_flight)
        try:
            return ask(*args, **kwargs)
        finally:
            with counting:
                in_flight -= 1

    bot.service.ask = counting_ask
    beats = standin.heartbeats
    topics = [t for t, _ in TOPICS]
    sent = []
    for i in range(200):
        q = f"vitamin D and {topics[i % 6]} {i}"
        sent.append(await standin.slash("ask", uid=10_000 + i, question=q))
        await asyncio.sleep(0.01)  # 200 interactions in about 2-3 seconds
    spammer = [await standin.slash("ask", uid=999, question=f"spam {i}") for i in range(5)]
    pending = set(sent)
    for _ in range(3000):  # up to 300 s
        pending -= standin.followed_up()
        if not pending:
            break
        await asyncio.sleep(0.1)
    assert not pending, f"{len(pending)} questions were never answered"

    def callbacks_by_id() -> dict[str, Call]:
        return {c.path.split("/")[2]: c for c in standin.calls if c.path.endswith("/callback")}

    for _ in range(600):  # the spammer's asks came last: their replies may still be on the way
        if set(spammer) <= callbacks_by_id().keys():
            break
        await asyncio.sleep(0.1)
    callbacks = callbacks_by_id()
    assert all(callbacks[iid].body["type"] == 5 for iid in sent)  # every one deferred
    refused = [callbacks[i] for i in spammer if callbacks[i].body["type"] == 4]
    assert len(refused) == 2 and all("Slow down" in c.body["data"]["content"] for c in refused)
    assert peak <= bot.settings.max_concurrent_searches
    assert on_loop == 0, f"{on_loop} searches ran on the event loop"
    # the gateway kept being served meanwhile: heartbeats acknowledged, no reconnect
    assert standin.heartbeats > beats and standin.identified == 1 and standin.resumed == 0


async def test_token_never_appears_in_the_logs_of_an_answering_bot(built_index, embedder, tmp_path):
    """`vdwbot run` with a token answers a question and fails a command, then stops: the token
    was used (the stand-in saw it) and appears nowhere in what the bot printed."""
    token = "MTIzNDU2Nzg5MDEyMzQ1Njc4.secret-fake-token.abcdefghijklmnopqrstuvwxyz"
    root = tmp_path / "ix"
    shutil.copytree(built_index, root)
    share_onnx_export(embedder, root)  # no export
    standin = StandIn(heartbeat_ms=300)
    await standin.start()
    env = {**os.environ, "DISCORD_TOKEN": token, "VDWBOT_INDEX": str(root),
           "VDWBOT_GUILD_IDS": str(GUILD_ID), "VDWBOT_ARCHIVE": str(tmp_path / "missing"),
           "VDWBOT_DISCORD_API_BASE": standin.api_base,
           "VDWBOT_DISCORD_GATEWAY": standin.gateway_url}  # fmt: skip
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=REPO, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        await standin.wait_for(lambda s: s.calls_to(r"/applications/\d+/guilds/\d+/commands"), 120)
        await standin.wait_for(lambda s: s.identified and s.heartbeats >= 2, 30)  # connected
        asked = await standin.slash("ask", question="does vitamin D help MS bone loss?")
        (answer,) = await followups(standin, asked, timeout=60)
        assert answer.body["embeds"][0]["url"] == SEED_URL
        iid = await standin.slash("reindex", permissions=MANAGE_GUILD | BASIC_PERMISSIONS)
        await edited_to(standin, iid, "Reindex stopped", timeout=60)
    finally:
        proc.terminate()
        output, _ = await asyncio.wait_for(proc.communicate(), 30)
        await standin.stop()
    text = output.decode()
    assert {c.authorization for c in standin.calls if c.path == "/users/@me"} == {f"Bot {token}"}
    assert "commands synced" in text and f"ask {asked}: does vitamin D help" in text  # it logged
    assert token not in text and "secret-fake-token" not in text
    assert "Traceback" not in text


# ---------------------------------------------------------------- shards


async def test_one_process_runs_the_shards_discord_recommends(index_copy, embedder):
    """No shard setting, the gateway recommending 2: one process identifies both shards and
    answers in a guild of each, each guild's questions arriving on its own shard's connection."""
    standin = StandIn(heartbeat_ms=300, shards=2, guilds=(GUILD_ID, OTHER_GUILD_ID),
                      announced_gateway="ws://127.0.0.1:9/not-the-configured-gateway")  # fmt: skip
    guilds = [GUILD_ID, OTHER_GUILD_ID]
    async with bot_session(index_copy, embedder, standin=standin, guild_ids=guilds) as (_, bot):
        # connected through VDWBOT_DISCORD_GATEWAY, not the URL /gateway/bot announced
        assert sorted(standin.identifies) == [(0, 2), (1, 2)]
        assert (bot.shard_count, sorted(bot.shards)) == (2, [0, 1])
        for uid, gid in enumerate(guilds, start=1201):
            iid = await standin.slash("ask", uid=uid, guild_id=gid, question="vitamin D and MS")
            assert standin.shard_of_event(iid) == (shard_of(gid, 2), 2)
            (reply,) = await followups(standin, iid)
            assert reply.body["embeds"][0]["url"] == SEED_URL
        iid = await standin.slash("status", uid=1203, permissions=MANAGE_GUILD | BASIC_PERMISSIONS)
        status = (await callback(standin, iid)).body["data"]["content"]
        assert "**Shards** 0, 1 of 2 · heartbeat 0: " in status and ", 1: " in status


async def test_two_processes_split_the_shards_switch_together_and_build_one_at_a_time(
    built_index, archive, embedder, tmp_path
):
    """Two `vdwbot run` processes, shard 0 and shard 1 of 2, on one index folder: each answers
    its own guild's questions; a /reindex while another build holds the folder is refused as busy
    with the index untouched; after one process reindexes, the other answers from the new
    version too."""
    root = tmp_path / "ix"
    shutil.copytree(built_index, root)
    share_onnx_export(embedder, root)  # no ONNX export in either process
    posts = tmp_path / "posts"
    shutil.copytree(archive, posts)
    write_post(posts, "sharded-post", "Vitamin D and gout flares in a reindexed post", ["gout"], 3)
    standin = StandIn(heartbeat_ms=300, shards=2, guilds=(GUILD_ID, OTHER_GUILD_ID))
    await standin.start()
    env = {**os.environ, "DISCORD_TOKEN": "fake-token-abc", "VDWBOT_INDEX": str(root),
           "VDWBOT_ARCHIVE": str(posts), "VDWBOT_GUILD_IDS": f"{GUILD_ID},{OTHER_GUILD_ID}",
           "VDWBOT_MAINTAINER_USERS": str(MAINTAINER_USER), "VDWBOT_SHARD_COUNT": "2",
           "VDWBOT_DISCORD_API_BASE": standin.api_base,
           "VDWBOT_DISCORD_GATEWAY": standin.gateway_url}  # fmt: skip
    logs = {shard: tmp_path / f"shard{shard}.log" for shard in (0, 1)}
    procs = {}
    for shard, log_file in logs.items():
        with open(log_file, "wb") as out:
            procs[shard] = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", cwd=REPO,
                env={**env, "VDWBOT_SHARD_IDS": str(shard)}, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
    owner = {gid: shard_of(gid, 2) for gid in (GUILD_ID, OTHER_GUILD_ID)}
    assert sorted(owner.values()) == [0, 1]  # one guild on each shard
    asked: dict[int, list[str]] = {0: [], 1: []}

    async def ask(gid: int, question: str, uid: int) -> dict:
        iid = await standin.slash("ask", uid=uid, guild_id=gid, question=question)
        assert standin.shard_of_event(iid) == (owner[gid], 2)
        asked[owner[gid]].append(iid)
        (answer,) = await followups(standin, iid, timeout=90)  # public: not an error reply
        return answer.body

    try:
        try:  # both loaded model and index, synced commands and connected: one shard each
            await standin.wait_for(lambda s: sorted(s.identifies) == [(0, 2), (1, 2)], 240)
        except TimeoutError:
            pytest.fail("\n".join(f.read_text() for f in logs.values()))
        for uid, gid in enumerate(owner, start=1301):
            answer = await ask(gid, "does vitamin D help MS bone loss?", uid)
            assert answer["embeds"][0]["url"] == SEED_URL

        version, versions = store.current_version(root), sorted((root / "versions").iterdir())
        with store.build_lock(root):  # another build (a CLI update, a /reindex) holds the folder
            iid = await standin.slash("reindex", uid=MAINTAINER_USER, guild_id=OTHER_GUILD_ID)
            stopped = await edited_to(standin, iid, "Reindex stopped", timeout=60)
        assert "another build is running" in stopped.body["content"]
        assert store.current_version(root) == version
        assert sorted((root / "versions").iterdir()) == versions

        iid = await standin.slash("reindex", uid=MAINTAINER_USER, guild_id=GUILD_ID)
        done = await edited_to(standin, iid, "Reindex done", timeout=240)
        assert "added 1, updated 0, removed 0" in done.body["content"]
        assert store.current_version(root) != version
        for uid, gid in enumerate(owner, start=1311):  # the other process switched as well
            answer = await ask(gid, "vitamin D and gout flares", uid)
            assert answer["embeds"][0]["url"].endswith("/pages/sharded-post/")
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            await asyncio.wait_for(proc.wait(), 30)
        await standin.stop()
    text = {shard: f.read_text() for shard, f in logs.items()}
    for shard, other in ((0, 1), (1, 0)):  # each question answered by its shard's process only
        assert all(f"ask {iid}: " in text[shard] for iid in asked[shard]), text[shard]
        assert not [iid for iid in asked[shard] if f"ask {iid}: " in text[other]]
        assert "Traceback" not in text[shard], text[shard]
