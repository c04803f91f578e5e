"""Bulk badge printing in the background.

The embedded default runs each job in a thread of the web process (started after the job row commits); the
page polls the job row for progress. Pages go straight into a file under MEDIA_ROOT/badges/ so the process
never holds the whole PDF as one bytes object.
"""

from __future__ import annotations

import logging
import secrets
import threading
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from eventsite.models import Event

from ..models import BadgeJob, Registration
from . import pdf

log = logging.getLogger(__name__)


def start_badge_job(*, event: Event, requested_by, layout: str, roles: list[str], statuses: list[str],
                    background: bool = True) -> BadgeJob:
    job = BadgeJob.objects.create(event=event, requested_by=requested_by, layout=layout, roles=roles,
                                  statuses=statuses)
    if background:
        transaction.on_commit(lambda: threading.Thread(target=_run_in_thread, args=(job.pk,), daemon=True,
                                                       name=f"badge-job-{job.pk}").start())
    return job


def _run_in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        run_badge_job(job_id)
    finally:
        connection.close()


def selection(job: BadgeJob):
    regs = Registration.objects.filter(event_id=job.event_id)
    if job.roles:
        regs = regs.filter(role__in=job.roles)
    if job.statuses:
        regs = regs.filter(status__in=job.statuses)
    return regs.order_by("full_name", "pk")


def run_badge_job(job_id: int) -> BadgeJob:
    job = BadgeJob.objects.select_related("event").get(pk=job_id)
    regs = selection(job)
    total = regs.count()
    BadgeJob.objects.filter(pk=job.pk).update(status=BadgeJob.Status.RUNNING, total=total)
    relative = f"badges/event-{job.event_id}-job-{job.pk}-{secrets.token_hex(6)}.pdf"
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)

    def progress(done: int) -> None:
        BadgeJob.objects.filter(pk=job.pk).update(done=done)

    try:
        with open(path, "wb") as out:
            pdf.write_badges(job.layout, pdf.iter_badge_data(regs), out, title=job.event.name, progress=progress)
    except Exception:
        log.exception("badge job %s failed", job.pk)
        path.unlink(missing_ok=True)
        BadgeJob.objects.filter(pk=job.pk).update(status=BadgeJob.Status.FAILED, finished_at=timezone.now(),
                                                  error=_("Printing failed; please try again."))
    else:
        BadgeJob.objects.filter(pk=job.pk).update(status=BadgeJob.Status.DONE, file=relative, done=total,
                                                  finished_at=timezone.now())
    job.refresh_from_db()
    return job
