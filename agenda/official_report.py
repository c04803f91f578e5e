"""The agenda's part of the official report and open data: the sessions held."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from eventsite.apps import ReportFigure, ReportSection

from .models import Session


def sessions_section(event) -> ReportSection:
    """A session was held when it is marked ended, or was not cancelled and its end time has passed (organizers do
    not always close sessions by hand). One query."""
    now = timezone.now()
    held = Q(status=Session.Status.ENDED) | (~Q(status=Session.Status.CANCELLED) & Q(ends_at__lte=now))
    figures_row = Session.objects.filter(event=event).aggregate(
        planned=Count("id", filter=~Q(status=Session.Status.CANCELLED)),
        held=Count("id", filter=held),
        signing=Count("id", filter=held & Q(type=Session.Type.SIGNING)),
        cancelled=Count("id", filter=Q(status=Session.Status.CANCELLED)),
    )
    planned, held_n = figures_row["planned"], figures_row["held"]
    signing, cancelled = figures_row["signing"], figures_row["cancelled"]
    if held_n:
        sentence = _("%(held)d of the %(planned)d planned sessions were held, %(signing)d of them signing "
                     "ceremonies.") % {"held": held_n, "planned": planned, "signing": signing}
    else:
        sentence = _("%(planned)d sessions are on the programme; none has been held yet.") % {"planned": planned}
    return ReportSection("sessions", _("Conference sessions"), (sentence,), (
        ReportFigure("sessions.planned", _("Sessions planned (not cancelled)"), planned),
        ReportFigure("sessions.held", _("Sessions held"), held_n),
        ReportFigure("sessions.signing_held", _("Signing ceremonies held"), signing),
        ReportFigure("sessions.cancelled", _("Sessions cancelled"), cancelled),
    ), order=50)
