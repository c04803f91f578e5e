"""Domain errors of the booth domain; views map them to messages or 400/409 answers."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from eventsite.errors import Conflict, DomainError


class BoothTaken(Conflict):
    code = "booth_taken"

    def __init__(self, booth_code: str = ""):
        super().__init__(str(_("Booth %(code)s was just taken by another exhibitor. The plan has been refreshed.")
                             % {"code": booth_code}))


class BoothBlocked(Conflict):
    code = "booth_blocked"

    def __init__(self, booth_code: str = ""):
        super().__init__(str(_("Booth %(code)s is blocked by the organizer.") % {"code": booth_code}))


class BookingError(DomainError):
    """A rule says no (not approved, limit reached, wrong state). ``code`` tells which."""


def not_approved() -> BookingError:
    return BookingError(str(_("Your exhibitor application has not been approved yet.")), code="not_approved")


def limit_reached(limit: int) -> BookingError:
    return BookingError(str(_("You already hold the maximum of %(n)d booths for this event.") % {"n": limit}),
                        code="limit_reached")


def hold_expired() -> Conflict:
    return Conflict(str(_("Your hold has expired; the booth is free again. Pick it again if it is still free.")),
                    code="hold_expired")


def wrong_state(status_label: str) -> BookingError:
    return BookingError(str(_("This is not possible while the booking is “%(status)s”.") % {"status": status_label}),
                        code="wrong_state")


def not_yours() -> BookingError:
    return BookingError(str(_("This booking belongs to another exhibitor.")), code="not_yours")


def self_service_closed() -> BookingError:
    return BookingError(str(_("Self-service booking is closed for this event.")), code="self_service_closed")
