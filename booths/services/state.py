"""What the floor plan shows: each booth's status and occupant, read in a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from ..models import Booking, BookingStatus, Booth, Hall

FREE, HELD, RESERVED, CONFIRMED, BLOCKED = "free", "held", "reserved", "confirmed", "blocked"
STATUSES = (FREE, HELD, RESERVED, CONFIRMED, BLOCKED)


def status_of(booth: Booth, booking: Booking | None, now: datetime | None = None) -> str:
    if booth.blocked:
        return BLOCKED
    if booking is None or not booking.is_active(now):
        return FREE
    return {BookingStatus.HELD: HELD, BookingStatus.RESERVED: RESERVED}.get(booking.status, CONFIRMED)


def booth_state(booth: Booth, booking: Booking | None, now: datetime | None = None, *,
                exhibitor: str | None = None) -> dict:
    """JSON-ready state of one booth, as sent to every plan viewer. ``exhibitor``: the occupant's name
    when the caller already has it (otherwise it is read through the booking's application)."""
    status = status_of(booth, booking, now)
    occupied = status in (HELD, RESERVED, CONFIRMED)
    if occupied and exhibitor is None:
        exhibitor = booking.application.organization.name
    return {
        "id": booth.pk,
        "code": booth.code,
        "status": status,
        "exhibitor": exhibitor if occupied else "",
        "application": booking.application_id if occupied else None,
        "booking": booking.pk if occupied else None,
        "expires": booking.hold_expires_at.isoformat() if occupied and booking.hold_expires_at else None,
    }


@dataclass
class PlacedBooth:
    booth: Booth
    booking: Booking | None
    status: str
    proposed: str = ""  # exhibitor proposed by an allocation run, shown before it is committed

    @property
    def label_x(self) -> str:
        return f"{self.booth.x + 0.25:g}"

    @property
    def code_y(self) -> str:
        return f"{self.booth.y + 0.95:g}"

    @property
    def status_y(self) -> str:
        return f"{self.booth.y + 1.9:g}"

    @property
    def exhibitor(self) -> str:
        return self.booking.application.organization.name if self.booking else ""


def viewbox(hall: Hall) -> str:
    return f"-1 -1 {hall.width_m + 2:g} {hall.depth_m + 2:g}"


def plan_for(event, *, now: datetime | None = None) -> list[tuple[Hall, list[PlacedBooth]]]:
    """Halls with their booths and current occupant: three queries whatever the size of the plan."""
    now = now or timezone.now()
    halls = list(Hall.objects.filter(event=event).prefetch_related("zones").order_by("order", "name"))
    booths = list(Booth.objects.filter(event=event).select_related("zone").order_by("hall_id", "code"))
    active = {
        b.booth_id: b for b in Booking.objects.filter(event=event).active(now)
        .select_related("application__organization")
    }
    for hall in halls:
        hall.viewbox = viewbox(hall)
    by_hall: dict[int, list[PlacedBooth]] = {h.pk: [] for h in halls}
    for booth in booths:
        booking = active.get(booth.pk)
        status = status_of(booth, booking, now)
        by_hall.setdefault(booth.hall_id, []).append(
            PlacedBooth(booth, booking if status in (HELD, RESERVED, CONFIRMED) else None, status))
    return [(hall, by_hall[hall.pk]) for hall in halls]


def plan_state(event, *, now: datetime | None = None) -> list[dict]:
    return [booth_state(p.booth, p.booking, now) for _hall, placed in plan_for(event, now=now) for p in placed]
