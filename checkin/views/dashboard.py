"""Organizer check-in dashboard: live counts (websocket-driven refresh of a server-rendered partial)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from eventsite.access import ORGANIZER, event_view
from registration.models import RegistrationRole

from ..services import checkin, offline


def _context(event) -> dict:
    counts = checkin.counts(event)
    labels = dict(RegistrationRole.choices)
    by_role = [{"label": labels.get(role, role), **figures} for role, figures in counts["by_role"].items()]
    return {"counts": counts, "by_role": by_role, "slots": list(reversed(counts["per_15_min"]))[:24],
            "desks": offline.desk_reports(event), "conflicts": offline.conflicts(event)}


@event_view(roles=ORGANIZER)
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "checkin/checkin_dashboard.html", _context(request.event))


@event_view(roles=ORGANIZER)
def counts_partial(request: HttpRequest) -> HttpResponse:
    return render(request, "checkin/_checkin_counts.html", _context(request.event))
