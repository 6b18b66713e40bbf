"""/tag with fuzzy autocomplete (posts newest first, paginated, related tags) and /tags."""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import VdwBot
from bot.paginator import Paginator
from bot.render import CHOICE_MAX, DESCRIPTION_MAX, FOOTER_MAX, TITLE_MAX, clip, safe_echo
from retrieval.search import post_url
from retrieval.tags import TagCatalogue, tag_key

PER_PAGE = 10
MAX_CHOICES = 25


def tag_pages(catalogue: TagCatalogue, key: str, base_url: str) -> list[discord.Embed]:
    """Embeds listing the tag's posts, newest first, PER_PAGE a page, related tags in the footer."""
    posts = catalogue.posts(key)
    name = catalogue.display[key]
    related = ", ".join(m.tag for m in catalogue.related(key, 6))
    pages: list[discord.Embed] = []
    total_pages = max(1, -(-len(posts) // PER_PAGE))
    for page in range(total_pages):
        chunk = posts[page * PER_PAGE : (page + 1) * PER_PAGE]
        lines = [
            f"• [{clip(discord.utils.escape_markdown(p.title), 150)}]({post_url(p.slug, base_url)})"
            + (f" · {p.date}" if p.date else "")
            for p in chunk
        ]
        embed = discord.Embed(
            title=clip(f"Tag: {name} ({len(posts)} posts)", TITLE_MAX),
            description=clip("\n".join(lines), DESCRIPTION_MAX),
            colour=discord.Colour.gold(),
        )
        footer = f"Page {page + 1}/{total_pages}"
        if related:
            footer += f" · Related tags: {related}"
        embed.set_footer(text=clip(footer, FOOTER_MAX))
        pages.append(embed)
    return pages


class Tags(commands.Cog):
    def __init__(self, bot: VdwBot) -> None:
        self.bot = bot

    async def catalogue(self) -> TagCatalogue:
        searcher = await asyncio.to_thread(self.bot.service.searcher)
        return searcher.tags

    @app_commands.command(name="tag", description="Posts with a tag, newest first")
    @app_commands.describe(name="a tag, e.g. diabetes, omega 3, multiple sclerosis")
    async def tag(self, interaction: discord.Interaction, name: str) -> None:
        catalogue = await self.catalogue()
        key = tag_key(name) if tag_key(name) in catalogue.display else None
        key = key or await asyncio.to_thread(catalogue.resolve, name)
        if key is None:
            await interaction.response.send_message(
                f"No tag like “{safe_echo(name, 80)}”. Try `/tags` for the most used ones.",
                ephemeral=True,
            )
            return
        pages = tag_pages(catalogue, key, self.bot.settings.base_url)
        view = Paginator(pages, interaction.user.id) if len(pages) > 1 else discord.utils.MISSING
        await interaction.response.send_message(embed=pages[0], view=view)

    @tag.autocomplete("name")
    async def tag_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        catalogue = await self.catalogue()
        matches = await asyncio.to_thread(catalogue.match, current[:100], MAX_CHOICES)
        return [
            app_commands.Choice(
                name=clip(f"{m.tag} ({m.posts})", CHOICE_MAX), value=m.tag[:CHOICE_MAX]
            )
            for m in matches
        ]

    @app_commands.command(name="tags", description="The most used tags")
    async def tags(self, interaction: discord.Interaction) -> None:
        catalogue = await self.catalogue()
        top = catalogue.top(40)
        text = ", ".join(f"{m.tag} ({m.posts})" for m in top)
        embed = discord.Embed(
            title="Most used tags",
            description=clip(text, DESCRIPTION_MAX),
            colour=discord.Colour.gold(),
        )
        embed.set_footer(text="Use /tag name to list a tag's posts")
        await interaction.response.send_message(embed=embed)


async def setup(bot: VdwBot) -> None:
    await bot.add_cog(Tags(bot))
