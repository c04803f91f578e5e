"""The lead card: what a booth sees of a person (consent applied when shown), and what its staff note."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from catalog.models import Product
from eventsite.activity import log_action
from eventsite.errors import DomainError
from eventsite.models import Event, User

from ..models import Interest, Lead
from .access import NotBoothStaff, booth_owner, lead_booths


@dataclass(frozen=True)
class Person:
    """A lead's person as the booth may see them: always name, organization and buyer type; email, phone and
    job title only while the person consents (``Registration.contact_shared``, read now, not when scanned)."""

    name: str
    organization: str
    buyer_type: str
    consented: bool
    email: str = ""
    phone: str = ""
    job_title: str = ""


def person_of(lead: Lead) -> Person:
    reg = lead.registration
    shown = Person(reg.full_name, reg.company, reg.get_buyer_type_display() if reg.buyer_type else "",
                   reg.contact_shared)
    if not reg.contact_shared:
        return shown
    return Person(shown.name, shown.organization, shown.buyer_type, True, reg.email, reg.phone, reg.job_title)


def leads_for(user, event: Event, booth_id: int | None = None) -> QuerySet[Lead]:
    """Leads of the booths ``user`` works at (one booth when given), with what showing them needs."""
    booths = lead_booths(user, event)
    if booth_id:
        booths = booths.filter(pk=booth_id)
    return (Lead.objects.filter(event=event, booth__in=booths)
            .select_related("booth", "registration").prefetch_related("products"))


def lead_for(user, event: Event, lead_id: int) -> Lead:
    lead = leads_for(user, event).filter(pk=lead_id).first()
    if lead is None:
        raise NotBoothStaff("not staff of this lead's booth")
    return lead


def catalog_for(lead: Lead) -> QuerySet[Product]:
    """The exhibitor's own products: what a lead may be interested in."""
    owner = booth_owner(lead.booth)
    return Product.objects.filter(producer=owner).order_by("name") if owner else Product.objects.none()


def update_lead(*, event: Event, lead_id: int, user: User, interest: str, product_ids: list[int], note: str,
                follow_up_on: date | None) -> Lead:
    """Edit the card: only the booth's own people; products from the exhibitor's catalog."""
    with transaction.atomic():
        lead = lead_for(user, event, lead_id)
        lead = Lead.objects.select_for_update().get(pk=lead.pk)
        if interest not in Interest.values:
            raise DomainError(_("Choose an interest level."), code="bad_interest")
        products = list(catalog_for(lead).filter(pk__in=product_ids))
        if len(products) != len(set(product_ids)):
            raise DomainError(_("Choose products from your own catalog."), code="bad_products")
        before = {"interest": lead.interest, "note": lead.note, "follow_up_on": str(lead.follow_up_on or ""),
                  "products": sorted(lead.products.values_list("pk", flat=True))}
        lead.interest, lead.note, lead.follow_up_on, lead.updated_by = interest, note.strip(), follow_up_on, user
        lead.save(update_fields=["interest", "note", "follow_up_on", "updated_by", "updated_at"])
        lead.products.set(products)
        log_action(action="leads.lead_updated", obj=lead, event=event, actor=user, before=before,
                   after={"interest": interest, "note": lead.note, "follow_up_on": str(follow_up_on or ""),
                          "products": sorted(p.pk for p in products)})
    return lead


def scanned_me(event: Event, user) -> list[dict]:
    """For a buyer: the booths (and their exhibitors) that scanned their badge at ``event``."""
    leads = (Lead.objects.filter(event=event, registration__user=user).select_related("booth")
             .order_by("-last_scanned_at"))
    return [{"booth": lead.booth.code, "exhibitor": (booth_owner(lead.booth) or lead.booth).__str__(),
             "at": lead.last_scanned_at} for lead in leads]
