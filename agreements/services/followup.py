"""Follow-through of signed agreements: check points, single-use report links and the reports themselves.

Rules:
- A check point of ``m`` months is due on the local (Asia/Ho_Chi_Minh) signing day plus ``m`` calendar months
  (31 January + 1 month = the last day of February), and stays open until the next check point is due (the last
  one: ``LAST_WINDOW_DAYS`` days). Links expire when their check point closes.
- A link is a random token; only its SHA-256 is stored. One conditional UPDATE marks it used, so a link works once
  however many tabs or people post it at the same moment.
- A report names its party by organization; a correction is a new row, the earlier one stays (``current=False``)
  and the activity log keeps before/after. ``FollowupStatus`` (one row per agreement) is rewritten with it.
"""

from __future__ import annotations

import calendar
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from eventsite.activity import log_action
from eventsite.errors import DomainError
from eventsite.models import Event, Organization

from ..models import Agreement, AgreementParty
from ..models_followup import (
    DEFAULT_CHECKPOINT_MONTHS,
    IMPLEMENTED,
    NEEDS_REASON,
    ChannelListing,
    CheckPoint,
    FollowupLink,
    FollowupReport,
    FollowupState,
    FollowupStatus,
)

LAST_WINDOW_DAYS = 90
TOKEN_BYTES = 32
TOKEN_LENGTH = 43  # urlsafe base64 of 32 bytes, no padding


class FollowupError(DomainError):
    code = "followup_invalid"


class LinkInvalid(FollowupError):
    """``unknown`` (never issued or altered: 404), ``expired`` or ``used`` (410)."""

    code = "unknown"
    status = 404


class NotAParty(FollowupError):
    code = "not_a_party"
    status = 403


# --- dates -------------------------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """``day`` plus whole calendar months, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def due_cutoff(today: date, months: int) -> date:
    """The latest signing day whose ``months`` check point is due on ``today`` (so: signed_on <= this)."""
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    if today.day == calendar.monthrange(today.year, today.month)[1]:
        return date(year, month + 1, last)  # the month's end: every later day of the earlier month clamps here
    return date(year, month + 1, min(today.day, last))


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def checkpoints_of(event: Event) -> list[CheckPoint]:
    """The event's check points, the defaults written the first time they are asked for."""
    points = list(CheckPoint.objects.filter(event=event).order_by("months"))
    if not points:
        CheckPoint.objects.bulk_create([CheckPoint(event=event, months=m) for m in DEFAULT_CHECKPOINT_MONTHS],
                                       ignore_conflicts=True)
        points = list(CheckPoint.objects.filter(event=event).order_by("months"))
    return points


@transaction.atomic
def set_checkpoints(*, event: Event, months: list[int], actor) -> list[int]:
    """Replace the event's check points by ``months`` (1–60, at least one). A check point that already has
    reports or sent requests stays (removing it would orphan what the parties said); returns those kept."""
    wanted = sorted(set(months))
    if not wanted or any(m < 1 or m > 60 for m in wanted):
        raise FollowupError(_("Give at least one check point, each between 1 and 60 months."), code="months")
    before = [p.months for p in checkpoints_of(event)]
    kept = []
    for point in CheckPoint.objects.select_for_update().filter(event=event):
        if point.months in wanted:
            continue
        if point.reports.exists() or point.notices.exists():
            kept.append(point.months)
            continue
        point.delete()
    CheckPoint.objects.bulk_create([CheckPoint(event=event, months=m) for m in wanted], ignore_conflicts=True)
    after = list(CheckPoint.objects.filter(event=event).order_by("months").values_list("months", flat=True))
    log_action(action="agreements.followup_checkpoints", obj=event, actor=actor, before={"months": before},
               after={"months": after})
    return kept


def window(signed_on: date, point: CheckPoint, points: list[CheckPoint]) -> tuple[date, date]:
    """(due, closes): the days check point ``point`` opens and closes for an agreement signed on ``signed_on``."""
    due = add_months(signed_on, point.months)
    later = [p.months for p in points if p.months > point.months]
    closes = add_months(signed_on, min(later)) if later else due + timedelta(days=LAST_WINDOW_DAYS)
    return due, closes


def open_checkpoint(agreement: Agreement, points: list[CheckPoint], today: date | None = None) -> CheckPoint | None:
    """The check point open today for ``agreement`` (the latest one due), or None before the first."""
    today = today or timezone.localdate()
    current = None
    for point in points:
        due, closes = window(agreement.signed_on, point, points)
        if due <= today < closes:
            current = point
    return current


# --- links -------------------------------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_link(*, agreement_id: int, organization_id: int, checkpoint: CheckPoint, email: str,
             expires_at: datetime) -> tuple[FollowupLink, str]:
    """An unsaved link and its token (the only place the token exists in clear), for bulk writes."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return FollowupLink(token_hash=_hash(token), agreement_id=agreement_id, organization_id=organization_id,
                        checkpoint=checkpoint, email=email, expires_at=expires_at), token


def issue_link(*, agreement_id: int, organization_id: int, checkpoint: CheckPoint, email: str,
               expires_at: datetime) -> str:
    """A new single-use link; returns its token."""
    link, token = new_link(agreement_id=agreement_id, organization_id=organization_id, checkpoint=checkpoint,
                           email=email, expires_at=expires_at)
    link.save(force_insert=True)
    return token


def read_link(token: str, *, now: datetime | None = None) -> FollowupLink:
    """The link ``token`` opens, or LinkInvalid (unknown, expired, used, or its party left the agreement)."""
    now = now or timezone.now()
    if len(token) != TOKEN_LENGTH:
        raise LinkInvalid(_("This link is not valid. Check that it was copied whole."), code="unknown")
    link = (FollowupLink.objects.select_related("agreement__event", "organization", "checkpoint")
            .filter(token_hash=_hash(token)).first())
    if link is None:
        raise LinkInvalid(_("This link is not valid. Check that it was copied whole."), code="unknown")
    if link.used_at is not None:
        raise LinkInvalid(_("This link has already been used. The confirmation email has a new link for "
                            "corrections."), code="used")
    if link.expires_at <= now:
        raise LinkInvalid(_("This link has expired: its check point is closed."), code="expired")
    if not AgreementParty.objects.filter(agreement_id=link.agreement_id,
                                         organization_id=link.organization_id).exists():
        raise LinkInvalid(_("This organization is no longer a party to the agreement."), code="not_a_party")
    return link


# --- reports -----------------------------------------------------------------------------------------------------


@dataclass
class Listing:
    channel: str
    name: str
    product_id: int | None = None


@dataclass
class ReportData:
    state: str
    reason: str = ""
    volume: str = ""
    value: int | None = None
    note: str = ""
    listings: list[Listing] = field(default_factory=list)


@dataclass
class Submitted:
    report: FollowupReport
    correction_token: str | None  # for link reports: the new link the confirmation email carries
    closes: date


def _status_after(agreement_id: int) -> None:
    """Rewrite the agreement's summary row from its current reports (the latest report's state)."""
    reports = list(FollowupReport.objects.filter(agreement_id=agreement_id, current=True)
                   .order_by("-reported_at", "-id").values("state", "value", "reported_at"))
    if not reports:
        FollowupStatus.objects.filter(agreement_id=agreement_id).delete()
        return
    values = [r["value"] for r in reports if r["value"] is not None]
    FollowupStatus.objects.update_or_create(agreement_id=agreement_id, defaults={
        "state": reports[0]["state"], "implemented": any(r["state"] in IMPLEMENTED for r in reports),
        "realized_value": max(values) if values else None, "last_reported_at": reports[0]["reported_at"]})


def _clean(data: ReportData) -> ReportData:
    if data.state not in FollowupState.values:
        raise FollowupError(_("Choose the state of the agreement."), code="state")
    if data.state in NEEDS_REASON and not data.reason.strip():
        raise FollowupError(_("Give a reason when the agreement is paused or cancelled."), code="reason_required")
    return data


@transaction.atomic
def submit_report(*, agreement: Agreement, organization: Organization, checkpoint: CheckPoint, data: ReportData,
                  via: str, actor=None, link: FollowupLink | None = None,
                  now: datetime | None = None) -> Submitted:
    """Record ``organization``'s report at ``checkpoint`` (replacing its earlier one there, which is kept).

    Through a link, the link is spent first by one conditional UPDATE (a second use changes no row and is
    refused) and a new link for corrections is issued, valid until the check point closes."""
    now = now or timezone.now()
    data = _clean(data)
    if link is not None:
        spent = FollowupLink.objects.filter(pk=link.pk, used_at__isnull=True, expires_at__gt=now).update(used_at=now)
        if spent != 1:
            raise LinkInvalid(_("This link has already been used. The confirmation email has a new link for "
                                "corrections."), code="used")
    if not AgreementParty.objects.filter(agreement=agreement, organization=organization).exists():
        raise NotAParty(_("Only the parties to an agreement report on it."))
    previous = (FollowupReport.objects.select_for_update()
                .filter(agreement=agreement, organization=organization, checkpoint=checkpoint, current=True).first())
    if previous is not None:
        previous.current = False
        previous.save(update_fields=["current"])
    report = FollowupReport.objects.create(
        agreement=agreement, organization=organization, checkpoint=checkpoint, state=data.state,
        reason=data.reason.strip()[:300], volume=data.volume.strip()[:200], value=data.value,
        note=data.note.strip()[:500], via=via, reported_by=actor if getattr(actor, "is_authenticated", False)
        else None)
    allowed = set(agreement.products.values_list("pk", flat=True))
    ChannelListing.objects.bulk_create([
        ChannelListing(report=report, channel=item.channel, name=item.name.strip()[:200],
                       product_id=item.product_id if item.product_id in allowed else None)
        for item in data.listings if item.name.strip() and item.channel in ChannelListing.Channel.values])
    _status_after(agreement.pk)
    fields = ["state", "reason", "volume", "value", "note"]
    log_action(action="agreements.followup_corrected" if previous else "agreements.followup_reported",
               obj=agreement, event=agreement.event_id, actor=actor,
               actor_label="" if getattr(actor, "is_authenticated", False) else organization.name,
               before={f: getattr(previous, f) for f in fields} if previous else None,
               after={**{f: getattr(report, f) for f in fields}, "checkpoint_months": checkpoint.months,
                      "organization": organization.pk, "via": via})
    points = list(CheckPoint.objects.filter(event_id=agreement.event_id).order_by("months"))
    _due, closes = window(agreement.signed_on, checkpoint, points)
    token = None
    if link is not None:
        token = issue_link(agreement_id=agreement.pk, organization_id=organization.pk, checkpoint=checkpoint,
                           email=link.email, expires_at=local_midnight(closes))
    return Submitted(report=report, correction_token=token, closes=closes)


def party_of(agreement: Agreement, organization_ids) -> Organization | None:
    """The first of ``organization_ids`` that is a party to ``agreement`` (a signed-in member's organization)."""
    party = (AgreementParty.objects.filter(agreement=agreement, organization_id__in=list(organization_ids))
             .select_related("organization").order_by("position").first())
    return party.organization if party else None


def reports_of(agreement: Agreement):
    """Every report on ``agreement``, corrections included, oldest first, with what they list."""
    return (FollowupReport.objects.filter(agreement=agreement).select_related("organization", "checkpoint")
            .prefetch_related("listings__product").order_by("checkpoint__months", "reported_at", "id"))


def last_report_at(agreement: Agreement):
    return FollowupReport.objects.filter(agreement=agreement).aggregate(at=Max("reported_at"))["at"]
