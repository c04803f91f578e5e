"""The scans as the activity log keeps them (``checkin.services.checkin.SCAN`` entries: the nonce as key, the
answer given as ``after``)."""

from __future__ import annotations

from django.db.models import QuerySet

from checkin.services.checkin import SCAN
from eventsite.models import ActivityEntry


def scan_log(event=None) -> QuerySet[ActivityEntry]:
    entries = ActivityEntry.objects.filter(action=SCAN)
    return (entries.filter(event=event) if event is not None else entries).order_by("at", "id")


def scan_statuses(event=None) -> list[str]:
    return [entry.after["status"] for entry in scan_log(event)]


def scan_answer(nonce: str) -> dict:
    return ActivityEntry.objects.get(action=SCAN, key=nonce).after
