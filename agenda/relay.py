"""Per-process fan-out of published agenda releases to the websockets of this process.

Before: every agenda socket joined the event's "agenda" channel-layer group itself, so one release
cost, per socket, a channel-layer message (a copy in the in-memory layer; a channel name in the
Redis payload plus a local queue hand-off in channels-redis), a wake-up of that socket's consumer
task, a handler dispatch and a JSON encode. With 500 sockets per process that was most of the
latency.

Now each server process joins the group **once per event** with one relay channel (see ``Feed``),
whatever the number of sockets it serves. When a release arrives, the relay encodes the client
message once and hands the same text to every local socket of that event, in order. The sender
side is unchanged: ``eventsite.live.broadcast_on_commit(event.id, "agenda", …)`` still does one
``group_send`` to the same group after commit; the group now holds one channel per process instead
of one per socket.

What stays as it was: messages carry the version; only sockets that passed the consumer's checks
(allowed origin, visible event) are registered; draft notices still go to organizers' own channels
(the "agenda-draft" group), never through the relay.

A relay is bound to the running event loop and channel layer (a Daphne process has one of each;
tests run one loop per test). If its channel-layer receive fails (Redis restarting), it logs, waits
and keeps listening, and re-joins the group every heartbeat; every socket's heartbeat carries the current
version, so a client that missed a release refetches within one heartbeat.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from eventsite.consumers import heartbeat_seconds
from eventsite.live import group_name

log = logging.getLogger(__name__)

# channels-redis keeps group members only in Redis (and forgets them after ``group_expiry``): the relay joins again
# every heartbeat (LIVE_HEARTBEAT_SECONDS), which brings its membership back within one heartbeat of a Redis restart.
RETRY_SECONDS = 1.0


def client_message(message: dict[str, Any]) -> str | None:
    """The text every client receives for one layer message (None: not for clients)."""
    if message.get("type") == "agenda.published":
        return json.dumps({"type": "published", "version": message["version"],
                           "published_at": message["published_at"], "changes": message["changes"]})
    return None


class Feed:
    """One event's release feed in this process: one channel in the group, many local sockets."""

    def __init__(self, relay: Relay, event_id: int, topic: str):
        self.relay = relay
        self.group = group_name(event_id, topic)
        self.members: dict[Any, None] = {}  # insertion-ordered set of consumers
        self.channel: str | None = None
        self.tasks: list[asyncio.Task] = []
        self.lock = asyncio.Lock()

    async def add(self, consumer) -> None:
        async with self.lock:
            if self.channel is None:
                layer = self.relay.layer
                self.channel = await layer.new_channel()
                await layer.group_add(self.group, self.channel)
                self.tasks = [self.relay.loop.create_task(self._pump(self.channel)),
                              self.relay.loop.create_task(self._keep_joined(self.channel))]
            elif not self.members or consumer not in self.members:
                # Join again with every new socket (one cheap ZADD on Redis): after a Redis restart the group is
                # gone, and the sockets that reconnect are what brings this process's membership back.
                try:
                    await self.relay.layer.group_add(self.group, self.channel)
                except Exception:
                    log.warning("agenda relay for %s: re-join failed", self.group, exc_info=True)
            self.members[consumer] = None

    async def remove(self, consumer) -> None:
        self.members.pop(consumer, None)
        if self.members:
            return
        async with self.lock:
            if self.members or self.channel is None:
                return
            channel, tasks = self.channel, self.tasks
            self.channel, self.tasks = None, []
            for task in tasks:
                task.cancel()
            await self.relay.layer.group_discard(self.group, channel)

    async def _keep_joined(self, channel: str) -> None:
        """Sockets may stay connected for days: renew the membership before the layer's group expiry."""
        while True:
            await asyncio.sleep(heartbeat_seconds())
            try:
                await self.relay.layer.group_add(self.group, channel)
            except Exception:
                log.warning("agenda relay for %s: re-join failed", self.group, exc_info=True)

    async def _pump(self, channel: str) -> None:
        layer = self.relay.layer
        while True:
            try:
                message = await layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("agenda relay for %s: receive failed; retrying", self.group, exc_info=True)
                await asyncio.sleep(RETRY_SECONDS)
                try:
                    await layer.group_add(self.group, channel)
                except Exception:
                    log.warning("agenda relay for %s: re-join failed", self.group, exc_info=True)
                continue
            await self.deliver(message)

    async def deliver(self, message: dict[str, Any]) -> int:
        """Send one layer message to every local socket; returns how many it reached."""
        text = client_message(message)
        if text is None:
            return 0
        sent = 0
        for consumer in list(self.members):
            try:
                await consumer.send(text_data=text)
                sent += 1
            except Exception:  # one broken socket must not hold back the others
                log.debug("agenda relay: send to %s failed", consumer, exc_info=True)
        return sent


class Relay:
    def __init__(self, layer, loop: asyncio.AbstractEventLoop):
        self.layer = layer
        self.loop = loop
        self.feeds: dict[tuple[int, str], Feed] = {}

    def feed(self, event_id: int, topic: str) -> Feed:
        key = (event_id, topic)
        feed = self.feeds.get(key)
        if feed is None:
            feed = self.feeds[key] = Feed(self, event_id, topic)
        return feed


_relays: dict[tuple[int, int], Relay] = {}


def relay_for(layer) -> Relay:
    """The relay of the running loop and this channel layer (created on first use)."""
    loop = asyncio.get_running_loop()
    key = (id(loop), id(layer))
    relay = _relays.get(key)
    if relay is None or relay.loop is not loop or relay.layer is not layer:
        for old_key, old in list(_relays.items()):  # forget relays of closed loops (tests use many)
            if old.loop.is_closed():
                del _relays[old_key]
        relay = _relays[key] = Relay(layer, loop)
    return relay
