"""The big-screen counter: follows the event's "agreements" group and re-reads the public counts on each change.

Access, groups, version and heartbeat: ``eventsite.consumers.EventGroupConsumer``. Group handlers only READ
(public_counts); every write happens in services, which broadcast after commit.
"""

from __future__ import annotations

import hashlib
import json

from channels.db import database_sync_to_async

from eventsite.consumers import EventGroupConsumer
from eventsite.rules import can_view_event

from .services.entry import TOPIC
from .services.tally import public_counts


def counts_version(counts: dict) -> str:
    """A short fingerprint of what the counter shows: it changes exactly when a figure does."""
    return hashlib.sha1(json.dumps(counts, sort_keys=True, default=str).encode()).hexdigest()[:16]  # noqa: S324


class CounterConsumer(EventGroupConsumer):
    """Public tallies only (counts, never values), so anonymous viewers and the big screen may connect."""

    predicate = can_view_event
    topics = (TOPIC,)

    def live_version(self, event) -> str:
        return counts_version(public_counts(event))

    async def joined(self, event) -> None:
        self.event = event
        await self._send_counts()

    async def _send_counts(self) -> None:
        counts = await database_sync_to_async(public_counts)(self.event)
        await self.send_json({"type": "counts", "version": counts_version(counts), **counts})

    async def tally_changed(self, message):
        await self._send_counts()
