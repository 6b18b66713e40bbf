"""The discord.py Bot: minimal intents, no mentions, extensions, command sync, off-loop search."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
import time
from collections import deque
from typing import Unpack

import discord
import yarl
from discord.ext import commands

from bot.config import Settings
from bot.errors import VdwTree
from retrieval.errors import VdwError
from retrieval.feedback import FEEDBACK_FILE, FeedbackStore
from retrieval.question_log import QUESTIONS_FILE, QuestionLog
from retrieval.search import Answer, SearchOptions
from retrieval.service import AnswerService

log = logging.getLogger(__name__)

EXTENSIONS = ("bot.exts.ask", "bot.exts.tags", "bot.exts.admin")
API_PATH = "/api/v10"


class NotDiscord(VdwError):
    """The configured REST base answered, but not like Discord's API."""


def point_at(api_base: str | None, gateway: str | None) -> None:
    """Send REST and gateway traffic elsewhere (a local stand-in, a proxy); call before start.

    The REST base may be the server root or discord.py's own form ending in `/api/v<n>`.
    """
    if api_base:
        root = re.sub(r"/api/v\d+$", "", api_base.rstrip("/"))
        discord.http.Route.BASE = root + API_PATH
    if gateway:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)


class VdwBot(commands.AutoShardedBot):
    """Sharded so that one process or several split the guilds: `VDWBOT_SHARD_COUNT` shards in
    all, this process running `VDWBOT_SHARD_IDS` of them (all when empty)."""

    def __init__(self, settings: Settings, service: AnswerService) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        intents.guild_messages = True  # mentions carry their content without the privileged intent
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=VdwTree,
            help_command=None,
            shard_count=settings.shard_count,
            shard_ids=settings.shard_ids or None,  # type: ignore[arg-type]  # None (its default): all
        )
        self.settings = settings
        self.service = service
        self.started_at = time.monotonic()
        self.answer_times: deque[float] = deque(maxlen=2000)
        """Seconds per search, for /status (`latencies` is discord.py's, per shard)."""
        self.search_slots = asyncio.Semaphore(settings.max_concurrent_searches)
        self.feedback = FeedbackStore(service.root / FEEDBACK_FILE)
        self.questions = QuestionLog(service.root / QUESTIONS_FILE, settings.question_log_days)
        self.rebuilding = asyncio.Lock()
        """Held by /reindex and the scheduled sync: one index change at a time in this bot."""
        self.cooldowns = commands.CooldownMapping(
            commands.Cooldown(settings.ask_rate, settings.ask_per_seconds), lambda uid: uid
        )
        """Per-user question budget shared by /ask and questions asked by mention."""
        self._setting_up = False

    async def login(self, token: str) -> None:
        """discord.py's login, with a REST base that does not speak Discord's API (wrong URL,
        a web page, a proxy error) reported as one clear error instead of a traceback."""
        try:
            await super().login(token)
        except (KeyError, TypeError, ValueError, discord.NotFound) as exc:
            if self._setting_up:
                raise
            raise NotDiscord(
                f"{discord.http.Route.BASE} did not answer like Discord's API "
                f"({type(exc).__name__}: {exc}); VDWBOT_DISCORD_API_BASE should be the server's "
                f"root (e.g. https://discord.com) or its {API_PATH} URL"
            ) from None

    async def launch_shards(self) -> None:
        """Without a shard count, the count `GET /gateway/bot` recommends, but the gateway URL a
        single-shard client uses (`VDWBOT_DISCORD_GATEWAY` or discord.py's), not the announced
        one: the gateway setting keeps pointing where it says."""
        if self.shard_count is None:
            self.shard_count, _url, _limits = await self.http.get_bot_gateway()
        await super().launch_shards()

    async def setup_hook(self) -> None:
        self._setting_up = True
        for ext in EXTENSIONS:
            await self.load_extension(ext)
        # Model, then index, before the first question and off the loop; loading the index
        # freezes what is alive then, the model included, out of the collector's full passes.
        await asyncio.to_thread(self.service.embedder.load)
        await asyncio.to_thread(self.service.searcher)
        if self.settings.guild_ids:
            for gid in self.settings.guild_ids:
                guild = discord.Object(gid)
                self.tree.copy_global_to(guild=guild)
                await self.tree.sync(guild=guild)
        else:
            await self.tree.sync()
        log.info("commands synced (%s)", self.settings.guild_ids or "global")

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: questions in channels are handled by the ask extension."""

    def retry_after(self, user_id: int) -> float | None:
        """Seconds this user must wait before asking again, or None (and the ask is counted)."""
        bucket = self.cooldowns.get_bucket(user_id)
        return bucket.update_rate_limit() if bucket else None

    async def answer(
        self, question: str, k: int = 3, start: int = 0, **options: Unpack[SearchOptions]
    ) -> Answer:
        """Search off the event loop, a bounded number at a time; records latency for /status.
        A first page is a question asked: it goes to the question log (no user kept)."""
        async with self.search_slots:
            began = time.perf_counter()
            answer = await asyncio.to_thread(self.service.ask, question, k, start, **options)
            self.answer_times.append(time.perf_counter() - began)
        if start == 0:
            try:
                await asyncio.to_thread(self.questions.record, answer)
            except sqlite3.Error:  # a full disk costs the log entry, never the answer
                log.exception("question not logged")
        return answer
