"""The booths' part of setting up an event: copying a floor plan from an earlier event, and the checklist line.
Registered in BoothsConfig (``event_copy_parts``, ``setup_checks``); bookings and applications are never copied."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eventsite.apps import SetupCheck
from eventsite.event_setup import SetupError, clone
from eventsite.models import Event

from .models import Booth, BoothSettings, Hall, Zone


def copy_floor_plan(source: Event, target: Event, *, days: int, actor) -> list[tuple[Any, int]]:
    """Halls, zones, booths (type, price, place, blocking) and the booking rules, in a fixed number of queries."""
    if Hall.objects.filter(event=target).exists():
        raise SetupError(_("This event already has a floor plan; nothing was copied."), code="has_floor_plan")
    halls = list(Hall.objects.filter(event=source))
    new_halls = Hall.objects.bulk_create([clone(h, event_id=target.pk) for h in halls])
    hall_ids = {old.pk: new.pk for old, new in zip(halls, new_halls, strict=True)}
    zones = list(Zone.objects.filter(hall__event=source))
    new_zones = Zone.objects.bulk_create([clone(z, hall_id=hall_ids[z.hall_id]) for z in zones])
    zone_ids = {old.pk: new.pk for old, new in zip(zones, new_zones, strict=True)}
    booths = Booth.objects.filter(event=source)
    new_booths = Booth.objects.bulk_create(
        [clone(b, event_id=target.pk, hall_id=hall_ids[b.hall_id], zone_id=zone_ids.get(b.zone_id)) for b in booths],
        batch_size=2000)
    rules = BoothSettings.objects.filter(event=source).first()
    if rules is not None:
        BoothSettings.objects.filter(event=target).delete()
        BoothSettings.objects.create(**{f.attname: getattr(rules, f.attname) for f in rules._meta.concrete_fields
                                        if not f.primary_key and f.name != "event"}, event=target)
    return [(_("halls"), len(new_halls)), (_("zones"), len(new_zones)), (_("booths"), len(new_booths)),
            (_("booth rules"), 1 if rules is not None else 0)]


def setup_checks(event: Event) -> list[SetupCheck]:
    has_booths = Booth.objects.filter(event=event).exists()
    url = reverse("booths:manage", kwargs={"event_slug": event.slug})
    return [SetupCheck(gettext_lazy("Floor plan with booths"), has_booths, url, order=20)]
