"""Who takes part in matchmaking: buyer and exhibitor roles at the event, each on behalf of an organization."""

from __future__ import annotations

from dataclasses import dataclass

from eventsite.models import Event, EventRole, Organization

from ..models import MatchmakingSettings, Side

ROLE_OF_SIDE = {Side.BUYER: EventRole.Role.BUYER, Side.PRODUCER: EventRole.Role.EXHIBITOR}
SIDE_OF_ROLE = {role: side for side, role in ROLE_OF_SIDE.items()}


@dataclass(frozen=True)
class Participant:
    organization: Organization
    side: str

    @property
    def is_buyer(self) -> bool:
        return self.side == Side.BUYER


def participant_for(user, event: Event) -> Participant | None:
    """The organization ``user`` represents in matchmaking; buyer first when someone holds both roles."""
    if not user.is_authenticated:
        return None
    roles = (
        EventRole.objects.filter(event=event, user=user, role__in=list(SIDE_OF_ROLE), organization__isnull=False)
        .select_related("organization")
        .order_by("role")  # "buyer" sorts before "exhibitor"
    )
    first = roles.first()
    if first is None:
        return None
    return Participant(organization=first.organization, side=SIDE_OF_ROLE[first.role])


def organization_ids_of(user, event: Event) -> set[int]:
    """Every organization ``user`` represents as buyer or exhibitor at ``event``."""
    if not user.is_authenticated:
        return set()
    return set(
        EventRole.objects.filter(event=event, user=user, role__in=list(SIDE_OF_ROLE), organization__isnull=False)
        .values_list("organization_id", flat=True)
    )


def is_participant(event: Event, organization_id: int, side: str) -> bool:
    return EventRole.objects.filter(event=event, organization_id=organization_id, role=ROLE_OF_SIDE[side]).exists()


def settings_for(event: Event) -> MatchmakingSettings:
    obj, _ = MatchmakingSettings.objects.get_or_create(event=event)
    return obj
