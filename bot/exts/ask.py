"""/ask and questions asked by mentioning the bot in an answer channel (answered in a thread).

In the bot's thread a follow-up is asked with the thread's earlier questions, so "and for kids?"
is read in the conversation's context (how they are used is the retrieval side's business).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import VdwBot
from bot.config import MAX_PREVIOUS
from bot.errors import slow_down
from bot.render import (
    EMPTY_QUESTION,
    EVIDENCE_NAMES,
    MESSAGE_MAX,
    answer_embeds,
    asked_line,
    clip,
    lead_line,
    not_confident_text,
    read_as_line,
    safe_echo,
    units_line,
    urgent_line,
)
from retrieval.evidence import LABELS
from retrieval.search import Answer, SearchOptions, nothing_to_ask

DISCORD_MARKUP_RE = re.compile(r"<(?:@[!&]?|#)\d+>|<a?:\w+:\d+>|<t:-?\d+(?::[tTdDfFR])?>")
"""What Discord puts into a message for a mention (user, role, channel), a custom emoji or a
timestamp: ids the archive's words never match."""

log = logging.getLogger(__name__)
PAGE = 3
VIEW_TIMEOUT = 15 * 60
EVIDENCE_CHOICES = [app_commands.Choice(name=EVIDENCE_NAMES[v], value=v) for v in LABELS]
THREAD_NAME_MAX = 100
UNNAMED_THREAD = "Question"
"""A thread's name when its question has no text: no question to read a follow-up with."""
MAX_THREADS = 2000
"""Threads whose questions are remembered; older ones fall back to the thread's name."""


def ask_allowed(interaction: discord.Interaction[VdwBot]) -> bool:
    """The per-user cooldown /ask shares with questions asked by mention."""
    bot = interaction.client
    retry = bot.retry_after(interaction.user.id)
    if retry is not None:
        cooldown = app_commands.Cooldown(bot.settings.ask_rate, bot.settings.ask_per_seconds)
        raise app_commands.CommandOnCooldown(cooldown, retry)
    return True


def thread_name(question: str) -> str:
    """Thread names show text as typed (no markdown is rendered there, so no escapes)."""
    return clip(" ".join(question.split()), THREAD_NAME_MAX) or UNNAMED_THREAD


class Conversations:
    """The questions asked in each of the bot's threads, oldest first, most recent threads kept."""

    def __init__(self) -> None:
        self._threads: OrderedDict[int, list[str]] = OrderedDict()

    def previous(self, thread: discord.Thread) -> list[str]:
        """Earlier questions of the thread; after a restart, its name (the opening question)."""
        asked = self._threads.get(thread.id)
        if asked is None:
            asked = [thread.name] if thread.name and thread.name != UNNAMED_THREAD else []
        return asked[-MAX_PREVIOUS:]

    def add(self, thread_id: int, question: str) -> None:
        asked = self._threads.pop(thread_id, [])
        self._threads[thread_id] = [*asked, question][-MAX_PREVIOUS:]
        while len(self._threads) > MAX_THREADS:
            self._threads.popitem(last=False)


class AnswerView(discord.ui.View):
    """'More results' for the asker, and 👍/👎 feedback on the posts shown."""

    def __init__(
        self,
        bot: VdwBot,
        answer: Answer,
        asker_id: int,
        start: int,
        options: SearchOptions,
    ) -> None:
        """`options`: how the question was searched ('More results' pages the same way)."""
        super().__init__(timeout=VIEW_TIMEOUT)
        self.bot = bot
        self.answer = answer
        self.asker_id = asker_id
        self.start = start
        self.options = options
        if start + PAGE >= answer.total:
            self.more.disabled = True

    @property
    def slugs(self) -> list[str]:
        return [h.slug for h in self.answer.hits]

    @discord.ui.button(label="More results", style=discord.ButtonStyle.primary)
    async def more(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        if interaction.user.id != self.asker_id:
            await interaction.response.send_message(
                "Only the person who asked can page through these; ask `/ask` yourself.",
                ephemeral=True,
            )
            return
        await interaction.response.defer()
        start = self.start + PAGE
        answer = await self.bot.answer(self.answer.question, PAGE, start, **self.options)
        view = AnswerView(self.bot, answer, self.asker_id, start, self.options)
        await interaction.followup.send(embeds=answer_embeds(answer, start), view=view)

    @discord.ui.button(emoji="👍", style=discord.ButtonStyle.secondary)
    async def helpful(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._vote(interaction, 1)

    @discord.ui.button(emoji="👎", style=discord.ButtonStyle.secondary)
    async def unhelpful(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._vote(interaction, -1)

    async def _vote(self, interaction: discord.Interaction, vote: int) -> None:
        await asyncio.to_thread(
            self.bot.feedback.record, interaction.user.id, self.answer.question, self.slugs, vote
        )
        await interaction.response.send_message("Thanks for the feedback!", ephemeral=True)


def question_text(content: str) -> str:
    """The question a message or /ask holds, without Discord's mentions, emoji and timestamps
    (the bot's own mention is how a question is asked in a channel)."""
    return " ".join(DISCORD_MARKUP_RE.sub(" ", content).split())


def reply_for(
    bot: VdwBot, answer: Answer, asker_id: int, options: SearchOptions | None = None
) -> dict:
    """Keyword arguments for send(): embeds and buttons, or a plain 'nothing clear' text."""
    if answer.empty:
        return {"content": EMPTY_QUESTION}
    if not answer.confident or not answer.hits:
        return {"content": not_confident_text(answer)}
    view = AnswerView(bot, answer, asker_id, 0, options or {})
    reply: dict = {"embeds": answer_embeds(answer), "view": view}
    # the one quoted sentence that answers, how the question was read, above the posts
    above = (
        urgent_line(answer),
        lead_line(answer),
        read_as_line(answer),
        units_line(answer),
        asked_line(answer),
    )
    lines = [safe_echo(line, MESSAGE_MAX) for line in above if line]
    if lines:
        reply["content"] = clip("\n".join(lines), MESSAGE_MAX)
    return reply


class Ask(commands.Cog):
    def __init__(self, bot: VdwBot) -> None:
        self.bot = bot
        self.conversations = Conversations()

    @app_commands.command(name="ask", description="Ask the VitaminDWiki archive a question")
    @app_commands.describe(
        question="e.g. does vitamin D help MS bone loss?",
        evidence="only posts of this study type",
        newest="newest posts first",
    )
    @app_commands.choices(evidence=EVIDENCE_CHOICES)
    @app_commands.check(ask_allowed)
    async def ask(
        self,
        interaction: discord.Interaction[VdwBot],
        question: str,
        evidence: app_commands.Choice[str] | None = None,
        newest: bool = False,
    ) -> None:
        await interaction.response.defer(thinking=True)
        question = question_text(question)
        log.info("ask %s: %s", interaction.id, safe_echo(question, 100))
        options: SearchOptions = {
            "evidence": [evidence.value] if evidence else None,
            "newest": newest,
        }
        answer = await self.bot.answer(question, PAGE, **options)
        reply = reply_for(self.bot, answer, interaction.user.id, options)
        await interaction.followup.send(**reply)

    def _invited(self, message: discord.Message) -> bool:
        """Answer only where invited: a mention in an answer channel or in the bot's thread.

        Without the privileged message-content intent Discord delivers the text of mentions
        only, so a message that does not mention the bot is never a question to it.
        """
        if message.author.bot or message.guild is None or self.bot.user is None:
            return False
        if self.bot.user not in message.mentions:
            return False
        channels = set(self.bot.settings.answer_channels)
        channel = message.channel
        if isinstance(channel, discord.Thread):
            return channel.owner_id == self.bot.user.id and channel.parent_id in channels
        return channel.id in channels

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if not self._invited(message):
            return
        retry = self.bot.retry_after(message.author.id)
        if retry is not None:
            await self._send(message.channel, {"content": slow_down(retry), "reference": message})
            return
        question = question_text(message.content)
        channel = message.channel
        if nothing_to_ask(question):  # "hi", "thanks!": no thread, and no turn of a thread
            await self._send(channel, {"content": EMPTY_QUESTION, "reference": message})
            return
        in_thread = isinstance(channel, discord.Thread)
        previous: list[str] = []
        if isinstance(channel, discord.Thread):
            previous = self.conversations.previous(channel)
            # now: a follow-up arriving meanwhile is read after this one
            self.conversations.add(channel.id, question)
        options: SearchOptions = {"previous": previous}
        answer = await self.bot.answer(question, PAGE, **options)
        reply = reply_for(self.bot, answer, message.author.id, options)
        target: discord.abc.Messageable = channel
        if not in_thread:
            try:
                thread = await message.create_thread(
                    name=thread_name(question), auto_archive_duration=1440
                )
            except discord.HTTPException:
                log.warning("cannot create a thread in %s; replying in place", channel.id)
                reply["reference"] = message
            else:
                target = thread
                self.conversations.add(thread.id, question)
        await self._send(target, reply)

    @staticmethod
    async def _send(target: discord.abc.Messageable, reply: dict) -> None:
        if "content" in reply:
            reply["content"] = clip(reply["content"], MESSAGE_MAX)
        try:
            await target.send(**reply)
        except discord.HTTPException:
            log.exception("could not answer in channel %s", getattr(target, "id", "?"))


async def setup(bot: VdwBot) -> None:
    await bot.add_cog(Ask(bot))
