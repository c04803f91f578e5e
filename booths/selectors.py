"""Reads that several views share."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.utils import timezone

from catalog.models import Product
from eventsite.models import EventRole

from .models import ExhibitorApplication


def application_of(user, event) -> ExhibitorApplication | None:
    """The caller's exhibitor application at ``event``: one they filed, or one of the organization they
    represent there as exhibitor."""
    if not user.is_authenticated:
        return None
    orgs = EventRole.objects.filter(event=event, user=user, role=EventRole.Role.EXHIBITOR).values("organization")
    return (ExhibitorApplication.objects.select_related("organization", "event")
            .filter(event=event).filter(Q(applicant=user) | Q(organization__in=orgs)).order_by("pk").first())


def event_last_day(event) -> date:
    return timezone.localtime(event.ends_at).date()


def certificate_lapses_before_event(product: Product, event) -> bool:
    """True when the product's OCOP certificate expires before the event's last day, so the product cannot be
    shown as OCOP-rated for the whole event (the exhibitor is warned; nothing is refused)."""
    return product.certificate_expires_on < event_last_day(event)
