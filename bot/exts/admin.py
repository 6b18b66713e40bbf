"""Maintainer commands: /reindex (incremental or full, off the loop) and /status."""

from __future__ import annotations

import asyncio
import logging
import time

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import VdwBot
from bot.errors import Busy, NotMaintainer
from bot.render import MESSAGE_MAX, clip
from retrieval.archive_sync import SyncError, pull
from retrieval.indexer import BuildReport

log = logging.getLogger(__name__)
PROGRESS_EVERY = 2.0
"""Seconds between edits of the progress message (Discord rate-limits edits)."""


def is_maintainer(interaction: discord.Interaction[VdwBot]) -> bool:
    """Checked at run time, whatever permissions a server admin gave the command."""
    settings = interaction.client.settings
    if interaction.user.id in settings.maintainer_users:
        return True
    roles = {r.id for r in getattr(interaction.user, "roles", [])}
    if roles & set(settings.maintainer_roles):
        return True
    return interaction.guild_id is not None and interaction.permissions.manage_guild


def maintainers_only(interaction: discord.Interaction[VdwBot]) -> bool:
    if not is_maintainer(interaction):
        raise NotMaintainer()
    return True


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def report_text(report: BuildReport) -> str:
    text = (
        f"Reindex done in {report.seconds:.1f} s: added {len(report.added)}, "
        f"updated {len(report.updated)}, removed {len(report.removed)}, "
        f"skipped {len(report.skipped)}. Now serving version `{report.version}` "
        f"({report.posts} posts, {report.chunks} chunks)."
    )
    for s in report.skipped[:10]:
        text += f"\n• skipped `{clip(s.path.rsplit('/', 1)[-1], 80)}`: {clip(s.reason, 120)}"
    if len(report.skipped) > 10:
        text += f"\n… and {len(report.skipped) - 10} more (see the build report in the logs)."
    return clip(text, MESSAGE_MAX)


class Admin(commands.Cog):
    def __init__(self, bot: VdwBot) -> None:
        self.bot = bot
        self.reindexing = asyncio.Lock()

    @app_commands.command(name="reindex", description="Update the index from the archive")
    @app_commands.describe(full="rebuild everything (default: only new/changed/removed posts)")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @app_commands.check(maintainers_only)
    async def reindex(self, interaction: discord.Interaction, full: bool = False) -> None:
        archive = self.bot.settings.archive
        if archive is None:
            raise Busy(
                "No archive folder is configured (VDWBOT_ARCHIVE), so there is nothing to read."
            )
        if self.reindexing.locked():
            raise Busy("A reindex is already running; its message shows the progress.")
        async with self.reindexing:
            await interaction.response.defer(thinking=True)
            message = await interaction.followup.send("Reindex starting…", wait=True)
            if self.bot.settings.archive_pull:
                try:
                    synced = await asyncio.to_thread(pull, archive)
                except SyncError as exc:
                    await message.edit(content=clip(f"Reindex stopped: {exc}", MESSAGE_MAX))
                    return
                await message.edit(content=f"Reindex: {synced}; updating the index…")
            report = await self._run(archive, full, message)
            log.info("reindex by %s: %s", interaction.user.id, report.summary().splitlines()[0])
            await message.edit(content=report_text(report))

    async def _run(self, archive, full: bool, message: discord.WebhookMessage) -> BuildReport:
        loop = asyncio.get_running_loop()
        last = 0.0

        def progress(stage: str, done: int, total: int) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last >= PROGRESS_EVERY and total:
                last = now
                text = f"Reindex: {stage} {done}/{total}…"
                asyncio.run_coroutine_threadsafe(message.edit(content=text), loop)

        report = await asyncio.to_thread(self.bot.service.build, archive, not full, progress)
        # Load the new version now, off the loop, so no question waits for it.
        await asyncio.to_thread(self.bot.service.searcher)
        return report

    @app_commands.command(name="status", description="Index and answer statistics")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.check(maintainers_only)
    async def status(self, interaction: discord.Interaction) -> None:
        searcher = await asyncio.to_thread(self.bot.service.searcher)
        m = searcher.index.manifest
        lat = list(self.bot.latencies)
        uptime = time.monotonic() - self.bot.started_at
        lines = [
            f"**Index** `{m.get('version')}` built {m.get('built_at')} "
            f"in {m.get('build_seconds')} s",
            f"**Posts** {m.get('posts')} · **chunks** {m.get('chunks')} · "
            f"**skipped** {len(m.get('skipped', []))}",
            f"**Model** {m.get('model')} ({m.get('dimension')} dims)",
            f"**Uptime** {uptime / 3600:.1f} h · **answers** {len(lat)} · latency p50 "
            f"{percentile(lat, 0.5) * 1000:.0f} ms, p95 {percentile(lat, 0.95) * 1000:.0f} ms",
        ]
        if self.bot.service.last_error:
            lines.append(f"**Last load error** {clip(self.bot.service.last_error, 300)}")
        if self.reindexing.locked():
            lines.append("A reindex is running.")
        await interaction.response.send_message("\n".join(lines), ephemeral=True)


async def setup(bot: VdwBot) -> None:
    await bot.add_cog(Admin(bot))
