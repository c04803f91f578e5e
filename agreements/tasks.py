"""Background tasks of agreements (django-tasks): primitive arguments, one service call each."""

from __future__ import annotations

from django_tasks import task


@task()
def send_followup_notices(notice_ids: list[int], site: str = "") -> dict:
    """Send the follow-through requests the periodic job claimed (services.followup_job.send_notices)."""
    from .services import followup_job

    return followup_job.send_notices(notice_ids=notice_ids, site=site)


@task()
def send_followup_confirmation(email: str, agreement_id: int, organization_id: int, checkpoint_id: int, token: str,
                               closes: str, site: str = "") -> None:
    """Thank a party for its report and give it the link for corrections (``closes``: ISO date)."""
    from datetime import date

    from .services import followup_job

    followup_job.send_confirmation(email=email, agreement_id=agreement_id, organization_id=organization_id,
                                   checkpoint_id=checkpoint_id, token=token, closes=date.fromisoformat(closes),
                                   site=site)
