"""Registration's part of setting up an event: copying settings and questions, and the checklist lines.
Registered in RegistrationConfig; registrations and badges are never copied."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eventsite.apps import SetupCheck
from eventsite.event_setup import clone
from eventsite.models import Event

from .models import RegistrationQuestion, RegistrationSettings


def copy_registration_settings(source: Event, target: Event, *, days: int, actor) -> list[tuple[Any, int]]:
    """Open/closed, approval, buyer capacity and the organizer's questions (the target's own are replaced)."""
    settings = RegistrationSettings.objects.filter(event=source).first()
    if settings is None:
        return [(_("registration settings"), 0)]
    RegistrationSettings.objects.filter(event=target).delete()
    copied = RegistrationSettings.objects.create(
        **{f.attname: getattr(settings, f.attname) for f in settings._meta.concrete_fields
           if not f.primary_key and f.name not in ("event", "updated_at")}, event=target)
    questions = RegistrationQuestion.objects.bulk_create(
        [clone(q, settings_id=copied.pk) for q in RegistrationQuestion.objects.filter(settings=settings)])
    return [(_("registration settings"), 1), (_("registration questions"), len(questions))]


def setup_checks(event: Event) -> list[SetupCheck]:
    # Without a settings row registration is open (RegistrationSettings.is_open defaults to True).
    settings = RegistrationSettings.objects.filter(event=event).only("is_open").first()
    is_open = settings is None or settings.is_open
    slug = {"event_slug": event.slug}
    return [
        SetupCheck(gettext_lazy("Registration open"), is_open, reverse("registration:settings", kwargs=slug),
                   order=30),
    ]
