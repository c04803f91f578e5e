"""Invitations: an emailed link that gives its holder a role at an event, or makes them an organizer of an
organization (the platform operator inviting a department's first organizer).

The link carries a random token; only its SHA-256 is stored. A link works once (accepting it is a conditional
update, so two clicks cannot both win) and until it expires; sending it again issues a new token, so the old link
stops working. A person without an account signs up from the link: the page stashes the invited address as
verified for allauth (``stash_verified_email``), because receiving the email proved it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .activity import log_action
from .apps import collect_invitation_roles
from .errors import DomainError
from .models import Event, EventRole, Invitation, Organization, OrganizationRole, User
from .rules import forget_roles

VALID_DAYS = 7
# Roles a team invitation gives. Buyers and exhibitors get theirs from an approved registration or exhibitor
# application (the facts behind the role), never from a bare invitation.
TEAM_ROLES = (EventRole.Role.ORGANIZER, EventRole.Role.DESK_STAFF, EventRole.Role.SPEAKER)


class InvitationError(DomainError):
    """An invitation link that cannot be used (``code``: unknown, expired, used, revoked) or a bad invite."""

    status = 410


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = _hash(token)
    invitation.expires_at = timezone.now() + timedelta(days=VALID_DAYS)
    invitation.sent_at = timezone.now()
    return token


def invitation_url(token: str, site_url: str) -> str:
    return site_url.rstrip("/") + reverse("invitation", kwargs={"token": token})


def _send(invitation: Invitation, token: str, site_url: str) -> None:
    """Email the link after the transaction commits (a rolled-back invitation sends nothing)."""
    context = {"invitation": invitation, "url": invitation_url(token, site_url),
               "inviter": invitation.invited_by, "days": VALID_DAYS,
               "target": invitation.event or invitation.organization}

    def send() -> None:
        with translation.override(translation.get_language() or "vi"):
            subject = render_to_string("eventsite/email/invitation_subject.txt", context).strip()
            body = render_to_string("eventsite/email/invitation_message.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])

    transaction.on_commit(send)


def invite_to_event(*, event: Event, email: str, role: str, invited_by: User, site_url: str,
                    scope: str = "") -> Invitation:
    """Invite ``email`` to ``role`` at ``event`` (a team role, or an app's ``InvitationRole`` within ``scope``);
    a pending invitation for the same address, role and scope is replaced."""
    if role not in TEAM_ROLES and role not in collect_invitation_roles():
        raise InvitationError(_("Choose one of the roles offered."), code="bad_role")
    email = email.strip().lower()
    with transaction.atomic():
        now = timezone.now()
        Invitation.objects.filter(event=event, email=email, role=role, scope=scope, accepted_at__isnull=True,
                                  revoked_at__isnull=True).update(revoked_at=now)
        invitation = Invitation(event=event, email=email, role=role, scope=scope, invited_by=invited_by)
        token = _new_token(invitation)
        invitation.save()
        log_action(action="eventsite.invitation_sent", obj=invitation, event=event, actor=invited_by,
                   after={"email": email, "role": role})
        _send(invitation, token, site_url)
    return invitation


def invite_organization_organizer(*, organization: Organization, email: str, invited_by: User,
                                  site_url: str) -> Invitation:
    """The platform operator invites an organizer of ``organization`` (who may then create its events)."""
    email = email.strip().lower()
    with transaction.atomic():
        invitation = Invitation(organization=organization, email=email, role=OrganizationRole.Role.ORGANIZER,
                                invited_by=invited_by)
        token = _new_token(invitation)
        invitation.save()
        log_action(action="eventsite.invitation_sent", obj=invitation, actor=invited_by,
                   after={"email": email, "organization": organization.pk})
        _send(invitation, token, site_url)
    return invitation


def resend_invitation(*, invitation: Invitation, actor: User, site_url: str) -> Invitation:
    """Send a pending (or expired) invitation again with a new link, valid for another VALID_DAYS days."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise InvitationError(_("This invitation has already been accepted."), code="used")
        if invitation.revoked_at is not None:
            raise InvitationError(_("This invitation was revoked."), code="revoked")
        token = _new_token(invitation)
        invitation.save(update_fields=["token_hash", "expires_at", "sent_at"])
        log_action(action="eventsite.invitation_resent", obj=invitation, event=invitation.event_id, actor=actor)
        _send(invitation, token, site_url)
    return invitation


def revoke_invitation(*, invitation: Invitation, actor: User) -> Invitation:
    with transaction.atomic():
        updated = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True,
                                            revoked_at__isnull=True).update(revoked_at=timezone.now())
        if not updated:
            raise InvitationError(_("This invitation is no longer pending."), code="not_pending")
        invitation.refresh_from_db()
        log_action(action="eventsite.invitation_revoked", obj=invitation, event=invitation.event_id, actor=actor)
    return invitation


def find_invitation(token: str) -> Invitation:
    """The usable invitation behind ``token``, or an InvitationError saying why it cannot be used."""
    invitation = (Invitation.objects.select_related("event", "organization", "invited_by")
                  .filter(token_hash=_hash(token or "")).first())
    if invitation is None:
        raise InvitationError(_("This invitation link is not valid. It may have been replaced by a newer email: "
                                "use the most recent one, or ask the organizer to send it again."), code="unknown")
    if invitation.revoked_at is not None:
        raise InvitationError(_("This invitation was withdrawn. Ask the organizer for a new one."), code="revoked")
    if invitation.accepted_at is not None:
        raise InvitationError(_("This invitation has already been used. Log in to reach the event."), code="used")
    if invitation.expires_at <= timezone.now():
        raise InvitationError(_("This invitation has expired. Ask the organizer to send it again."),
                              code="expired")
    return invitation


def accept_invitation(*, token: str, user: User) -> Invitation:
    """Use the link once: mark it accepted and give ``user`` its role (idempotent if they already hold it)."""
    with transaction.atomic():
        invitation = find_invitation(token)
        now = timezone.now()
        won = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True,
                                        expires_at__gt=now).update(accepted_at=now, accepted_by=user)
        if not won:
            raise InvitationError(_("This invitation has already been used. Log in to reach the event."),
                                  code="used")
        invitation.accepted_at, invitation.accepted_by = now, user
        app_role = collect_invitation_roles().get(invitation.role) if invitation.event_id is not None else None
        if app_role is not None:
            invitation.next_url = app_role.accept(invitation=invitation, user=user)
        elif invitation.event_id is not None:
            organization = invitation.event.organizer if invitation.role in (
                EventRole.Role.ORGANIZER, EventRole.Role.DESK_STAFF) else None
            role, created = EventRole.objects.get_or_create(
                event=invitation.event, user=user, role=invitation.role,
                defaults={"organization": organization})
            if created:
                log_action(action="eventsite.role_granted", obj=role, actor=user,
                           after={"user": user.pk, "role": role.role}, note=invitation.email)
        else:
            OrganizationRole.objects.get_or_create(organization=invitation.organization, user=user,
                                                   role=invitation.role,
                                                   defaults={"granted_by": invitation.invited_by})
        log_action(action="eventsite.invitation_accepted", obj=invitation, event=invitation.event_id, actor=user)
    forget_roles(user)
    return invitation


def remove_role(*, role: EventRole, actor: User) -> None:
    """Take a role away at once. The event keeps at least one organizer."""
    with transaction.atomic():
        Event.objects.select_for_update().filter(pk=role.event_id).first()  # serialise removals per event
        if role.role == EventRole.Role.ORGANIZER and not EventRole.objects.filter(
                event_id=role.event_id, role=EventRole.Role.ORGANIZER).exclude(pk=role.pk).exists():
            raise InvitationError(_("An event needs at least one organizer: invite another before removing "
                                    "this one."), code="last_organizer")
        before = {"user": role.user_id, "role": role.role}
        log_action(action="eventsite.role_removed", obj=role, actor=actor, before=before)
        try:
            role.delete()
        except IntegrityError as exc:  # pragma: no cover - protected rows point at the role
            raise InvitationError(_("This role cannot be removed."), code="protected") from exc
    forget_roles(role.user)
