"""Tally dashboard (per event, across events) and the big-screen counter (exports and the PDF report run in the
background: eventsite/reports.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from eventsite.access import event_view
from eventsite.models import Event, EventRole

from .. import services
from ..models import Agreement
from .entry import is_organizer

Role = EventRole.Role
ROW = 46  # px per bar: label line + bar


def bars(rows, *, values: bool, limit: int | None = None) -> dict:
    """Geometry for a server-drawn SVG bar chart (counts, or values for organizers)."""
    rows = list(rows)[:limit] if limit else list(rows)
    if values:
        rows = [r for r in rows if r.value]  # agreements without a stated value have no bar
    top = max((r.value if values else r.count) for r in rows) if rows else 0
    items = []
    for i, r in enumerate(rows):
        amount = r.value if values else r.count
        width = round(72 * amount / top, 2) if top else 0
        # SVG attributes must not be localized (72,5 in Vietnamese): pass them as ready-made strings.
        items.append({"row": r, "amount": amount, "y": i * ROW, "bar_y": i * ROW + 20, "text_y": i * ROW + 34,
                      "width": f"{width:.2f}", "text_x": f"{width + 1.5:.2f}"})
    return {"items": items, "height": max(len(items) * ROW, ROW), "values": values}


@event_view()
def tally_dashboard(request):
    """Counts for everyone; estimated values only for organizers (they are the parties' business)."""
    event = request.event
    organizer = is_organizer(request)
    board = services.dashboard(event)
    charts = [
        ("kind", board.by_kind), ("province", board.by_province),
        ("buyer", board.by_buyer), ("product_group", board.by_product_group),
    ]
    return render(request, "agreements/dashboard.html", {
        "board": board, "organizer": organizer, "scope_events": None,
        "charts": [{"key": key, "rows": rows, "others": board.others.get(key, 0),
                    "count_bars": bars(rows, values=False),
                    "value_bars": bars(rows, values=True) if organizer else None} for key, rows in charts],
    })


@login_required
def tally_overview(request):
    """Across every event the caller organizes (all events for a superuser)."""
    events = Event.objects.all() if request.user.is_superuser else Event.objects.filter(
        roles__user=request.user, roles__role=Role.ORGANIZER).distinct()
    events = list(events.order_by("-starts_at"))
    board = services.dashboard(events)
    charts = [
        ("kind", board.by_kind), ("province", board.by_province),
        ("buyer", board.by_buyer), ("product_group", board.by_product_group),
    ]
    return render(request, "agreements/dashboard.html", {
        "board": board, "organizer": True, "scope_events": events,
        "charts": [{"key": key, "rows": rows, "others": board.others.get(key, 0),
                    "count_bars": bars(rows, values=False), "value_bars": bars(rows, values=True)}
                   for key, rows in charts],
    })


@event_view()
def live_counter(request):
    return render(request, "agreements/counter.html", {
        "counts": services.public_counts(request.event), "kinds": Agreement.Kind.choices,
    })
