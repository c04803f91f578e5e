"""Scanning a buyer's badge at a booth: verified by the gate's rules (``identify_badge``: signature, event,
revocation, approval; nothing written there), then one lead per (booth, registration).

A second scan of the same person updates the lead's time and scan count, never a second lead. Each scan carries
the phone's nonce: a retry, or an offline scan uploaded twice, finds its first answer and changes nothing. The
unique constraints (one lead per booth and person, one scan per booth and nonce) make two phones scanning one
person at once still make one lead (the loser's insert fails and it tries again, finding the lead, whose row lock
then serialises the counts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booths.models import Booth
from checkin.models import ScanStatus
from checkin.services.checkin import identify_badge
from eventsite.activity import log_action
from eventsite.errors import DomainError
from eventsite.models import Event, User

from ..models import Lead, LeadScan
from .access import booth_for

_NONCE = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")

REFUSALS = {
    ScanStatus.MALFORMED: _("The code could not be read. Scan again or type it."),
    ScanStatus.FORGED: _("This code is not a genuine badge of this event."),
    ScanStatus.WRONG_EVENT: _("This badge is for another event."),
    ScanStatus.REVOKED: _("This badge was replaced by a newer one. Ask for the new badge."),
    ScanStatus.NOT_APPROVED: _("This person's registration is not approved."),
}


class ScanRefused(DomainError):
    """The code is not a current badge of an approved registration at this event (``code`` says why)."""

    status = 422

    def __init__(self, status: str):
        super().__init__(str(REFUSALS.get(status, REFUSALS[ScanStatus.MALFORMED])), code=status)


class BadNonce(DomainError):
    code = "bad_nonce"
    status = 400


@dataclass(frozen=True)
class Capture:
    lead: Lead
    created: bool
    replayed: bool = False


def _replayed(booth: Booth, nonce: str) -> Capture | None:
    prior = LeadScan.objects.filter(booth=booth, nonce=nonce).select_related("lead").first()
    return Capture(prior.lead, created=False, replayed=True) if prior is not None else None


def capture_lead(*, event: Event, booth_id: int | None, code: str, nonce: str, user: User,
                 scanned_at: datetime | None = None, offline: bool = False, booths: list[Booth] | None = None
                 ) -> Capture:
    """Record that the holder of ``code`` visited the booth. Raises NotBoothStaff (403), BadNonce (400) or
    ScanRefused (422); a nonce already used at this booth returns its lead unchanged. ``booths``: the caller's
    ``lead_booths(user, event)`` when it has read them already (one query less).

    A first scan costs no lookup of its nonce: the scan's row is written in the same transaction as the lead, so a
    nonce used before fails on the unique constraint, the whole transaction (the lead's count included) is rolled
    back, and the first answer is returned."""
    booth = booth_for(user, event, booth_id, among=booths)
    if not _NONCE.match(nonce or ""):
        raise BadNonce("nonce must be 8–64 letters, digits or -_.:")
    now = timezone.now()
    at = min(scanned_at or now, now)
    holder = identify_badge(code=code, event=event)
    if holder.status != ScanStatus.OK:
        # A retried nonce whose badge was revoked meanwhile keeps its first answer.
        replayed = _replayed(booth, nonce)
        if replayed is not None:
            return replayed
        raise ScanRefused(holder.status)
    try:
        with transaction.atomic():
            # The lead's row lock serialises a second scan of the person (its count); the first lead of a person
            # is guarded by the unique constraint: a racer's insert fails and is tried again, finding the lead.
            lead = Lead.objects.select_for_update().filter(booth=booth, registration=holder.registration).first()
            created = lead is None
            if created:
                lead = Lead.objects.create(event=event, booth=booth, registration=holder.registration,
                                           first_scanned_at=at, last_scanned_at=at, scans=1)
                log_action(action="leads.lead_captured", obj=lead, event=event, actor=user,
                           after={"booth": booth.code})
            else:
                lead.scans += 1
                lead.first_scanned_at = min(lead.first_scanned_at, at)
                lead.last_scanned_at = max(lead.last_scanned_at, at)
                lead.save(update_fields=["scans", "first_scanned_at", "last_scanned_at"])
            LeadScan.objects.create(lead=lead, booth=booth, nonce=nonce, scanned_at=at, by=user, offline=offline)
    except IntegrityError:  # this nonce was used before (a retry), or a racer with the same person got there first
        replayed = _replayed(booth, nonce)
        if replayed is not None:
            return replayed
        return capture_lead(event=event, booth_id=booth.pk, code=code, nonce=nonce, user=user,
                            scanned_at=scanned_at, offline=offline, booths=[booth])
    return Capture(lead, created=created)
