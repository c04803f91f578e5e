"""Who may do what at an event, as django-rules predicates (pretalx's ``submission/rules.py`` shape).

Event-level predicates take ``(user, obj)`` where ``obj`` is an Event or anything with an ``event`` attribute
(a booth, a session, an agreement). Each app adds its object rules in its own ``rules.py`` built from these,
and views (``has_perm``), consumers, the API and templates (``{% load rules %}{% has_perm … %}``) ask the same
predicate, so a rule is written once.

A user's roles at an event are read once per user object and event (a request loads its user afresh); a service
that changes roles on a user object it goes on using calls :func:`forget_roles`.
"""

from __future__ import annotations

from typing import Any

import rules

from .access import roles_of
from .models import Event, EventRole, Organization, OrganizationRole

Role = EventRole.Role
_CACHE = "_ketnoi_event_roles"


def event_of(obj: Any) -> Event | None:
    """The event ``obj`` belongs to (``obj`` itself if it is one)."""
    if obj is None or isinstance(obj, Event):
        return obj
    return getattr(obj, "event", None)


def event_roles(user: Any, obj: Any) -> frozenset[str]:
    """The roles ``user`` holds at the event of ``obj`` (a superuser counts as organizer everywhere)."""
    event = event_of(obj)
    if event is None or user is None or not user.is_authenticated:
        return frozenset()
    cache = user.__dict__.setdefault(_CACHE, {})
    if event.pk not in cache:
        cache[event.pk] = roles_of(user, event)
    return cache[event.pk]


def forget_roles(user: Any) -> None:
    """Drop the roles cached on this user object (after a service granted or removed one)."""
    if user is not None:
        user.__dict__.pop(_CACHE, None)


def has_role(*wanted: str) -> rules.Predicate:
    """A predicate true when the user holds any of ``wanted`` at the object's event."""
    wanted_set = frozenset(wanted)

    def check(user, obj=None) -> bool:
        return bool(event_roles(user, obj) & wanted_set)

    return rules.Predicate(check, name=f"has_role({', '.join(sorted(wanted_set))})")


is_platform_operator = rules.is_superuser
is_organizer = has_role(Role.ORGANIZER)
is_desk_staff = has_role(Role.DESK_STAFF)
is_exhibitor = has_role(Role.EXHIBITOR)
is_buyer = has_role(Role.BUYER)
is_speaker = has_role(Role.SPEAKER)
is_event_staff = is_organizer | is_desk_staff
is_attendee = has_role(Role.BUYER, Role.EXHIBITOR, Role.SPEAKER)


@rules.predicate
def event_is_public(user, obj=None) -> bool:
    """The event is out of draft (published, running or over): its public pages are open to everyone."""
    event = event_of(obj)
    return event is not None and event.status != Event.Status.DRAFT


can_view_event = event_is_public | is_organizer  # drafts: only their organizers

rules.add_perm("eventsite.manage_event", is_organizer)
rules.add_perm("eventsite.manage_platform", is_platform_operator)


@rules.predicate
def is_organization_organizer(user, organization) -> bool:
    """An organizer of ``organization`` (an OrganizationRole, given by the operator's invitation)."""
    if organization is None or user is None or not user.is_authenticated:
        return False
    return OrganizationRole.objects.filter(organization=organization, user=user,
                                           role=OrganizationRole.Role.ORGANIZER).exists()


def organizations_of(user):
    """The organizations whose events ``user`` may create (every organization for the platform operator)."""
    if not user.is_authenticated:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.filter(kind=Organization.Kind.GOVERNMENT)
    return Organization.objects.filter(member_roles__user=user).distinct()


rules.add_perm("eventsite.create_event", is_platform_operator | is_organization_organizer)
