"""Registration models, split by sub-domain: who registered (registrations.py), how an event takes
registrations (signup.py); badges and check-in live beside them in their own modules."""

from .registrations import BuyerType, Registration, RegistrationRole, RegistrationSource, RegistrationStatus
from .signup import ImportBatch, RegistrationQuestion, RegistrationSettings

__all__ = [
    "BuyerType",
    "ImportBatch",
    "Registration",
    "RegistrationQuestion",
    "RegistrationRole",
    "RegistrationSettings",
    "RegistrationSource",
    "RegistrationStatus",
]
