"""Bulk badge printing in the background.

The job runs as a task (registration.tasks.build_badge_pdf): in a thread of the web process after the job row
commits in the embedded default, on ``db_worker`` in scale mode; the page polls the job row for progress.
Pages go straight into a file under MEDIA_ROOT/badges/ so the process never holds the whole PDF as one bytes object.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from eventsite.models import Event

from ..models import BadgeJob, Registration
from . import pdf

log = logging.getLogger(__name__)


def start_badge_job(*, event: Event, requested_by, layout: str, roles: list[str], statuses: list[str],
                    background: bool = True) -> BadgeJob:
    from ..tasks import build_badge_pdf

    with transaction.atomic():  # the job row and its task commit together
        job = BadgeJob.objects.create(event=event, requested_by=requested_by, layout=layout, roles=roles,
                                      statuses=statuses)
        if background:
            build_badge_pdf.enqueue(job_id=job.pk)
    return job


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
