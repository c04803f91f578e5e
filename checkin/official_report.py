"""Check-in's part of the official report and open data: people checked in, by role."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _

from eventsite.apps import ReportFigure, ReportSection
from registration.models import RegistrationRole

from .models import CheckIn


def checkins_section(event) -> ReportSection:
    """People admitted at the entrance (live check-ins: one per badge, annulled ones left out), by the role on the
    badge. One query."""
    counts = dict(CheckIn.objects.filter(event=event, annulled_at__isnull=True).order_by().values_list("role")
                  .annotate(n=Count("id")).values_list("role", "n"))
    total = sum(counts.values())
    figures = (ReportFigure("checkins.total", _("People checked in"), total),
               *(ReportFigure(f"checkins.role.{value}", str(label), counts.get(value, 0))
                 for value, label in RegistrationRole.choices))
    sentence = _("%(n)d people were checked in at the entrance, %(buyers)d of them buyers.") % {
        "n": total, "buyers": counts.get(RegistrationRole.BUYER, 0)}
    return ReportSection("checkins", _("Check-in"), (sentence,), figures, order=40)
