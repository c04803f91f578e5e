from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    """A link in an event's navigation, shown to holders of ``roles`` (None: everyone)."""

    label: Any
    url_name: str
    roles: frozenset[str] | None = None
    order: int = 50


@dataclass(frozen=True)
class Stat:
    """One figure on the organizer home: label, value and an optional link."""

    label: Any
    value: int | str
    url: str = ""
    order: int = 50


@dataclass(frozen=True)
class ReportKind:
    """A background export or report an app offers organizers (eventsite/reports.py).

    ``build(event, params, progress) -> (content, filename, content_type)``; ``params(data) -> dict`` reads the
    start form (e.g. list filters), None when the kind takes none.
    """

    label: Any
    build: Callable[..., tuple[bytes, str, str]]
    params: Callable[[Any], dict] | None = None


@dataclass(frozen=True)
class CopyPart:
    """A part of an event an app can copy into a new event (eventsite/event_setup.py ``copy_event``).

    ``copy(source, target, *, days, actor) -> list[tuple[label, count]]`` copies the app's part with bulk writes
    (a constant number of queries however large the part), shifting dates by ``days`` whole days, and says what
    it copied. It runs inside the copy's transaction. People's own records (registrations, bookings, check-ins,
    agreements) are never a part.
    """

    key: str
    label: Any
    copy: Callable[..., list[tuple[Any, int]]]
    order: int = 50


@dataclass(frozen=True)
class SetupCheck:
    """One line of the organizer's setup checklist: done or not, and the page where it is done."""

    label: Any
    done: bool
    url: str = ""
    order: int = 50


@dataclass(frozen=True)
class MyPart:
    """One section of an attendee's own page at an event ("my page"): a title, a few lines of text and a link to
    the app's own page. Apps give them through ``my_event_parts(event, user) -> list[MyPart]``."""

    title: Any
    lines: tuple[str, ...] = ()
    url: str = ""
    link_label: Any = ""
    empty: Any = ""
    order: int = 50


@dataclass(frozen=True)
class InvitationRole:
    """A role an app lets people invite others to by email (eventsite/invitations.py), narrower than an event
    role: e.g. the staff of one booth. The invitation's ``scope`` (text the app chose, such as ``booth:12``)
    says where; ``accept(invitation=, user=) -> str`` gives the role (idempotently, inside the invitation's
    transaction) and returns the page to open next ("" for the event's home); ``label(invitation) -> str``
    names the role in the email and on the invitation page. Apps give them as ``invitation_roles``."""

    label: Callable[..., Any]
    accept: Callable[..., str]


class EventsiteConfig(AppConfig):
    """The shared core. Domain apps plug into it without it importing them:

    an app's AppConfig may define ``event_nav`` (a list of NavItem),
    ``event_stats(event) -> list[Stat]``, ``my_event_parts(event, user) -> list[MyPart]`` (an attendee's own page),
    ``report_kinds() -> dict[str, ReportKind]`` and ``activity_actions`` (a
    dict of action code → translated label for the activity log, eventsite/activity.py); the layout, organizer
    home, reports page and history partial collect them. For setting up a new event an app may also define
    ``event_copy_parts() -> list[CopyPart]`` (what "copy from a previous event" offers) and
    ``setup_checks(event) -> list[SetupCheck]`` (the organizer's checklist before publishing).
    """

    name = "eventsite"
    verbose_name = _("Events and organizations")
    default_auto_field = "django.db.models.BigAutoField"

    @property
    def event_nav(self) -> list[NavItem]:
        return [
            NavItem(_("Overview"), "event_home", None, order=0),
            NavItem(_("Organizer home"), "organizer_home", frozenset({"organizer"}), order=1),
            NavItem(_("Set up"), "event_setup", frozenset({"organizer"}), order=2),
            NavItem(_("Team"), "team", frozenset({"organizer"}), order=3),
        ]

    activity_actions = {
        "eventsite.event_created": _("Event created"),
        "eventsite.event_updated": _("Event edited"),
        "eventsite.role_granted": _("Role given"),
        "eventsite.role_removed": _("Role removed"),
        "eventsite.event_published": _("Event published"),
        "eventsite.event_copied": _("Parts copied from another event"),
        "eventsite.template_marked": _("Template flag changed"),
        "eventsite.organization_created": _("Organization created"),
        "eventsite.invitation_sent": _("Invitation sent"),
        "eventsite.invitation_resent": _("Invitation sent again"),
        "eventsite.invitation_revoked": _("Invitation revoked"),
        "eventsite.invitation_accepted": _("Invitation accepted"),
    }

    def event_copy_parts(self) -> list[CopyPart]:
        from .event_setup import copy_team

        return [CopyPart("team", _("Team roles (organizers and desk staff)"), copy_team, order=90)]

    def setup_checks(self, event) -> list[SetupCheck]:
        from django.urls import reverse
        from django.utils import timezone

        edit = reverse("event_edit", kwargs={"event_slug": event.slug})
        return [
            SetupCheck(_("Dates set, in the future"), event.ends_at >= timezone.now(), edit, order=0),
            SetupCheck(_("Venue given"), bool(event.venue.strip()), edit, order=1),
        ]

    def ready(self) -> None:
        from django.urls import register_converter

        # live: records the ASGI server's loop; consumers: logout and role-change signals close open sockets.
        from . import consumers, live  # noqa: F401
        from .numbers import IdConverter

        # <id:pk> in every urls.py: an id beyond 64 bits (or 0) does not match, so it is a 404, never a 500.
        register_converter(IdConverter, "id")

    def event_stats(self, event) -> list[Stat]:
        from django.db.models import Count

        from .models import EventRole

        counts = dict(
            EventRole.objects.filter(event=event).values_list("role").annotate(n=Count("id")).values_list("role", "n")
        )
        return [
            Stat(_("exhibitors"), counts.get(EventRole.Role.EXHIBITOR, 0), order=10),
            Stat(_("buyers"), counts.get(EventRole.Role.BUYER, 0), order=30),
            Stat(_("speakers"), counts.get(EventRole.Role.SPEAKER, 0), order=60),
        ]


def collect_nav(roles: frozenset[str]) -> list[NavItem]:
    items = [
        item
        for config in apps.get_app_configs()
        for item in getattr(config, "event_nav", ())
        if item.roles is None or roles & item.roles
    ]
    return sorted(items, key=lambda i: i.order)


def collect_stats(event) -> list[Stat]:
    stats: list[Stat] = []
    for config in apps.get_app_configs():
        provider = getattr(config, "event_stats", None)
        if provider is not None:
            stats.extend(provider(event))
    return sorted(stats, key=lambda s: s.order)


def collect_my_parts(event, user) -> list[MyPart]:
    """Every app's sections of ``user``'s own page at ``event``, in order."""
    parts: list[MyPart] = []
    for config in apps.get_app_configs():
        provider = getattr(config, "my_event_parts", None)
        if provider is not None:
            parts.extend(provider(event, user))
    return sorted(parts, key=lambda p: p.order)


@cache
def collect_report_kinds() -> dict[str, ReportKind]:
    """Every app's ``report_kinds()``, in INSTALLED_APPS order (app configs do not change while the process runs)."""
    kinds: dict[str, ReportKind] = {}
    for config in apps.get_app_configs():
        provider = getattr(config, "report_kinds", None)
        if provider is not None:
            kinds.update(provider())
    return kinds


@cache
def collect_invitation_roles() -> dict[str, InvitationRole]:
    """Every app's ``invitation_roles`` (role code → InvitationRole), merged."""
    roles: dict[str, InvitationRole] = {}
    for config in apps.get_app_configs():
        roles.update(getattr(config, "invitation_roles", {}) or {})
    return roles


@cache
def activity_labels() -> dict[str, Any]:
    """Every app's ``activity_actions``, merged (app configs do not change while the process runs)."""
    labels: dict[str, Any] = {}
    for config in apps.get_app_configs():
        labels.update(getattr(config, "activity_actions", {}) or {})
    return labels


@cache
def collect_copy_parts() -> dict[str, CopyPart]:
    """Every app's ``event_copy_parts()`` by key, in the order they are offered and run."""
    parts: list[CopyPart] = []
    for config in apps.get_app_configs():
        provider = getattr(config, "event_copy_parts", None)
        if provider is not None:
            parts.extend(provider())
    return {part.key: part for part in sorted(parts, key=lambda p: p.order)}


def collect_setup_checks(event) -> list[SetupCheck]:
    checks: list[SetupCheck] = []
    for config in apps.get_app_configs():
        provider = getattr(config, "setup_checks", None)
        if provider is not None:
            checks.extend(provider(event))
    return sorted(checks, key=lambda c: c.order)
