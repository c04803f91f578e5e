"""Bulk badge printing in the background.

The job runs as a task (registration.tasks.build_badge_pdf): in a thread of the web process after the job row
commits in the embedded default, on ``db_worker`` in scale mode; the page polls the job row for progress.

Every badge's QR admits its holder, so the file goes to private storage (``eventsite.storage.private_storage``),
never under MEDIA_ROOT, and only ``views.badges.badge_job_download`` serves it, to organizers of the event. The PDF
is built in a temporary folder in bounded memory (``pdf.write_badge_volumes``): one PDF, or for very big jobs a zip
of PDF volumes, then copied into storage in chunks.

A worker can die mid-job (SIGKILL, out of memory, a restart): the job row would say "running" forever and the page
would poll it forever. So a run renews a lease on its row with every progress write (``heartbeat_at``), and
``fail_stale_badge_jobs`` fails a running job whose lease ran out (``KETNOI_JOB_LEASE_SECONDS``) with a message the
organizer sees, who starts it again. It runs when the organizer's page reads the jobs and when a worker starts a
job. Every write of a run is conditional on the job still being running, so a slow run that was failed meanwhile
stops and never writes over it (nor leaves a file behind).
"""

from __future__ import annotations

import logging
import secrets
import tempfile
import zipfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from eventsite.models import Event
from eventsite.storage import private_storage

from ..models import BadgeJob, Registration
from . import pdf
from .tokens import BadgeKeyUnavailable

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


class JobTakenOver(Exception):
    """The job is no longer running under this run (failed as stale meanwhile): stop, write nothing."""


def fail_stale_badge_jobs(*, event_id: int | None = None) -> int:
    """Fail every running job whose lease ran out (its worker died); returns how many.

    The lease is renewed by every progress write of a run (``heartbeat_at``; a job that never wrote one counts from
    its creation), so only a job silent for ``KETNOI_JOB_LEASE_SECONDS`` is failed.
    """
    now = timezone.now()
    expired = now - timedelta(seconds=settings.KETNOI_JOB_LEASE_SECONDS)
    stale = BadgeJob.objects.filter(status=BadgeJob.Status.RUNNING).filter(
        Q(heartbeat_at__lt=expired) | Q(heartbeat_at__isnull=True, created_at__lt=expired))
    if event_id is not None:
        stale = stale.filter(event_id=event_id)
    failed = stale.update(status=BadgeJob.Status.FAILED, finished_at=now,
                          error=_("Printing was interrupted (the background worker stopped); please start it again."))
    if failed:
        log.warning("failed %s badge job(s) whose worker stopped renewing the lease", failed)
    return failed


def run_badge_job(job_id: int) -> BadgeJob:
    """Render a job's badges into one private file; a failure is logged and shown on the job, never raised.

    Only a queued job is run (claimed atomically), so a job is never rendered twice at once.
    """
    fail_stale_badge_jobs()  # a worker (re)starting work is the moment to notice the jobs of a dead one
    job = BadgeJob.objects.select_related("event").get(pk=job_id)
    regs = selection(job)
    total = regs.count()
    mine = BadgeJob.objects.filter(pk=job.pk, status=BadgeJob.Status.RUNNING)
    claimed = BadgeJob.objects.filter(pk=job.pk, status=BadgeJob.Status.QUEUED).update(
        status=BadgeJob.Status.RUNNING, total=total, heartbeat_at=timezone.now())
    if not claimed:
        log.warning("badge job %s is %s, not queued: not run", job.pk, job.status)
        return job

    def progress(done: int) -> None:
        if not mine.update(done=done, heartbeat_at=timezone.now()):
            raise JobTakenOver

    stored = ""
    try:
        with tempfile.TemporaryDirectory(prefix="ketnoi-badges-") as folder:
            source = _render(job, regs, Path(folder), progress)
            progress(total)  # renew the lease (and check it) before the copy into storage
            with open(source, "rb") as content:
                stored = private_storage().save(
                    f"badges/event-{job.event_id}-job-{job.pk}-{secrets.token_hex(8)}{source.suffix}", File(content))
    except JobTakenOver:
        log.warning("badge job %s was failed as stale while it ran: stopped", job.pk)
    except BadgeKeyUnavailable as error:
        log.error("badge job %s: %s", job.pk, error.message)
        mine.update(status=BadgeJob.Status.FAILED, finished_at=timezone.now(), error=str(error.message)[:300])
    except Exception:
        log.exception("badge job %s failed", job.pk)
        mine.update(status=BadgeJob.Status.FAILED, finished_at=timezone.now(),
                    error=_("Printing failed; please try again."))
    else:
        if not mine.update(status=BadgeJob.Status.DONE, file=stored, done=total, finished_at=timezone.now()):
            private_storage().delete(stored)  # failed as stale during the copy: no file without a job
    job.refresh_from_db()
    return job


def _render(job: BadgeJob, regs, folder: Path, progress) -> Path:
    """The job's PDF in ``folder``, or a zip of its PDF volumes when it has more than one."""
    def open_volume(n: int):
        return open(folder / f"part-{n}.pdf", "wb")

    _count, volumes = pdf.write_badge_volumes(job.layout, pdf.iter_badge_data(regs), open_volume,
                                              title=job.event.name, progress=progress,
                                              max_pages=pdf.MAX_PAGES_PER_FILE)
    if volumes == 1:
        return folder / "part-1.pdf"
    archive = folder / "badges.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as zf:  # PDFs are compressed already
        for n in range(1, volumes + 1):
            zf.write(folder / f"part-{n}.pdf", volume_name(job, n, volumes))
    return archive


def volume_name(job: BadgeJob, n: int, volumes: int) -> str:
    return f"badges-{job.layout}-{job.pk}-part-{n:02d}-of-{volumes:02d}.pdf"
