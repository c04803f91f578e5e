"""The agenda's part of setting up an event: rooms and a skeleton of the sessions moved to the new dates, and the
checklist line. Registered in AgendaConfig; stars, feeds and releases are never copied."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from eventsite.apps import SetupCheck
from eventsite.event_setup import SetupError, clone
from eventsite.models import Event

from .models import Room, Session


def copy_agenda(source: Event, target: Event, *, days: int, actor) -> list[tuple[Any, int]]:
    """Rooms, and sessions (title, type, room, times moved by ``days`` whole days) without speakers, scheduled."""
    if Room.objects.filter(event=target).exists() or Session.objects.filter(event=target).exists():
        raise SetupError(_("This event already has rooms or sessions; nothing was copied."), code="has_agenda")
    rooms = list(Room.objects.filter(event=source))
    new_rooms = Room.objects.bulk_create([clone(r, event_id=target.pk) for r in rooms])
    room_ids = {old.pk: new.pk for old, new in zip(rooms, new_rooms, strict=True)}
    shift = timedelta(days=days)
    sessions = Session.objects.bulk_create([
        clone(s, event_id=target.pk, room_id=room_ids.get(s.room_id), starts_at=s.starts_at + shift,
              ends_at=s.ends_at + shift, status=Session.Status.SCHEDULED)
        for s in Session.objects.filter(event=source).exclude(status=Session.Status.CANCELLED)
    ])
    return [(_("rooms"), len(new_rooms)), (pgettext("agenda", "sessions"), len(sessions))]


def setup_checks(event: Event) -> list[SetupCheck]:
    has_sessions = Session.objects.filter(event=event).exists()
    url = reverse("agenda:control", kwargs={"event_slug": event.slug})
    return [SetupCheck(gettext_lazy("Agenda with sessions"), has_sessions, url, order=50)]
