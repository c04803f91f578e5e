"""Reads that several views share."""

from __future__ import annotations

from django.db.models import Q

from eventsite.models import EventRole

from .models import ExhibitorApplication


def application_of(user, event) -> ExhibitorApplication | None:
    """The caller's exhibitor application at ``event``: one they filed, or one of the organization they
    represent there as exhibitor."""
    if not user.is_authenticated:
        return None
    orgs = EventRole.objects.filter(event=event, user=user, role=EventRole.Role.EXHIBITOR).values("organization")
    return (ExhibitorApplication.objects.select_related("organization", "event")
            .filter(event=event).filter(Q(applicant=user) | Q(organization__in=orgs)).order_by("pk").first())
