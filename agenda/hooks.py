"""What other apps add to the agenda without the agenda importing them (dependencies point one way: the apps
that build on the agenda know it, never the reverse).

An app's AppConfig may define ``agenda_signing_counts(session_ids: list[int]) -> dict[int, int]``: how many of
its records were signed at each signing-ceremony session (the agreements app: agreements that count). The
programme shows the sum under each ceremony.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps


def signing_counts(session_ids: Iterable[int]) -> dict[int, int]:
    """{session id: records signed there}, added up over every app that provides them."""
    ids = list(session_ids)
    totals: dict[int, int] = {}
    for config in apps.get_app_configs():
        provider = getattr(config, "agenda_signing_counts", None)
        if provider is None:
            continue
        for session_id, n in provider(ids).items():
            totals[session_id] = totals.get(session_id, 0) + n
    return totals
