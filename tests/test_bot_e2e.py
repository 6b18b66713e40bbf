"""The real bot against the local Discord stand-in: sync, /ask, threads, /tag, /reindex, limits."""

from __future__ import annotations

import asyncio
import gc
import shutil
import threading
import time
from pathlib import Path

import pytest

from bot.app import VdwBot, point_at
from bot.config import Settings
from retrieval.evidence import LABELS
from retrieval.indexer import build_index
from retrieval.service import AnswerService
from tests.discord_standin import (
    BASIC_PERMISSIONS,
    CHANNEL_ID,
    GUILD_ID,
    MAINTAINER_ROLE_ID,
    MANAGE_GUILD,
    OTHER_CHANNEL_ID,
    StandIn,
)
from tests.helpers import SEED_SLUG, SEEDS, write_post

SEED_URL = f"https://vitamindwiki.com/pages/{SEED_SLUG}/"
TOPICS = [
    ("pregnancy", "Pregnant women given 4000 IU vitamin D had fewer complications"),
    ("cancer", "Breast cancer risk was lower with higher vitamin D levels"),
    ("diabetes", "Type 2 diabetes blood sugar improved with 50000 IU weekly vitamin D"),
    ("asthma", "Asthma attacks halved in children taking vitamin D"),
    ("depression", "Winter depression lifted after vitamin D supplementation"),
    ("bone", "Hip fractures fell with vitamin D and calcium in seniors"),
]


class LoopLag:
    """Measures event-loop lag while active: a 10 ms sleep that wakes late means a blocked loop.

    Full garbage collections pause every thread, so their longest one is kept too, to tell a
    collector pause from code that blocks the loop when the bound is missed.
    """

    def __init__(self) -> None:
        self.lags: list[float] = []
        self.full_collections: list[float] = []
        self._stop = asyncio.Event()
        self._gc_started = 0.0

    def _on_gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        elif info["generation"] == 2:
            self.full_collections.append(time.perf_counter() - self._gc_started)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stop.is_set():
            t = loop.time()
            await asyncio.sleep(0.01)
            self.lags.append(loop.time() - t - 0.01)

    def start(self) -> None:
        gc.callbacks.append(self._on_gc)
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        self._stop.set()
        await self._task
        gc.callbacks.remove(self._on_gc)

    @property
    def worst(self) -> float:
        return max(self.lags, default=0.0)

    def __str__(self) -> str:
        longest = max(self.full_collections, default=0.0)
        return (f"event loop lagged {self.worst:.3f} s at worst; {len(self.full_collections)} "
                f"full collections, longest {longest:.3f} s")  # fmt: skip


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bot_archive")
    shutil.copy(next(SEEDS.glob("*.md")), folder)
    for tag, title in TOPICS:
        write_post(folder, f"{tag}-post", title, [tag, "vitamin d"], 3)
    return folder


@pytest.fixture(scope="module")
def built_index(archive, embedder, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bot_index") / "ix"
    build_index(archive, root, embedder)
    return root


@pytest.fixture
async def running(built_index, archive, embedder, tmp_path):
    """(stand-in, bot) with the bot connected and its commands synced."""
    root = tmp_path / "ix"
    shutil.copytree(built_index, root)
    standin = StandIn(heartbeat_ms=300)
    await standin.start()
    point_at(standin.api_base, standin.gateway_url)
    settings = Settings(
        _env_file=None, index=root, archive=archive, guild_ids=[GUILD_ID],
        answer_channels=[CHANNEL_ID], maintainer_roles=[MAINTAINER_ROLE_ID], ask_rate=3,
        ask_per_seconds=60,
    )  # fmt: skip
    bot = VdwBot(settings, AnswerService(root, embedder, settings.base_url))
    task = asyncio.create_task(bot.start("fake-token-abc"))
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait({task, ready}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
    assert ready in done, f"bot did not become ready: {task.exception() if task.done() else ''}"
    await standin.wait_for(lambda s: s.calls_to(r"/applications/\d+/guilds/\d+/commands", "PUT"))
    yield standin, bot
    await bot.close()
    await asyncio.wait_for(task, 10)
    await standin.stop()


async def followups(standin: StandIn, iid: str, n: int = 1, timeout: float = 30):
    """The first `n` follow-up messages of an interaction (webhook POSTs)."""

    def found(s: StandIn):
        posts = [
            c for c in s.replies_to(iid) if c.path.startswith("/webhooks/") and c.method == "POST"
        ]
        return posts[:n] if len(posts) >= n else None

    return await standin.wait_for(found, timeout)


async def callback(standin: StandIn, iid: str, timeout: float = 30):
    return (
        await standin.wait_for(
            lambda s: [c for c in s.replies_to(iid) if c.path.endswith("/callback")], timeout
        )
    )[0]


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
        total += len(e.get("title", "")) + len(e.get("description", ""))
        total += len(e.get("footer", {}).get("text", "")) + len(e.get("author", {}).get("name", ""))
    assert total <= 6000


async def test_commands_sync_and_ask_answers_with_embed(running):
    standin, _bot = running
    synced = standin.calls_to(r"/applications/\d+/guilds/\d+/commands", "PUT")[-1].body
    assert {c["name"] for c in synced} == {"ask", "tag", "tags", "reindex", "status"}
    iid = await standin.slash("ask", question="does vitamin D help MS bone loss?")
    assert (await callback(standin, iid)).body["type"] == 5  # deferred at once
    (reply,) = await followups(standin, iid)
    assert_inert(reply.body)
    top = reply.body["embeds"][0]
    assert top["url"] == SEED_URL
    assert top["title"].startswith("1. 2800 IU vitamin D daily did not decrease bone loss")
    assert top["description"].startswith("• ")
    assert reply.body["content"].startswith("In short: ") and reply.body["content"].endswith("]")
    labels = [c.get("label") for row in reply.body["components"] for c in row["components"]]
    assert "More results" in labels
    assert "Posts 1–3 of" in reply.body["embeds"][-1]["footer"]["text"]


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


async def test_more_results_only_for_asker_and_feedback_is_stored(running):
    standin, bot = running
    iid = await standin.slash("ask", uid=222, question="vitamin D trial results")
    (reply,) = await followups(standin, iid)
    buttons = [c for row in reply.body["components"] for c in row["components"]]
    more = next(b for b in buttons if b.get("label") == "More results")
    thumbs = next(b for b in buttons if (b.get("emoji") or {}).get("name") == "👍")
    message = reply.response  # the message the stand-in created: the view is bound to its id
    other = await standin.click(message, more["custom_id"], uid=333)
    refusal = await callback(standin, other)
    assert (
        refusal.body["data"]["flags"] == 64 and "Only the person" in refusal.body["data"]["content"]
    )
    mine = await standin.click(message, more["custom_id"], uid=222)
    (page2,) = await followups(standin, mine)
    assert page2.body["embeds"][0]["title"].startswith("4. ")
    vote = await standin.click(message, thumbs["custom_id"], uid=222)
    await callback(standin, vote)
    rows = bot.feedback.rows()
    assert rows[-1][0] == 222 and rows[-1][1] == "vitamin D trial results" and rows[-1][3] == 1


async def test_not_confident_says_so_with_tags(running):
    standin, _ = running
    iid = await standin.slash("ask", question="how do I change a tire on a Tesla")
    (reply,) = await followups(standin, iid)
    assert reply.body["content"].startswith("The archive has nothing clear on that.")
    assert not reply.body.get("embeds")


@pytest.mark.parametrize(
    "question",
    ["@everyone @here <@&123> <@456> look " + "x" * 5000, "```\n<@&1>\n```**bold** ||spoiler||",
     "", "   ", "?", "😀😀😀", "\u200b\u202e vitamin D", "https://evil.example/@everyone"],
)  # fmt: skip
async def test_hostile_questions_get_inert_replies(running, question):
    standin, _ = running
    iid = await standin.slash("ask", uid=hash(question) % 10_000 + 1000, question=question)
    (reply,) = await followups(standin, iid)
    assert_inert(reply.body)
    assert reply.body.get("content") or reply.body.get("embeds")


async def test_cooldown_per_user(running):
    standin, _ = running
    ids = [
        await standin.slash("ask", uid=444, question=f"vitamin D question {i}") for i in range(4)
    ]
    last = await callback(standin, ids[-1])
    assert last.body["type"] == 4 and last.body["data"]["flags"] == 64
    assert "Slow down" in last.body["data"]["content"]
    other = await standin.slash("ask", uid=445, question="vitamin D question")
    assert (await callback(standin, other)).body["type"] == 5


async def test_channel_mention_is_answered_in_a_thread(running):
    standin, _ = running
    await standin.say("<@900000000000000002> does vitamin D help MS bone loss?")
    thread = (await standin.wait_for(lambda s: s.calls_to(r"/channels/\d+/messages/\d+/threads")))[
        0
    ]
    assert "vitamin D help MS bone loss" in thread.body["name"]
    posted = await standin.wait_for(lambda s: s.calls_to(r"/channels/\d+/messages", "POST"))
    assert posted[0].body["embeds"][0]["url"] == SEED_URL
    assert_inert(posted[0].body)


async def test_silent_where_not_invited(running):
    standin, _ = running
    await standin.say("<@900000000000000002> vitamin D?", channel_id=OTHER_CHANNEL_ID)
    await standin.say("vitamin D and bones", mention_bot=False)
    await asyncio.sleep(1.5)
    assert not standin.calls_to(r"/channels/\d+/messages.*")


async def test_tag_autocomplete_and_listing(running):
    standin, _ = running
    iid = await standin.autocomplete("tag", "name", "diabetis")
    choices = (await callback(standin, iid)).body["data"]["choices"]
    assert 1 <= len(choices) <= 25 and choices[0]["value"] == "diabetes"
    iid = await standin.slash("tag", name="PREGNANCY")
    reply = await callback(standin, iid)
    embed = reply.body["data"]["embeds"][0]
    assert embed["title"].startswith("Tag: pregnancy (1 posts)")
    assert "https://vitamindwiki.com/pages/pregnancy-post/" in embed["description"]


async def test_reindex_refused_for_non_maintainers(running):
    standin, _ = running
    for name in ("reindex", "status"):
        iid = await standin.slash(name, uid=555, permissions=BASIC_PERMISSIONS)
        reply = await callback(standin, iid)
        assert reply.body["data"]["flags"] == 64
        assert "Only maintainers" in reply.body["data"]["content"]


async def test_reindex_by_maintainer_keeps_loop_and_answers_alive(running, archive):
    standin, _bot = running
    for tag in ("newtopic-a", "newtopic-b"):
        write_post(archive, tag, f"Vitamin D and {tag} in a long study", [tag], 60)
    lag = LoopLag()
    lag.start()
    beats_before = standin.heartbeats
    started = time.monotonic()
    iid = await standin.slash("reindex", uid=666, roles=[MAINTAINER_ROLE_ID], full=True)
    assert (await callback(standin, iid)).body["type"] == 5
    second = await standin.slash("reindex", uid=667, permissions=MANAGE_GUILD | BASIC_PERMISSIONS)
    busy = await callback(standin, second)
    assert "already running" in busy.body["data"]["content"]
    during = await standin.slash("ask", uid=668, question="does vitamin D help MS bone loss?")
    (answer,) = await followups(standin, during, timeout=60)
    assert answer.body["embeds"][0]["url"] == SEED_URL
    done = await standin.wait_for(
        lambda s: [c for c in s.replies_to(iid) if c.method == "PATCH"
                   and "Reindex done" in (c.body or {}).get("content", "")], 180
    )  # fmt: skip
    elapsed = time.monotonic() - started
    await lag.stop()
    assert "added 2" in done[0].body["content"]
    assert lag.worst < 0.25, str(lag)
    assert standin.heartbeats - beats_before >= int(elapsed / 0.3) - 2
    iid = await standin.slash("ask", uid=669, question="vitamin D and newtopic-a")
    (after,) = await followups(standin, iid)
    assert after.body["embeds"][0]["url"].endswith("/pages/newtopic-a/")


async def test_gateway_reconnect_is_resumed_and_answers_continue(running):
    standin, _ = running
    iid = await standin.slash("ask", uid=701, question="does vitamin D help MS bone loss?")
    await standin.drop_connection()  # op 7 while the answer is being prepared
    await standin.wait_for(lambda s: s.resumed >= 1, 30)
    assert standin.identified == 1  # resumed, not a fresh session
    (first,) = await followups(standin, iid)
    assert first.body["embeds"][0]["url"] == SEED_URL
    iid = await standin.slash("ask", uid=702, question="vitamin D and asthma attacks")
    (second,) = await followups(standin, iid)
    assert second.body["embeds"]


async def test_load_200_asks_all_answered_loop_responsive_cooldown_holds(running):
    standin, bot = running
    in_flight = peak = on_loop = 0
    ask, loop_thread = bot.service.ask, threading.get_ident()

    def counting_ask(*args, **kwargs):
        nonlocal in_flight, peak, on_loop
        on_loop += threading.get_ident() == loop_thread
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            return ask(*args, **kwargs)
        finally:
            in_flight -= 1

    bot.service.ask = counting_ask

    lag = LoopLag()
    lag.start()
    topics = [t for t, _ in TOPICS]
    sent: dict[str, float] = {}
    for i in range(200):
        iid = await standin.slash(
            "ask", uid=10_000 + i, question=f"vitamin D and {topics[i % 6]} {i}"
        )
        sent[iid] = time.monotonic()
        await asyncio.sleep(0.01)  # 200 interactions in about 2-3 seconds
    spammer = [await standin.slash("ask", uid=999, question=f"spam {i}") for i in range(5)]
    done: dict[str, float] = {}
    deadline = time.monotonic() + 300
    while len(done) < len(sent) and time.monotonic() < deadline:
        now = time.monotonic()  # one pass over the calls, so polling itself never stalls the loop
        for iid in standin.followed_up() & sent.keys() - done.keys():
            done[iid] = now
        await asyncio.sleep(0.05)
    await lag.stop()
    assert len(done) == 200, f"{200 - len(done)} questions were never answered"
    callbacks = {c.path.split("/")[2]: c for c in standin.calls if c.path.endswith("/callback")}
    assert all(callbacks[iid].body["type"] == 5 for iid in sent)  # every one deferred
    refused = [callbacks[i] for i in spammer if callbacks[i].body["type"] == 4]
    assert len(refused) == 2 and all("Slow down" in c.body["data"]["content"] for c in refused)
    assert peak <= bot.settings.max_concurrent_searches
    assert on_loop == 0, f"{on_loop} searches ran on the event loop"
    assert lag.worst < 0.25, str(lag)
    times = sorted(done[i] - sent[i] for i in sent)
    print(f"load: 200 answered, p50 {times[100]:.2f} s, p95 {times[190]:.2f} s, "
          f"{lag}")  # fmt: skip


def test_token_never_appears_in_output(tmp_path, built_index):
    """A failing start with a fake token: one clear line, and the token nowhere in the output."""
    import os
    import subprocess
    import sys

    token = "MTIzNDU2Nzg5MDEyMzQ1Njc4.secret-fake-token.abcdefghijklmnopqrstuvwxyz"
    env = {**os.environ, "DISCORD_TOKEN": token, "VDWBOT_INDEX": str(built_index),
           "VDWBOT_DISCORD_API_BASE": "http://127.0.0.1:9",
           "VDWBOT_DISCORD_GATEWAY": "ws://127.0.0.1:9"}  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 1
    assert "cannot reach Discord" in output and "Traceback" not in output
    assert token not in output and "secret-fake-token" not in output


async def test_status_for_maintainers(running):
    standin, bot = running
    await standin.slash("ask", uid=801, question="does vitamin D help MS bone loss?")
    await standin.wait_for(lambda s: bot.latencies, 30)
    iid = await standin.slash("status", uid=802, permissions=MANAGE_GUILD | BASIC_PERMISSIONS)
    reply = (await callback(standin, iid)).body["data"]
    assert reply["flags"] == 64
    version = bot.service.searcher().index.version
    assert f"`{version}`" in reply["content"] and "**Posts** 7" in reply["content"]
    assert "all-MiniLM-L6-v2" in reply["content"] and "latency p50" in reply["content"]
