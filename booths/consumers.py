"""Live floor plan: viewers join the event's "floorplan" group; booth changes are forwarded as they are.

The handler never touches the database: the booking service broadcasts after commit.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from eventsite.access import Role, roles_of
from eventsite.live import group_name
from eventsite.models import Event


@database_sync_to_async
def _visible_event_id(slug: str, user) -> int | None:
    event = Event.objects.filter(slug=slug).first()
    if event is None:
        return None
    if event.status == Event.Status.DRAFT and Role.ORGANIZER not in roles_of(user, event):
        return None
    return event.pk


class FloorPlanConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def connect(self) -> None:
        slug = self.scope["url_route"]["kwargs"]["event_slug"]
        event_id = await _visible_event_id(slug, self.scope.get("user"))
        if event_id is None:
            await self.close(code=4404)
            return
        self.group = group_name(event_id, "floorplan")
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        """Viewers only listen; anything they send is ignored (changes go through HTTP and the services)."""

    async def booth_changed(self, message: dict) -> None:
        await self.send_json({"type": "booths", "booths": message["booths"]})
