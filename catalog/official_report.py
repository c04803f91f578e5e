"""The catalog's part of the official report and open data: the exhibitors' OCOP products by star rating."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _

from eventsite.apps import ReportFigure, ReportSection
from eventsite.models import EventRole

from .models import Product

STARS = (5, 4, 3)


def products_section(event) -> ReportSection:
    """The products of the event's exhibitors (the organizer home's "OCOP products" figure), by OCOP stars. One
    query; every star rating is listed, zero included, so the open-data keys never change."""
    producers = EventRole.objects.filter(event=event, role=EventRole.Role.EXHIBITOR).values("organization")
    counts = dict(Product.objects.filter(producer__in=producers).order_by().values_list("stars")
                  .annotate(n=Count("id")).values_list("stars", "n"))
    total = sum(counts.values())
    by_star = {stars: counts.get(stars, 0) for stars in STARS}
    figures = (ReportFigure("products.total", _("OCOP products presented"), total),
               *(ReportFigure(f"products.stars_{stars}", _("%(stars)d-star OCOP products") % {"stars": stars}, n)
                 for stars, n in by_star.items()))
    sentence = _("%(total)d OCOP products were presented: %(s5)d rated 5 stars, %(s4)d rated 4 stars and "
                 "%(s3)d rated 3 stars.") % {"total": total, "s5": by_star[5], "s4": by_star[4], "s3": by_star[3]}
    return ReportSection("products", _("OCOP products by star rating"), (sentence,), figures, order=20)
