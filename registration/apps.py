from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from eventsite.apps import NavItem


class RegistrationConfig(AppConfig):
    name = "registration"
    verbose_name = _("Registration, badges and check-in")
    default_auto_field = "django.db.models.BigAutoField"

    event_nav = [
        NavItem(_("Register"), "registration:signup", roles=None, order=20),
        NavItem(_("Registrations"), "registration:list", roles=frozenset({"organizer"}), order=25),
    ]

    def event_stats(self, event):
        from django.urls import reverse

        from eventsite.apps import Stat

        from .models import RegistrationStatus
        from .services.registrations import counts_by_status

        counts = counts_by_status(event)
        url = reverse("registration:list", kwargs={"event_slug": event.slug})
        shown = [RegistrationStatus.PENDING, RegistrationStatus.APPROVED, RegistrationStatus.WAITLISTED]
        labels = {
            RegistrationStatus.PENDING: _("registrations awaiting approval"),
            RegistrationStatus.APPROVED: _("approved registrations"),
            RegistrationStatus.WAITLISTED: _("on the waiting list"),
        }
        return [Stat(labels[s], counts[s], url=f"{url}?status={s}", order=31 + i) for i, s in enumerate(shown)]
