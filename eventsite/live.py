"""Live updates: one naming rule for channel groups, and broadcasts that leave only after commit.

Inside the web server a view's sync code runs in a worker thread while the server's event loop owns the channel
layer. Waiting there for each ``group_send`` (``async_to_sync``) held the request, and every request queued
behind it in Django's one sync thread, for a round trip to the layer per message. So a committed broadcast is
handed to a relay task on that loop instead (one per server process, sending in the order they were handed
over) and the request goes on. Outside a server (management commands, tests with Django's test client) there is
no such loop and the message is sent at once, as before.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import weakref
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
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
    group = group_name(event_id, topic)

    def send() -> None:
        loop = _server_loop()
        if loop is not None:
            loop.call_soon_threadsafe(_hand_to_relay, loop, group, message)
            return
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(group, message)
        except Exception:  # a live update must never undo or fail a committed change
            log.warning("live update to %s not delivered", group, exc_info=True)

    transaction.on_commit(send)


_relays: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Queue] = weakref.WeakKeyDictionary()


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop of the server that called this sync code (asgiref records it), if any."""
    local = SyncToAsync.threadlocal
    loop = getattr(local, "main_event_loop", None)
    if loop is None or getattr(local, "main_event_loop_pid", None) != os.getpid() or not loop.is_running():
        return None
    return loop


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
