"""Domain errors of matchmaking; tests assert ``code``, people read ``message``."""

from __future__ import annotations

from eventsite.errors import Conflict, DomainError


class NotAParticipant(DomainError):
    code = "not_participant"
    status = 403


class InvalidRequest(DomainError):
    code = "invalid_request"


class QuotaExceeded(DomainError):
    code = "quota_exceeded"
    status = 409


class DuplicateRequest(Conflict):
    code = "duplicate_request"


class RequestExpired(Conflict):
    code = "request_expired"


class NotYourTurn(DomainError):
    code = "not_your_turn"
    status = 403


class RequestNotOpen(Conflict):
    code = "request_not_open"


class PlacementError(Conflict):
    """A meeting cannot go to that slot and table; ``code`` says why."""

    code = "placement"


class MeetingStateError(Conflict):
    code = "meeting_state"


class ScheduleError(DomainError):
    code = "schedule"
