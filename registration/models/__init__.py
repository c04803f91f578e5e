"""Registration models, split by sub-domain: who registered (registrations.py); badges and check-in
live beside it in their own modules."""

# --- badges and check-in (feature/checkin): badges.py, checkin.py ---
from .badges import Badge, BadgeJob, BadgeLayout, EventSigningKey, RevokedToken
from .checkin import CheckIn, Device, ScanLog, ScanStatus

# --- end badges and check-in ---
from .registrations import BuyerType, Registration, RegistrationRole, RegistrationStatus

__all__ = [
    "BuyerType", "Registration", "RegistrationRole", "RegistrationStatus",
    # --- badges and check-in (feature/checkin) ---
    "Badge", "BadgeJob", "BadgeLayout", "EventSigningKey", "RevokedToken",
    "CheckIn", "Device", "ScanLog", "ScanStatus",
]
