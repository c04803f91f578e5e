"""Exports and reports built in the background: the organizer starts one, the page polls its progress, and the
finished file is kept in private storage for organizers of the event to download.

Each app registers its kinds through its AppConfig (``report_kinds() -> {kind: ReportKind}``, eventsite/apps.py),
so this module names no app: a kind's builder ``build(event, params, progress) -> (content, filename,
content_type)`` lives in its own app; ``progress(done, total)`` may be called while it works. Builders run as the task
``eventsite.tasks.build_report`` (a thread of the web process in the embedded default, ``db_worker`` in scale
mode; docs/architecture-tasks.md), in the language of the organizer who asked.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator, Mapping

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .apps import ReportKind, collect_report_kinds
from .models import Event, ReportJob

log = logging.getLogger(__name__)


class _Kinds(Mapping[str, ReportKind]):
    """kind → ReportKind, read from the apps' configs on first use (after the app registry is ready)."""

    def __getitem__(self, kind: str) -> ReportKind:
        return collect_report_kinds()[kind]

    def __iter__(self) -> Iterator[str]:
        return iter(collect_report_kinds())

    def __len__(self) -> int:
        return len(collect_report_kinds())


KINDS: Mapping[str, ReportKind] = _Kinds()


class UnknownReport(ValueError):
    pass


def params_from(kind: str, data) -> dict:
    """The job parameters a kind reads from the submitted form (unknown or invalid values are dropped)."""
    if kind not in KINDS:
        raise UnknownReport(kind)
    reader = KINDS[kind].params
    return reader(data) if reader else {}


def start(*, event: Event, kind: str, requested_by, params: dict | None = None, language: str = "") -> ReportJob:
    """Record the job and enqueue its task in one transaction."""
    from .tasks import build_report

    if kind not in KINDS:
        raise UnknownReport(kind)
    with transaction.atomic():
        job = ReportJob.objects.create(event=event, kind=kind, requested_by=requested_by, params=params or {},
                                       language=language or translation.get_language() or "")
        build_report.enqueue(job_id=job.pk)
    return job


def run(job_id: int) -> ReportJob | None:
    """Build the file of one queued job; a failure is logged and shown on the job, never raised."""
    job = ReportJob.objects.select_related("event").filter(pk=job_id, status=ReportJob.Status.QUEUED).first()
    if job is None:
        return None
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.RUNNING)

    def progress(done: int, total: int) -> None:
        ReportJob.objects.filter(pk=job.pk).update(done=done, total=total)

    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            content, filename, content_type = KINDS[job.kind].build(job.event, job.params, progress)
            stored = f"event-{job.event_id}-report-{job.pk}-{secrets.token_hex(8)}"
            job.file.save(stored, ContentFile(content), save=False)
        except Exception:
            log.exception("report job %s (%s) failed", job.pk, job.kind)
            ReportJob.objects.filter(pk=job.pk).update(
                status=ReportJob.Status.FAILED, finished_at=timezone.now(),
                error=_("The file could not be made; please try again."))
        else:
            ReportJob.objects.filter(pk=job.pk).update(
                status=ReportJob.Status.DONE, file=job.file.name, filename=filename, content_type=content_type,
                finished_at=timezone.now())
    return ReportJob.objects.filter(pk=job.pk).first()


def recent(event: Event, limit: int = 10):
    return ReportJob.objects.filter(event=event).order_by("-created_at")[:limit]
