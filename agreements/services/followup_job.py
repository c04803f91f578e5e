"""The periodic follow-through job: find the parties whose check point is due, ask each once.

Run by ``manage.py periodic`` (the ``followup`` job, every 10 minutes with ``--loop`` beside the server or task
worker; or from cron) and ``manage.py followup_due`` (this job alone). Each run:
1. inserts a ``FollowupNotice`` per due (agreement, party organization, check point) with a contact email and no
   report yet — and a reminder ``REMINDER_AFTER`` after an unanswered request. The unique constraint refuses a
   second row, so a second run (or a second worker) adds nothing;
2. claims pending notices with ``select_for_update(skip_locked=True)``, marks them *sending* in the same
   transaction and, after commit, enqueues ``agreements.tasks.send_followup_notices`` (one task per batch): a
   notice is claimed by exactly one run, so each email goes out once;
3. the task makes the single-use link and sends; a failure is stored on the notice (shown to organizers on the
   follow-through page) and retried by later runs up to ``MAX_ATTEMPTS`` times. A party that reported
   meanwhile is not written to (reminders stop when reported).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from eventsite.apps import PeriodicRun

from ..models import Agreement, AgreementParty
from ..models_followup import CheckPoint, FollowupLink, FollowupNotice, FollowupReport
from .entry import counted_filter
from .followup import LAST_WINDOW_DAYS, checkpoints_of, due_cutoff, local_midnight, new_link, window

log = logging.getLogger(__name__)

REMINDER_AFTER = timedelta(days=7)
MAX_ATTEMPTS = 3
BATCH = 200

Notice = FollowupNotice


@dataclass
class JobResult:
    created: int
    claimed: int
    tasks: list = field(default_factory=list)  # the enqueued send tasks' results (django-tasks TaskResult)


def _reported(prefix: str = "") -> Exists:
    return Exists(FollowupReport.objects.filter(
        agreement_id=OuterRef(f"{prefix}agreement_id"), organization_id=OuterRef(f"{prefix}organization_id"),
        checkpoint_id=OuterRef(f"{prefix}checkpoint_id") if prefix else OuterRef("checkpoint_id"), current=True))


def _windows(points: list[CheckPoint], today) -> list[tuple[CheckPoint, object, object]]:
    """(check point, lowest signing day excluded, highest included): agreements in that range have it open."""
    result = []
    for i, point in enumerate(points):
        high = due_cutoff(today, point.months)
        if i + 1 < len(points):
            low = due_cutoff(today, points[i + 1].months)
        else:
            low = due_cutoff(today - timedelta(days=LAST_WINDOW_DAYS), point.months)
        result.append((point, low, high))
    return result


def find_due(*, now: datetime | None = None) -> int:
    """Write the notices due at ``now``; returns how many were new."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    events = (Agreement.objects.filter(counted_filter("")).order_by().values_list("event_id", flat=True).distinct())
    with_points = set(CheckPoint.objects.filter(event_id__in=events).values_list("event_id", flat=True).distinct())
    for event_id in set(events) - with_points:
        from eventsite.models import Event

        checkpoints_of(Event.objects.get(pk=event_id))
    by_event: dict[int, list[CheckPoint]] = {}
    for point in CheckPoint.objects.filter(event_id__in=events).select_related("event").order_by("months"):
        by_event.setdefault(point.event_id, []).append(point)
    new: list[Notice] = []
    for points in by_event.values():
        organizer_id = points[0].event.organizer_id
        for point, low, high in _windows(points, today):
            parties = (AgreementParty.objects
                       .filter(counted_filter("agreement__"), agreement__event_id=point.event_id,
                               agreement__signed_on__gt=low, agreement__signed_on__lte=high)
                       .exclude(contact_email="").exclude(organization_id=organizer_id)
                       .exclude(role=AgreementParty.Role.WITNESS)
                       .annotate(asked=Exists(Notice.objects.filter(
                           agreement_id=OuterRef("agreement_id"), organization_id=OuterRef("organization_id"),
                           checkpoint=point, kind=Notice.Kind.DUE)),
                           done=Exists(FollowupReport.objects.filter(
                               agreement_id=OuterRef("agreement_id"), organization_id=OuterRef("organization_id"),
                               checkpoint=point, current=True)))
                       .filter(asked=False, done=False).values_list("agreement_id", "organization_id",
                                                                     "contact_email"))
            new += [Notice(agreement_id=a, organization_id=o, checkpoint=point, kind=Notice.Kind.DUE, email=e)
                    for a, o, e in parties]
            reminders = (Notice.objects
                         .filter(checkpoint=point, kind=Notice.Kind.DUE, status=Notice.Status.SENT,
                                 sent_at__lte=now - REMINDER_AFTER, agreement__signed_on__gt=low,
                                 agreement__signed_on__lte=high)
                         .annotate(reminded=Exists(Notice.objects.filter(
                             agreement_id=OuterRef("agreement_id"), organization_id=OuterRef("organization_id"),
                             checkpoint=point, kind=Notice.Kind.REMINDER)),
                             done=Exists(FollowupReport.objects.filter(
                                 agreement_id=OuterRef("agreement_id"), organization_id=OuterRef("organization_id"),
                                 checkpoint=point, current=True)))
                         .filter(reminded=False, done=False).values_list("agreement_id", "organization_id", "email"))
            new += [Notice(agreement_id=a, organization_id=o, checkpoint=point, kind=Notice.Kind.REMINDER, email=e)
                    for a, o, e in reminders]
    if not new:
        return 0
    before = Notice.objects.count()
    # The unique (agreement, organization, check point, kind) is the guard: a row a parallel run wrote wins.
    Notice.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    return Notice.objects.count() - before


def claim_and_dispatch(*, site: str = "", limit: int | None = None, tasks: list | None = None) -> int:
    """Claim the notices waiting to be sent (pending, or failed fewer than MAX_ATTEMPTS times) and hand them
    to the task queue, ``BATCH`` at a time. Rows another run holds are skipped, rows it sent are no longer
    pending.

    Each batch is claimed and enqueued in its own transaction, so the task workers start sending the first batch
    while this run claims the next; a run that stops half way leaves the batches it committed dispatched and the
    others pending for the next run."""
    from ..tasks import send_followup_notices

    waiting = Q(status=Notice.Status.PENDING) | Q(status=Notice.Status.FAILED, attempts__lt=MAX_ATTEMPTS)
    claimed = 0
    while limit is None or claimed < limit:
        size = BATCH if limit is None else min(BATCH, limit - claimed)
        with transaction.atomic():
            rows = Notice.objects.filter(waiting).order_by("id")
            if connection.features.has_select_for_update_skip_locked:
                rows = rows.select_for_update(skip_locked=True)
            ids = list(rows.values_list("id", flat=True)[:size])
            if not ids:
                break
            Notice.objects.filter(pk__in=ids).update(status=Notice.Status.SENDING)
            # Enqueued inside the transaction: the database backend's row commits with the claim, the thread
            # backend starts after commit.
            result = send_followup_notices.enqueue(notice_ids=ids, site=site)
        claimed += len(ids)
        if tasks is not None:
            tasks.append(result)
        if len(ids) < size:
            break
    return claimed


def run_followup_job(*, now: datetime | None = None, site: str = "") -> JobResult:
    """One pass of the periodic job (idempotent: a second pass right after sends nothing)."""
    created = find_due(now=now)
    tasks: list = []
    claimed = claim_and_dispatch(site=site or getattr(settings, "SITE_URL", ""), tasks=tasks)
    return JobResult(created=created, claimed=claimed, tasks=tasks)


def periodic_followup(*, site: str = "") -> PeriodicRun:
    """The ``followup`` periodic job (agreements/apps.py; ``manage.py periodic`` or ``followup_due``)."""
    result = run_followup_job(site=site)
    return PeriodicRun(f"{result.created} new, {result.claimed} handed to the worker", tuple(result.tasks))


# --- the task's side: link and email ----------------------------------------------------------------------------


def report_url(site: str, event_slug: str, token: str) -> str:
    return site + reverse("agreements:followup_report", kwargs={"event_slug": event_slug, "token": token})


def build_email(*, to: str, template: str, context: dict, subject: str | None = None) -> EmailMessage:
    """The email ``template`` (``agreements/email/<template>.txt`` and ``…_subject.txt``) to ``to``, in the site's
    language (Vietnamese first; the email repeats it in English). ``subject``: already rendered by the caller
    (a batch renders it once for every email that shares it)."""
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(f"agreements/email/{template}.txt", context)
    return EmailMessage(subject=render_subject(template, context) if subject is None else subject, body=body,
                        to=[to])


def render_subject(template: str, context: dict) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return " ".join(render_to_string(f"agreements/email/{template}_subject.txt", context).split())


# The columns a request email reads of each notice (send_notices): plain values, not model instances, since the
# batch builds thousands of emails and only a few fields of the agreement and the party go into each.
_EMAIL_COLUMNS = ("pk", "kind", "email", "organization_id", "organization__name", "checkpoint_id", "agreement_id",
                  "agreement__event_id", "agreement__title", "agreement__signed_on", "agreement__signed_at")


@dataclass
class _EventPart:
    """What every email of one event shares: the event (its name, slug and organizer) and its check points."""

    event: object
    points: list[CheckPoint]
    by_id: dict[int, CheckPoint]


def _event_part(event_id: int) -> _EventPart:
    from eventsite.models import Event

    event = Event.objects.select_related("organizer").only("name", "slug", "organizer__name").get(pk=event_id)
    points = list(CheckPoint.objects.filter(event_id=event_id).order_by("months"))
    return _EventPart(event, points, {p.pk: p for p in points})


def send_notices(*, notice_ids: list[int], site: str = "", now: datetime | None = None) -> dict[str, int]:
    """Send the claimed notices ``notice_ids`` (those still *sending*); returns counts by outcome.

    One batch: the links are written in one INSERT, the emails go out over one mail connection, the outcomes are
    stored with one UPDATE each (a failed one keeps its error for the organizers and is retried by a later run)."""
    now = now or timezone.now()
    rows = list(Notice.objects.filter(pk__in=notice_ids, status=Notice.Status.SENDING).annotate(done=_reported())
                .values(*_EMAIL_COLUMNS, "done"))
    skipped = [row["pk"] for row in rows if row["done"]]
    Notice.objects.filter(pk__in=skipped).update(status=Notice.Status.SKIPPED)
    parts: dict[int, _EventPart] = {}
    subjects: dict[tuple[int, bool], str] = {}  # the subject names only the check point and whether it reminds
    links, messages = [], []
    for row in (r for r in rows if not r["done"]):
        event_id = row["agreement__event_id"]
        part = parts.get(event_id)
        if part is None:
            part = parts[event_id] = _event_part(event_id)
        checkpoint = part.by_id[row["checkpoint_id"]]
        due, closes = window(row["agreement__signed_on"], checkpoint, part.points)
        link, token = new_link(agreement_id=row["agreement_id"], organization_id=row["organization_id"],
                               checkpoint=checkpoint, email=row["email"], expires_at=local_midnight(closes))
        links.append(link)
        context = {"agreement": {"title": row["agreement__title"], "signed_at": row["agreement__signed_at"]},
                   "event": part.event, "organization": {"name": row["organization__name"]},
                   "checkpoint": checkpoint, "due": due, "closes": closes,
                   "reminder": row["kind"] == Notice.Kind.REMINDER,
                   "url": report_url(site, part.event.slug, token)}
        key = (checkpoint.pk, context["reminder"])
        if key not in subjects:
            subjects[key] = render_subject("followup_request", context)
        messages.append((row["pk"], build_email(to=row["email"], template="followup_request", context=context,
                                                subject=subjects[key])))
    FollowupLink.objects.bulk_create(links, batch_size=500)
    sent, failed = [], []
    connection = get_connection()
    try:
        connection.open()
        for pk, message in messages:
            message.connection = connection
            try:
                message.send()
                sent.append(pk)
            except Exception as error:  # this one is retried by a later run; the others still go
                log.exception("follow-through request %s not sent", pk)
                failed.append((pk, f"{type(error).__name__}: {error}"[:300]))
    finally:
        connection.close()
    Notice.objects.filter(pk__in=sent).update(status=Notice.Status.SENT, sent_at=now, attempts=F("attempts") + 1,
                                              error="")
    for pk, error in failed:
        Notice.objects.filter(pk=pk).update(status=Notice.Status.FAILED, attempts=F("attempts") + 1, error=error)
    return {"sent": len(sent), "skipped": len(skipped), "failed": len(failed)}


def send_confirmation(*, email: str, agreement_id: int, organization_id: int, checkpoint_id: int, token: str,
                      closes, site: str = "") -> None:
    """The thank-you email after a report through a link, with the new link for corrections."""
    agreement = Agreement.objects.select_related("event").get(pk=agreement_id)
    checkpoint = CheckPoint.objects.get(pk=checkpoint_id)
    from eventsite.models import Organization

    try:
        build_email(to=email, template="followup_confirmation", context={
            "agreement": agreement, "event": agreement.event, "checkpoint": checkpoint, "closes": closes,
            "organization": Organization.objects.get(pk=organization_id),
            "url": report_url(site, agreement.event.slug, token)}).send()
    except Exception:
        log.exception("follow-through confirmation for agreement %s not sent", agreement_id)
