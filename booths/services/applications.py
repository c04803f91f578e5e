"""Exhibitor applications: file or update one, manage its products, and the organizer's decision."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product
from eventsite.activity import log_action, snapshot
from eventsite.errors import DomainError
from eventsite.models import EventRole, Organization

from ..models import (
    ApplicationStatus,
    Booth,
    BoothKind,
    BoothPreference,
    ExhibitorApplication,
    OrganizationRevision,
    RevisionStatus,
    Zone,
)

IDENTITY_FIELDS = ("name", "kind", "tax_code")


@dataclass(frozen=True)
class ProducerDetails:
    name: str
    kind: str
    tax_code: str
    province_code: int
    address: str = ""


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    email: str


def _tax_code_taken(tax_code: str, *, other_than: Organization | None = None) -> bool:
    others = Organization.objects.filter(tax_code=tax_code)
    if other_than is not None and other_than.pk:
        others = others.exclude(pk=other_than.pk)
    return others.exists()


def _refuse_taken_tax_code() -> DomainError:
    return DomainError(_("This tax code is already registered. Ask the organizer to link you to it."),
                       code="tax_code_taken")


def _producer_for(*, event, user, details: ProducerDetails,
                  existing: ExhibitorApplication | None) -> Organization:
    """The applicant's organization: the one already on file for them at this event, else a new one.

    An organization is never taken over by typing its tax code: a tax code already registered to
    someone else is refused, and the organizer links such cases by hand. Only the organization's contact details
    change here; its identity (name, tax code, type) changes through :func:`change_organization_identity`.
    """
    org = existing.organization if existing else None
    if org is None:
        role = EventRole.objects.filter(event=event, user=user, role=EventRole.Role.EXHIBITOR,
                                        organization__isnull=False).select_related("organization").first()
        org = role.organization if role else None
    if org is None:
        if _tax_code_taken(details.tax_code):
            raise _refuse_taken_tax_code()
        org = Organization.objects.create(name=details.name, kind=details.kind, tax_code=details.tax_code,
                                          province_code=details.province_code, address=details.address)
        log_action(action="booths.organization_created", obj=org, event=event, actor=user,
                   after=snapshot(org, IDENTITY_FIELDS + ("province_code", "address")))
        return org
    if (org.province_code, org.address) != (details.province_code, details.address):
        before = snapshot(org, ("province_code", "address"))
        org.province_code, org.address = details.province_code, details.address
        org.save(update_fields=["province_code", "address"])
        log_action(action="booths.organization_contact_changed", obj=org, event=event, actor=user, before=before,
                   after=snapshot(org, ("province_code", "address")))
    return org


def identity_is_locked(organization: Organization) -> bool:
    """An organization's identity is fixed once an organizer decided on one of its applications (or it
    exhibits anywhere): from then on the floor plan, the catalog and agreements show it as approved."""
    decided = ExhibitorApplication.objects.filter(organization=organization).exclude(
        status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN])
    return decided.exists() or EventRole.objects.filter(organization=organization,
                                                        role=EventRole.Role.EXHIBITOR).exists()


def pending_revision(organization: Organization) -> OrganizationRevision | None:
    return OrganizationRevision.objects.filter(organization=organization, status=RevisionStatus.PENDING).first()


def change_organization_identity(*, organization: Organization, application: ExhibitorApplication, user,
                                 name: str, kind: str, tax_code: str) -> OrganizationRevision | None:
    """The one path by which an exhibitor changes its organization's name, tax code or type.

    Rule: before any organizer decision the change applies at once. Once the organization's identity is locked
    (:func:`identity_is_locked`) the change becomes the organization's one pending revision (replacing an earlier
    pending one) and the approved identity stays public until an organizer approves it; proposing the approved
    identity again withdraws the pending revision. A tax code held by another organization is refused either way.
    Returns the pending revision, or None when nothing waits for the organizer.
    """
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=organization.pk)
        proposed = {"name": name, "kind": kind, "tax_code": tax_code}
        current = snapshot(org, IDENTITY_FIELDS)
        revision = (OrganizationRevision.objects.select_for_update()
                    .filter(organization=org, status=RevisionStatus.PENDING).first())
        if tax_code != org.tax_code and _tax_code_taken(tax_code, other_than=org):
            raise _refuse_taken_tax_code()
        if not identity_is_locked(org):
            if proposed != current:
                org.name, org.kind, org.tax_code = name, kind, tax_code
                try:
                    with transaction.atomic():
                        org.save(update_fields=list(IDENTITY_FIELDS))
                except IntegrityError:
                    raise _refuse_taken_tax_code() from None
                log_action(action="booths.organization_identity_changed", obj=org, event=application.event_id,
                           actor=user, before=current, after=proposed)
            return None
        if proposed == current:
            if revision is not None:
                log_action(action="booths.identity_revision_withdrawn", obj=revision, event=application.event_id,
                           actor=user, before=snapshot(revision, IDENTITY_FIELDS))
                revision.delete()
            return None
        if revision is None:
            revision = OrganizationRevision(organization=org, application=application, **proposed)
            before = None
        else:
            before = snapshot(revision, IDENTITY_FIELDS)
            if before == proposed:
                return revision
            for field, value in proposed.items():
                setattr(revision, field, value)
            revision.application = application
        revision.proposed_by = user
        revision.save()
        log_action(action="booths.identity_revision_proposed", obj=revision, event=application.event_id,
                   actor=user, before=before or current, after=proposed)
        return revision


def approve_identity_revision(*, revision: OrganizationRevision, by_user) -> OrganizationRevision:
    """Apply a pending identity revision to its organization (the tax code is checked again: it may have been
    taken meanwhile)."""
    with transaction.atomic():
        revision = OrganizationRevision.objects.select_for_update().select_related("application").get(pk=revision.pk)
        if not revision.is_pending:
            raise DomainError(_("This change was already decided."), code="revision_decided")
        org = Organization.objects.select_for_update().get(pk=revision.organization_id)
        if revision.tax_code != org.tax_code and _tax_code_taken(revision.tax_code, other_than=org):
            raise _refuse_taken_tax_code()
        before = snapshot(org, IDENTITY_FIELDS)
        org.name, org.kind, org.tax_code = revision.name, revision.kind, revision.tax_code
        try:
            with transaction.atomic():
                org.save(update_fields=list(IDENTITY_FIELDS))
        except IntegrityError:
            raise _refuse_taken_tax_code() from None
        revision.status, revision.decided_by, revision.decided_at = RevisionStatus.APPROVED, by_user, timezone.now()
        revision.save(update_fields=["status", "decided_by", "decided_at"])
        log_action(action="booths.identity_revision_approved", obj=revision, event=revision.application.event_id,
                   actor=by_user, before=before, after=snapshot(org, IDENTITY_FIELDS))
    return revision


def reject_identity_revision(*, revision: OrganizationRevision, by_user) -> OrganizationRevision:
    """Refuse a pending identity revision; the organization keeps its approved identity."""
    with transaction.atomic():
        revision = OrganizationRevision.objects.select_for_update().select_related("application").get(pk=revision.pk)
        if not revision.is_pending:
            raise DomainError(_("This change was already decided."), code="revision_decided")
        revision.status, revision.decided_by, revision.decided_at = RevisionStatus.REJECTED, by_user, timezone.now()
        revision.save(update_fields=["status", "decided_by", "decided_at"])
        log_action(action="booths.identity_revision_rejected", obj=revision, event=revision.application.event_id,
                   actor=by_user, before=snapshot(revision, IDENTITY_FIELDS))
    return revision


def submit_application(*, event, user, producer: ProducerDetails, contact: Contact, products: list[Product],
                       wishes: list[tuple[str, str]], booths_wanted: int = 1, note: str = "") -> ExhibitorApplication:
    """File (or update) the caller's application; wishes are ranked in order. A change of the producer's identity
    goes through :func:`change_organization_identity` (a pending revision once the application is decided); the
    pending revision, if any, is left on ``application.pending_revision``."""
    with transaction.atomic():
        existing = (ExhibitorApplication.objects.select_for_update().filter(event=event, applicant=user).first())
        if existing is not None and existing.status == ApplicationStatus.REJECTED:
            raise DomainError(_("Your application was rejected; contact the organizer."), code="rejected")
        try:
            org = _producer_for(event=event, user=user, details=producer, existing=existing)
        except IntegrityError:
            raise _refuse_taken_tax_code() from None
        application = existing or ExhibitorApplication.objects.filter(event=event, organization=org).first()
        created = application is None
        if application is None:
            application = ExhibitorApplication(event=event, organization=org, applicant=user)
        elif application.applicant_id is None:
            application.applicant = user
        application.contact_name, application.contact_phone, application.contact_email = (
            contact.name, contact.phone, contact.email)
        application.booths_wanted, application.note = booths_wanted, note
        application.save()
        application.products.set([p for p in products if p.producer_id == org.pk])
        _set_wishes(application, wishes)
        application.pending_revision = change_organization_identity(
            organization=org, application=application, user=user, name=producer.name, kind=producer.kind,
            tax_code=producer.tax_code)
        log_action(action="booths.application_submitted" if created else "booths.application_updated",
                   obj=application, actor=user,
                   after=snapshot(application, ("contact_name", "contact_phone", "contact_email", "booths_wanted",
                                                "note")))
    return application


def _set_wishes(application: ExhibitorApplication, wishes: list[tuple[str, str]]) -> None:
    application.preferences.all().delete()
    booths = set(Booth.objects.filter(event=application.event).values_list("pk", flat=True))
    zones = set(Zone.objects.filter(hall__event=application.event).values_list("pk", flat=True))
    rows = []
    for kind, value in wishes:
        pref = BoothPreference(application=application, rank=len(rows) + 1)
        if kind == "b" and value.isdigit() and int(value) in booths:
            pref.booth_id = int(value)
        elif kind == "z" and value.isdigit() and int(value) in zones:
            pref.zone_id = int(value)
        elif kind == "k" and value in BoothKind.values:
            pref.kind = value
        else:
            continue
        rows.append(pref)
    BoothPreference.objects.bulk_create(rows)


def approve_application(*, application: ExhibitorApplication, by_user) -> ExhibitorApplication:
    """Approve: the applicant becomes the event's exhibitor for the organization and may book booths."""
    with transaction.atomic():
        application = ExhibitorApplication.objects.select_for_update().get(pk=application.pk)
        application.status = ApplicationStatus.APPROVED
        application.decided_at, application.decided_by, application.decision_note = timezone.now(), by_user, ""
        application.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
        if application.applicant_id:
            EventRole.objects.get_or_create(event=application.event, user_id=application.applicant_id,
                                            role=EventRole.Role.EXHIBITOR,
                                            defaults={"organization": application.organization})
        log_action(action="booths.application_approved", obj=application, actor=by_user,
                   after=snapshot(application, ("status",)))
    return application


def reject_application(*, application: ExhibitorApplication, by_user, reason: str = "") -> ExhibitorApplication:
    """Reject; an application that already holds booths cannot be rejected until they are released."""
    with transaction.atomic():
        application = ExhibitorApplication.objects.select_for_update().get(pk=application.pk)
        if application.bookings.active().exists():
            raise DomainError(_("This exhibitor still holds booths; vacate them first."), code="has_booths")
        application.status = ApplicationStatus.REJECTED
        application.decided_at, application.decided_by = timezone.now(), by_user
        application.decision_note = reason[:300]
        application.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
        log_action(action="booths.application_rejected", obj=application, actor=by_user,
                   after=snapshot(application, ("status", "decision_note")))
    return application


def save_product(*, form, organization: Organization) -> Product:
    """Save a validated ProductForm for ``organization`` (group/sub-group, stars and dates are checked by the form
    and the model's constraints)."""
    product = form.save(commit=False)
    if product.pk and product.producer_id != organization.pk:
        raise DomainError(_("This product belongs to another producer."), code="not_yours")
    product.producer = organization
    product.save()
    return product
