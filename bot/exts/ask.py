"""/ask and questions asked by mentioning the bot in an answer channel (answered in a thread)."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TypedDict

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import VdwBot
from bot.render import (
    EMPTY_QUESTION,
    EVIDENCE_NAMES,
    MESSAGE_MAX,
    answer_embeds,
    clip,
    lead_line,
    not_confident_text,
    safe_echo,
)
from retrieval.evidence import LABELS
from retrieval.search import Answer

log = logging.getLogger(__name__)
PAGE = 3
VIEW_TIMEOUT = 15 * 60
EVIDENCE_CHOICES = [app_commands.Choice(name=EVIDENCE_NAMES[v], value=v) for v in LABELS]


class Filters(TypedDict, total=False):
    """What `/ask` narrowed the search to; 'More results' pages with the same."""

    evidence: list[str] | None
    newest: bool


def ask_cooldown(interaction: discord.Interaction[VdwBot]) -> app_commands.Cooldown:
    settings = interaction.client.settings
    return app_commands.Cooldown(settings.ask_rate, settings.ask_per_seconds)


class AnswerView(discord.ui.View):
    """'More results' for the asker, and 👍/👎 feedback on the posts shown."""

    def __init__(
        self, bot: VdwBot, answer: Answer, asker_id: int, start: int, filters: Filters | None = None
    ) -> None:
        super().__init__(timeout=VIEW_TIMEOUT)
        self.bot = bot
        self.answer = answer
        self.asker_id = asker_id
        self.start = start
        self.filters = filters or {}
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
        answer = await self.bot.answer(self.answer.question, PAGE, start, **self.filters)
        view = AnswerView(self.bot, answer, self.asker_id, start, self.filters)
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


def reply_for(bot: VdwBot, answer: Answer, asker_id: int, filters: Filters | None = None) -> dict:
    """Keyword arguments for send(): embeds and buttons, or a plain 'nothing clear' text."""
    if answer.empty:
        return {"content": EMPTY_QUESTION}
    if not answer.confident or not answer.hits:
        return {"content": not_confident_text(answer)}
    view = AnswerView(bot, answer, asker_id, 0, filters)
    lead = lead_line(answer)
    content = safe_echo(lead, MESSAGE_MAX) if lead else None
    return {"content": content, "embeds": answer_embeds(answer), "view": view}


class Ask(commands.Cog):
    def __init__(self, bot: VdwBot) -> None:
        self.bot = bot

    @app_commands.command(name="ask", description="Ask the VitaminDWiki archive a question")
    @app_commands.describe(
        question="e.g. does vitamin D help MS bone loss?",
        evidence="only posts of this study type",
        newest="newest posts first",
    )
    @app_commands.choices(evidence=EVIDENCE_CHOICES)
    @app_commands.checks.dynamic_cooldown(ask_cooldown, key=lambda i: i.user.id)
    async def ask(
        self,
        interaction: discord.Interaction,
        question: str,
        evidence: app_commands.Choice[str] | None = None,
        newest: bool = False,
    ) -> None:
        await interaction.response.defer(thinking=True)
        log.info("ask %s: %s", interaction.id, safe_echo(question, 100))
        filters: Filters = {"evidence": [evidence.value] if evidence else None, "newest": newest}
        answer = await self.bot.answer(question, PAGE, **filters)
        reply = reply_for(self.bot, answer, interaction.user.id, filters)
        await interaction.followup.send(**reply)

    def _invited(self, message: discord.Message) -> bool:
        """Answer only where invited: a mention in an answer channel, or in the bot's thread."""
        if message.author.bot or message.guild is None or self.bot.user is None:
            return False
        channels = set(self.bot.settings.answer_channels)
        channel = message.channel
        if isinstance(channel, discord.Thread):
            return channel.owner_id == self.bot.user.id and channel.parent_id in channels
        return channel.id in channels and self.bot.user in message.mentions

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if not self._invited(message):
            return
        question = re.sub(r"<@!?\d+>", " ", message.content).strip()
        answer = await self.bot.answer(question, PAGE)
        reply = reply_for(self.bot, answer, message.author.id)
        target: discord.abc.Messageable = message.channel
        if not isinstance(message.channel, discord.Thread):
            name = clip(safe_echo(question, 90) or "Question", 90)
            try:
                target = await message.create_thread(name=name, auto_archive_duration=1440)
            except discord.HTTPException:
                log.warning("cannot create a thread in %s; replying in place", message.channel.id)
                reply["reference"] = message
        try:
            await target.send(**reply)
        except discord.HTTPException:
            log.exception("could not answer message %s", message.id)


async def setup(bot: VdwBot) -> None:
    await bot.add_cog(Ask(bot))
