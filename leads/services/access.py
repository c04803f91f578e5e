"""Who may work with which booth's leads: the exhibitor that holds the booth (reserved or confirmed), and the
staff it invited to that booth. Organizers see figures (services/report.py), never the people."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from booths.models import Booking, BookingStatus, Booth, ExhibitorApplication
from eventsite.errors import DomainError
from eventsite.models import Event, EventRole, Organization

from ..models import BoothStaff

HELD_FOR_GOOD = (BookingStatus.RESERVED, BookingStatus.CONFIRMED)


class NotBoothStaff(DomainError):
    """The caller does not work at this booth."""

    code = "not_booth_staff"
    status = 403


def _exhibitor_org_subqueries(user, event: Event) -> tuple[QuerySet, QuerySet]:
    """The organizations ``user`` represents as exhibitor at ``event``, by role and as the applicant: two
    ``organization_id`` subqueries, so that callers ask the database once."""
    by_role = EventRole.objects.filter(event=event, user=user, role=EventRole.Role.EXHIBITOR,
                                       organization__isnull=False).values("organization_id")
    applied = ExhibitorApplication.objects.filter(event=event, applicant=user).values("organization_id")
    return by_role, applied


def exhibitor_org_ids(user, event: Event) -> set[int]:
    """Organizations ``user`` represents as exhibitor at ``event`` (by role, or as the applicant): one query."""
    if not user.is_authenticated:
        return set()
    by_role, applied = _exhibitor_org_subqueries(user, event)
    return set(Organization.objects.filter(Q(pk__in=by_role) | Q(pk__in=applied)).values_list("pk", flat=True))


def _held_by(user, event: Event) -> Q:
    """A booth reserved or confirmed for an organization ``user`` represents as exhibitor (booth filter)."""
    by_role, applied = _exhibitor_org_subqueries(user, event)
    return Q(bookings__status__in=HELD_FOR_GOOD) & (Q(bookings__application__organization_id__in=by_role)
                                                    | Q(bookings__application__organization_id__in=applied))


def owned_booths(user, event: Event) -> QuerySet[Booth]:
    """Booths held by an organization ``user`` represents as exhibitor."""
    if not user.is_authenticated:
        return Booth.objects.none()
    return Booth.objects.filter(Q(event=event) & _held_by(user, event)).distinct()


def lead_booths(user, event: Event) -> QuerySet[Booth]:
    """Every booth whose leads ``user`` may see and edit: owned booths, and booths they are staff of (one query)."""
    if not user.is_authenticated:
        return Booth.objects.none()
    staffed = BoothStaff.objects.filter(event=event, user=user).values("booth_id")
    return (Booth.objects.filter(event=event).filter(Q(pk__in=staffed) | _held_by(user, event))
            .distinct().order_by("code"))


def booth_for(user, event: Event, booth_id: int | None, *, among: list[Booth] | None = None) -> Booth:
    """The booth ``user`` works at (the given one, or their first one); NotBoothStaff otherwise. ``among``: the
    caller's ``lead_booths(user, event)`` already read in this request (the page's decorator reads them)."""
    booths = among if among is not None else list(lead_booths(user, event))
    booth = next((b for b in booths if b.pk == booth_id), None) if booth_id else next(iter(booths), None)
    if booth is None:
        raise NotBoothStaff("not staff of this booth")
    return booth


def is_owner(user, event: Event, booth: Booth) -> bool:
    return owned_booths(user, event).filter(pk=booth.pk).exists()


def booth_owner(booth: Booth) -> Organization | None:
    """The organization holding ``booth`` now (reserved or confirmed)."""
    booking = (Booking.objects.filter(booth=booth, status__in=HELD_FOR_GOOD)
               .select_related("application__organization").first())
    return booking.application.organization if booking else None
