"""Reads shared by the organizer list, its exports and the organizer home."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from eventsite.models import Event
from eventsite.provinces import fold

from ..models import BuyerType, Registration, RegistrationRole, RegistrationSource, RegistrationStatus


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


def choice_labels() -> dict[str, dict[str, str]]:
    """Display labels in the active language, computed once per list or export.

    ``get_<field>_display()`` hashes the lazy choices on every call (half a millisecond each), which
    dominated list pages and exports; one dictionary per request does the same job.
    """
    return {
        "role": {value: str(label) for value, label in RegistrationRole.choices},
        "status": {value: str(label) for value, label in RegistrationStatus.choices},
        "buyer_type": {value: str(label) for value, label in BuyerType.choices},
        "source": {value: str(label) for value, label in RegistrationSource.choices},
    }


def with_labels(registrations) -> list[Registration]:
    """The registrations as a list, each with ``role_label``, ``status_label``, ``buyer_type_label``."""
    labels = choice_labels()
    rows = list(registrations)
    for r in rows:
        r.role_label = labels["role"].get(r.role, r.role)
        r.status_label = labels["status"].get(r.status, r.status)
        r.buyer_type_label = labels["buyer_type"].get(r.buyer_type, "")
    return rows
