"""Booth staff: an exhibitor invites up to N people per booth (N set by the organizer) by an emailed link
(eventsite/invitations.py, role ``booth_staff`` scoped to one booth); accepting it makes the person staff of
that booth only: a ``BoothStaff`` row says which booth, and the event role ``booth_staff`` (held while the person
staffs at least one booth there) lets them through the event's pages, where the row decides what they see."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from booths.models import Booth
from eventsite.activity import log_action
from eventsite.errors import DomainError
from eventsite.invitations import InvitationError, invite_to_event
from eventsite.models import Event, EventRole, Invitation, User
from eventsite.rules import forget_roles

from ..models import BoothStaff, LeadSettings
from .access import NotBoothStaff, is_owner

ROLE = "booth_staff"


class StaffLimitReached(DomainError):
    code = "staff_limit"
    status = 409


def settings_for(event: Event) -> LeadSettings:
    found, _created = LeadSettings.objects.get_or_create(event=event)
    return found


def update_settings(*, event: Event, staff_per_booth: int, actor: User) -> LeadSettings:
    with transaction.atomic():
        found = settings_for(event)
        before = {"staff_per_booth": found.staff_per_booth}
        found.staff_per_booth = staff_per_booth
        found.save(update_fields=["staff_per_booth"])
        log_action(action="leads.settings_changed", obj=event, actor=actor, before=before,
                   after={"staff_per_booth": staff_per_booth})
    return found


def scope_of(booth: Booth) -> str:
    return f"booth:{booth.pk}"


def pending_invitations(booth: Booth):
    return Invitation.objects.filter(event_id=booth.event_id, role=ROLE, scope=scope_of(booth),
                                     accepted_at__isnull=True, revoked_at__isnull=True,
                                     expires_at__gt=timezone.now())


def invite_staff(*, event: Event, booth: Booth, email: str, invited_by: User, site_url: str) -> Invitation:
    """Invite ``email`` to scan at ``booth``. Staff and pending invitations together stay within the limit."""
    if not is_owner(invited_by, event, booth):
        raise NotBoothStaff("only the booth's exhibitor invites its staff")
    with transaction.atomic():
        Booth.objects.select_for_update().filter(pk=booth.pk).first()  # one invitation at a time per booth
        limit = settings_for(event).staff_per_booth
        email = email.strip().lower()
        taken = BoothStaff.objects.filter(booth=booth).count() + pending_invitations(booth).exclude(
            email=email).count()
        if taken >= limit:
            raise StaffLimitReached(_("This booth already has %(n)s staff accounts or invitations, the most the "
                                      "organizer allows.") % {"n": limit})
        return invite_to_event(event=event, email=email, role=ROLE, scope=scope_of(booth),
                               invited_by=invited_by, site_url=site_url)


def accept_staff_invitation(*, invitation: Invitation, user: User) -> str:
    """The InvitationRole hook: make ``user`` staff of the invitation's booth (idempotent); the scan page next."""
    booth_id = int(invitation.scope.removeprefix("booth:") or 0)
    booth = Booth.objects.filter(pk=booth_id, event_id=invitation.event_id).first()
    if booth is None:
        raise InvitationError(_("This booth no longer exists."), code="unknown")
    staff, created = BoothStaff.objects.get_or_create(booth=booth, user=user, defaults={
        "event_id": booth.event_id, "added_by": invitation.invited_by})
    EventRole.objects.get_or_create(event_id=booth.event_id, user=user, role=EventRole.Role.BOOTH_STAFF)
    if created:
        limit = settings_for(invitation.event).staff_per_booth
        if BoothStaff.objects.filter(booth=booth).count() > limit:
            raise InvitationError(_("This booth already has as many staff as the organizer allows. Ask the "
                                    "exhibitor to remove someone first."), code="staff_limit")
        log_action(action="leads.staff_added", obj=staff, event=booth.event_id, actor=user,
                   after={"booth": booth.code, "user": user.pk})
    return reverse("leads:scan", kwargs={"event_slug": invitation.event.slug}) + f"?booth={booth.pk}"


def staff_label(invitation: Invitation) -> str:
    booth = Booth.objects.filter(pk=int(invitation.scope.removeprefix("booth:") or 0)).first()
    return _("booth staff (booth %(booth)s)") % {"booth": booth.code if booth else "?"}


def remove_staff(*, event: Event, staff: BoothStaff, actor: User) -> None:
    if not is_owner(actor, event, staff.booth):
        raise NotBoothStaff("only the booth's exhibitor removes its staff")
    with transaction.atomic():
        log_action(action="leads.staff_removed", obj=staff, event=event, actor=actor,
                   before={"booth": staff.booth.code, "user": staff.user_id})
        staff.delete()
        if not BoothStaff.objects.filter(event=event, user_id=staff.user_id).exists():
            EventRole.objects.filter(event=event, user_id=staff.user_id, role=EventRole.Role.BOOTH_STAFF).delete()
    forget_roles(staff.user)
