"""The one error handler on the command tree: short ephemeral replies, internals logged.

Expected failures speak the retrieval error vocabulary (`retrieval.errors.VdwError`), the same
messages the CLI prints; discord.py wraps errors raised inside a command in `CommandInvokeError`,
so the handler looks through that wrapper first.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from retrieval.errors import VdwError

log = logging.getLogger(__name__)


class NotMaintainer(app_commands.CheckFailure):
    """The user may not run maintainer commands."""


def slow_down(retry_after: float) -> str:
    """The reply to a user over the question budget, by /ask or by mention alike."""
    return f"Slow down a little: try again in {retry_after:.0f} s."


def unwrap(error: Exception) -> Exception:
    """The exception a command raised, without discord.py's invoke wrapper."""
    if isinstance(error, app_commands.CommandInvokeError) and isinstance(error.original, Exception):
        return error.original
    return error


def error_message(error: Exception) -> str | None:
    """The user-facing text for an expected error, or None for an internal one."""
    error = unwrap(error)
    if isinstance(error, VdwError):
        return str(error)
    if isinstance(error, app_commands.CommandOnCooldown):
        return slow_down(error.retry_after)
    if isinstance(error, NotMaintainer):
        return "Only maintainers (Manage Server, or a configured maintainer role) can do that."
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
                exc_info=unwrap(error),
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
