"""Using leads: a spreadsheet of a booth's leads (consent applied, injection-safe), a B2B meeting request to
the lead's buyer (matchmaking's own service and rules), and the agreement form prefilled from a lead."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from eventsite.errors import DomainError
from eventsite.models import Event, User
from eventsite.spreadsheets import csv_bytes, xlsx_bytes
from matchmaking.models import MeetingRequest, Side
from matchmaking.services.requests import create_request

from ..models import Lead
from .access import NotBoothStaff, booth_owner, exhibitor_org_ids
from .cards import person_of


def export_rows(leads: QuerySet[Lead]) -> tuple[list[str], list[list]]:
    headers = [_("Booth"), _("Name"), _("Organization"), _("Buyer type"), _("Email"), _("Phone"), _("Job title"),
               _("Interest"), _("Products of interest"), pgettext("lead", "Note"), _("Follow up on"),
               _("First scanned"), _("Last scanned"), _("Scans")]
    rows = []
    for lead in leads.order_by("booth__code", "first_scanned_at", "pk"):
        person = person_of(lead)
        rows.append([lead.booth.code, person.name, person.organization, person.buyer_type, person.email,
                     person.phone, person.job_title, lead.get_interest_display() if lead.interest else "",
                     ", ".join(sorted(p.name for p in lead.products.all())), lead.note, lead.follow_up_on,
                     lead.first_scanned_at, lead.last_scanned_at, lead.scans])
    return headers, rows


def export_leads(leads: QuerySet[Lead], fmt: str, *, title: str) -> tuple[bytes, str]:
    """(content, content type) of the leads as XLSX or CSV; every text cell goes through neutralise_cell."""
    headers, rows = export_rows(leads)
    if fmt == "csv":
        return csv_bytes(headers, rows), "text/csv; charset=utf-8"
    return (xlsx_bytes(headers, rows, title=title, widths=[8, 24, 28, 18, 26, 14, 18, 10, 30, 40, 12, 16, 16, 6]),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def propose_meeting(*, event: Event, lead: Lead, user: User, message: str) -> MeetingRequest:
    """Ask the lead's buyer organization for a B2B meeting on behalf of the booth's exhibitor, with the lead's
    products, through matchmaking's ``create_request`` (participants, quotas, one live request per pair)."""
    owner = booth_owner(lead.booth)
    if owner is None or owner.pk not in exhibitor_org_ids(user, event):
        raise NotBoothStaff(_("Only the exhibitor's own accounts can ask for meetings on its behalf."))
    buyer = lead.registration.organization
    if buyer is None:
        raise DomainError(_("This buyer has no organization on record yet, so no meeting can be requested."),
                          code="no_buyer_org")
    return create_request(event=event, sender=owner, side=Side.PRODUCER, counterpart=buyer, user=user,
                          message=message, product_ids=[p.pk for p in lead.products.all()])


def agreement_url(*, event: Event, lead: Lead) -> str:
    """The agreement form prefilled from the lead (as matchmaking does from a meeting): seller, buyer, products."""
    params = {"products": ",".join(str(p.pk) for p in lead.products.all())}
    owner = booth_owner(lead.booth)
    if owner is not None:
        params["seller"] = owner.pk
    if lead.registration.organization_id:
        params["buyer"] = lead.registration.organization_id
    return reverse("agreements:new", kwargs={"event_slug": event.slug}) + "?" + urlencode(params)
