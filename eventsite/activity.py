"""The activity log: one record of who changed what, when, with the values before and after.

Every service that changes state calls :func:`log_action` inside its transaction, so the entry commits (or rolls
back) with the change itself. Apps name their actions ``"<app>.<verb>"`` (``"registration.approved"``,
``"booths.booking_moved"``) and give each a translated label in their AppConfig's ``activity_actions`` (a dict
code → label), which the history partial shows; an unknown code is shown as it is.

Organizers read an object's history on its page with ``{% load ketnoi %}{% activity_history obj %}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from .models import ActivityEntry, Event, User

_encoder = DjangoJSONEncoder()


def _plain(value: Any) -> Any:
    """A JSON-safe copy of a snapshot value (dates, decimals, UUIDs and lazy strings as JSON would write them)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, models.Model):
        return value.pk
    return _encoder.default(value)


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of ``fields`` on ``obj`` (a foreign key by its id), ready to store as ``before``/``after``."""
    values: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        values[name] = _plain(getattr(obj, attname))
    return values


def _event_id(event: Event | int | None, obj: models.Model | None) -> int | None:
    if isinstance(event, Event):
        return event.pk
    if event is not None:
        return int(event)
    if isinstance(obj, Event):
        return obj.pk
    return getattr(obj, "event_id", None) if obj is not None else None


def build_entry(*, action: str, obj: models.Model | None = None, event: Event | int | None = None,
                actor: Any = None, actor_label: str = "", before: dict | None = None, after: dict | None = None,
                note: str = "", key: str = "", at: datetime | None = None) -> ActivityEntry:
    """An unsaved entry (for :func:`log_many`); see :func:`log_action` for the arguments."""
    user = actor if isinstance(actor, User) else None
    if actor is not None and user is None and not actor_label and getattr(actor, "is_authenticated", True):
        actor_label = str(actor)  # a scanner device, a task, …: named, not linked
    entry = ActivityEntry(
        event_id=_event_id(event, obj), actor=user, actor_label=actor_label[:200], action=action,
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None, note=(note or "")[:500], key=key or None,
    )
    if at is not None:
        entry.at = at
    if obj is not None:
        entry.content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        entry.object_id = obj.pk
        entry.object_repr = str(obj)[:200]
    return entry


def log_action(*, action: str, obj: models.Model | None = None, event: Event | int | None = None,
               actor: Any = None, actor_label: str = "", before: dict | None = None, after: dict | None = None,
               note: str = "", key: str = "", at: datetime | None = None) -> ActivityEntry:
    """Record one change. Call it inside the service's transaction, after the change is written.

    ``actor`` is the user who acted; anything else (a scanner device, None for the system) is named by
    ``actor_label`` or its ``str()``. ``event`` defaults to ``obj`` itself (an Event) or ``obj.event_id``.
    ``before``/``after`` are JSON-able dicts (:func:`snapshot` makes them). ``key`` makes the entry unique in its
    event (the database refuses a second one), for writes a client may retry.
    """
    entry = build_entry(action=action, obj=obj, event=event, actor=actor, actor_label=actor_label, before=before,
                        after=after, note=note, key=key, at=at)
    entry.save(force_insert=True)
    return entry


def log_many(entries: Iterable[ActivityEntry]) -> list[ActivityEntry]:
    """Write many entries at once (bulk operations: an allocation, a copied event)."""
    return ActivityEntry.objects.bulk_create(list(entries), batch_size=500)


def history_of(obj: models.Model) -> models.QuerySet[ActivityEntry]:
    """Everything logged about ``obj``, oldest first."""
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return (ActivityEntry.objects.filter(content_type=content_type, object_id=obj.pk)
            .select_related("actor").order_by("at", "id"))


def labelled(entries: Iterable[ActivityEntry]) -> list[ActivityEntry]:
    """``entries`` as a list, each with its translated ``label`` and, for actions whose app gives one (AppConfig
    ``activity_summaries``: action → ``summary(entry) -> str``), a one-line ``summary`` shown instead of the raw
    before/after fields (a scan's answer reads "Gate A: OK", not its JSON)."""
    from .apps import activity_summaries

    summaries = activity_summaries()
    entries = list(entries)
    for entry in entries:
        entry.label = action_label(entry.action)
        summarize = summaries.get(entry.action)
        entry.summary = summarize(entry) if summarize else ""
    return entries


def action_label(code: str) -> str:
    """The translated label an app gave ``code`` (AppConfig ``activity_actions``), or the code itself."""
    from .apps import activity_labels

    label = activity_labels().get(code)
    return str(label) if label is not None else code
