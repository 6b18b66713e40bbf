"""A local Discord stand-in: the gateway websocket and the REST routes the bot uses, on 127.0.0.1.

The real discord.py client connects to it unchanged except for the API and gateway base URLs.
Every REST call is recorded so tests can assert on exactly what the bot sent. Like Discord for a
bot without the message-content intent, it delivers a message's text only when the message
mentions the bot, and it announces the threads the bot creates with THREAD_CREATE.

Like Discord, it shards: `GET /gateway/bot` announces `shards`, and each gateway connection gets
only the guilds, interactions and messages of the shard its IDENTIFY named
(`shard_id = (guild_id >> 22) % shard_count`). By default there is one guild and one shard.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from dataclasses import dataclass, field

from aiohttp import WSMsgType, web

APP_ID = 900000000000000001
BOT_ID = 900000000000000002
GUILD_ID = 900000000000000010
OTHER_GUILD_ID = GUILD_ID + (1 << 22)
"""A second guild: of two shards, GUILD_ID is on shard 1 and this one on shard 0."""
CHANNEL_ID = 900000000000000020
OTHER_CHANNEL_ID = 900000000000000021
MAINTAINER_ROLE_ID = 900000000000000030
NOW = "2026-11-25T12:00:00.000000+00:00"
MANAGE_GUILD = 1 << 5
EPHEMERAL = 1 << 6
BASIC_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 31)  # view, send, use application commands

BOT_USER = {"id": str(BOT_ID), "username": "vdwbot", "discriminator": "0", "avatar": None,
            "bot": True, "global_name": None}  # fmt: skip


def user(uid: int, name: str = "someone") -> dict:
    return {"id": str(uid), "username": name, "discriminator": "0", "avatar": None,
            "global_name": name}  # fmt: skip


def channel(cid: int, name: str, guild_id: int = GUILD_ID) -> dict:
    return {"id": str(cid), "type": 0, "name": name, "position": 0, "guild_id": str(guild_id),
            "permission_overwrites": [], "nsfw": False, "parent_id": None}  # fmt: skip


def in_guild(first_id: int, guild_id: int) -> int:
    """The id in `guild_id` of what `first_id` is in GUILD_ID (a channel, the maintainer role)."""
    return first_id + guild_id - GUILD_ID


def shard_of(guild_id: int, count: int) -> int:
    """Discord's rule for which shard of `count` receives a guild's events."""
    return (guild_id >> 22) % count


@dataclass
class Call:
    method: str
    path: str
    body: dict | list | None
    query: dict
    response: dict | list | None = None
    authorization: str | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    """Attachments of a multipart request, by file name."""


@dataclass
class Connection:
    """One gateway websocket and the session it carries (taken over by the one that resumes)."""

    ws: web.WebSocketResponse
    shard: tuple[int, int] | None = None
    """[shard id, shard count] from the IDENTIFY (or the session resumed)."""
    session: str | None = None
    seq: int = 0


@dataclass
class Dispatched:
    """An event sent to the bot, and the shard of the connection it went out on."""

    event: str
    shard: tuple[int, int]
    data: dict


@dataclass
class StandIn:
    calls: list[Call] = field(default_factory=list)
    identified: int = 0
    resumed: int = 0
    heartbeats: int = 0
    ids: itertools.count = field(default_factory=lambda: itertools.count(990000000000000000))
    port: int = 0
    heartbeat_ms: int = 41250
    shards: int = 1
    """The shard count `GET /gateway/bot` recommends."""
    guilds: tuple[int, ...] = (GUILD_ID,)
    announced_gateway: str | None = None
    """The gateway URL `GET /gateway/bot` announces (default: this stand-in's)."""
    identifies: list[tuple[int, int]] = field(default_factory=list)
    """The `shard` of every IDENTIFY, in order."""
    dispatched: list[Dispatched] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.app = web.Application()
        self.app.router.add_get("/gateway-ws", self.gateway)
        self.app.router.add_route("*", "/api/v10/{tail:.*}", self.rest)
        self.connections: list[Connection] = []
        self.guild_of: dict[int, int] = {
            in_guild(cid, gid): gid for gid in self.guilds for cid in (CHANNEL_ID, OTHER_CHANNEL_ID)
        }
        """Channel (and thread) id -> its guild."""
        self.changed = asyncio.Condition()
        self.runner: web.AppRunner | None = None
        self._background: set[asyncio.Task] = set()
        """Events sent after a REST response (kept referenced until they are done)."""

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        self.runner = web.AppRunner(self.app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway-ws"

    def next_id(self) -> str:
        return str(next(self.ids))

    async def _notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    async def wait_for(self, predicate, timeout: float = 30.0):
        """The first recorded call (or state) satisfying `predicate`, waiting for it."""

        async def check():
            async with self.changed:
                while True:
                    found = predicate(self)
                    if found:
                        return found
                    await self.changed.wait()

        return await asyncio.wait_for(check(), timeout)

    # ------------------------------------------------------------ REST

    @staticmethod
    def json(data: object, status: int = 200) -> web.Response:
        # exactly application/json: discord.py mis-reads a body labelled with a charset
        return web.Response(body=json.dumps(data).encode(), status=status,
                            headers={"Content-Type": "application/json"})  # fmt: skip

    def message(self, channel_id: str, body: dict, author: dict | None = None) -> dict:
        return {
            "id": self.next_id(), "channel_id": channel_id, "author": author or BOT_USER,
            "content": body.get("content") or "", "timestamp": NOW, "edited_timestamp": None,
            "tts": False, "mention_everyone": False, "mentions": [], "mention_roles": [],
            "attachments": [], "embeds": body.get("embeds") or [], "pinned": False, "type": 0,
            "flags": body.get("flags", 0), "components": body.get("components") or [],
        }  # fmt: skip

    async def rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body = None
        files: dict[str, bytes] = {}
        if request.content_type == "multipart/form-data":
            reader = await request.multipart()
            async for part in reader:
                if part.name == "payload_json":
                    body = json.loads(await part.read())
                elif part.filename:
                    files[part.filename] = bytes(await part.read())
        elif request.can_read_body:
            raw = await request.read()
            body = json.loads(raw) if raw else None
        call = Call(request.method, path, body, dict(request.query),
                    authorization=request.headers.get("Authorization"), files=files)  # fmt: skip
        response = self.route(request.method, path, body)
        call.response = json.loads(response.body)
        self.calls.append(call)
        await self._notify()
        if re.fullmatch(r"/channels/\d+/messages/\d+/threads", path):
            self.later(self.dispatch("THREAD_CREATE", {
                **call.response, "newly_created": True,
                "member": {"id": call.response["id"], "user_id": str(BOT_ID), "flags": 0,
                           "join_timestamp": NOW},
            }))  # fmt: skip
        return response

    def later(self, event) -> None:
        """Send a gateway event once the current REST response is out, as Discord does."""
        task = asyncio.get_running_loop().create_task(event)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def route(self, method: str, path: str, body) -> web.Response:
        if path == "/users/@me":
            return self.json(BOT_USER)
        if path == "/oauth2/applications/@me":
            return self.json({"id": str(APP_ID), "name": "vdwbot", "description": "", "icon": None,
                              "bot_public": True, "bot_require_code_grant": False,
                              "owner": user(1, "owner"), "verify_key": "0" * 64,
                              "flags": 0})  # fmt: skip
        if path in ("/gateway", "/gateway/bot"):
            return self.json({"url": self.announced_gateway or self.gateway_url,
                              "shards": self.shards, "session_start_limit":
                              {"total": 1000, "remaining": 1000, "reset_after": 0,
                               "max_concurrency": 1}})  # fmt: skip
        if re.fullmatch(r"/applications/\d+(/guilds/\d+)?/commands", path) and method == "PUT":
            return self.json([{**cmd, "id": self.next_id(), "application_id": str(APP_ID),
                               "version": "1", "type": cmd.get("type", 1)}
                              for cmd in body])  # fmt: skip
        m = re.fullmatch(r"/interactions/(\d+)/[^/]+/callback", path)
        if m:
            return self.json({"interaction": {"id": m.group(1), "type": 2}})
        if re.fullmatch(r"/webhooks/\d+/[^/]+", path) and method == "POST":
            return self.json(self.message(str(CHANNEL_ID), body or {}))
        m = re.fullmatch(r"/webhooks/\d+/[^/]+/messages/(\w+)", path)
        if m and method == "PATCH":
            msg = self.message(str(CHANNEL_ID), body or {})
            msg["id"] = m.group(1) if m.group(1).isdigit() else msg["id"]
            return self.json(msg)
        m = re.fullmatch(r"/channels/(\d+)/messages/(\d+)/threads", path)
        if m:
            thread_id = self.next_id()
            guild_id = self.guild_of[int(thread_id)] = self.guild_of.get(int(m.group(1)), GUILD_ID)
            return self.json({"id": thread_id, "type": 11, "guild_id": str(guild_id),
                              "parent_id": m.group(1), "owner_id": str(BOT_ID),
                              "name": body.get("name", ""), "message_count": 0,
                              "member_count": 1, "rate_limit_per_user": 0, "flags": 0,
                              "thread_metadata": {"archived": False, "auto_archive_duration":
                                                  1440, "archive_timestamp": NOW,
                                                  "locked": False}})  # fmt: skip
        m = re.fullmatch(r"/channels/(\d+)/messages", path)
        if m and method == "POST":
            return self.json(self.message(m.group(1), body or {}))
        return self.json({"message": "Unknown route", "code": 0}, status=404)

    # ------------------------------------------------------------ gateway

    async def gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        conn = Connection(ws)
        self.connections.append(conn)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": self.heartbeat_ms}})
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            payload = json.loads(msg.data)
            op = payload.get("op")
            if op == 1:
                self.heartbeats += 1
                await ws.send_json({"op": 11})
            elif op == 2:
                self.identified += 1
                shard_id, count = payload["d"].get("shard") or (0, 1)
                conn.shard = (shard_id, count)
                conn.session = f"standin-session-{len(self.connections)}"
                self.identifies.append(conn.shard)
                await self.send_ready(conn)
            elif op == 6:
                self.resumed += 1
                old = self.session(payload["d"]["session_id"])
                conn.shard, conn.session, conn.seq = old.shard, old.session, old.seq
                old.session = None  # the new connection carries the session from now on
                await self.send(conn, "RESUMED", {})
            await self._notify()
        return ws

    def session(self, session_id: str) -> Connection:
        return next(c for c in self.connections if c.session == session_id)

    def connection_for(self, guild_id: int) -> Connection:
        """The live connection whose shard receives this guild's events."""
        found = [c for c in self.connections if c.shard and c.session and not c.ws.closed
                 and shard_of(guild_id, c.shard[1]) == c.shard[0]]  # fmt: skip
        assert found, f"no connection of the bot receives guild {guild_id}"
        return found[-1]

    async def send_ready(self, conn: Connection) -> None:
        assert conn.shard is not None
        shard_id, count = conn.shard
        mine = [gid for gid in self.guilds if shard_of(gid, count) == shard_id]
        await self.send(conn, "READY", {
            "v": 10, "user": BOT_USER,
            "guilds": [{"id": str(g), "unavailable": True} for g in mine],
            "session_id": conn.session, "resume_gateway_url": self.gateway_url,
            "application": {"id": str(APP_ID), "flags": 0}, "private_channels": [],
            "shard": [shard_id, count],
        })  # fmt: skip
        for gid in mine:
            await self.send(conn, "GUILD_CREATE", self.guild(gid))

    def guild(self, gid: int) -> dict:
        roles = [(gid, "@everyone"), (in_guild(MAINTAINER_ROLE_ID, gid), "maintainers")]
        return {
            "id": str(gid), "name": f"Test guild {self.guilds.index(gid)}", "icon": None,
            "owner_id": "1",
            "roles": [{"id": str(rid), "name": name, "permissions": "0", "position": pos,
                       "color": 0, "hoist": False, "managed": False, "mentionable": False,
                       "flags": 0}
                      for pos, (rid, name) in enumerate(roles)],
            "emojis": [], "stickers": [], "features": [], "threads": [], "members": [],
            "channels": [channel(in_guild(CHANNEL_ID, gid), "ask-here", gid),
                         channel(in_guild(OTHER_CHANNEL_ID, gid), "general", gid)],
            "member_count": 2, "large": False, "mfa_level": 0, "verification_level": 0,
            "explicit_content_filter": 0, "default_message_notifications": 0, "premium_tier": 0,
            "preferred_locale": "en-US", "system_channel_id": None, "unavailable": False,
            "voice_states": [], "presences": [], "stage_instances": [],
            "guild_scheduled_events": [], "nsfw_level": 0, "premium_progress_bar_enabled": False,
            "joined_at": NOW,
        }  # fmt: skip

    async def send(self, conn: Connection, event: str, data: dict) -> None:
        assert conn.shard is not None
        conn.seq += 1
        self.dispatched.append(Dispatched(event, conn.shard, data))
        await conn.ws.send_json({"op": 0, "t": event, "s": conn.seq, "d": data})

    async def dispatch(self, event: str, data: dict) -> None:
        """Send a guild's event on the connection of that guild's shard."""
        await self.send(self.connection_for(int(data.get("guild_id", GUILD_ID))), event, data)

    async def drop_connection(self, guild_id: int = GUILD_ID) -> None:
        """Ask the client to reconnect (op 7), as Discord does; it should RESUME."""
        await self.connection_for(guild_id).ws.send_json({"op": 7, "d": None})

    def shard_of_event(self, event_id: str) -> tuple[int, int]:
        """The shard of the connection an interaction or message (by id) went out on."""
        return next(d.shard for d in self.dispatched if d.data.get("id") == event_id)

    # ------------------------------------------------------------ interactions and messages

    def member(self, uid: int, permissions: int, roles: list[int] | None = None) -> dict:
        return {"user": user(uid, f"user{uid % 1000}"), "roles": [str(r) for r in roles or []],
                "flags": 0, "joined_at": NOW, "permissions": str(permissions), "deaf": False,
                "mute": False, "nick": None, "avatar": None}  # fmt: skip

    async def interact(
        self,
        kind: int,
        data: dict,
        uid: int = 111,
        permissions: int = BASIC_PERMISSIONS,
        roles: list[int] | None = None,
        message: dict | None = None,
        guild_id: int = GUILD_ID,
    ) -> str:
        """Dispatch an INTERACTION_CREATE in the guild's ask channel; returns the interaction id."""
        iid = self.next_id()
        cid = in_guild(CHANNEL_ID, guild_id)
        payload = {
            "id": iid, "application_id": str(APP_ID), "type": kind, "token": f"token-{iid}",
            "version": 1, "attachment_size_limit": 8388608, "guild_id": str(guild_id),
            "channel_id": str(cid), "channel": channel(cid, "ask-here", guild_id),
            "member": self.member(uid, permissions, roles),
            "app_permissions": str(BASIC_PERMISSIONS),
            "locale": "en-US", "guild_locale": "en-US", "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild_id)}, "context": 0, "data": data,
        }  # fmt: skip
        if message is not None:
            payload["message"] = message
        await self.dispatch("INTERACTION_CREATE", payload)
        return iid

    async def slash(
        self,
        command: str,
        uid: int = 111,
        permissions: int = BASIC_PERMISSIONS,
        roles: list[int] | None = None,
        guild_id: int = GUILD_ID,
        **options,
    ) -> str:
        opts = [{"name": k, "type": 5 if isinstance(v, bool) else 3, "value": v}
                for k, v in options.items()]  # fmt: skip
        data = {"id": self.next_id(), "name": command, "type": 1, "options": opts,
                "guild_id": str(guild_id)}  # fmt: skip
        return await self.interact(2, data, uid, permissions, roles, guild_id=guild_id)

    async def autocomplete(self, name: str, option: str, value: str, uid: int = 111) -> str:
        data = {"id": self.next_id(), "name": name, "type": 1, "guild_id": str(GUILD_ID),
                "options": [{"name": option, "type": 3, "value": value,
                             "focused": True}]}  # fmt: skip
        return await self.interact(4, data, uid)

    async def click(self, message: dict, custom_id: str, uid: int = 111) -> str:
        return await self.interact(3, {"custom_id": custom_id, "component_type": 2}, uid,
                                   message=message)  # fmt: skip

    async def say(
        self, content: str, channel_id: int = CHANNEL_ID, uid: int = 111, mention_bot: bool = True
    ) -> str:
        """A member's message; its text reaches the bot only if it mentions the bot."""
        mid = self.next_id()
        await self.dispatch("MESSAGE_CREATE", {
            **self.message(str(channel_id), {"content": content if mention_bot else ""},
                           author=user(uid)),
            "id": mid, "guild_id": str(self.guild_of[channel_id]),
            "member": self.member(uid, BASIC_PERMISSIONS),
            "mentions": [BOT_USER] if mention_bot else [],
        })  # fmt: skip
        return mid

    # ------------------------------------------------------------ queries over recorded calls

    def calls_to(self, pattern: str, method: str | None = None) -> list[Call]:
        return [c for c in self.calls
                if re.fullmatch(pattern, c.path)
                and (method is None or c.method == method)]  # fmt: skip

    def followed_up(self) -> set[str]:
        """Interactions answered through their webhook: a public follow-up with text or embeds.

        Error replies are private (ephemeral), so a "something went wrong" never counts.
        """
        return {c.path.rsplit("/token-", 1)[1].split("/")[0]
                for c in self.calls if is_public_followup(c)}  # fmt: skip

    def message_bodies(self) -> list[tuple[Call, dict]]:
        """Every message the bot sent or edited: channel posts, follow-ups, edits, and the
        message carried by interaction callbacks (replies and component updates)."""
        out = []
        for c in self.calls:
            if not isinstance(c.body, dict):
                continue
            if c.path.endswith("/callback"):
                if c.body.get("type") in (4, 7) and c.body.get("data") is not None:
                    out.append((c, c.body["data"]))
            elif (c.method == "POST" and re.fullmatch(r"/channels/\d+/messages", c.path)) or (
                c.path.startswith("/webhooks/") and c.method in ("POST", "PATCH")
            ):
                out.append((c, c.body))
        return out

    def replies_to(self, iid: str) -> list[Call]:
        """Callback and follow-up calls of one interaction, in order."""
        return [c for c in self.calls if f"/{iid}/" in c.path or f"/token-{iid}" in c.path]


def is_public_followup(call: Call) -> bool:
    """A follow-up message everyone in the channel sees, with something in it."""
    body = call.body if isinstance(call.body, dict) else {}
    return (
        call.method == "POST"
        and call.path.startswith("/webhooks/")
        and not (body.get("flags") or 0) & EPHEMERAL
        and bool(body.get("content") or body.get("embeds"))
    )
