from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from eventsite.apps import NavItem, NavSection, Stat

_ORGANIZER = frozenset({"organizer"})
_STAFF = frozenset({"organizer", "desk_staff"})


class CheckinConfig(AppConfig):
    """Check-in at the gates: the desk (online and offline), the organizers' dashboard, scanner devices and their
    API. Badges and their signed tokens belong to registration; this app redeems them."""

    name = "checkin"
    verbose_name = _("Check-in")
    default_auto_field = "django.db.models.BigAutoField"

    event_nav = [
        NavItem(_("Check-in desk"), "checkin:desk", roles=_STAFF, order=70, section=NavSection.CHECKIN),
        NavItem(_("Check-in dashboard"), "checkin:dashboard", roles=_ORGANIZER, order=71,
                section=NavSection.CHECKIN),
        NavItem(_("Scanner devices"), "checkin:devices", roles=_ORGANIZER, order=74, section=NavSection.CHECKIN),
    ]

    # Linked from the organizer's team page (eventsite/team.html), beside inviting desk staff.
    team_links = [NavItem(_("Scanner devices for the check-in API"), "checkin:devices")]

    activity_actions = {
        "checkin.scan": _("Badge scanned at a gate"),
        "checkin.undone": _("Check-in undone"),
        "checkin.device_created": _("Scanner device added"),
        "checkin.device_renamed": _("Scanner device renamed"),
        "checkin.device_revoked": _("Scanner device revoked"),
    }

    def activity_summaries(self):
        from .activity import scan_summary, undone_summary

        return {"checkin.scan": scan_summary, "checkin.undone": undone_summary}

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import Device
        from .services.devices import forget_cached_devices

        post_save.connect(forget_cached_devices, sender=Device, dispatch_uid="devices-cache-save")
        post_delete.connect(forget_cached_devices, sender=Device, dispatch_uid="devices-cache-delete")

    def setup_checks(self, event):
        from .setup import setup_checks

        return setup_checks(event)

    def event_stats(self, event) -> list[Stat]:
        from django.urls import reverse

        from registration.models import Registration, RegistrationStatus

        from .models import CheckIn

        registered = Registration.objects.filter(event=event, status=RegistrationStatus.APPROVED).count()
        checked_in = CheckIn.objects.filter(event=event, annulled_at__isnull=True).count()
        return [Stat(_("checked in"), f"{checked_in} / {registered}",
                     url=reverse("checkin:dashboard", kwargs={"event_slug": event.slug}), order=35)]

    def official_report_sections(self, event):
        """This app's part of the official report and open data (reporting/)."""
        from .official_report import checkins_section

        return [checkins_section(event)]
