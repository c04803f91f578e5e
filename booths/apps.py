from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from eventsite.apps import NavItem, NavSection, PeriodicJob, Stat


class BoothsConfig(AppConfig):
    name = "booths"
    verbose_name = _("Floor plan and booths")
    default_auto_field = "django.db.models.BigAutoField"

    event_nav = [
        NavItem(_("Floor plan"), "booths:floor_plan", order=20, section=NavSection.BOOTHS),
        # The application form (and an exhibitor's own application): not for desk staff or buyers.
        NavItem(_("Exhibit here"), "booths:apply", order=22, section=NavSection.BOOTHS,
                hidden_from=frozenset({"desk_staff", "buyer"})),
        NavItem(_("Manage booths"), "booths:manage", roles=frozenset({"organizer"}), order=24,
                section=NavSection.BOOTHS),
        NavItem(_("Exhibitor applications"), "booths:applications", roles=frozenset({"organizer"}), order=25,
                section=NavSection.BOOTHS),
    ]

    def periodic_jobs(self) -> list[PeriodicJob]:
        # Every 5 minutes: payment deadlines are set in days; a booth goes to the waitlist minutes after its one.
        from .services.booking import periodic_release_unpaid

        return [PeriodicJob("release_unpaid", _("Unpaid booth reservations released"), periodic_release_unpaid,
                            every=300)]

    activity_actions = {
        "booths.hold": _("Booth held"),
        "booths.reserve": _("Booth reserved"),
        "booths.confirm": _("Booking confirmed"),
        "booths.cancel": _("Booking cancelled"),
        "booths.assign": _("Booth assigned"),
        "booths.move": _("Exhibitor moved"),
        "booths.swap": _("Booths swapped"),
        "booths.block": _("Booth blocked"),
        "booths.unblock": _("Booth unblocked"),
        "booths.vacate": _("Booth vacated"),
        "booths.release_unpaid": _("Reservation released: not paid in time"),
        "booths.payee_saved": _("Payee for booth fees saved"),
        "booths.payment_requested": _("Booth fee requested"),
        "booths.payment_received": _("Booth fee payment received"),
        "booths.fee_waived": _("Booth fee waived"),
        "booths.payment_closed": _("Booth fee request closed"),
        "booths.statement_uploaded": _("Bank statement reconciled"),
        "booths.statement_line_dismissed": _("Statement line set aside"),
        "booths.organization_created": _("Producer registered"),
        "booths.organization_contact_changed": _("Producer address changed"),
        "booths.organization_identity_changed": _("Producer name, tax code or type changed"),
        "booths.identity_revision_proposed": _("Change of name, tax code or type proposed"),
        "booths.identity_revision_withdrawn": _("Proposed change of name, tax code or type withdrawn"),
        "booths.identity_revision_approved": _("Change of name, tax code or type approved"),
        "booths.identity_revision_rejected": _("Change of name, tax code or type rejected"),
        "booths.application_submitted": _("Application submitted"),
        "booths.application_updated": _("Application updated"),
        "booths.application_approved": _("Application approved"),
        "booths.application_rejected": _("Application rejected"),
        "booths.hall_created": _("Hall added"),
        "booths.hall_updated": _("Hall renamed or resized"),
        "booths.zone_created": _("Zone added"),
        "booths.zone_updated": _("Zone changed"),
    }

    def catalog_private_producers(self, user):
        """Producers whose catalog pages ``user`` sees before any approval (catalog/queries.py gathers this):
        the ones they applied for, and the applicants to events they organize."""
        from django.db.models import Q

        from eventsite.models import EventRole

        from .models import ExhibitorApplication

        organized = EventRole.objects.filter(user=user, role=EventRole.Role.ORGANIZER).values("event")
        return (ExhibitorApplication.objects.filter(Q(applicant=user) | Q(event__in=organized))
                .values("organization"))

    def event_copy_parts(self):
        from eventsite.apps import CopyPart

        from .setup import copy_floor_plan

        return [CopyPart("floor_plan", _("Floor plan: halls, zones, booths with types and prices, booth rules"),
                         copy_floor_plan, order=10)]

    def setup_checks(self, event):
        from .setup import setup_checks

        return setup_checks(event)

    def event_stats(self, event) -> list[Stat]:
        from django.urls import reverse

        from .models import ApplicationStatus, Booking, Booth, ExhibitorApplication

        total = Booth.objects.filter(event=event).count()
        taken = Booking.objects.filter(event=event).active().count()
        blocked = Booth.objects.filter(event=event, blocked=True).count()
        approved = ExhibitorApplication.objects.filter(event=event, status=ApplicationStatus.APPROVED).count()
        pending = ExhibitorApplication.objects.filter(event=event, status=ApplicationStatus.SUBMITTED).count()
        manage = reverse("booths:manage", kwargs={"event_slug": event.slug})
        applications = reverse("booths:applications", kwargs={"event_slug": event.slug})
        return [
            Stat(_("booths free"), total - taken - blocked, url=manage, order=40),
            Stat(_("booths taken"), taken, url=manage, order=41),
            Stat(_("exhibitors approved"), approved, url=applications, order=42),
            Stat(_("applications to review"), pending, url=applications, order=43),
        ]

    def official_report_sections(self, event):
        """This app's part of the official report and open data (reporting/)."""
        from .official_report import exhibitors_section

        return [exhibitors_section(event)]
