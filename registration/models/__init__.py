"""Registration models, split by sub-domain: who registered (registrations.py); badges and check-in
live beside it in their own modules."""

from .registrations import BuyerType, Registration, RegistrationRole, RegistrationStatus

__all__ = ["BuyerType", "Registration", "RegistrationRole", "RegistrationStatus"]
