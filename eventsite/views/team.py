"""An event's team (organizers' page) and the invitation link anyone invited opens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import invitations
from ..access import ORGANIZER, event_view
from ..apps import collect_team_links
from ..forms import InviteForm
from ..models import EventRole, Invitation
from .operator import act_on_invitation, site_url


@event_view(roles=ORGANIZER)
def team(request):
    event = request.event
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        invitations.invite_to_event(event=event, email=form.cleaned_data["email"], role=form.cleaned_data["role"],
                                    invited_by=request.user, site_url=site_url(request))
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
        return redirect("team", event_slug=event.slug)
    members = (EventRole.objects.filter(event=event, role__in=invitations.TEAM_ROLES)
               .select_related("user", "organization").order_by("role", "user__email"))
    pending = Invitation.objects.filter(event=event, accepted_at__isnull=True,
                                        revoked_at__isnull=True).select_related("invited_by")
    links = [(item.label, reverse(item.url_name, kwargs={"event_slug": event.slug})) for item in collect_team_links()]
    return render(request, "eventsite/team.html", {"form": form, "members": members, "pending": pending,
                                                   "links": links})


@require_POST
@event_view(roles=ORGANIZER)
def remove_member(request, role_id):
    role = get_object_or_404(EventRole.objects.select_related("user"), pk=role_id, event=request.event,
                             role__in=invitations.TEAM_ROLES)
    try:
        invitations.remove_role(role=role, actor=request.user)
        messages.success(request, _("%(user)s is no longer %(role)s.")
                         % {"user": role.user, "role": role.get_role_display()})
    except invitations.InvitationError as error:
        messages.error(request, error.message)
    return redirect("team", event_slug=request.event.slug)


@require_POST
@event_view(roles=ORGANIZER)
def invitation_action(request, invitation_id, action):
    invitation = get_object_or_404(Invitation, pk=invitation_id, event=request.event)
    act_on_invitation(request, invitation, action)
    return redirect("team", event_slug=request.event.slug)



def invitation(request, token):
    """Show what the link offers; a signed-in person accepts it, anyone else signs up or logs in first."""
    try:
        found = invitations.find_invitation(token)
    except invitations.InvitationError as error:
        return render(request, "eventsite/invitation_invalid.html", {"error": error}, status=410)
    here = reverse("invitation", kwargs={"token": token})
    if not request.user.is_authenticated:
        # Receiving the email proved the address: allauth signs this address up without another check.
        from allauth.account.adapter import get_adapter

        get_adapter(request).stash_verified_email(request, found.email)
        has_account = get_user_model().objects.filter(email__iexact=found.email).exists()
        return render(request, "eventsite/invitation.html", {
            "invitation": found, "has_account": has_account,
            "signup_url": reverse("account_signup") + "?" + urlencode({"next": here, "email": found.email}),
            "login_url": reverse("account_login") + "?" + urlencode({"next": here}),
        })
    if request.method == "POST":
        try:
            accepted = invitations.accept_invitation(token=token, user=request.user)
        except invitations.InvitationError as error:
            return render(request, "eventsite/invitation_invalid.html", {"error": error}, status=410)
        messages.success(request, _("Welcome! You are now %(role)s.") % {"role": accepted.role_label})
        if accepted.event_id is None:
            return redirect("event_create")
        if getattr(accepted, "next_url", ""):
            return redirect(accepted.next_url)
        if accepted.role == EventRole.Role.ORGANIZER:
            return redirect("organizer_home", event_slug=accepted.event.slug)
        if accepted.event.status == accepted.event.Status.DRAFT:
            return redirect("home")  # the event page opens when the organizers publish it
        return redirect("event_home", event_slug=accepted.event.slug)
    return render(request, "eventsite/invitation.html", {"invitation": found})
