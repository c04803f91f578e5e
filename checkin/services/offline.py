"""Offline desks: the compact list a desk keeps (delta sync by change number), desk reports, and the upload of
scans a desk admitted while offline — through ``checkin.redeem_badge`` like any scan, so nonces keep every
upload idempotent and the badge row lock keeps one live check-in per badge (the earliest scan wins).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from eventsite.errors import DomainError
from eventsite.live import broadcast_on_commit
from eventsite.models import Event
from registration.models import Badge, DeskSyncCounter, DeskTombstone, RegistrationStatus, RevokedToken
from registration.services import tokens

from ..models import CheckinConflict, DeskReport, ScanStatus
from . import checkin

MAX_BATCH = 500
CHUNK = 100  # scans per transaction in an upload
MAX_BACKDATE = timedelta(days=3)  # an offline scan older than this is taken as a wrong clock: recorded as now
_DESK_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


class OfflineError(DomainError):
    """Bad request from an offline desk (desk id, batch shape)."""

    code = "offline_error"


# --- the desk's list -----------------------------------------------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def desk_list(*, event: Event, since: int = 0, revoked_after: int = 0) -> dict[str, Any]:
    """The compact list for a desk: everything after change ``since`` (0 = all) and revocations after id.

    Keys are short on purpose (10,000 badges must stay well under 1 MB): ``v`` version, ``full`` whether this
    replaces the desk's list, ``e`` event id, ``k`` public key (raw, base64url), ``b`` badges as
    ``[id, name, organization, role, approved (1/0), issue counter]``, ``d`` ids of badges deleted after
    ``since`` (tombstones; empty in a full list), ``r`` revoked ``[badge id, counter]``, ``rv`` the last
    revocation id, ``w`` the check-in window ``[first day, last day, outside allowed (1/0)]`` (checkin_window).
    No email, no phone.
    """
    version, floor = (DeskSyncCounter.objects.filter(event_id=event.pk).values_list("version", "floor").first()
                      or (0, 0))
    # A desk ahead of the server (database restored) or behind the pruned tombstones starts over.
    full = since <= 0 or since > version or since < floor
    badges = Badge.objects.filter(event=event)
    if not full:
        badges = badges.filter(sync_version__gt=since)
    rows = badges.order_by("pk").values_list(
        "pk", "registration__full_name", "registration__company", "registration__role", "registration__status",
        "counter",
    )
    deleted = [] if full else list(
        DeskTombstone.objects.filter(event=event, version__gt=since).order_by("pk").values_list("badge_id", flat=True)
    )
    revoked = list(
        RevokedToken.objects.filter(event=event, pk__gt=0 if full else max(revoked_after, 0))
        .order_by("pk").values_list("pk", "badge_id", "counter")
    )
    return {
        "v": version,
        "full": full,
        "e": event.pk,
        "k": _b64(tokens.public_key(event.pk)),
        "b": [[pk, name, company, role, 1 if status == RegistrationStatus.APPROVED else 0, counter]
              for pk, name, company, role, status, counter in rows.iterator(chunk_size=2000)],
        "d": deleted,
        "r": [[badge_id, counter] for _, badge_id, counter in revoked],
        "rv": revoked[-1][0] if revoked else max(revoked_after, 0) if not full else 0,
        "w": [*(day.isoformat() for day in checkin.checkin_window(event)),
              1 if checkin.outside_dates_allowed(event) else 0],
    }


def clean_desk_id(desk_id: str) -> str:
    desk_id = (desk_id or "").strip()
    if not 8 <= len(desk_id) <= 40 or not set(desk_id) <= _DESK_ID_CHARS:
        raise OfflineError("desk id must be 8–40 letters, digits, - or _", code="bad_desk")
    return desk_id


def report_desk(*, event: Event, user, desk_id: str, gate: str, queue_length: int, list_version: int) -> None:
    """Record what a desk said on its last sync (organizers see it on the check-in dashboard)."""
    desk_id = clean_desk_id(desk_id)
    fields = {"user": user if getattr(user, "is_authenticated", False) else None, "gate": (gate or "")[:40],
              "last_sync_at": timezone.now(), "queue_length": max(0, min(int(queue_length), 10**6)),
              "list_version": max(0, int(list_version))}
    # One UPDATE on every sync after the first (update_or_create would add a SELECT and savepoints).
    if DeskReport.objects.filter(event=event, desk_id=desk_id).update(**fields):
        return
    try:
        with transaction.atomic():
            DeskReport.objects.create(event=event, desk_id=desk_id, **fields)
    except IntegrityError:  # the same desk's first two syncs raced: the other one created the row
        DeskReport.objects.filter(event=event, desk_id=desk_id).update(**fields)


@dataclass(frozen=True)
class DeskRow:
    """One desk as the dashboard shows it: a gate and the person working it."""

    gate: str
    user: Any
    last_sync_at: datetime
    queue_length: int
    browsers: int  # how many browsers reported for this gate and person (a new one after storage was cleared)


def desk_reports(event: Event, *, limit: int = 50) -> list[DeskRow]:
    """The event's desks, one row per gate and person, most recent first.

    A browser reports under its own id, so one person at one gate who reopened the desk in a fresh browser (or
    after clearing its storage) has two reports; they are one desk to an organizer. Its queue is the sum: scans
    waiting in the old browser still wait."""
    rows: dict[tuple[int | None, str], DeskRow] = {}
    for report in DeskReport.objects.filter(event=event).select_related("user").order_by("-last_sync_at"):
        key = (report.user_id, report.gate)
        seen = rows.get(key)
        if seen is None:
            if len(rows) == limit:
                continue
            rows[key] = DeskRow(report.gate, report.user, report.last_sync_at, report.queue_length, 1)
        else:
            rows[key] = DeskRow(seen.gate, seen.user, seen.last_sync_at, seen.queue_length + report.queue_length,
                                seen.browsers + 1)
    return list(rows.values())


def conflicts(event: Event, *, limit: int = 100) -> list[CheckinConflict]:
    return list(
        CheckinConflict.objects.filter(event=event)
        .select_related("badge__registration", "kept", "other_by")[:limit]
    )


# --- upload ----------------------------------------------------------------------------------------------------


# What an offline desk may say it decided (desk-offline.js): a ScanStatus, or one of its own answers when it
# could not decide (badge newer than its list, no list yet, no Ed25519 in the browser).
LOCAL_VERDICTS = frozenset(ScanStatus.values) - {ScanStatus.REFUSED_OFFLINE} | {"unknown", "no_list", "no_crypto"}


@dataclass(frozen=True)
class OfflineScan:
    code: str
    gate: str
    nonce: str
    scanned_at: datetime
    local: str = ScanStatus.OK  # the desk's verdict: only "ok" may become a check-in

    @property
    def admitted(self) -> bool:
        return self.local == ScanStatus.OK


def parse_scans(items: Any, *, now: datetime | None = None) -> list[OfflineScan]:
    """Check the shape of an uploaded batch: a list of {code, gate, nonce, scanned_at (ISO 8601), local?}.

    ``local`` is the desk's own verdict (absent: "ok", an admission). A refused scan is uploaded for the record.
    """
    if not isinstance(items, list) or not items:
        raise OfflineError("scans must be a non-empty list", code="bad_batch")
    if len(items) > MAX_BATCH:
        raise OfflineError("too many scans in one batch", code="batch_too_large")
    now = now or timezone.now()
    scans = []
    for item in items:
        if not isinstance(item, dict):
            raise OfflineError("each scan must be an object", code="bad_batch")
        code, gate, nonce, at = (item.get(k) for k in ("code", "gate", "nonce", "scanned_at"))
        if not all(isinstance(v, str) for v in (code, gate, nonce, at)):
            raise OfflineError("code, gate, nonce and scanned_at are text", code="bad_batch")
        try:
            scanned_at = parse_datetime(at)
        except ValueError:
            scanned_at = None
        if scanned_at is None:
            raise OfflineError("scanned_at must be an ISO 8601 time", code="bad_batch")
        if timezone.is_naive(scanned_at):
            scanned_at = timezone.make_aware(scanned_at, timezone.get_default_timezone())
        if scanned_at > now or scanned_at < now - MAX_BACKDATE:
            scanned_at = now  # a desk clock in the future (or far past) cannot reorder admissions
        local = item.get("local", ScanStatus.OK)
        if local not in LOCAL_VERDICTS:
            raise OfflineError("local must be one of the desk's verdicts", code="bad_batch")
        scans.append(OfflineScan(code=code[:400], gate=gate, nonce=nonce, scanned_at=scanned_at, local=local))
    return scans


def _lock_order(scan: OfflineScan) -> int:
    try:
        return tokens.parse(scan.code)[0].badge_id
    except tokens.TokenError:
        return 0  # no badge row to lock


def upload_scans(*, event: Event, user, scans: list[OfflineScan]) -> list[checkin.ScanResult]:
    """Redeem scans a desk admitted offline. A scan already uploaded (same nonce) gets its first answer back.

    A scan the desk refused (revoked, forged, a second scan, ...) is decided again and only logged: it never
    becomes a check-in, even where the server would have admitted the person (logged as REFUSED_OFFLINE).

    The scans of a batch commit together in chunks (one commit per scan made an upload of 1,000 scans take half a
    minute), each scan in its own savepoint. Within a chunk they are redeemed in badge-id order, so two desks
    uploading at once take their row locks in the same order and cannot deadlock; the answer does not depend
    on that order, since the earliest scan time wins whichever arrives first.
    """
    answers: dict[int, checkin.ScanResult] = {}
    for start in range(0, len(scans), CHUNK):
        chunk = sorted(range(start, min(start + CHUNK, len(scans))), key=lambda i: (_lock_order(scans[i]), i))
        with transaction.atomic():
            for i in chunk:
                scan = scans[i]
                try:
                    answers[i] = checkin.redeem_badge(code=scan.code, gate=scan.gate, nonce=scan.nonce,
                                                      device_or_user=user, event=event,
                                                      scanned_at=scan.scanned_at, announce=False,
                                                      admit=scan.admitted, local=scan.local)
                except checkin.CheckinError as error:
                    answers[i] = checkin.ScanResult(status="error", extra={"reason": error.code})
    results = [answers[i] for i in range(len(scans))]
    # One live update for the batch (one per scan would cost more than the scans): new admissions, minus none
    # for an earlier scan replacing a later one; the dashboard re-reads its figures after it.
    added = sum(1 for r in results if r.ok and not r.replayed and not r.extra.get("superseded"))
    broadcast_on_commit(event.pk, checkin.TOPIC, {"type": "checkin.changed", "delta": added})
    return results
