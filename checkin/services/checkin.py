"""Check-in: redeem a badge code at a gate, undo the last admission, count who is in.

One implementation, through the ORM, the same on every database. An admission is at most 4 statements plus
BEGIN/COMMIT whatever the number of attendees: lock the badge row with its registration and read any earlier
answer to the client's nonce (one SELECT … FOR UPDATE), insert the check-in, point the badge at it, write the scan
to the activity log; the event's public key and the scanning device are cached in-process.

Locks are always taken in one order — the badge row first, then the check-ins it points at — by redeem, undo and
the offline conflict alike, so two of them never deadlock. The badge row lock makes two gates scanning one badge at
once yield exactly one OK; the schema is the last guard (one live check-in per badge, one activity-log entry per
nonce): a race that slips past the lock (SQLite has no row locks; PostgreSQL's statement snapshot) ends in an
``IntegrityError`` that is answered with the first answer. The nonce makes a retried request return the first
answer instead of ALREADY CHECKED IN.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, JSONField, OuterRef, Q, Subquery
from django.utils import timezone

from eventsite.activity import build_entry, log_action
from eventsite.errors import DomainError
from eventsite.live import broadcast_coalesced_on_commit, broadcast_on_commit
from eventsite.models import ActivityEntry, Event
from eventsite.provinces import fold
from registration.models import Badge, Registration, RegistrationSettings, RegistrationStatus, RevokedToken
from registration.services import tokens
from registration.services.badges import ensure_badge

from ..models import CheckIn, CheckinConflict, CheckinTiming, Device, ScanStatus

UNDO_WINDOW = timedelta(minutes=15)
TOPIC = "checkin"
# Every scan is an entry of the activity log (the registration as its object, the client's nonce as its key, the
# answer given as ``after``, replayed verbatim on a retry); an undone admission is one too.
SCAN = "checkin.scan"
UNDONE = "checkin.undone"
_NONCE = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")


class CheckinError(DomainError):
    """Bad request to the check-in service (gate, nonce, nothing to undo)."""

    code = "checkin_error"


@dataclass
class ScanResult:
    status: str
    badge_id: int | None = None
    attendee: dict[str, str] | None = None
    checked_in_at: str | None = None  # ISO 8601: the admission this answer refers to
    gate: str = ""
    replayed: bool = False
    timing: str = ""  # a CheckinTiming: "" inside the event's check-in window, else early or late
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == ScanStatus.OK

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "badge_id": self.badge_id, "attendee": self.attendee,
                "checked_in_at": self.checked_in_at, "gate": self.gate, "timing": self.timing}

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, replayed: bool = False) -> ScanResult:
        return cls(status=data["status"], badge_id=data.get("badge_id"), attendee=data.get("attendee"),
                   checked_in_at=data.get("checked_in_at"), gate=data.get("gate", ""), replayed=replayed,
                   timing=data.get("timing", ""), extra={"confirmable": data.get("confirmable", False)})

    @property
    def confirmable(self) -> bool:
        """Outside the event's dates, and the person at the desk may admit anyway after confirming."""
        return self.status == ScanStatus.OUTSIDE_DATES and bool(self.extra.get("confirmable"))


def attendee_summary(badge: Badge) -> dict[str, str]:
    registration = badge.registration
    return {"name": registration.full_name, "company": registration.company, "role": registration.role,
            "registration_id": badge.registration_id}


def _actor(device_or_user) -> dict[str, Any]:
    if isinstance(device_or_user, Device):
        return {"by_device": device_or_user, "by_user": None}
    return {"by_device": None, "by_user": device_or_user if getattr(device_or_user, "is_authenticated", False)
            else None}


def _clean(gate: str, nonce: str) -> tuple[str, str]:
    gate = (gate or "").strip()
    if not gate or len(gate) > 40:
        raise CheckinError("gate must be 1–40 characters", code="bad_gate")
    if not _NONCE.match(nonce or ""):
        raise CheckinError("nonce must be 8–64 letters, digits or -_.:", code="bad_nonce")
    return gate, nonce


def _event_of(event: Event | None, device_or_user) -> Event:
    if isinstance(device_or_user, Device):
        if event is not None and event.pk != device_or_user.event_id:
            raise CheckinError("device belongs to another event", code="wrong_device")
        return event or device_or_user.event
    if event is None:
        raise CheckinError("event required for a person at a desk", code="no_event")
    return event


def checkin_window(event: Event) -> tuple[date, date]:
    """The days on which check-in is normal: from the day before the event starts to the day after it ends
    (local dates). Desks open the evening before, and late visitors come back for signings the day after."""
    return (timezone.localdate(event.starts_at) - timedelta(days=1),
            timezone.localdate(event.ends_at) + timedelta(days=1))


def checkin_timing(event: Event, at: datetime) -> str:
    """"" when ``at`` falls inside the event's check-in window, else ``CheckinTiming.EARLY`` or ``LATE``."""
    first, last = checkin_window(event)
    day = timezone.localdate(at)
    if day < first:
        return CheckinTiming.EARLY
    if day > last:
        return CheckinTiming.LATE
    return ""


def outside_dates_allowed(event: Event) -> bool:
    """Whether the organizer lets people in outside the check-in window (on unless turned off)."""
    allowed = (RegistrationSettings.objects.filter(event_id=event.pk)
               .values_list("checkin_outside_dates", flat=True).first())
    return allowed is None or allowed


def redeem_badge(*, code: str, gate: str, nonce: str, device_or_user, event: Event | None = None,
                 scanned_at: datetime | None = None, announce: bool = True, admit: bool = True,
                 local: str = "", confirmed_outside_dates: bool = True) -> ScanResult:
    """Admit the holder of ``code`` at ``gate``; see ScanStatus for the answers. Never raises for a bad code.

    Outside the event's check-in window (``checkin_window``) an admission is marked early or late
    (``ScanResult.timing``, ``CheckIn.timing``); it is refused (OUTSIDE_DATES) when the organizer turned such
    check-ins off, and merely asked (OUTSIDE_DATES, ``confirmable``) when ``confirmed_outside_dates`` is False:
    the online desk asks its user first, while the API and the offline desk's uploads record the scan marked.

    ``admit=False`` (a scan an offline desk refused, uploaded for the record) decides and logs only: a refusal
    is logged with the server's own reason, and what the server would have admitted (or found already in) is
    logged as REFUSED_OFFLINE or ALREADY, never as a check-in; ``local`` (the desk's verdict) goes in the log.

    ``scanned_at`` is given for a scan an offline desk admitted earlier (services.offline): the check-in is
    dated then, and if the badge is already in, the earliest admission is kept and the other is recorded as a
    ``CheckinConflict`` — one live check-in per badge either way. ``announce=False`` leaves the live update to
    the caller (a batch upload sends one message for the whole batch instead of one per scan).
    """
    event = _event_of(event, device_or_user)
    gate, nonce = _clean(gate, nonce)
    try:
        claims = tokens.verify(code, event_id=event.pk)
        status = None
    except tokens.TokenError as invalid:
        claims, status = None, invalid.code
    return _redeem(event=event, claims=claims, status=status, gate=gate, nonce=nonce, actor=_actor(device_or_user),
                   scanned_at=scanned_at, announce=announce, admit=admit, local=local,
                   confirmed_outside_dates=confirmed_outside_dates)


@dataclass(frozen=True)
class BadgeHolder:
    """Who a badge code names, as read at a place other than a gate (a B2B meeting table): nothing is written."""

    status: str  # a ScanStatus; OK means a genuine, current badge of an approved registration
    registration: Registration | None = None


def identify_badge(*, code: str, event: Event) -> BadgeHolder:
    """The holder of a badge code, by the gate's rules (signature, event, revocation, approval), without
    admitting anyone. ``registration`` is given whenever the badge is known (also when revoked or unapproved)."""
    try:
        claims = tokens.verify(code, event_id=event.pk)
    except tokens.TokenError as invalid:
        return BadgeHolder(invalid.code)
    # One statement: the badge, its registration, and whether this counter was revoked.
    badge = (Badge.objects.filter(pk=claims.badge_id, event=event).select_related("registration")
             .annotate(revoked=Exists(RevokedToken.objects.filter(badge=OuterRef("pk"), counter=claims.counter)))
             .first())
    if badge is None:  # genuine signature, but the badge is gone (registration deleted)
        return BadgeHolder(ScanStatus.REVOKED)
    registration = badge.registration
    if claims.counter > badge.counter:  # signed by our key yet never issued: treat as forged
        return BadgeHolder(ScanStatus.FORGED)
    if claims.counter < badge.counter or badge.revoked:
        return BadgeHolder(ScanStatus.REVOKED, registration)
    if registration.status != RegistrationStatus.APPROVED:
        return BadgeHolder(ScanStatus.NOT_APPROVED, registration)
    return BadgeHolder(ScanStatus.OK, registration)


def checkin_registration(*, registration_id: int, gate: str, nonce: str, device_or_user,
                         event: Event | None = None, confirmed_outside_dates: bool = True) -> ScanResult:
    """Manual admission from a name/phone lookup (lost badge): same rules as a scan, minus the token."""
    event = _event_of(event, device_or_user)
    gate, nonce = _clean(gate, nonce)
    registration = Registration.objects.filter(pk=registration_id, event=event).first()
    if registration is None:
        raise CheckinError("no such registration at this event", code="not_found")
    badge = ensure_badge(registration)
    claims = tokens.Claims(badge_id=badge.pk, event_id=event.pk, counter=badge.counter)
    return _redeem(event=event, claims=claims, status=None, gate=gate, nonce=nonce, actor=_actor(device_or_user),
                   confirmed_outside_dates=confirmed_outside_dates)


def _lock_badge(*, event_id: int, badge_id: int, nonce: str) -> tuple[Badge | None, dict | None]:
    """Lock the badge of a genuine token with its registration, and read any earlier answer to ``nonce``: one
    statement. Returns (None, answer) when the badge is not this event's."""
    badge = (
        Badge.objects.select_for_update(of=("self",)).select_related("registration")
        .only("pk", "event", "registration", "counter", "checked_in_at", "checked_in_gate",
              "registration__status", "registration__full_name", "registration__company", "registration__role")
        .annotate(prior=Subquery(_answers(event_id, nonce).values("after")[:1], output_field=JSONField()))
        .filter(pk=badge_id, event_id=event_id).first()
    )
    if badge is None:
        return None, _prior_answer(event_id=event_id, nonce=nonce)
    return badge, badge.prior


def _answers(event_id: int, nonce: str):
    """The scan entry of ``nonce`` at the event (at most one: the log's unique (event, key))."""
    return ActivityEntry.objects.filter(event_id=event_id, key=nonce)


def _prior_answer(*, event_id: int, nonce: str) -> dict | None:
    return _answers(event_id, nonce).values_list("after", flat=True).first()


def _redeem(*, event: Event, claims: tokens.Claims | None, status: str | None, gate: str, nonce: str,
            actor: dict[str, Any], scanned_at: datetime | None = None, announce: bool = True, admit: bool = True,
            local: str = "", confirmed_outside_dates: bool = True) -> ScanResult:
    ids = {"by_user_id": actor["by_user"].pk if actor["by_user"] else None,
           "by_device_id": actor["by_device"].pk if actor["by_device"] else None}
    try:
        with transaction.atomic():
            badge = prior = None
            if claims is not None:
                badge, prior = _lock_badge(event_id=event.pk, badge_id=claims.badge_id, nonce=nonce)
            else:
                prior = _prior_answer(event_id=event.pk, nonce=nonce)
            if prior is not None:
                return ScanResult.from_dict(prior, replayed=True)
            now = timezone.now()
            result = _decide(claims=claims, status=status, badge=badge)
            if result.ok:
                _check_dates(event, result, at=scanned_at or now, confirmed=confirmed_outside_dates)
            # A retry that raced its original past the lookup above fails on the unique (event, key) of the
            # activity log and is answered below with the original's result.
            log = build_entry(action=SCAN, obj=badge.registration if badge else None, event=event.pk,
                              actor=actor["by_user"] or actor["by_device"], key=nonce, at=now)
            checkin_id = None
            verdict = {"confirmable": True} if result.confirmable else {}
            if not admit:
                if result.ok:
                    result.status = ScanStatus.REFUSED_OFFLINE
                verdict = {"local": local}
            elif result.status == ScanStatus.ALREADY and scanned_at is not None:
                # An offline desk admitted this badge too: a double admission.
                result, kept = _offline_conflict(event=event, badge=badge, gate=gate, now=now, actor=actor,
                                                 scanned_at=scanned_at, nonce=nonce, base=result, announce=announce)
                checkin_id = kept.pk if kept else None
            elif result.ok:
                at = scanned_at or now
                result.checked_in_at, result.gate = at.isoformat(), gate
                role = badge.registration.role
                checkin = CheckIn.objects.create(event_id=event.pk, badge_id=badge.pk, gate=gate, at=at,
                                                 role=role, timing=result.timing, **ids)
                checkin_id = checkin.pk
                Badge.objects.filter(pk=badge.pk).update(checked_in_at=at, checked_in_gate=gate)
                if announce:
                    announce_admission(event.pk, role=role, gate=gate, at=at.isoformat())
            # The answer as given (replayed verbatim), and where, when and into which check-in the scan went.
            log.after = {**result.as_dict(), **verdict, "scan_gate": gate, "checkin_id": checkin_id,
                         "scanned_at": scanned_at.isoformat() if scanned_at else None}
            log.save(force_insert=True)
    except IntegrityError:
        prior = _prior_answer(event_id=event.pk, nonce=nonce)
        if prior is None:
            raise
        return ScanResult.from_dict(prior, replayed=True)
    return result


def announce_admission(event_id: int, *, role: str, gate: str, at: str) -> None:
    """Tell the organizer dashboards, after commit, that one more person is in.

    Admissions are the busiest message of the event day, so they are coalesced: one message per event per
    ``eventsite.live.COALESCE_SECONDS`` from each server process, its ``delta`` the number of admissions merged
    (``role``/``gate``/``at`` kept only where they all agree). The dashboard re-reads the counts from the database
    on every message, so a merged message is all it needs.
    """
    broadcast_coalesced_on_commit(event_id, TOPIC, {"type": "checkin.changed", "delta": 1, "role": role,
                                                    "gate": gate, "at": at})


def _check_dates(event: Event, result: ScanResult, *, at: datetime, confirmed: bool) -> None:
    """Mark an admission outside the check-in window early or late, or turn it into OUTSIDE_DATES (refused, or
    to be confirmed at the desk). Inside the window (the usual case) it reads nothing."""
    result.timing = checkin_timing(event, at)
    if not result.timing:
        return
    if not outside_dates_allowed(event):
        result.status = ScanStatus.OUTSIDE_DATES
    elif not confirmed:
        result.status = ScanStatus.OUTSIDE_DATES
        result.extra["confirmable"] = True


def _decide(*, claims: tokens.Claims | None, status: str | None, badge: Badge | None) -> ScanResult:
    """The answer to a scan, from the token's claims and the locked badge row; writes nothing."""
    if claims is None:
        return ScanResult(status=status)
    if badge is None:  # genuine signature, but the badge is gone (registration deleted)
        return ScanResult(status=ScanStatus.REVOKED, badge_id=claims.badge_id)
    base = {"badge_id": badge.pk, "attendee": attendee_summary(badge)}
    if claims.counter < badge.counter:
        return ScanResult(status=ScanStatus.REVOKED, **base)
    if claims.counter > badge.counter:  # signed by our key yet never issued: treat as forged
        return ScanResult(status=ScanStatus.FORGED, badge_id=badge.pk)
    if badge.registration.status != RegistrationStatus.APPROVED:
        return ScanResult(status=ScanStatus.NOT_APPROVED, **base)
    if badge.checked_in_at is not None:
        return ScanResult(status=ScanStatus.ALREADY, checked_in_at=badge.checked_in_at.isoformat(),
                          gate=badge.checked_in_gate, **base)
    return ScanResult(status=ScanStatus.OK, **base)


def _offline_conflict(*, event, badge: Badge, gate, now, actor, scanned_at, nonce, base: ScanResult,
                      announce=True) -> tuple[ScanResult, CheckIn | None]:
    """The badge is in, and an offline desk admitted it as well: keep the earliest admission, record the other.

    Called with the badge row locked, so two uploads of the same badge cannot both replace the check-in.
    """
    same = {"badge_id": base.badge_id, "attendee": base.attendee}
    current = CheckIn.objects.filter(badge_id=badge.pk, annulled_at__isnull=True).first()  # at most one
    if current is not None and scanned_at < current.at:
        # The offline admission came first: it becomes the check-in, the later one is annulled (not counted).
        CheckIn.objects.filter(pk=current.pk).update(annulled_at=now)
        kept = CheckIn.objects.create(event=event, badge_id=badge.pk, gate=gate, at=scanned_at,
                                      role=badge.registration.role, timing=checkin_timing(event, scanned_at),
                                      **actor)
        Badge.objects.filter(pk=badge.pk).update(checked_in_at=scanned_at, checked_in_gate=gate)
        CheckinConflict.objects.create(event=event, badge_id=badge.pk, kept=kept, superseded=current,
                                       other_gate=current.gate, other_at=current.at, other_by=current.by_user,
                                       nonce=nonce)
        if announce:
            broadcast_on_commit(event.pk, TOPIC, {"type": "checkin.changed", "delta": 0,
                                                  "role": badge.registration.role, "gate": gate,
                                                  "at": scanned_at.isoformat()})
        return ScanResult(status=ScanStatus.OK, checked_in_at=scanned_at.isoformat(), gate=gate,
                          extra={"superseded": True}, **same), kept
    if current is not None:
        CheckinConflict.objects.create(event=event, badge_id=badge.pk, kept=current, other_gate=gate,
                                       other_at=scanned_at, other_by=actor["by_user"], nonce=nonce)
    if announce:
        broadcast_on_commit(event.pk, TOPIC, {"type": "checkin.changed", "delta": 0})
    return base, None


def annul_last_checkin(*, gate: str, device_or_user, event: Event | None = None) -> CheckIn:
    """Undo the last admission made by this desk (same person or device, same gate) within 15 minutes."""
    event = _event_of(event, device_or_user)
    gate = (gate or "").strip()
    actor = _actor(device_or_user)
    who = {"by_device": actor["by_device"]} if actor["by_device"] else {"by_user": actor["by_user"]}
    if not gate or who.get("by_user", True) is None:
        raise CheckinError("nothing to undo", code="nothing_to_undo")
    now = timezone.now()
    with transaction.atomic():
        checkin = (
            CheckIn.objects.filter(event=event, gate=gate, annulled_at__isnull=True, at__gte=now - UNDO_WINDOW, **who)
            .order_by("-at", "-pk").first()
        )
        if checkin is None:
            raise CheckinError("nothing to undo", code="nothing_to_undo")
        badge = Badge.objects.select_for_update(of=("self",)).select_related("registration").get(pk=checkin.badge_id)
        # Under the badge's lock: a check-in still live is the badge's one live check-in
        # (checkin_one_live_per_badge), so the badge is out again; one annulled meanwhile (an offline desk's earlier
        # admission replaced it) leaves nothing to undo.
        if not CheckIn.objects.filter(pk=checkin.pk, annulled_at__isnull=True).update(annulled_at=now):
            raise CheckinError("nothing to undo", code="nothing_to_undo")
        Badge.objects.filter(pk=badge.pk).update(checked_in_at=None, checked_in_gate="")
        log_action(action=UNDONE, obj=badge.registration, event=event.pk,
                   actor=actor["by_user"] or actor["by_device"], at=now,
                   before={"checkin_id": checkin.pk, "gate": checkin.gate, "at": checkin.at},
                   after={"annulled_at": now})
        broadcast_on_commit(event.pk, TOPIC, {"type": "checkin.changed", "delta": -1, "role": checkin.role,
                                              "gate": checkin.gate, "at": checkin.at.isoformat()})
    checkin.annulled_at = now
    return checkin


def last_undoable(*, event: Event, gate: str, device_or_user) -> CheckIn | None:
    actor = _actor(device_or_user)
    who = {"by_device": actor["by_device"]} if actor["by_device"] else {"by_user": actor["by_user"]}
    if who.get("by_user", True) is None:
        return None
    return (
        CheckIn.objects.filter(event=event, gate=gate, annulled_at__isnull=True,
                               at__gte=timezone.now() - UNDO_WINDOW, **who)
        .select_related("badge__registration").order_by("-at", "-pk").first()
    )


def slot_start(at: datetime) -> datetime:
    local = timezone.localtime(at)
    return local.replace(minute=local.minute - local.minute % 15, second=0, microsecond=0)


def counts(event: Event) -> dict[str, Any]:
    """Checked in / registered (approved), by role (with those early or late), by gate and per 15 minutes: four
    queries."""
    registered = dict(
        Registration.objects.filter(event=event, status=RegistrationStatus.APPROVED)
        .values_list("role").annotate(n=Count("id")).values_list("role", "n")
    )
    live = CheckIn.objects.filter(event=event, annulled_at__isnull=True)
    by_role = list(live.values_list("role").annotate(
        n=Count("id"), early=Count("id", filter=Q(timing=CheckinTiming.EARLY)),
        late=Count("id", filter=Q(timing=CheckinTiming.LATE))).values_list("role", "n", "early", "late"))
    checked = {role: n for role, n, _early, _late in by_role}
    by_gate = dict(live.values_list("gate").annotate(n=Count("id")).order_by("gate").values_list("gate", "n"))
    slots = Counter(slot_start(at) for at in live.values_list("at", flat=True).iterator(chunk_size=2000))
    return {
        "registered": sum(registered.values()),
        "checked_in": sum(checked.values()),
        # Admissions outside the event's check-in window (see checkin_window), marked at the gate.
        "early": sum(row[2] for row in by_role),
        "late": sum(row[3] for row in by_role),
        "by_role": {role: {"registered": registered.get(role, 0), "checked_in": checked.get(role, 0)}
                    for role in sorted(set(registered) | set(checked))},
        "by_gate": by_gate,
        "per_15_min": [(slot, slots[slot]) for slot in sorted(slots)],
    }


def lookup(*, event: Event, query: str, limit: int = 20) -> list[Registration]:
    """Find registrations by name, company, phone or email, with or without tone marks."""
    folded = fold(query or "").strip()
    digits = re.sub(r"\D", "", query or "")
    if len(folded) < 2:
        return []
    match = Q(search_text__contains=folded)
    if len(digits) >= 4:
        match |= Q(phone__contains=digits)
    qs = Registration.objects.filter(match, event=event).select_related("badge")
    return list(qs.order_by("full_name", "pk")[:limit])
