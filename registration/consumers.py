"""Websocket consumer for the organizer check-in dashboard: joins the event's "checkin" group and forwards."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from eventsite.access import roles_of
from eventsite.live import group_name
from eventsite.models import Event, EventRole


@database_sync_to_async
def _organizer_event_id(user, slug: str) -> int | None:
    event = Event.objects.filter(slug=slug).first()
    if event is None or EventRole.Role.ORGANIZER not in roles_of(user, event):
        return None
    return event.pk


class CheckinConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        event_id = None
        if user is not None and user.is_authenticated:
            event_id = await _organizer_event_id(user, self.scope["url_route"]["kwargs"]["event_slug"])
        if event_id is None:
            await self.close(code=4403)
            return
        self.group = group_name(event_id, "checkin")
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        """The dashboard only listens."""

    async def checkin_changed(self, message: dict) -> None:
        await self.send_json({k: v for k, v in message.items() if k != "type"})
