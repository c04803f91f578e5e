from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from eventsite.apps import NavItem, NavSection, PeriodicJob, ReportKind

from .audit import AuditAction

MEMBERS = frozenset({"organizer", "exhibitor", "buyer"})


class AgreementsConfig(AppConfig):
    """Agreements build on the agenda (the signing ceremony) and on matchmaking (the meeting an MoU came from):
    they import those apps, and give them their figures through the hooks those apps collect
    (``agenda/hooks.py``, ``matchmaking/hooks.py``), so neither imports agreements."""

    name = "agreements"
    verbose_name = _("Cooperation agreements")
    default_auto_field = "django.db.models.BigAutoField"

    event_nav = [
        NavItem(_("Agreements"), "agreements:list", roles=MEMBERS, order=70, section=NavSection.AGREEMENTS),
        NavItem(_("Agreement tally"), "agreements:dashboard", roles=None, order=72, section=NavSection.AGREEMENTS),
        NavItem(_("Follow-through"), "agreements:followup", roles=frozenset({"organizer"}), order=73,
                section=NavSection.AGREEMENTS),
    ]

    activity_actions = {
        **dict(AuditAction.choices),
        "agreements.organization_added": _("Organization added on the agreement form"),
        "agreements.organization_confirmed": _("Organization confirmed"),
        "agreements.organization_merged": _("Organization merged into an existing one"),
        "agreements.followup_reported": _("Follow-through reported"),
        "agreements.followup_corrected": _("Follow-through report corrected"),
        "agreements.followup_checkpoints": _("Follow-through check points changed"),
        "agreements.followup_called": _("Party called about follow-through"),
    }

    def periodic_jobs(self) -> list[PeriodicJob]:
        from .services.followup_job import periodic_followup

        return [PeriodicJob("followup", _("Follow-through requests due"), periodic_followup, every=600)]

    def my_event_parts(self, event, user):
        """The agreements signed by the organizations ``user`` represents, for their own page at the event."""
        from django.urls import reverse

        from eventsite.access import roles_of
        from eventsite.apps import MyPart

        from .services.entry import visible_agreements

        roles = roles_of(user, event)
        if not roles & MEMBERS:
            return []
        agreements = visible_agreements(event=event, user=user, roles=roles - {"organizer"})
        lines = tuple(f"{a.title} · {a.get_status_display()} · {a.get_verification_display()}"
                      for a in agreements.order_by("-signed_at", "-id")[:20])
        return [MyPart(_("Agreements"), lines, reverse("agreements:list", kwargs={"event_slug": event.slug}),
                       _("All my agreements"), _("No agreement signed yet."), order=60)]

    def event_stats(self, event):
        from django.urls import reverse

        from eventsite.apps import Stat

        from .services.tally import counted_agreements

        return [Stat(_("MoUs signed"), counted_agreements(event).count(),
                     url=reverse("agreements:dashboard", kwargs={"event_slug": event.slug}), order=70)]

    def report_kinds(self) -> dict[str, ReportKind]:
        from .services import exports, report

        return {
            "agreements_csv": ReportKind(_("Agreements (CSV)"), exports.build_csv_report),
            "agreements_xlsx": ReportKind(_("Agreements (Excel XLSX)"), exports.build_xlsx_report),
            "agreements_pdf": ReportKind(_("PDF results report"), report.build_pdf_report, report.report_params),
        }

    def agenda_signing_counts(self, session_ids: list[int]) -> dict[int, int]:
        from .services.tally import ceremony_counts

        return ceremony_counts(session_ids)

    def matchmaking_agreement_count(self, meeting_path: str):
        from django.db.models import Count

        from .services.entry import counted_filter

        return Count(f"{meeting_path}__agreements", filter=counted_filter(f"{meeting_path}__agreements__"),
                     distinct=True)

    def matchmaking_meeting_agreements(self, *, event, user, roles, meeting) -> list:
        from .services import visible_agreements

        return list(visible_agreements(event=event, user=user, roles=roles).filter(meeting=meeting)
                    .prefetch_related("parties__organization").order_by("signed_at", "pk"))

    def official_report_sections(self, event):
        """This app's part of the official report and open data (reporting/)."""
        from .official_report import agreements_section

        return [agreements_section(event)]

    def follow_through_sections(self, event):
        """What became of the agreements after signing, for the official report and open data (reporting/)."""
        from .official_report import follow_through_section

        return [follow_through_section(event)]
