"""Background tasks shared by the apps (django-tasks; see docs/architecture-tasks.md)."""

from __future__ import annotations

from django_tasks import task


@task()
def build_report(job_id: int) -> str:
    """Build one export or report file (eventsite.reports); returns the job's final status."""
    from . import reports

    job = reports.run(job_id)
    return job.status if job else "gone"
