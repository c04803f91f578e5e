"""Entering and changing agreements: every change is checked, versioned, audited and announced."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from agenda.models import Session
from catalog.models import Product
from eventsite.activity import history_of, labelled, log_action
from eventsite.errors import Conflict, DomainError
from eventsite.live import broadcast_on_commit
from eventsite.models import ActivityEntry, Event, EventRole, Organization

from ..audit import AuditAction
from ..models import Agreement, AgreementParty, AgreementProductGroup, Signatory, breakdown_key
from .errors import AgreementError
from .parties import (
    BUYER_FACING_KINDS,
    DISTRIBUTOR_KINDS,
    NotAllowed,
    acts_as_organizer,
    check_parties,
    may_edit_agreement,
    member_org_ids,
)
from .uploads import CheckedScan

TOPIC = "agreements"
Kind = Agreement.Kind
Status = Agreement.Status
Verification = Agreement.Verification
PartyRole = AgreementParty.Role
OrgKind = Organization.Kind


class DuplicateSuspected(DomainError):
    """Same parties, same day: the caller must confirm before a second record is saved."""

    code = "duplicate"
    status = 409

    def __init__(self, message: str, duplicates: list[Agreement]):
        super().__init__(message)
        self.duplicates = duplicates


class StaleEdit(Conflict):
    code = "stale"


@dataclass
class PartyData:
    organization: Organization
    role: str
    signatory_name: str = ""
    signatory_title: str = ""
    # Further signatories of the same party, as (name, title) pairs, after the first one above.
    more_signatories: list[tuple[str, str]] = field(default_factory=list)
    contact_email: str = ""


@dataclass
class AgreementData:
    kind: str
    title: str
    parties: list[PartyData]
    signed_at: datetime
    product_groups: list[str] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    estimated_value: int | None = None
    volume: str = ""
    term: str = ""
    ceremony_ref: str = ""
    ceremony_session: Session | None = None


# --- reading -------------------------------------------------------------------------------------


def snapshot(agreement: Agreement) -> dict:
    """A JSON-ready picture of the agreement, parties included, for the audit trail."""
    parties = [
        {
            "organization_id": p.organization_id,
            "organization": p.organization.name,
            "role": p.role,
            "signatories": [{"name": s.name, "title": s.title} for s in p.signatories.all()],
        }
        for p in agreement.parties.select_related("organization").prefetch_related("signatories")
    ]
    return {
        "kind": agreement.kind,
        "title": agreement.title,
        "meeting_id": agreement.meeting_id,
        "parties": parties,
        "product_groups": sorted(agreement.product_groups.values_list("group", flat=True)),
        "product_ids": sorted(agreement.products.values_list("id", flat=True)),
        "estimated_value": agreement.estimated_value,
        "volume": agreement.volume,
        "term": agreement.term,
        "signed_at": timezone.localtime(agreement.signed_at).isoformat() if agreement.signed_at else None,
        "ceremony_ref": agreement.ceremony_ref,
        "ceremony_session_id": agreement.ceremony_session_id,
        "status": agreement.status,
        "execution_started_on": _iso(agreement.execution_started_on),
        "completed_on": _iso(agreement.completed_on),
        "cancelled_on": _iso(agreement.cancelled_on),
        "cancel_reason": agreement.cancel_reason,
        "verification": agreement.verification,
        "rejection_reason": agreement.rejection_reason,
        "scan_sha256": agreement.scan_sha256,
        "version": agreement.version,
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def party_key(org_ids: Iterable[int]) -> str:
    return "-".join(str(i) for i in sorted(set(org_ids)))


def find_duplicates(*, event: Event, org_ids: Iterable[int], signed_on: date,
                    exclude_pk: int | None = None) -> list[Agreement]:
    """Live agreements at ``event`` between exactly the same organizations on the same day."""
    qs = Agreement.objects.filter(event=event, signed_on=signed_on, party_key=party_key(org_ids)).exclude(
        status=Status.CANCELLED
    ).exclude(verification=Verification.REJECTED)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs.order_by("id"))


def visible_agreements(*, event: Event, user, roles: frozenset[str]) -> QuerySet[Agreement]:
    """Organizers see every agreement of their event; a participant only those its organization signed."""
    qs = Agreement.objects.filter(event=event)
    if EventRole.Role.ORGANIZER in roles:
        return qs
    orgs = member_org_ids(user, event)
    if not orgs:
        return qs.none()
    return qs.filter(pk__in=AgreementParty.objects.filter(organization_id__in=orgs).values("agreement_id"))


# --- rules ---------------------------------------------------------------------------------------


def _validate(event: Event, data: AgreementData) -> None:
    if data.kind not in Kind.values:
        raise AgreementError(_("Choose a kind of agreement."), code="kind")
    if not (data.title or "").strip():
        raise AgreementError(_("Give the agreement a title."), code="title")
    org_ids = [p.organization.pk for p in data.parties]
    if len(org_ids) < 2:
        raise AgreementError(_("An agreement needs at least two parties."), code="parties")
    if len(set(org_ids)) != len(org_ids):
        raise AgreementError(_("The same organization is listed twice as a party."), code="party_twice")
    for p in data.parties:
        if p.role not in PartyRole.values:
            raise AgreementError(_("Choose the role of each party."), code="party_role")
    kinds = [p.organization.kind for p in data.parties]
    if data.kind == Kind.DEPT_DEPT and kinds.count(OrgKind.GOVERNMENT) < 2:
        raise AgreementError(_("A department-to-department agreement needs two government departments."),
                             code="kind_parties")
    if data.kind == Kind.DEPT_RETAIL and not (
        OrgKind.GOVERNMENT in kinds and any(k in DISTRIBUTOR_KINDS for k in kinds)
    ):
        raise AgreementError(
            _("A department-to-retailer agreement needs a government department and a retail chain or distributor."),
            code="kind_parties",
        )
    if data.kind == Kind.BIZ_DISTRIBUTOR and not any(k in DISTRIBUTOR_KINDS for k in kinds):
        raise AgreementError(_("A business-to-distributor agreement needs a retail chain or distributor party."),
                             code="kind_parties")
    roles = {p.role for p in data.parties}
    if data.kind in BUYER_FACING_KINDS and not {PartyRole.BUYER, PartyRole.SELLER} <= roles:
        raise AgreementError(
            _("A “%(kind)s” agreement needs at least one party signing as buyer and one as seller: "
              "check the role of each party.") % {"kind": Kind(data.kind).label},
            code="buyer_and_seller",
        )
    if data.estimated_value is not None and data.estimated_value < 0:
        raise AgreementError(_("The estimated value cannot be negative."), code="value")
    if data.signed_at is None:
        raise AgreementError(_("Give the date and time of signing."), code="signed_at")
    if data.ceremony_session is not None and data.ceremony_session.event_id != event.pk:
        raise AgreementError(_("The signing-ceremony session must be a session of this event."),
                             code="ceremony_session")


def _partner_province(event: Event, data: AgreementData) -> int | None:
    others = [p.organization for p in data.parties if p.organization.pk != event.organizer_id]
    for org in others:
        if org.province_code and org.province_code != event.province_code:
            return org.province_code
    return next((o.province_code for o in others if o.province_code), None)


def _write_parts(agreement: Agreement, data: AgreementData, *, replace: bool) -> None:
    if replace:
        Signatory.objects.filter(party__agreement=agreement).delete()
        agreement.parties.all().delete()
        agreement.product_groups.all().delete()
    for position, p in enumerate(data.parties):
        party = AgreementParty.objects.create(
            agreement=agreement, organization=p.organization, role=p.role, position=position,
            contact_email=(p.contact_email or "").strip(),
        )
        for name, title in [(p.signatory_name, p.signatory_title), *p.more_signatories]:
            if (name or "").strip():
                Signatory.objects.create(party=party, name=name.strip(), title=(title or "").strip())
    groups = set(data.product_groups) | {pr.group for pr in data.products}
    AgreementProductGroup.objects.bulk_create(
        [AgreementProductGroup(agreement=agreement, group=g) for g in sorted(groups)]
    )
    agreement.products.set(data.products)


def _apply_fields(agreement: Agreement, event: Event, data: AgreementData) -> None:
    agreement.kind = data.kind
    agreement.title = data.title.strip()
    agreement.estimated_value = data.estimated_value
    agreement.volume = data.volume.strip()
    agreement.term = data.term.strip()
    agreement.signed_at = data.signed_at
    agreement.signed_on = timezone.localdate(data.signed_at)
    agreement.ceremony_ref = data.ceremony_ref.strip()
    agreement.ceremony_session = data.ceremony_session
    agreement.party_key = party_key(p.organization.pk for p in data.parties)
    agreement.partner_province_code = _partner_province(event, data)
    agreement.buyer_key = breakdown_key(p.organization.pk for p in data.parties if p.role == PartyRole.BUYER)
    agreement.group_key = breakdown_key(set(data.product_groups) | {pr.group for pr in data.products})


def _attach_scan(agreement: Agreement, scan: CheckedScan) -> None:
    storage = agreement.scan.storage
    name = scan.storage_name
    if not storage.exists(name):  # content-addressed: identical files are stored once
        name = storage.save(name, scan.as_file())
    agreement.scan.name = name
    agreement.scan_sha256 = scan.sha256
    agreement.scan_content_type = scan.content_type
    agreement.scan_size = scan.size
    agreement.scan_name = scan.original_name


def _audit(agreement: Agreement, actor, action: AuditAction, before: dict | None, note: str = "") -> None:
    """The change in the activity log, in the caller's transaction: the record before and after."""
    log_action(action=action, obj=agreement, event=agreement.event_id,
               actor=actor if actor is not None and actor.is_authenticated else None,
               before=before, after=snapshot(agreement), note=note[:300])


def history(agreement: Agreement, *, organizer: bool) -> list[ActivityEntry]:
    """The agreement's history for its page, oldest first: the record's changes for its parties; organizers also
    see the follow-through entries (reports, calls with their notes). Each entry carries its ``label``."""
    entries = history_of(agreement)
    if not organizer:
        entries = entries.filter(action__in=AuditAction.values)
    return labelled(entries)


def _announce(event: Event) -> None:
    broadcast_on_commit(event.id, TOPIC, {"type": "tally.changed"})


def _lock(agreement: Agreement, expected_version: int | None) -> Agreement:
    current = Agreement.objects.select_for_update().select_related("event").get(pk=agreement.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleEdit(_("Someone else changed this agreement while you were editing it. "
                          "Your changes were not saved; they are shown below next to the current version."))
    return current


@transaction.atomic
def replace_party_organization(*, agreement: Agreement, actor, old: Organization, new: Organization) -> Agreement:
    """``new`` signs instead of ``old`` (an organizer merged an unverified organization into a known one);
    what is derived from the parties (party key, buyer key, partner province) is stored again, and audited."""
    current = _lock(agreement, None)
    before = snapshot(current)
    parties = list(current.parties.select_related("organization"))
    for party in parties:
        if party.organization_id == old.pk:
            party.organization = new
            party.save(update_fields=["organization"])
    data = AgreementData(kind=current.kind, title=current.title, signed_at=current.signed_at,
                         parties=[PartyData(p.organization, p.role) for p in parties])
    current.party_key = party_key(p.organization.pk for p in parties)
    current.partner_province_code = _partner_province(current.event, data)
    current.buyer_key = breakdown_key(p.organization.pk for p in parties if p.role == PartyRole.BUYER)
    current.version += 1
    current.save()
    _audit(current, actor, AuditAction.UPDATED, before,
           note=_("“%(old)s” merged into “%(new)s”") % {"old": old.name, "new": new.name})
    if current.counts:
        _announce(current.event)
    return current


# --- changes -------------------------------------------------------------------------------------


@transaction.atomic
def create_agreement(*, event: Event, actor, data: AgreementData, scan: CheckedScan | None = None,
                     submitted_by_org: Organization | None = None, allow_duplicate: bool = False,
                     meeting=None) -> Agreement:
    """Record an agreement. Organizers' entries count at once; a participant's (``submitted_by_org``)
    waits for an organizer to verify it. Same parties on the same day raise ``DuplicateSuspected``
    unless ``allow_duplicate`` (the user confirmed). ``meeting``: the B2B meeting it came from (the caller
    has checked it is this event's and the person entering it one of its sides or an organizer)."""
    _validate(event, data)
    check_parties(event=event, actor=actor, acting_org=submitted_by_org,
                  organizations=[p.organization for p in data.parties])
    # Serialize entries per event so two desks cannot both miss each other's duplicate.
    Event.objects.select_for_update().filter(pk=event.pk).first()
    if not allow_duplicate:
        dupes = find_duplicates(event=event, org_ids=[p.organization.pk for p in data.parties],
                                signed_on=timezone.localdate(data.signed_at))
        if dupes:
            raise DuplicateSuspected(
                _("An agreement between the same parties on the same day is already recorded."), dupes
            )
    agreement = Agreement(event=event)
    _apply_fields(agreement, event, data)
    if submitted_by_org is not None:
        agreement.verification = Verification.SUBMITTED
        agreement.submitted_by_org = submitted_by_org
    agreement.submitted_by = actor if actor is not None and actor.is_authenticated else None
    agreement.meeting = meeting
    if scan is not None:
        _attach_scan(agreement, scan)
    agreement.save()
    _write_parts(agreement, data, replace=False)
    _audit(agreement, actor, AuditAction.SUBMITTED if submitted_by_org else AuditAction.CREATED, None)
    _announce(event)
    return agreement


@transaction.atomic
def update_agreement(*, agreement: Agreement, actor, data: AgreementData, expected_version: int,
                     scan: CheckedScan | None = None, allow_duplicate: bool = False) -> Agreement:
    """Edit an agreement; a stale ``expected_version`` raises ``StaleEdit`` and changes nothing.

    Only who may edit it (``agreements.rules.may_edit_agreement``; ``actor`` None is the system) may, and the
    party rule of creation holds: a participant's organization stays a party (``parties.check_parties``)."""
    current = _lock(agreement, expected_version)
    event = current.event
    if actor is not None and not may_edit_agreement(actor, current):
        raise NotAllowed(_("You may not edit this agreement."))
    if current.status == Status.CANCELLED:
        raise AgreementError(_("A cancelled agreement cannot be edited."), code="cancelled")
    _validate(event, data)
    check_parties(event=event, actor=actor,
                  acting_org=None if acts_as_organizer(actor, event) else current.submitted_by_org,
                  organizations=[p.organization for p in data.parties])
    if not allow_duplicate:
        dupes = find_duplicates(event=event, org_ids=[p.organization.pk for p in data.parties],
                                signed_on=timezone.localdate(data.signed_at), exclude_pk=current.pk)
        if dupes:
            raise DuplicateSuspected(
                _("An agreement between the same parties on the same day is already recorded."), dupes
            )
    before = snapshot(current)
    _apply_fields(current, event, data)
    if scan is not None:
        _attach_scan(current, scan)
    if current.verification == Verification.REJECTED:
        current.verification = Verification.SUBMITTED  # a corrected submission goes back for review
    current.version += 1
    current.save()
    _write_parts(current, data, replace=True)
    _audit(current, actor, AuditAction.UPDATED, before)
    _announce(event)
    return current


@transaction.atomic
def attach_scan(*, agreement: Agreement, actor, scan: CheckedScan, expected_version: int | None = None) -> Agreement:
    current = _lock(agreement, expected_version)
    before = snapshot(current)
    _attach_scan(current, scan)
    current.version += 1
    current.save()
    _audit(current, actor, AuditAction.SCAN, before)
    return current


@transaction.atomic
def verify_agreement(*, agreement: Agreement, actor, expected_version: int | None = None) -> Agreement:
    current = _lock(agreement, expected_version)
    if current.verification == Verification.VERIFIED:
        raise AgreementError(_("This agreement is already verified."), code="already_verified")
    if current.parties.filter(organization__verified=False).exists():
        raise AgreementError(_("A party of this agreement is an organization awaiting confirmation: confirm it "
                               "(or merge it into the existing one) on the organizations page first."),
                             code="unverified_party")
    before = snapshot(current)
    current.verification = Verification.VERIFIED
    current.rejection_reason = ""
    current.version += 1
    current.save()
    _audit(current, actor, AuditAction.VERIFIED, before)
    _announce(current.event)
    return current


@transaction.atomic
def reject_agreement(*, agreement: Agreement, actor, reason: str, expected_version: int | None = None) -> Agreement:
    reason = (reason or "").strip()
    if not reason:
        raise AgreementError(_("Say why the agreement is rejected."), code="reason_required")
    current = _lock(agreement, expected_version)
    if current.verification == Verification.REJECTED:
        raise AgreementError(_("This agreement is already rejected."), code="already_rejected")
    before = snapshot(current)
    was_counted = current.counts
    current.verification = Verification.REJECTED
    current.rejection_reason = reason[:300]
    current.version += 1
    current.save()
    _audit(current, actor, AuditAction.REJECTED, before, note=reason)
    if was_counted:
        _announce(current.event)
    return current


ALLOWED_STATUS = {
    Status.SIGNED: {Status.IN_EXECUTION, Status.COMPLETED, Status.CANCELLED},
    Status.IN_EXECUTION: {Status.COMPLETED, Status.CANCELLED},
    Status.COMPLETED: set(),
    Status.CANCELLED: set(),
}


@transaction.atomic
def set_status(*, agreement: Agreement, actor, status: str, on: date | None = None, reason: str = "",
               expected_version: int | None = None) -> Agreement:
    """Move along signed → in execution → completed, or cancel (never delete) with a reason."""
    current = _lock(agreement, expected_version)
    if status not in ALLOWED_STATUS.get(current.status, set()):
        raise AgreementError(
            _("An agreement that is “%(old)s” cannot become “%(new)s”.")
            % {"old": current.get_status_display(), "new": Status(status).label if status in Status.values
               else status},
            code="status_transition",
        )
    day = on or timezone.localdate()
    before = snapshot(current)
    current.status = status
    if status == Status.IN_EXECUTION:
        current.execution_started_on = day
    elif status == Status.COMPLETED:
        current.completed_on = day
        current.execution_started_on = current.execution_started_on or day
    elif status == Status.CANCELLED:
        if not reason.strip():
            raise AgreementError(_("Say why the agreement is cancelled."), code="reason_required")
        current.cancelled_on = day
        current.cancel_reason = reason.strip()[:300]
    current.version += 1
    current.save()
    action = AuditAction.CANCELLED if status == Status.CANCELLED else AuditAction.STATUS
    _audit(current, actor, action, before, note=reason)
    _announce(current.event)
    return current


def cancel_agreement(*, agreement: Agreement, actor, reason: str, expected_version: int | None = None) -> Agreement:
    return set_status(agreement=agreement, actor=actor, status=Status.CANCELLED, reason=reason,
                      expected_version=expected_version)


# --- hand-over from matchmaking -------------------------------------------------------------------


def guess_kind(orgs: Sequence[Organization]) -> str:
    kinds = [o.kind for o in orgs]
    governments = kinds.count(OrgKind.GOVERNMENT)
    has_distributor = any(k in DISTRIBUTOR_KINDS for k in kinds)
    if governments >= 2:
        return Kind.DEPT_DEPT
    if governments and has_distributor:
        return Kind.DEPT_RETAIL
    if has_distributor:
        return Kind.BIZ_DISTRIBUTOR
    if all(o.kind != OrgKind.GOVERNMENT for o in orgs):
        return Kind.BIZ_BIZ
    return Kind.OTHER


def prefill_from_meeting(*, event: Event, buyer_org: Organization, producer_org: Organization,
                         product_ids: Iterable[int] = ()) -> dict:
    """Initial data for the agreement form after a buyer–producer meeting (used by matchmaking).

    Products must belong to the producer; others are dropped silently (they were never offered).
    """
    products = list(Product.objects.filter(pk__in=list(product_ids), producer=producer_org).order_by("name"))
    groups = sorted({p.group for p in products})
    names = ", ".join(p.name for p in products[:3])
    title = _("Supply of %(products)s to %(buyer)s") % {"products": names, "buyer": buyer_org.name} if names else \
        _("Cooperation between %(seller)s and %(buyer)s") % {"seller": producer_org.name, "buyer": buyer_org.name}
    return {
        "kind": guess_kind([producer_org, buyer_org]),
        "title": title[:300],
        "parties": [{"organization": producer_org.pk, "role": PartyRole.SELLER},
                    {"organization": buyer_org.pk, "role": PartyRole.BUYER}],
        "products": [p.pk for p in products],
        "product_groups": groups,
        "signed_at": timezone.localtime().replace(second=0, microsecond=0),
        "event": event.pk,
    }


def counted_filter(prefix: str = "") -> Q:
    """The rows that enter tallies: verified and not cancelled."""
    return Q(**{f"{prefix}verification": Verification.VERIFIED}) & ~Q(**{f"{prefix}status": Status.CANCELLED})
