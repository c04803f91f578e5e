"""Organizer figures: requests, accepted, held, no-shows, MoUs and agreements, by buyer type or product group.

Counted in the database (one grouped query per breakdown). "MoU signed (reported)" counts meetings where
either side recorded that outcome; "agreements entered" counts agreements entered from a meeting (its
``Agreement.meeting``) that the agreements tallies count: verified and not cancelled. That count comes from the
agreements app through ``matchmaking/hooks.py`` (it knows matchmaking; matchmaking does not import it).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from catalog.ocop import ProductGroup
from eventsite.models import Event, Organization

from .. import hooks
from ..models import Meeting, MeetingOutcome, MeetingRequest

BREAKDOWNS = {"kind": "buyer__kind", "group": "product_group"}
FIGURES = ("requests", "accepted", "scheduled", "held", "no_shows", "converted", "agreements")


@dataclass
class ReportRow:
    key: str
    label: str
    requests: int = 0
    accepted: int = 0
    scheduled: int = 0
    held: int = 0
    no_shows: int = 0
    converted: int = 0  # meetings with "MoU signed" reported by either side
    agreements: int = 0  # agreements entered from the meetings and counted by the agreements tallies


def _label(by: str, key: str) -> str:
    choices = Organization.Kind if by == "kind" else ProductGroup
    try:
        return str(choices(key).label)
    except ValueError:
        return "—"


def tally_meetings(*, event: Event, by: str = "kind") -> tuple[list[ReportRow], ReportRow]:
    """Rows per buyer type (``by="kind"``) or product group (``by="group"``), and the total row."""
    field = BREAKDOWNS[by]
    one = {"distinct": True}
    rows = (
        MeetingRequest.objects.filter(event=event).values(field).annotate(
            requests=Count("id", **one),
            accepted=Count("id", filter=Q(status=MeetingRequest.Status.ACCEPTED), **one),
            scheduled=Count("meeting", **one),
            held=Count("meeting", filter=Q(meeting__status=Meeting.Status.HELD), **one),
            no_shows=Count("meeting", filter=Q(meeting__status=Meeting.Status.NO_SHOW), **one),
            converted=Count("meeting", filter=Q(meeting__outcomes__result=MeetingOutcome.Result.MOU), **one),
            **({"agreements": agreements} if (agreements := hooks.agreement_count("meeting")) is not None else {}),
        ).order_by(field)
    )
    result = [ReportRow(key=r[field] or "", label=_label(by, r[field] or ""), **{f: r.get(f, 0) for f in FIGURES})
              for r in rows]
    total = ReportRow(key="", label="", **{f: sum(getattr(r, f) for r in result) for f in FIGURES})
    return result, total
