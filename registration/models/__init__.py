"""Registration models, split by sub-domain: who registered (registrations.py), how an event takes
registrations (signup.py); badges and check-in live beside them in their own modules."""

from .badges import Badge, BadgeJob, BadgeLayout, EventSigningKey, RevokedToken
from .checkin import CheckIn, CheckinTiming, Device, ScanStatus
from .offline import CheckinConflict, DeskReport, DeskSyncCounter, DeskTombstone
from .registrations import (
    BuyerType,
    ContactConsent,
    Registration,
    RegistrationRole,
    RegistrationSource,
    RegistrationStatus,
)
from .signup import ImportBatch, RegistrationQuestion, RegistrationSettings

__all__ = [
    "Badge",
    "BadgeJob",
    "BadgeLayout",
    "BuyerType",
    "CheckIn",
    "CheckinConflict",
    "ContactConsent",
    "DeskReport",
    "DeskSyncCounter",
    "DeskTombstone",
    "Device",
    "EventSigningKey",
    "ImportBatch",
    "Registration",
    "RegistrationQuestion",
    "RegistrationRole",
    "RegistrationSettings",
    "RegistrationSource",
    "RegistrationStatus",
    "RevokedToken",
    "ScanStatus",
    "CheckinTiming",
]
