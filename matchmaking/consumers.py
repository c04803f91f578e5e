"""Live table board: staff browsers follow the event's matchmaking group and refresh their rows."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from eventsite.access import STAFF, roles_of
from eventsite.live import group_name
from eventsite.models import Event


class BoardConsumer(AsyncJsonWebsocketConsumer):
    """Authenticate, join the group, forward. Group handlers only forward; they never touch the database."""

    group: str | None = None

    async def connect(self) -> None:
        event_id = await self._staff_event_id(self.scope.get("user"), self.scope["url_route"]["kwargs"]["event_slug"])
        if event_id is None:
            await self.close(code=4403)
            return
        self.group = group_name(event_id, "matchmaking")
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def matchmaking_changed(self, message: dict) -> None:
        await self.send_json({key: value for key, value in message.items() if key != "type"})

    @database_sync_to_async
    def _staff_event_id(self, user, slug: str) -> int | None:
        event = Event.objects.filter(slug=slug).first()
        if event is None or user is None or not roles_of(user, event) & STAFF:
            return None
        return event.pk
