from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("OCOP product catalog")
    default_auto_field = "django.db.models.BigAutoField"

    def event_stats(self, event):
        from eventsite.apps import Stat
        from eventsite.models import EventRole

        from .models import Product

        producers = EventRole.objects.filter(event=event, role=EventRole.Role.EXHIBITOR).values("organization")
        return [Stat(_("OCOP products"), Product.objects.filter(producer__in=producers).count(), order=15)]

    @property
    def event_nav(self):
        from eventsite.apps import NavItem, NavSection

        # Grouped with the booths in an organizer's menu: the products are the exhibitors'.
        return [NavItem(_("Product catalog"), "catalog:event_catalog", order=15, section=NavSection.BOOTHS)]

    def official_report_sections(self, event):
        """This app's part of the official report and open data (reporting/)."""
        from .official_report import products_section

        return [products_section(event)]
