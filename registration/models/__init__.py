"""Registration models, split by sub-domain: who registered (registrations.py), how an event takes
registrations (signup.py), badges (badges.py) and their change numbers (badge_changes.py). Check-in is its own
app (checkin/)."""

from .badge_changes import DeskSyncCounter, DeskTombstone
from .badges import Badge, BadgeJob, BadgeLayout, EventSigningKey, RevokedToken
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
    "ContactConsent",
    "DeskSyncCounter",
    "DeskTombstone",
    "EventSigningKey",
    "ImportBatch",
    "Registration",
    "RegistrationQuestion",
    "RegistrationRole",
    "RegistrationSettings",
    "RegistrationSource",
    "RegistrationStatus",
    "RevokedToken",
]
