"""Reads shared by several pages (each a fixed number of queries whatever the data size)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from catalog.models import Product
from eventsite.models import Event

from .models import Meeting, MeetingRequest, MeetingSlot

_products = Prefetch("products", queryset=Product.objects.only("pk", "name", "stars", "group"))


def requests_for(event: Event, organization_ids: set[int] | None = None) -> QuerySet[MeetingRequest]:
    """Requests of the event (organizers) or only those involving ``organization_ids``."""
    qs = MeetingRequest.objects.filter(event=event)
    if organization_ids is not None:
        qs = qs.filter(Q(buyer_id__in=organization_ids) | Q(producer_id__in=organization_ids))
    return qs.select_related(
        "buyer", "producer", "requested_by", "proposed_slot", "agreed_slot", "meeting__slot", "meeting__table",
    ).prefetch_related(_products)


def meetings_of(event: Event, organization_ids: set[int]) -> QuerySet[Meeting]:
    return (Meeting.objects.filter(event=event).filter(Q(buyer_id__in=organization_ids)
                                                       | Q(producer_id__in=organization_ids))
            .select_related("slot", "table", "buyer", "producer", "request").prefetch_related(
                Prefetch("request__products", queryset=Product.objects.only("pk", "name")))
            .order_by("slot__starts_at"))


def board_slot(event: Event, now: datetime | None = None) -> MeetingSlot | None:
    """The slot under way, else the next one, else the last one."""
    now = now or timezone.now()
    slots = MeetingSlot.objects.filter(session__event=event)
    return (slots.filter(ends_at__gt=now).order_by("starts_at").first()
            or slots.order_by("-starts_at").first())
