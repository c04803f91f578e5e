"""What other apps add to matchmaking without matchmaking importing them (dependencies point one way: the
agreements app records which meeting an agreement came from, so it knows matchmaking, never the reverse).

An app's AppConfig may define
- ``matchmaking_agreement_count(meeting_path: str)``: an aggregate (e.g. ``Count(...)``) of its records entered
  from the meetings found at ``meeting_path`` that its own tallies count, for the organizer's report;
- ``matchmaking_meeting_agreements(*, event, user, roles, meeting) -> list``: its records entered from one
  meeting that this person may see, for the meeting page (each with ``title``, ``signed_at``, ``parties`` …).
"""

from __future__ import annotations

from functools import reduce
from operator import add

from django.apps import apps


def _providers(name: str) -> list:
    return [hook for config in apps.get_app_configs() if (hook := getattr(config, name, None)) is not None]


def agreement_count(meeting_path: str):
    """One aggregate adding up every provider's count; None when no installed app records agreements."""
    counts = [provide(meeting_path) for provide in _providers("matchmaking_agreement_count")]
    return reduce(add, counts) if counts else None


def meeting_agreements(*, event, user, roles, meeting) -> list:
    return [record for provide in _providers("matchmaking_meeting_agreements")
            for record in provide(event=event, user=user, roles=roles, meeting=meeting)]
