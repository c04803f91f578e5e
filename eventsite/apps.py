from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NavSection(StrEnum):
    """The few groups of an event's navigation, in the order they are shown. EVENT holds the public and attendee
    pages; an organizer, who sees many links, gets the others as a grouped menu (eventsite/navigation.py)."""

    EVENT = "event"
    SETUP = "setup"
    PEOPLE = "people"
    BOOTHS = "booths"
    AGENDA = "agenda"
    CHECKIN = "checkin"
    AGREEMENTS = "agreements"
    MATCHMAKING = "matchmaking"
    REPORTS = "reports"


NAV_SECTION_TITLES = {
    NavSection.EVENT: pgettext_lazy("navigation section", "Event"),
    NavSection.SETUP: pgettext_lazy("navigation section", "Setup"),
    NavSection.PEOPLE: pgettext_lazy("navigation section", "People"),
    NavSection.BOOTHS: pgettext_lazy("navigation section", "Booths"),
    NavSection.AGENDA: pgettext_lazy("navigation section", "Agenda"),
    NavSection.CHECKIN: pgettext_lazy("navigation section", "Check-in"),
    NavSection.AGREEMENTS: pgettext_lazy("navigation section", "Agreements"),
    NavSection.MATCHMAKING: pgettext_lazy("navigation section", "B2B matchmaking"),
    NavSection.REPORTS: pgettext_lazy("navigation section", "Reports"),
}


@dataclass(frozen=True)
class NavItem:
    """A link in an event's navigation, shown to holders of ``roles`` (None: everyone) unless the caller holds
    one of ``hidden_from`` (e.g. the public sign-up form is no use to desk staff or to a registered buyer).
    ``section`` is the group the link is listed under when the caller's menu is grouped."""

    label: Any
    url_name: str
    roles: frozenset[str] | None = None
    order: int = 50
    section: NavSection = NavSection.EVENT
    hidden_from: frozenset[str] = frozenset()


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


_ORGANIZER = frozenset({"organizer"})


@dataclass(frozen=True)
class ReportFigure:
    """One figure of an event's results: a stable ``key`` (the open-data key, docs/open-data.md: never renamed),
    a translated label and a count. Counts only: no names, no personal data."""

    key: str
    label: Any
    value: int


@dataclass(frozen=True)
class ReportSection:
    """An app's part of the department's official report and of the event's open data (reporting/content.py).

    ``sentences`` are the report's prose, already filled with the figures (they may quote values, e.g. the agreements'
    estimated value: they go into the organizer's report only); ``figures`` are the report's table rows and the
    public open-data records (counts only). Apps give them through
    ``official_report_sections(event) -> list[ReportSection]``; follow-through figures (what became of the
    agreements after signing) come through a separate hook, ``follow_through_sections(event) ->
    list[ReportSection]`` (the agreements app gives it).
    """

    key: str
    title: Any
    sentences: tuple[str, ...] = ()
    figures: tuple[ReportFigure, ...] = ()
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


@dataclass(frozen=True)
class PeriodicRun:
    """What one pass of a periodic job did: a line for the log, and the background tasks it enqueued (django-tasks
    results; with the embedded thread backend a one-shot run waits for them before it exits)."""

    summary: str
    tasks: tuple = ()


@dataclass(frozen=True)
class PeriodicJob:
    """Work an app needs done on a clock (eventsite/periodic.py; ``manage.py periodic``, which ``make run`` and scale
    mode start with ``--loop``, or cron without it). ``run(site=) -> PeriodicRun`` does one pass and must be
    idempotent and safe beside a second copy (another machine, cron): a pass right after another changes nothing.
    ``every``: seconds between passes in the loop."""

    key: str
    label: Any
    run: Callable[..., PeriodicRun]
    every: int = 600


class EventsiteConfig(AppConfig):
    """The shared core. Domain apps plug into it without it importing them:

    an app's AppConfig may define ``event_nav`` (a list of NavItem),
    ``event_stats(event) -> list[Stat]``, ``my_event_parts(event, user) -> list[MyPart]`` (an attendee's own page),
    ``report_kinds() -> dict[str, ReportKind]`` and ``activity_actions`` (a
    dict of action code → translated label for the activity log, eventsite/activity.py); the layout, organizer
    home, reports page and history partial collect them. For setting up a new event an app may also define
    ``event_copy_parts() -> list[CopyPart]`` (what "copy from a previous event" offers) and
    ``setup_checks(event) -> list[SetupCheck]`` (the organizer's checklist before publishing). For the official
    report and open data (reporting/) an app may define ``official_report_sections(event) -> list[ReportSection]``
    and, for what happened after signing, ``follow_through_sections(event) -> list[ReportSection]``. Work on a clock
    comes as ``periodic_jobs() -> list[PeriodicJob]`` (eventsite/periodic.py runs them).
    """

    name = "eventsite"
    verbose_name = _("Events and organizations")
    default_auto_field = "django.db.models.BigAutoField"

    @property
    def event_nav(self) -> list[NavItem]:
        return [
            NavItem(_("Overview"), "event_home", None, order=0),
            NavItem(_("Organizer home"), "organizer_home", _ORGANIZER, order=1),
            NavItem(_("Set up and publish"), "event_setup", _ORGANIZER, order=2, section=NavSection.SETUP),
            NavItem(_("Event details"), "event_edit", _ORGANIZER, order=3, section=NavSection.SETUP),
            NavItem(_("Team"), "team", _ORGANIZER, order=4, section=NavSection.SETUP),
            NavItem(_("Exports and reports"), "reports", _ORGANIZER, order=90, section=NavSection.REPORTS),
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


def _provided(hook: str, *args) -> Iterator[Any]:
    """The items every app gives through ``hook``, in INSTALLED_APPS order: the hook is an attribute holding a list,
    or a method called with ``args`` that returns one. Apps that do not define the hook give nothing."""
    for config in apps.get_app_configs():
        provider = getattr(config, hook, None)
        if provider is None:
            continue
        yield from (provider(*args) if callable(provider) else provider)


def _merged(hook: str) -> dict:
    """The dicts the apps give through ``hook`` (an attribute or a method without arguments), merged."""
    merged: dict = {}
    for config in apps.get_app_configs():
        provider = getattr(config, hook, None)
        if provider is not None:
            merged.update(provider() if callable(provider) else provider)
    return merged


def collect_nav(roles: frozenset[str]) -> list[NavItem]:
    """Every app's navigation links that holders of ``roles`` may use, in order."""
    items = [
        item for item in _provided("event_nav")
        if (item.roles is None or roles & item.roles) and not roles & item.hidden_from
    ]
    return sorted(items, key=lambda i: i.order)


def collect_team_links() -> list[NavItem]:
    """Every app's ``team_links``: pages the organizer's team page points to (e.g. check-in's scanner devices), in
    order. Each URL name takes only ``event_slug``; the page is the organizers' own, so ``roles`` is not read."""
    return sorted(_provided("team_links"), key=lambda i: i.order)


def collect_stats(event) -> list[Stat]:
    return sorted(_provided("event_stats", event), key=lambda s: s.order)


def collect_my_parts(event, user) -> list[MyPart]:
    """Every app's sections of ``user``'s own page at ``event``, in order."""
    return sorted(_provided("my_event_parts", event, user), key=lambda p: p.order)


@cache
def collect_report_kinds() -> dict[str, ReportKind]:
    """Every app's ``report_kinds()``, in INSTALLED_APPS order (app configs do not change while the process runs)."""
    return _merged("report_kinds")


@cache
def collect_invitation_roles() -> dict[str, InvitationRole]:
    """Every app's ``invitation_roles`` (role code → InvitationRole), merged."""
    return _merged("invitation_roles")


@cache
def activity_labels() -> dict[str, Any]:
    """Every app's ``activity_actions``, merged (app configs do not change while the process runs)."""
    return _merged("activity_actions")


@cache
def activity_summaries() -> dict[str, Any]:
    """Every app's ``activity_summaries`` (action → ``summary(entry) -> str``), merged."""
    return _merged("activity_summaries")


@cache
def collect_copy_parts() -> dict[str, CopyPart]:
    """Every app's ``event_copy_parts()`` by key, in the order they are offered and run."""
    return {part.key: part for part in sorted(_provided("event_copy_parts"), key=lambda p: p.order)}


@cache
def collect_periodic_jobs() -> dict[str, PeriodicJob]:
    """Every app's ``periodic_jobs()`` by key, in INSTALLED_APPS order."""
    return {job.key: job for job in _provided("periodic_jobs")}


def collect_setup_checks(event) -> list[SetupCheck]:
    return sorted(_provided("setup_checks", event), key=lambda c: c.order)


def collect_report_sections(event) -> list[ReportSection]:
    """Every app's ``official_report_sections(event)``: the event's results, in order."""
    return sorted(_provided("official_report_sections", event), key=lambda s: s.order)


def collect_follow_through_sections(event) -> list[ReportSection]:
    """Every app's ``follow_through_sections(event)``: what became of the agreements after signing (check points,
    orders, value realized), for the official report and open data. With no app giving the hook the report says
    nothing about follow-through rather than invent it."""
    return sorted(_provided("follow_through_sections", event), key=lambda s: s.order)
