"""Setting up an event without the Django admin: organizations, new events, publishing, copying an earlier one.

Copying gathers each app's part through ``CopyPart`` hooks in the apps' AppConfig (eventsite/apps.py), so this
module imports no domain app; each part copies its rows with bulk writes inside the one transaction here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .activity import log_action, snapshot
from .apps import collect_copy_parts
from .errors import DomainError
from .models import Event, EventRole, Organization, OrganizationRole, User
from .slugs import unique_event_slug

EVENT_FIELDS = ["name", "slug", "province_at_event", "province_code", "venue", "starts_at", "ends_at",
                "description", "status"]


class SetupError(DomainError):
    pass


def create_organization(*, name: str, province_code: int | None, actor: User, tax_code: str = "",
                        kind: str = Organization.Kind.GOVERNMENT) -> Organization:
    with transaction.atomic():
        organization = Organization.objects.create(name=name.strip(), province_code=province_code,
                                                   tax_code=tax_code.strip(), kind=kind)
        log_action(action="eventsite.organization_created", obj=organization, actor=actor,
                   after={"name": organization.name, "province_code": province_code})
    return organization


def create_event(*, organization: Organization, actor: User, name: str, starts_at, ends_at, venue: str,
                 province_at_event: str, province_code: int, slug: str = "", description: str = "") -> Event:
    """A new draft event of ``organization``; its creator becomes its organizer. A blank slug is made from the
    name (Vietnamese read without tone marks), and any slug gets ``-2``, ``-3`` … if another event has it."""
    with transaction.atomic():
        event = Event(organizer=organization, name=name.strip(), venue=venue.strip(), starts_at=starts_at,
                      ends_at=ends_at, province_at_event=province_at_event.strip(), province_code=province_code,
                      description=description, status=Event.Status.DRAFT,
                      slug=unique_event_slug(slug or name))
        event.full_clean()
        event.save()
        EventRole.objects.create(event=event, user=actor, role=EventRole.Role.ORGANIZER,
                                 organization=organization)
        log_action(action="eventsite.event_created", obj=event, actor=actor, after=snapshot(event, EVENT_FIELDS))
    return event


def update_event(*, event: Event, actor: User, **values: Any) -> Event:
    with transaction.atomic():
        before = snapshot(Event.objects.get(pk=event.pk), EVENT_FIELDS)  # a bound form already changed ``event``
        if "slug" in values:
            values["slug"] = unique_event_slug(values["slug"] or values.get("name", event.name), exclude_pk=event.pk)
        for name, value in values.items():
            setattr(event, name, value)
        event.full_clean()
        event.save()
        log_action(action="eventsite.event_updated", obj=event, actor=actor, before=before,
                   after=snapshot(event, EVENT_FIELDS))
    return event


def publish_event(*, event: Event, actor: User, publish: bool = True) -> Event:
    """Make a draft public (or take it back to draft)."""
    status = Event.Status.PUBLISHED if publish else Event.Status.DRAFT
    with transaction.atomic():
        before = {"status": event.status}
        Event.objects.filter(pk=event.pk).update(status=status)
        event.status = status
        log_action(action="eventsite.event_published" if publish else "eventsite.event_updated", obj=event,
                   actor=actor, before=before, after={"status": status})
    return event


def set_template(*, event: Event, actor: User, is_template: bool) -> Event:
    with transaction.atomic():
        Event.objects.filter(pk=event.pk).update(is_template=is_template)
        log_action(action="eventsite.template_marked", obj=event, actor=actor,
                   before={"is_template": event.is_template}, after={"is_template": is_template})
        event.is_template = is_template
    return event


def copy_sources(target: Event):
    """Events ``target`` may copy from: earlier events of the same organization, and the operator's templates."""
    from django.db.models import Q

    return (Event.objects.filter(Q(organizer_id=target.organizer_id) | Q(is_template=True))
            .exclude(pk=target.pk).select_related("organizer").order_by("-starts_at"))


def shift_days(source: Event, target: Event) -> int:
    """Whole days between the two events' first days (local time), so sessions keep their time of day."""
    return (timezone.localtime(target.starts_at).date() - timezone.localtime(source.starts_at).date()).days


def copy_event(*, source: Event, target: Event, parts: list[str], actor: User) -> list[tuple[Any, int]]:
    """Copy the chosen ``parts`` of ``source`` into ``target`` in one transaction and say what was copied.

    Allowed from an event of the same organization or from a template. Only set-up is copied (floor plan, rules,
    settings, agenda skeleton, team roles), never what people did (registrations, bookings, check-ins,
    agreements): no part offers those.
    """
    if source.pk == target.pk or not copy_sources(target).filter(pk=source.pk).exists():
        raise SetupError(_("You can copy only from an earlier event of the same organization or from a "
                           "template."), code="bad_source")
    available = collect_copy_parts()
    chosen = [available[key] for key in available if key in set(parts)]
    if not chosen:
        raise SetupError(_("Choose at least one part to copy."), code="no_parts")
    days = shift_days(source, target)
    summary: list[tuple[Any, int]] = []
    with transaction.atomic():
        for part in chosen:
            summary.extend(part.copy(source, target, days=days, actor=actor))
        log_action(action="eventsite.event_copied", obj=target, actor=actor,
                   after={"source": source.pk, "parts": [p.key for p in chosen], "days": days,
                          "copied": {str(label): n for label, n in summary}})
    return summary


def copy_team(source: Event, target: Event, *, days: int, actor: User) -> list[tuple[Any, int]]:
    """Organizers and desk staff keep their roles at the new event (attendees' roles are not copied)."""
    staff = (EventRole.Role.ORGANIZER, EventRole.Role.DESK_STAFF)
    existing = set(EventRole.objects.filter(event=target).values_list("user_id", "role"))
    new = [EventRole(event=target, user_id=r.user_id, role=r.role, organization_id=r.organization_id)
           for r in EventRole.objects.filter(event=source, role__in=staff)
           if (r.user_id, r.role) not in existing]
    EventRole.objects.bulk_create(new, ignore_conflicts=True)
    return [(_("team roles"), len(new))]


def clone(obj, **changes: Any):
    """An unsaved copy of ``obj``: every concrete field but the primary key (so fields added later are copied
    too), then ``changes`` (attnames such as ``event_id``)."""
    values = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key}
    values.update(changes)
    return type(obj)(**values)


def grant_organization_role(*, organization: Organization, user: User, actor: User | None) -> OrganizationRole:
    role, _created = OrganizationRole.objects.get_or_create(organization=organization, user=user,
                                                            defaults={"granted_by": actor})
    return role


def default_dates(days: int = 2) -> tuple:
    start = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(days=90)
    return start, start + timedelta(days=days)
