"""Maintainer commands: /reindex (incremental or full, off the loop), /status and /report; and
the scheduled archive sync (VDWBOT_SYNC_HOURS).

/reindex and the sync share the bot's `rebuilding` lock, and every build also takes the index
root's file lock, so a CLI build running beside the bot is refused the same way.
"""

from __future__ import annotations

import asyncio
import io
import logging
import math
import time
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import VdwBot
from bot.errors import NotMaintainer
from bot.render import MESSAGE_MAX, clip, safe_echo
from retrieval.archive_sync import pull
from retrieval.errors import Busy, NotConfigured, VdwError
from retrieval.gap_report import LOG_OFF, gap_report
from retrieval.indexer import BuildReport

log = logging.getLogger(__name__)
PROGRESS_EVERY = 2.0
"""Seconds between edits of the progress message (Discord rate-limits edits)."""
REPORT_LIMIT = 8
"""Entries per section of /report's message; the attached CSV has them all."""


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
        f"Reindex done in {report.seconds:.1f} s: {report.changes()}. Now serving version "
        f"`{report.version}` ({report.posts} posts, {report.chunks} chunks)."
    )
    for s in report.skipped[:10]:
        text += f"\n• skipped `{clip(s.path.rsplit('/', 1)[-1], 80)}`: {clip(s.reason, 120)}"
    if len(report.skipped) > 10:
        text += f"\n… and {len(report.skipped) - 10} more (see the build report in the logs)."
    return clip(text, MESSAGE_MAX)


@dataclass(frozen=True)
class SyncResult:
    at: float
    ok: bool
    text: str

    def line(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(self.at))
        return f"{when}: {'' if self.ok else 'failed: '}{self.text}"


class Admin(commands.Cog):
    def __init__(self, bot: VdwBot) -> None:
        self.bot = bot
        self.last_sync: SyncResult | None = None
        self._sync_task: asyncio.Task | None = None

    async def cog_load(self) -> None:
        if self.bot.settings.sync_hours > 0:
            self._sync_task = asyncio.create_task(self._sync_forever())

    async def cog_unload(self) -> None:
        if self._sync_task:
            self._sync_task.cancel()

    # ------------------------------------------------------------ /reindex

    @app_commands.command(name="reindex", description="Update the index from the archive")
    @app_commands.describe(full="rebuild everything (default: only new/changed/removed posts)")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @app_commands.check(maintainers_only)
    async def reindex(self, interaction: discord.Interaction, full: bool = False) -> None:
        archive = self.bot.settings.archive
        if archive is None:
            raise NotConfigured(
                "No archive folder is configured (VDWBOT_ARCHIVE), so there is nothing to read."
            )
        if self.bot.rebuilding.locked():
            raise Busy("A reindex or archive sync is already running; try again when it is done.")
        async with self.bot.rebuilding:
            await interaction.response.defer(thinking=True)
            message = await interaction.followup.send("Reindex starting…", wait=True)
            try:
                if self.bot.settings.archive_pull:
                    synced = await asyncio.to_thread(pull, archive)
                    await message.edit(content=f"Reindex: {synced}; updating the index…")
                report = await self._build(archive, full, message)
            except VdwError as exc:
                await message.edit(content=clip(f"Reindex stopped: {exc}", MESSAGE_MAX))
                return
            except Exception:
                await message.edit(
                    content=f"Reindex failed on our side (ref {interaction.id}); it is logged."
                )
                raise
            log.info("reindex by %s: %s", interaction.user.id, report.summary().splitlines()[0])
            await message.edit(content=report_text(report))

    async def _build(
        self, archive: Path, full: bool, message: discord.WebhookMessage
    ) -> BuildReport:
        """The build off the loop, its progress shown in `message` every few seconds; every
        progress edit has landed before this returns, so none can overwrite the final text."""
        loop = asyncio.get_running_loop()
        last = 0.0
        edits: list[Future] = []

        def progress(stage: str, done: int, total: int) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last >= PROGRESS_EVERY and total:
                last = now
                edit = message.edit(content=f"Reindex: {stage} {done}/{total}…")
                edits.append(asyncio.run_coroutine_threadsafe(edit, loop))

        try:
            report = await asyncio.to_thread(
                self.bot.service.build, archive, not full, progress, while_serving=True
            )
        finally:  # a failed progress edit costs nothing but that edit
            await asyncio.gather(*map(asyncio.wrap_future, edits), return_exceptions=True)
        await self._serve_new_version()
        return report

    async def _serve_new_version(self) -> None:
        """Load the new version now, off the loop, so no question waits for it."""
        await asyncio.to_thread(self.bot.service.searcher)

    # ------------------------------------------------------------ scheduled sync

    async def _sync_forever(self) -> None:
        period = self.bot.settings.sync_hours * 3600
        while True:
            await asyncio.sleep(period)
            await self.sync_once()

    async def sync_once(self) -> SyncResult:
        """`archive pull` plus an incremental update, unless a reindex or sync is running."""
        archive = self.bot.settings.archive
        if archive is None:
            result = SyncResult(time.time(), False, "no archive folder is configured")
        elif self.bot.rebuilding.locked():
            result = SyncResult(time.time(), False, "skipped: a reindex or sync was running")
        else:
            async with self.bot.rebuilding:
                result = await self._sync(archive)
        self.last_sync = result
        log.info("archive sync: %s", result.line())
        return result

    async def _sync(self, archive: Path) -> SyncResult:
        try:
            synced, report = await asyncio.to_thread(
                self.bot.service.pull_and_update, archive, while_serving=True
            )
            await self._serve_new_version()
        except VdwError as exc:
            return SyncResult(time.time(), False, str(exc))
        except Exception:
            log.exception("archive sync failed")
            return SyncResult(time.time(), False, "an internal error (see the logs)")
        return SyncResult(
            time.time(), True, f"{synced}; {report.changes()}; version `{report.version}`"
        )

    # ------------------------------------------------------------ /status and /report

    @app_commands.command(name="status", description="Index and answer statistics")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.check(maintainers_only)
    async def status(self, interaction: discord.Interaction) -> None:
        searcher = await asyncio.to_thread(self.bot.service.searcher)
        m = searcher.index.manifest
        lat = list(self.bot.answer_times)
        uptime = time.monotonic() - self.bot.started_at
        lines = [
            f"**Serving version** `{searcher.index.version}` built {m.get('built_at')} "
            f"in {m.get('build_seconds')} s",
            f"**Posts** {m.get('posts')} · **chunks** {m.get('chunks')} · "
            f"**skipped** {len(m.get('skipped', []))}",
            f"**Model** {m.get('model')} ({m.get('dimension')} dims)",
            f"**Uptime** {uptime / 3600:.1f} h · **answers** {len(lat)} · latency p50 "
            f"{percentile(lat, 0.5) * 1000:.0f} ms, p95 {percentile(lat, 0.95) * 1000:.0f} ms",
            f"**Archive sync** {self._sync_line()}",
            f"**Shards** {self._shard_line()}",
        ]
        if self.bot.service.last_error:
            lines.append(f"**Last load error** {clip(self.bot.service.last_error, 300)}")
        if self.bot.rebuilding.locked():
            lines.append("A reindex or archive sync is running.")
        await interaction.response.send_message(clip("\n".join(lines), MESSAGE_MAX), ephemeral=True)

    def _shard_line(self) -> str:
        """This process's shards of the count, each with its gateway heartbeat latency (several
        processes each run some shards: /status answers from the one owning this guild's)."""
        pings = ", ".join(
            f"{sid}: {s * 1000:.0f} ms" if math.isfinite(s) else f"{sid}: –"
            for sid, s in sorted(self.bot.latencies)
        )
        ids = self.bot.shard_ids or range(self.bot.shard_count or 0)
        return f"{', '.join(map(str, ids))} of {self.bot.shard_count} · heartbeat {pings}"

    def _sync_line(self) -> str:
        hours = self.bot.settings.sync_hours
        if hours <= 0:
            return "off (VDWBOT_SYNC_HOURS)"
        last = self.last_sync.line() if self.last_sync else "not run yet"
        return f"every {hours:g} h; last {clip(last, 400)}"

    @app_commands.command(
        name="report", description="What the community asked that the archive lacks"
    )
    @app_commands.describe(days="how many days back (default 7)")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.check(maintainers_only)
    async def report(
        self, interaction: discord.Interaction, days: app_commands.Range[int, 1, 3650] = 7
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        searcher = await asyncio.to_thread(self.bot.service.searcher)
        titles = {p.slug: p.title for p in searcher.index.posts}
        report = await asyncio.to_thread(
            gap_report, self.bot.questions, self.bot.feedback, days, titles
        )
        text = report.text(REPORT_LIMIT, echo=lambda s: safe_echo(s, 120))
        if not self.bot.questions.enabled:
            text = f"{LOG_OFF}\n{text}"
        table = io.StringIO()
        report.write_csv(table)
        attachment = discord.File(io.BytesIO(table.getvalue().encode()), f"gap-report-{days}d.csv")
        await interaction.followup.send(clip(text, MESSAGE_MAX), file=attachment, ephemeral=True)


async def setup(bot: VdwBot) -> None:
    await bot.add_cog(Admin(bot))
