"""Check-in's line of the event's setup checklist: someone (a desk user or a scanner device) to admit people."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from eventsite.apps import SetupCheck
from eventsite.models import Event, EventRole

from .models import Device


def setup_checks(event: Event) -> list[SetupCheck]:
    has_desk = (EventRole.objects.filter(event=event, role=EventRole.Role.DESK_STAFF).exists()
                or Device.objects.filter(event=event, is_active=True).exists())
    return [SetupCheck(gettext_lazy("At least one desk user or scanner device"), has_desk,
                       reverse("team", kwargs={"event_slug": event.slug}), order=40)]
