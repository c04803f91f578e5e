"""Live updates: one naming rule for channel groups, and broadcasts that leave only after commit."""

from __future__ import annotations

import logging
import re
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)


def group_name(event_id: int, topic: str) -> str:
    """Channel group for ``topic`` (e.g. "agenda", "checkin", "floorplan") at one event."""
    safe = re.sub(r"[^a-zA-Z0-9_.-]", "-", topic)
    return f"event-{event_id}.{safe}"


def broadcast_on_commit(event_id: int, topic: str, message: dict[str, Any]) -> None:
    """Send ``message`` to everyone following ``topic`` once the current transaction commits.

    A rolled-back change is never announced; outside a transaction it is sent at once.
    ``message["type"]`` names the consumer handler, as Channels expects.
    """
    group = group_name(event_id, topic)

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(group, message)
        except Exception:  # a live update must never undo or fail a committed change
            log.warning("live update to %s not delivered", group, exc_info=True)

    transaction.on_commit(send)
