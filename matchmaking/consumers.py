"""Live table board: staff browsers follow the event's matchmaking group and refresh their rows.

Access (organizers and desk staff), groups, version and heartbeat: ``eventsite.consumers.EventGroupConsumer``.
Group handlers only forward; they never touch the database.
"""

from __future__ import annotations

import hashlib

from eventsite.consumers import EventGroupConsumer
from eventsite.rules import is_event_staff

from .models import Meeting, MeetingRequest


class BoardConsumer(EventGroupConsumer):
    predicate = is_event_staff
    topics = ("matchmaking",)

    def live_version(self, event) -> str:
        digest = hashlib.sha1()  # noqa: S324 (a fingerprint of the meetings and requests, not a secret)
        for model in (Meeting, MeetingRequest):
            for row in model.objects.filter(event_id=event.pk).order_by("pk").values_list():
                digest.update(repr(row).encode())
        return digest.hexdigest()[:16]

    async def matchmaking_changed(self, message: dict) -> None:
        await self.send_json({key: value for key, value in message.items() if key != "type"})
