"""Live updates: one naming rule for channel groups, and broadcasts that leave only after commit.

Inside the web server a view's sync code runs in a worker thread while the server's event loop owns the channel
layer. Waiting there for each ``group_send`` (``async_to_sync``) held the request, and every request queued
behind it in Django's one sync thread, for a round trip to the layer per message. So a committed broadcast is
handed to a relay task on that loop instead (one per server process, sending in the order they were handed
over, with ``loop.call_soon_threadsafe``) and the request goes on. The loop is the one the server runs Django on:
an async receiver of Django's ``request_started`` for ``ASGIHandler`` (awaited on that loop for every request)
records it. Outside a server (management commands, task threads of a process that has served nothing yet, tests
with Django's test client) there is no such loop and the message is sent at once, as before. Public Django and
asyncio APIs only.

Frequent count changes (an admission at every gate, every second) go through
:func:`broadcast_coalesced_on_commit`: on the server loop a group gets at most one message per
:data:`COALESCE_SECONDS`; what arrives in between is merged into the next one (``delta`` summed, other keys kept
where all merged messages agree). Receivers treat such a message as "counts changed" and re-read the counts, so a
merged message lost with a stopping process is repaired by the next one or by the client's resync on reconnect.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import re
import weakref
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.handlers.asgi import ASGIHandler
from django.core.signals import request_started
from django.db import transaction

log = logging.getLogger(__name__)


def group_name(event_id: int, topic: str) -> str:
    """Channel group for ``topic`` (e.g. "agenda", "checkin", "floorplan") at one event."""
    safe = re.sub(r"[^a-zA-Z0-9_.-]", "-", topic)
    return f"event-{event_id}.{safe}"


def broadcast_on_commit(event_id: int, topic: str, message: dict[str, Any]) -> None:
    """Send ``message`` to everyone following ``topic`` once the current transaction commits.

    A rolled-back change is never announced; outside a transaction it is sent at once.
    ``message["type"]`` names the consumer handler, as Channels expects.
    """
    send_to_group_on_commit(group_name(event_id, topic), message)


def send_to_group_on_commit(group: str, message: dict[str, Any]) -> None:
    """Send ``message`` to the channel-layer ``group`` once the current transaction commits (see above)."""
    _on_commit(group, message, _hand_to_relay)


COALESCE_SECONDS = 0.25


def broadcast_coalesced_on_commit(event_id: int, topic: str, message: dict[str, Any]) -> None:
    """:func:`broadcast_on_commit` for a count that changes often: one message per group per COALESCE_SECONDS.

    Inside a server process the first message to a group goes at once; those that follow within
    COALESCE_SECONDS of the last one sent are merged (:func:`merge_counts`) and sent when the period ends. Outside
    a server (no loop: commands, tests with Django's client) each is sent at once.
    """
    _on_commit(group_name(event_id, topic), message, _coalesce)


def merge_counts(older: dict[str, Any], newer: dict[str, Any]) -> dict[str, Any]:
    """Two count messages as one: ``delta`` summed, every other key kept only where both agree."""
    merged = {key: value for key, value in newer.items() if key in older and older[key] == value}
    merged["type"] = newer["type"]
    merged["delta"] = older.get("delta", 0) + newer.get("delta", 0)
    return merged


def _on_commit(group: str, message: dict[str, Any], on_loop) -> None:
    def send() -> None:
        loop = _server_loop()
        if loop is not None:
            try:
                loop.call_soon_threadsafe(on_loop, loop, group, message)
                return
            except RuntimeError:  # the loop closed since we looked: send it from here instead
                pass
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(group, message)
        except Exception:  # a live update must never undo or fail a committed change
            log.warning("live update to %s not delivered", group, exc_info=True)

    transaction.on_commit(send)


@dataclass
class _Throttle:
    """One group's coalescing state on one loop: when it was last sent, what waits, the timer that will send it."""

    sent_at: float = -math.inf
    waiting: dict[str, Any] | None = None
    timer: asyncio.TimerHandle | None = None


_throttles: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, _Throttle]] = weakref.WeakKeyDictionary()


def _coalesce(loop: asyncio.AbstractEventLoop, group: str, message: dict[str, Any]) -> None:
    """On the server's loop: send now if the group's period is over, else merge into the message that waits."""
    groups = _throttles.get(loop)
    if groups is None:
        groups = _throttles[loop] = {}
    state = groups.setdefault(group, _Throttle())
    if state.timer is None and loop.time() - state.sent_at >= COALESCE_SECONDS:
        state.sent_at = loop.time()
        _hand_to_relay(loop, group, message)
        return
    state.waiting = message if state.waiting is None else merge_counts(state.waiting, message)
    if state.timer is None:
        state.timer = loop.call_at(state.sent_at + COALESCE_SECONDS, _send_waiting, loop, group)


def _send_waiting(loop: asyncio.AbstractEventLoop, group: str) -> None:
    groups = _throttles.get(loop, {})
    state = groups.pop(group, None)
    if state is None or state.waiting is None:
        return
    groups[group] = _Throttle(sent_at=loop.time())
    _hand_to_relay(loop, group, state.waiting)


# The event loop this process serves Django on, and the process it was recorded in (a forked child must not
# use its parent's loop). Written on that loop, read from worker threads: one tuple assignment, atomic.
_server: tuple[asyncio.AbstractEventLoop, int] | None = None


def remember_server_loop() -> None:
    """Record the running event loop as this process's server loop (call it on that loop)."""
    global _server
    loop = asyncio.get_running_loop()
    if _server is None or _server[0] is not loop:
        _server = (loop, os.getpid())


async def _note_server_loop(sender, **kwargs) -> None:
    remember_server_loop()


# Only for the ASGI handler: a WSGI request (or Django's sync test client) sends the signal with another sender, so
# it never has to run an async receiver (which would start an event loop per request).
request_started.connect(_note_server_loop, sender=ASGIHandler, dispatch_uid="eventsite.live.server_loop")


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The recorded server loop of this process, if it is still running."""
    recorded = _server
    if recorded is None:
        return None
    loop, pid = recorded
    if pid != os.getpid() or loop.is_closed() or not loop.is_running():
        return None
    return loop


_relays: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Queue] = weakref.WeakKeyDictionary()


def _hand_to_relay(loop: asyncio.AbstractEventLoop, group: str, message: dict[str, Any]) -> None:
    """On the server's loop: queue the message for this process's relay task, starting it if needed."""
    queue = _relays.get(loop)
    if queue is None:
        queue = _relays[loop] = asyncio.Queue()
        relay = loop.create_task(_relay(queue))
        _relay_tasks.add(relay)
    queue.put_nowait((group, message))


_relay_tasks: set[asyncio.Task] = set()  # strong references: the loop keeps only weak ones


async def _relay(queue: asyncio.Queue) -> None:
    while True:
        group, message = await queue.get()
        layer = get_channel_layer()
        try:
            if layer is not None:
                await layer.group_send(group, message)
        except Exception:  # a live update must never undo or fail a committed change
            log.warning("live update to %s not delivered", group, exc_info=True)
