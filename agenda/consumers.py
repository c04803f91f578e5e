"""Live agenda over websockets: ws/e/<slug>/agenda/.

Everyone who may see the event receives ``published`` messages (with the new version) after each
release commits. The public "agenda" group is joined once per server process and event by the
process relay (``agenda/relay.py``), which encodes each release once and hands it to every local
socket that passed the checks of ``eventsite.consumers.EventGroupConsumer`` (the base class: access,
groups, ``state`` on connect, heartbeat with the version, re-checks). Organizers' sockets also join
the "agenda-draft" group, so control panels learn about unpublished draft edits; nobody else ever
receives a draft message.

Clients may send only ``{"action": "ping"}`` or ``{"action": "sync"}``; control actions go through
HTTP POST (organizer-checked, CSRF-protected), never through the socket.
"""

from __future__ import annotations

from eventsite.consumers import CLOSE_NOT_FOUND, EventGroupConsumer
from eventsite.rules import can_view_event, is_organizer

from . import services
from .relay import relay_for

__all__ = ["CLOSE_NOT_FOUND", "AgendaConsumer"]


class AgendaConsumer(EventGroupConsumer):
    predicate = can_view_event
    feed = None

    def topics_for(self, user, event) -> tuple[str, ...]:
        return (services.DRAFT_TOPIC,) if is_organizer(user, event) else ()

    def live_version(self, event) -> int:
        return services.current_release(event)[0]

    async def joined(self, event) -> None:
        self.is_organizer = services.DRAFT_TOPIC in self.topics_now
        self.feed = relay_for(self.channel_layer).feed(event.pk, services.TOPIC)  # the relay sends to accepted sockets
        await self.feed.add(self)

    async def leaving(self) -> None:
        if self.feed is not None:
            await self.feed.remove(self)
            self.feed = None

    async def receive_json(self, content, **kwargs):
        action = content.get("action") if isinstance(content, dict) else None
        if action == "ping":
            await self.send_json({"type": "pong"})
        elif action == "sync":
            await super().receive_json(content, **kwargs)
        else:
            await self.send_json({"type": "error", "code": "unknown_action"})

    # Group handler (organizers' own channel): forward only, never touch the database.
    # Published releases reach the socket through the process relay, not through this consumer's channel.
    async def agenda_draft(self, message):
        if self.is_organizer:
            await self.send_json({"type": "draft", "live_control": message.get("live_control", False)})
