"""Websocket consumer for the organizer check-in dashboard: follows the event's "checkin" group and forwards.

Access (organizers), groups, version and heartbeat: ``eventsite.consumers.EventGroupConsumer``. The version is
the event's check-in figures (last check-in, admitted, annulled), one aggregate query.
"""

from __future__ import annotations

from django.db.models import Count, Max, Q

from eventsite.consumers import EventGroupConsumer
from eventsite.rules import is_organizer

from .models import CheckIn
from .services.checkin import TOPIC


class CheckinConsumer(EventGroupConsumer):
    predicate = is_organizer
    topics = (TOPIC,)

    def live_version(self, event) -> str:
        figures = CheckIn.objects.filter(event_id=event.pk).aggregate(
            last=Max("id"), admitted=Count("id", filter=Q(annulled_at__isnull=True)),
            annulled=Count("id", filter=Q(annulled_at__isnull=False)))
        return f"{figures['last'] or 0}-{figures['admitted']}-{figures['annulled']}"

    async def checkin_changed(self, message: dict) -> None:
        await self.send_json({k: v for k, v in message.items() if k != "type"})
