"""Domain errors: a machine-readable ``code`` for APIs and tests, a translated message for people."""

from __future__ import annotations


class DomainError(Exception):
    """Base class for rule violations raised by services.

    Views turn these into messages or 409/400 answers at the edge; tests assert ``code``.
    """

    code = "error"
    status = 400

    def __init__(self, message: str = "", code: str | None = None):
        super().__init__(message or self.__class__.__name__)
        self.message = message
        if code:
            self.code = code


class Conflict(DomainError):
    """Someone else got there first (a booth just taken, a stale form)."""

    code = "conflict"
    status = 409
