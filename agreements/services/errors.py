"""The agreements' domain errors (codes for APIs and tests, translated messages for people)."""

from __future__ import annotations

from collections.abc import Sequence

from eventsite.errors import DomainError
from eventsite.models import Organization


class AgreementError(DomainError):
    code = "invalid_agreement"


class PartyError(AgreementError):
    code = "not_a_party"


class NotAllowed(AgreementError):
    code = "not_allowed"
    status = 403


class OrganizationClash(AgreementError):
    """The organization being added seems to exist already; ``existing`` are the ones the person may pick."""

    code = "organization_exists"
    status = 409

    def __init__(self, message: str, existing: Sequence[Organization] = (), *, certain: bool = True,
                 code: str | None = None):
        super().__init__(message, code=code)
        self.existing = list(existing)
        self.certain = certain
