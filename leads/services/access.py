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


def exhibitor_org_ids(user, event: Event) -> set[int]:
    """Organizations ``user`` represents as exhibitor at ``event`` (by role, or as the applicant)."""
    if not user.is_authenticated:
        return set()
    by_role = EventRole.objects.filter(event=event, user=user, role=EventRole.Role.EXHIBITOR,
                                       organization__isnull=False).values_list("organization_id", flat=True)
    applied = ExhibitorApplication.objects.filter(event=event, applicant=user).values_list("organization_id",
                                                                                          flat=True)
    return set(by_role) | set(applied)


def owned_booths(user, event: Event) -> QuerySet[Booth]:
    """Booths held by an organization ``user`` represents as exhibitor."""
    orgs = exhibitor_org_ids(user, event)
    return Booth.objects.filter(event=event, bookings__status__in=HELD_FOR_GOOD,
                                bookings__application__organization_id__in=orgs).distinct()


def lead_booths(user, event: Event) -> QuerySet[Booth]:
    """Every booth whose leads ``user`` may see and edit: owned booths, and booths they are staff of."""
    if not user.is_authenticated:
        return Booth.objects.none()
    orgs = exhibitor_org_ids(user, event)
    staffed = BoothStaff.objects.filter(event=event, user=user).values("booth_id")
    return (Booth.objects.filter(event=event)
            .filter(Q(pk__in=staffed) | Q(bookings__status__in=HELD_FOR_GOOD,
                                          bookings__application__organization_id__in=orgs))
            .distinct().order_by("code"))


def booth_for(user, event: Event, booth_id: int | None) -> Booth:
    """The booth ``user`` works at (the given one, or their only one); NotBoothStaff otherwise."""
    booths = lead_booths(user, event)
    booth = booths.filter(pk=booth_id).first() if booth_id else booths.first()
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
