from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from eventsite.errors import DomainError
from eventsite.models import EventRole

from ..services.participants import Participant, participant_for

PARTICIPANTS = frozenset({EventRole.Role.BUYER, EventRole.Role.EXHIBITOR})
BOARD_ROLES = PARTICIPANTS | {EventRole.Role.ORGANIZER, EventRole.Role.DESK_STAFF}


def participant_or_403(request: HttpRequest) -> Participant:
    participant = participant_for(request.user, request.event)
    if participant is None:
        raise PermissionDenied
    return participant


def report_error(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, error.message or str(error))


def is_organizer(request: HttpRequest) -> bool:
    return EventRole.Role.ORGANIZER in request.event_roles
