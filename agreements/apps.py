from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from eventsite.apps import NavItem

MEMBERS = frozenset({"organizer", "exhibitor", "buyer"})


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Cooperation agreements")
    default_auto_field = "django.db.models.BigAutoField"

    event_nav = [
        NavItem(_("Agreements"), "agreements:list", roles=MEMBERS, order=70),
        NavItem(_("Agreement tally"), "agreements:dashboard", roles=None, order=72),
    ]

    def event_stats(self, event):
        from django.urls import reverse

        from eventsite.apps import Stat

        from .services.tally import counted_agreements

        return [Stat(_("MoUs signed"), counted_agreements(event).count(),
                     url=reverse("agreements:dashboard", kwargs={"event_slug": event.slug}), order=70)]
