"""Bulk badge printing in the background.

The job runs as a task (registration.tasks.build_badge_pdf): in a thread of the web process after the job row
commits in the embedded default, on ``db_worker`` in scale mode; the page polls the job row for progress.

Every badge's QR admits its holder, so the file goes to private storage (``eventsite.storage.private_storage``),
never under MEDIA_ROOT, and only ``views.badges.badge_job_download`` serves it, to organizers of the event. The PDF
is built in a temporary folder in bounded memory (``pdf.write_badge_volumes``): one PDF, or for very big jobs a zip
of PDF volumes, then copied into storage in chunks.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
import zipfile
from pathlib import Path

from django.core.files import File
from django.db import transaction
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


def run_badge_job(job_id: int) -> BadgeJob:
    """Render a job's badges into one private file; a failure is logged and shown on the job, never raised."""
    job = BadgeJob.objects.select_related("event").get(pk=job_id)
    regs = selection(job)
    total = regs.count()
    BadgeJob.objects.filter(pk=job.pk).update(status=BadgeJob.Status.RUNNING, total=total)

    def progress(done: int) -> None:
        BadgeJob.objects.filter(pk=job.pk).update(done=done)

    try:
        with tempfile.TemporaryDirectory(prefix="ketnoi-badges-") as folder:
            source = _render(job, regs, Path(folder), progress)
            with open(source, "rb") as content:
                stored = private_storage().save(
                    f"badges/event-{job.event_id}-job-{job.pk}-{secrets.token_hex(8)}{source.suffix}", File(content))
    except BadgeKeyUnavailable as error:
        log.error("badge job %s: %s", job.pk, error.message)
        BadgeJob.objects.filter(pk=job.pk).update(status=BadgeJob.Status.FAILED, finished_at=timezone.now(),
                                                  error=str(error.message)[:300])
    except Exception:
        log.exception("badge job %s failed", job.pk)
        BadgeJob.objects.filter(pk=job.pk).update(status=BadgeJob.Status.FAILED, finished_at=timezone.now(),
                                                  error=_("Printing failed; please try again."))
    else:
        BadgeJob.objects.filter(pk=job.pk).update(status=BadgeJob.Status.DONE, file=stored, done=total,
                                                  finished_at=timezone.now())
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
