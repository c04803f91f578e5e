"""The platform operator's page (superusers): departments and their first organizers, and template events."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import event_setup, invitations
from ..forms import OrganizationForm
from ..models import Event, Invitation, Organization


def _operator(request) -> None:
    if not request.user.has_perm("eventsite.manage_platform"):
        raise PermissionDenied


def site_url(request) -> str:
    return request.build_absolute_uri("/")


@login_required
def operator_home(request):
    _operator(request)
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            organization = event_setup.create_organization(
                name=data["name"], province_code=data["province_code"], tax_code=data["tax_code"],
                actor=request.user)
            invitations.invite_organization_organizer(organization=organization, email=data["organizer_email"],
                                                      invited_by=request.user, site_url=site_url(request))
        messages.success(request, _("%(name)s created; an invitation went to %(email)s.")
                         % {"name": organization.name, "email": data["organizer_email"]})
        return redirect("operator_home")
    organizations = (
        Organization.objects.filter(kind=Organization.Kind.GOVERNMENT)
        .prefetch_related("member_roles__user",
                          Prefetch("invitations", queryset=Invitation.objects.filter(
                              accepted_at__isnull=True, revoked_at__isnull=True), to_attr="open_invitations"))
        .order_by("name")
    )
    events = Event.objects.select_related("organizer").order_by("-starts_at")
    return render(request, "eventsite/operator.html",
                  {"form": form, "organizations": organizations, "events": events})


@require_POST
@login_required
def operator_template(request, event_id):
    _operator(request)
    event = get_object_or_404(Event, pk=event_id)
    event_setup.set_template(event=event, actor=request.user, is_template=request.POST.get("is_template") == "1")
    messages.success(request, (_("%(name)s is now a template.") if event.is_template
                               else _("%(name)s is no longer a template.")) % {"name": event.name})
    return redirect("operator_home")


@require_POST
@login_required
def operator_invitation(request, invitation_id, action):
    _operator(request)
    invitation = get_object_or_404(Invitation, pk=invitation_id, organization__isnull=False)
    act_on_invitation(request, invitation, action)
    return redirect("operator_home")


def act_on_invitation(request, invitation: Invitation, action: str) -> None:
    """Resend or revoke an invitation (the team page and the operator page), saying what happened."""
    try:
        if action == "resend":
            invitations.resend_invitation(invitation=invitation, actor=request.user, site_url=site_url(request))
            messages.success(request, _("Invitation sent again to %(email)s.") % {"email": invitation.email})
        elif action == "revoke":
            invitations.revoke_invitation(invitation=invitation, actor=request.user)
            messages.success(request, _("Invitation to %(email)s revoked.") % {"email": invitation.email})
        else:
            raise PermissionDenied
    except invitations.InvitationError as error:
        messages.error(request, error.message)
