"""The discord.py Bot: minimal intents, no mentions, extensions, command sync, off-loop search."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Collection

import discord
import yarl
from discord.ext import commands

from bot.config import Settings
from bot.errors import VdwTree
from retrieval.feedback import FeedbackStore
from retrieval.search import Answer
from retrieval.service import AnswerService

log = logging.getLogger(__name__)

EXTENSIONS = ("bot.exts.ask", "bot.exts.tags", "bot.exts.admin")


def point_at(api_base: str | None, gateway: str | None) -> None:
    """Send REST and gateway traffic elsewhere (a local stand-in, a proxy); call before start."""
    if api_base:
        discord.http.Route.BASE = f"{api_base.rstrip('/')}/api/v10"
    if gateway:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)


class VdwBot(commands.Bot):
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
        )
        self.settings = settings
        self.service = service
        self.started_at = time.monotonic()
        self.latencies: deque[float] = deque(maxlen=2000)
        self.search_slots = asyncio.Semaphore(settings.max_concurrent_searches)
        self.feedback = FeedbackStore(service.root / "feedback.sqlite")

    async def setup_hook(self) -> None:
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

    async def answer(
        self,
        question: str,
        k: int = 3,
        start: int = 0,
        *,
        evidence: Collection[str] | None = None,
        newest: bool = False,
    ) -> Answer:
        """Search off the event loop, a bounded number at a time; records latency for /status."""
        async with self.search_slots:
            began = time.perf_counter()
            answer = await asyncio.to_thread(
                self.service.ask, question, k, start, evidence=evidence, newest=newest
            )
            self.latencies.append(time.perf_counter() - began)
        return answer
