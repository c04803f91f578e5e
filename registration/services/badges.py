"""Badges: issue, reissue (revoking the old token) and render.

``render_badge_pdf(registration) -> bytes`` is what the approval email attaches.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from eventsite.errors import DomainError

from ..models import Badge, Registration, RegistrationStatus, RevokedToken
from . import tokens


class BadgeError(DomainError):
    code = "badge_error"


def ensure_badge(registration: Registration) -> Badge:
    """The registration's badge, issued on first use (and the event's key pair with it)."""
    badge = Badge.objects.filter(registration=registration).first()
    if badge is not None:
        return badge
    tokens.ensure_event_key(registration.event_id)
    try:
        with transaction.atomic():
            return Badge.objects.create(event_id=registration.event_id, registration=registration)
    except IntegrityError:  # issued concurrently: use the winner's badge
        return Badge.objects.get(registration=registration)


def ensure_badges(registrations) -> dict[int, Badge]:
    """Badges for many registrations at once (bulk printing): registration id → badge."""
    regs = list(registrations)
    if not regs:
        return {}
    existing = {b.registration_id: b for b in Badge.objects.filter(registration__in=[r.pk for r in regs])}
    missing = [r for r in regs if r.pk not in existing]
    if missing:
        for event_id in {r.event_id for r in missing}:
            tokens.ensure_event_key(event_id)
        Badge.objects.bulk_create(
            [Badge(event_id=r.event_id, registration=r) for r in missing], ignore_conflicts=True
        )
        existing.update(
            {b.registration_id: b for b in Badge.objects.filter(registration__in=[r.pk for r in missing])}
        )
        from .badge_changes import bump  # bulk_create sends no signals: give the new badges their change number

        for event_id in {r.event_id for r in missing}:
            bump(event_id=event_id, badges=Badge.objects.filter(
                event_id=event_id, registration__in=[r.pk for r in missing if r.event_id == event_id]))
    return existing


def token_for(badge: Badge) -> str:
    return tokens.sign(tokens.Claims(badge_id=badge.pk, event_id=badge.event_id, counter=badge.counter))


def reissue_badge(*, badge: Badge, by=None) -> Badge:
    """A new token for a lost or compromised badge: the counter goes up and the old token is revoked."""
    with transaction.atomic():
        locked = Badge.objects.select_for_update().get(pk=badge.pk)
        RevokedToken.objects.create(event_id=locked.event_id, badge=locked, counter=locked.counter,
                                    revoked_by=by if getattr(by, "is_authenticated", False) else None)
        locked.counter += 1
        locked.reissued_at = timezone.now()
        locked.save(update_fields=["counter", "reissued_at"])
    return locked


def holds_valid_badge(registration: Registration) -> bool:
    return registration.status == RegistrationStatus.APPROVED


def render_badge_pdf(registration: Registration) -> bytes:
    """One A6 badge as PDF bytes (attendee download, approval email attachment)."""
    from .pdf import render_single

    return render_single(ensure_badge(registration))
