"""The big-screen counter: joins the event's "agreements" group and re-reads the public counts on each change.

Group handlers only READ (public_counts); every write happens in services, which broadcast after commit.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from eventsite.live import group_name
from eventsite.models import Event

from .services.tally import public_counts


@database_sync_to_async
def _load(slug: str):
    event = Event.objects.filter(slug=slug).exclude(status=Event.Status.DRAFT).first()
    return event


@database_sync_to_async
def _counts(event) -> dict:
    return public_counts(event)


class CounterConsumer(AsyncJsonWebsocketConsumer):
    """Public tallies only (counts, never values), so anonymous viewers and the big screen may connect."""

    async def connect(self):
        self.event = await _load(self.scope["url_route"]["kwargs"]["event_slug"])
        if self.event is None:
            await self.close(code=4404)
            return
        self.group = group_name(self.event.id, "agreements")
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "counts", **(await _counts(self.event))})

    async def disconnect(self, code):
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        """Clients only listen; anything they send is ignored."""

    async def tally_changed(self, message):
        await self.send_json({"type": "counts", **(await _counts(self.event))})
