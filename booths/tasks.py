"""Background tasks of booths (django-tasks): primitive arguments, one service call each."""

from __future__ import annotations

from django_tasks import task


@task()
def release_unpaid_reservations(event_id: int) -> int:
    """Release the event's reservations whose payment deadline has passed (booking rules and waitlist apply)."""
    from .services.booking import release_unpaid_reservations as release

    return release(event_id=event_id)
