"""Reads shared by the organizer list, its exports and the organizer home."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from eventsite.models import Event
from eventsite.provinces import fold

from ..models import Registration


@dataclass(frozen=True)
class RegistrationFilter:
    q: str = ""
    status: str = ""
    role: str = ""
    buyer_type: str = ""
    province_code: int | None = None


def filter_registrations(event: Event, f: RegistrationFilter) -> QuerySet[Registration]:
    """Registrations of ``event`` matching ``f``; every search word must match, with or without tone marks."""
    qs = Registration.objects.filter(event=event)
    for word in fold(f.q).split()[:8]:
        qs = qs.filter(search_text__contains=word)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.role:
        qs = qs.filter(role=f.role)
    if f.buyer_type:
        qs = qs.filter(buyer_type=f.buyer_type)
    if f.province_code:
        qs = qs.filter(province_code=f.province_code)
    return qs.order_by("created_at", "id")
