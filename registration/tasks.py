"""Background tasks of registration (django-tasks): primitive arguments, one service call each.

Enqueue them inside the transaction that made the change: the thread backend starts them after commit, the
database backend's row commits (or rolls back) with the change.
"""

from __future__ import annotations

from django_tasks import task


@task()
def build_badge_pdf(job_id: int) -> str:
    """Render the PDF of one bulk badge job; returns the job's final status."""
    from .services import jobs

    return jobs.run_badge_job(job_id).status


@task()
def send_registration_email(registration_id: int, kind: str, site: str = "") -> None:
    """Send one registration's email of ``kind`` (services.notifications.KINDS; a mail failure is logged, not
    raised); ``site`` is the scheme and host its links start with."""
    from .services import notifications

    notifications.send(registration_id=registration_id, kind=kind, site=site)


@task()
def check_import(batch_id: int) -> str:
    """Read and check an uploaded import file (services.imports.run_check); returns the batch's status."""
    from .services import imports

    batch = imports.run_check(batch_id)
    return batch.status if batch else "gone"


@task()
def import_registrations(batch_id: int) -> str:
    """Save every row of a confirmed import, or none (services.imports.run_confirm); returns the batch's status."""
    from .services import imports

    batch = imports.run_confirm(batch_id)
    return batch.status if batch else "gone"
