"""The one error handler on the command tree: short ephemeral replies, internals logged."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

log = logging.getLogger(__name__)


class NotMaintainer(app_commands.CheckFailure):
    """The user may not run maintainer commands."""


class Busy(app_commands.AppCommandError):
    """The command cannot run now (e.g. a reindex is already running)."""


def error_message(error: app_commands.AppCommandError) -> str | None:
    """The user-facing text for an expected error, or None for an internal one."""
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again in {error.retry_after:.0f} s."
    if isinstance(error, NotMaintainer):
        return "Only maintainers (Manage Server, or a configured maintainer role) can do that."
    if isinstance(error, Busy):
        return str(error)
    if isinstance(error, app_commands.TransformerError | app_commands.CommandSignatureMismatch):
        return "That input didn't work; check the command's options and try again."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use that command here."
    return None


class VdwTree(app_commands.CommandTree):
    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        text = error_message(error)
        if text is None:
            log.error(
                "command %s failed (interaction %s)",
                interaction.command.qualified_name if interaction.command else "?",
                interaction.id,
                exc_info=error,
            )
            text = f"Something went wrong on our side (ref {interaction.id}). It has been logged."
        await send_ephemeral(interaction, text)


async def send_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """Reply privately whether or not the interaction was already acknowledged."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not send error reply for interaction %s", interaction.id)
