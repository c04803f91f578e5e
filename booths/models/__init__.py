"""Floor plan, exhibitor applications, bookings and allocation proposals."""

from .applications import (
    ApplicationStatus,
    BoothPreference,
    ExhibitorApplication,
    OrganizationRevision,
    RevisionStatus,
)
from .bookings import (
    ACTIVE_STATUSES,
    AllocationItem,
    AllocationRun,
    Booking,
    BookingStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from .fees import (
    SETTLED,
    BankStatement,
    LineStatus,
    Payee,
    Payment,
    PaymentMethod,
    PaymentRequest,
    PaymentStatus,
    StatementLayout,
    StatementLine,
)
from .floorplan import Booth, BoothKind, BoothSettings, Hall, Zone

__all__ = [
    "ACTIVE_STATUSES", "AllocationItem", "AllocationRun", "ApplicationStatus", "Booking", "BookingStatus", "Booth",
    "BoothKind", "BoothPreference", "BoothSettings", "ExhibitorApplication", "Hall", "OrganizationRevision",
    "RevisionStatus", "WaitlistEntry", "WaitlistStatus", "Zone",
    "SETTLED", "BankStatement", "LineStatus", "Payee", "Payment", "PaymentMethod", "PaymentRequest", "PaymentStatus",
    "StatementLayout", "StatementLine",
]
