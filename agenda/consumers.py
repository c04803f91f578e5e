"""Live agenda over websockets: ws/e/<slug>/agenda/.

Everyone who may see the event receives ``published`` messages (with the new version) after each
release commits. The public "agenda" group is joined once per server process and event by the
process relay (``agenda/relay.py``), which encodes each release once and hands it to every local
socket that passed the checks below. Organizers' sockets also join the "agenda-draft" group
themselves, so control panels learn about unpublished draft edits; nobody else ever receives a
draft message. On connect the server sends ``state`` with the current version (read after the
socket is registered, so no release can fall between the two) so a reconnecting client can tell
whether it missed a release and must refetch.

Clients may send only ``{"action": "ping"}`` or ``{"action": "sync"}``; control actions go through
HTTP POST (organizer-checked, CSRF-protected), never through the socket.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from eventsite.access import Role, roles_of
from eventsite.live import group_name
from eventsite.models import Event

from . import services
from .relay import relay_for

CLOSE_NOT_FOUND = 4404


class AgendaConsumer(AsyncJsonWebsocketConsumer):
    groups_joined: list[str]
    feed = None

    @database_sync_to_async
    def _load(self, slug: str):
        event = Event.objects.filter(slug=slug).first()
        if event is None:
            return None, frozenset()
        roles = roles_of(self.scope.get("user"), event) if self.scope.get("user") else frozenset()
        if event.status == Event.Status.DRAFT and Role.ORGANIZER not in roles:
            return None, frozenset()
        return event, roles

    async def connect(self):
        self.groups_joined = []
        slug = self.scope["url_route"]["kwargs"]["event_slug"]
        event, roles = await self._load(slug)
        if event is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.event_id = event.id
        self.is_organizer = Role.ORGANIZER in roles
        if self.is_organizer:
            group = group_name(event.id, services.DRAFT_TOPIC)
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.append(group)
        await self.accept()  # the relay only sends to accepted sockets
        self.feed = relay_for(self.channel_layer).feed(event.id, services.TOPIC)
        await self.feed.add(self)
        await self.send_json({"type": "state", "version": await self._version()})

    async def disconnect(self, code):
        if self.feed is not None:
            await self.feed.remove(self)
            self.feed = None
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        action = content.get("action") if isinstance(content, dict) else None
        if action == "ping":
            await self.send_json({"type": "pong"})
        elif action == "sync":
            version = await self._version()
            await self.send_json({"type": "state", "version": version})
        else:
            await self.send_json({"type": "error", "code": "unknown_action"})

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        try:
            await super().receive(text_data=text_data, bytes_data=bytes_data, **kwargs)
        except ValueError:  # not JSON
            await self.send_json({"type": "error", "code": "bad_message"})

    @database_sync_to_async
    def _version(self) -> int:
        return services.current_release(Event(pk=self.event_id))[0]

    # Group handler (organizers' own channel): forward only, never touch the database.
    # Published releases reach the socket through the process relay, not through this consumer's channel.
    async def agenda_draft(self, message):
        if self.is_organizer:
            await self.send_json({"type": "draft", "live_control": message.get("live_control", False)})
