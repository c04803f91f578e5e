"""The booths' part of the official report and open data: exhibitors and the booths they took."""

from __future__ import annotations

from django.utils.translation import gettext as _

from eventsite.apps import ReportFigure, ReportSection

from .models import ApplicationStatus, Booking, BookingStatus, ExhibitorApplication


def exhibitors_section(event) -> ReportSection:
    """Exhibitors are the producers whose application was approved (each counted once); booths are those with an
    reserved or confirmed booking (a hold is not a booth taken). Two queries."""
    exhibitors = (ExhibitorApplication.objects.filter(event=event, status=ApplicationStatus.APPROVED)
                  .values("organization").distinct().count())
    booths = (Booking.objects.filter(event=event, status__in=[BookingStatus.RESERVED, BookingStatus.CONFIRMED])
              .values("booth").distinct().count())
    sentence = _("%(exhibitors)d producers, cooperatives and businesses exhibited on %(booths)d booths.") % {
        "exhibitors": exhibitors, "booths": booths}
    return ReportSection("exhibitors", _("Exhibitors"), (sentence,), (
        ReportFigure("exhibitors.total", _("Exhibitors (producers, cooperatives, businesses)"), exhibitors),
        ReportFigure("exhibitors.booths", _("Booths taken"), booths),
    ), order=10)
