"""Live floor plan: viewers follow the event's "floorplan" group; booth changes are forwarded as they are.

Access, groups, version and heartbeat: ``eventsite.consumers.EventGroupConsumer``. The version is a fingerprint
of the whole plan's state (what the page's resync endpoint returns), so a page that missed a change learns it at
the next heartbeat. The group handler never touches the database: the booking service broadcasts after commit.
"""

from __future__ import annotations

import hashlib
import json

from eventsite.consumers import EventGroupConsumer
from eventsite.rules import can_view_event

from .services.booking import TOPIC
from .services.state import plan_state


class FloorPlanConsumer(EventGroupConsumer):
    predicate = can_view_event
    topics = (TOPIC,)

    def live_version(self, event) -> str:
        state = json.dumps(plan_state(event), sort_keys=True, default=str).encode()
        return hashlib.sha1(state).hexdigest()[:16]  # noqa: S324 (a fingerprint, not a secret)

    async def booth_changed(self, message: dict) -> None:
        await self.send_json({"type": "booths", "booths": message["booths"]})
