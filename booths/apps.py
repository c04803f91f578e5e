from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from eventsite.apps import NavItem, Stat


class BoothsConfig(AppConfig):
    name = "booths"
    verbose_name = _("Floor plan and booths")
    default_auto_field = "django.db.models.BigAutoField"

    event_nav = [
        NavItem(_("Floor plan"), "booths:floor_plan", order=20),
        NavItem(_("Exhibit here"), "booths:apply", order=22),
        NavItem(_("Manage booths"), "booths:manage", roles=frozenset({"organizer"}), order=24),
    ]

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .services.booking import warm_connection

        connection_created.connect(warm_connection, dispatch_uid="booths.warm_connection")

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
