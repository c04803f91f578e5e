from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from eventsite.apps import NavItem, NavSection

PARTICIPANTS = frozenset({"buyer", "exhibitor"})
ORGANIZER = frozenset({"organizer"})
STAFF = frozenset({"organizer", "desk_staff"})
_B2B = NavSection.MATCHMAKING


class MatchmakingConfig(AppConfig):
    name = "matchmaking"
    verbose_name = _("B2B matchmaking")
    default_auto_field = "django.db.models.BigAutoField"

    event_nav = [
        NavItem(_("Matchmaking"), "matchmaking:recommendations", roles=PARTICIPANTS, order=40, section=_B2B),
        NavItem(_("Meeting requests"), "matchmaking:requests", roles=PARTICIPANTS, order=41, section=_B2B),
        NavItem(_("My meetings"), "matchmaking:schedule", roles=PARTICIPANTS, order=42, section=_B2B),
        NavItem(_("B2B meetings"), "matchmaking:organize", roles=ORGANIZER, order=43, section=_B2B),
        NavItem(_("Table board"), "matchmaking:board", roles=STAFF, order=44, section=_B2B),
        NavItem(_("Table check-in"), "matchmaking:table_checkin", roles=STAFF, order=44, section=_B2B),
        NavItem(_("Matchmaking report"), "matchmaking:report", roles=ORGANIZER, order=45,
                section=NavSection.REPORTS),
    ]

    def ready(self) -> None:
        from . import signals  # noqa: F401 (connects the receivers)

    def my_event_parts(self, event, user):
        """The B2B meetings of the organizations ``user`` represents, for their own page at the event."""
        from django.db.models import Q
        from django.urls import reverse
        from django.utils import formats, timezone

        from eventsite.apps import MyPart

        from .models import Meeting
        from .services.participants import organization_ids_of

        orgs = organization_ids_of(user, event)
        if not orgs:
            return []
        meetings = (Meeting.objects.filter(Q(buyer_id__in=orgs) | Q(producer_id__in=orgs), event=event)
                    .select_related("slot", "table", "buyer", "producer").order_by("slot__starts_at")[:20])
        lines = tuple(
            _("%(when)s · table %(table)s · with %(other)s") % {
                "when": formats.date_format(timezone.localtime(m.slot.starts_at), "SHORT_DATETIME_FORMAT"),
                "table": m.table.number, "other": m.producer.name if m.buyer_id in orgs else m.buyer.name}
            for m in meetings)
        return [MyPart(_("B2B meetings"), lines, reverse("matchmaking:schedule", kwargs={"event_slug": event.slug}),
                       _("My meetings"), _("No B2B meeting scheduled yet."), order=40)]

    def event_stats(self, event):
        from django.db.models import Count, Q
        from django.urls import reverse

        from eventsite.apps import Stat

        from .models import Meeting, MeetingOutcome, MeetingRequest

        requests = MeetingRequest.objects.filter(event=event).aggregate(
            all=Count("id"), accepted=Count("id", filter=Q(status=MeetingRequest.Status.ACCEPTED)))
        meetings = Meeting.objects.filter(event=event).aggregate(
            placed=Count("id"), held=Count("id", filter=Q(status=Meeting.Status.HELD)))
        mous = MeetingOutcome.objects.filter(meeting__event=event, result=MeetingOutcome.Result.MOU).values(
            "meeting").distinct().count()
        url = reverse("matchmaking:report", kwargs={"event_slug": event.slug})
        return [
            Stat(_("meeting requests"), requests["all"], url=url, order=70),
            Stat(_("accepted requests"), requests["accepted"], url=url, order=71),
            Stat(_("B2B meetings scheduled"), meetings["placed"],
                 url=reverse("matchmaking:organize", kwargs={"event_slug": event.slug}), order=72),
            Stat(_("B2B meetings held"), meetings["held"], url=url, order=73),
            Stat(_("MoUs from B2B meetings"), mous, url=url, order=74),
        ]
