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
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import weakref
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

    def send() -> None:
        loop = _server_loop()
        if loop is not None:
            try:
                loop.call_soon_threadsafe(_hand_to_relay, loop, group, message)
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
