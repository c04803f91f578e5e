"""Exhibitor applications: file or update one, manage its products, and the organizer's decision."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product
from eventsite.errors import DomainError
from eventsite.models import EventRole, Organization

from ..models import ApplicationStatus, Booth, BoothKind, BoothPreference, ExhibitorApplication, Zone


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


def _producer_for(*, event, user, details: ProducerDetails,
                  existing: ExhibitorApplication | None) -> Organization:
    """The applicant's organization: the one already on file for them at this event, else a new one.

    An organization is never taken over by typing its tax code: a tax code already registered to
    someone else is refused, and the organizer links such cases by hand.
    """
    org = existing.organization if existing else None
    if org is None:
        role = EventRole.objects.filter(event=event, user=user, role=EventRole.Role.EXHIBITOR,
                                        organization__isnull=False).select_related("organization").first()
        org = role.organization if role else None
    if org is None:
        if Organization.objects.filter(tax_code=details.tax_code).exists():
            raise DomainError(_("This tax code is already registered. Ask the organizer to link you to it."),
                              code="tax_code_taken")
        org = Organization(tax_code=details.tax_code)
    elif org.tax_code != details.tax_code and Organization.objects.filter(tax_code=details.tax_code).exclude(
            pk=org.pk).exists():
        raise DomainError(_("This tax code is already registered. Ask the organizer to link you to it."),
                          code="tax_code_taken")
    org.name, org.kind, org.tax_code = details.name, details.kind, details.tax_code
    org.province_code, org.address = details.province_code, details.address
    org.save()
    return org


def submit_application(*, event, user, producer: ProducerDetails, contact: Contact, products: list[Product],
                       wishes: list[tuple[str, str]], booths_wanted: int = 1, note: str = "") -> ExhibitorApplication:
    """File (or update, while not yet decided) the caller's application; wishes are ranked in order."""
    with transaction.atomic():
        existing = (ExhibitorApplication.objects.select_for_update().filter(event=event, applicant=user).first())
        if existing is not None and existing.status == ApplicationStatus.REJECTED:
            raise DomainError(_("Your application was rejected; contact the organizer."), code="rejected")
        try:
            org = _producer_for(event=event, user=user, details=producer, existing=existing)
        except IntegrityError:
            raise DomainError(_("This tax code is already registered. Ask the organizer to link you to it."),
                              code="tax_code_taken") from None
        application = existing or ExhibitorApplication.objects.filter(event=event, organization=org).first()
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
