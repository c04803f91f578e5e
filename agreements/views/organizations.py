"""Organizers confirm the organizations participants added on the agreement form (or merge them into a known one)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eventsite.access import event_view
from eventsite.errors import DomainError
from eventsite.models import EventRole, Organization
from eventsite.numbers import id_or_none

from .. import services
from ..models import AgreementParty

ORGANIZERS = {EventRole.Role.ORGANIZER}


@event_view(roles=ORGANIZERS)
def unverified_organizations(request):
    """The organizations awaiting confirmation that are parties of this event's agreements, with who added them,
    the agreements naming them, and organizations with the same tax code or name to merge into."""
    event = request.event
    orgs = list(services.unverified_organizations(event))
    parties = (AgreementParty.objects.filter(agreement__event=event, organization__in=orgs)
               .select_related("agreement").order_by("agreement__signed_at"))
    by_org: dict[int, list] = {}
    for party in parties:
        by_org.setdefault(party.organization_id, []).append(party.agreement)
    rows = [{"org": org, "agreements": by_org.get(org.pk, []),
             "similar": services.parties.similar_organizations(org)} for org in orgs]
    return render(request, "agreements/organizations.html", {"rows": rows})


def _back(request):
    return redirect(reverse("agreements:organizations", args=[request.event.slug]))


@require_POST
@event_view(roles=ORGANIZERS)
def confirm_organization(request, org_id: int):
    org = Organization.objects.filter(pk=org_id).first()
    try:
        if org is None:
            raise services.AgreementError(_("This organization is not awaiting confirmation at this event."))
        services.confirm_organization(event=request.event, actor=request.user, organization=org)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“%(name)s” is confirmed.") % {"name": org.name})
    return _back(request)


@require_POST
@event_view(roles=ORGANIZERS)
def merge_organization(request, org_id: int):
    org = Organization.objects.filter(pk=org_id).first()
    into_id = id_or_none(request.POST.get("into"))
    into = Organization.objects.filter(pk=into_id, verified=True).first() if into_id else None
    try:
        if org is None:
            raise services.AgreementError(_("This organization is not awaiting confirmation at this event."))
        if into is None:
            raise services.AgreementError(_("Choose a verified organization to merge into."))
        services.merge_organization(event=request.event, actor=request.user, organization=org, into=into)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The agreements now name “%(into)s” instead of “%(name)s”.")
                         % {"into": into.name, "name": org.name})
    return _back(request)
