"""Every saved badge or registration takes the event's next desk-list change number (offline delta sync).

Signals rather than calls in each service so that no path (admin, shell, import, approval, reissue) can change
what a desk shows without the desk hearing of it; bulk paths call ``offline.bump`` themselves (ensure_badges).
A deleted badge (its registration deleted, or the badge itself) leaves a tombstone so desks drop it too.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ..models import Badge, Registration
from .offline import bump, forget_badges


@receiver(post_save, sender=Badge, dispatch_uid="desk_sync_badge")
def _badge_saved(sender, instance: Badge, raw: bool = False, **kwargs) -> None:
    if not raw:
        bump(event_id=instance.event_id, badges=Badge.objects.filter(pk=instance.pk))


@receiver(post_save, sender=Registration, dispatch_uid="desk_sync_registration")
def _registration_saved(sender, instance: Registration, created: bool = False, raw: bool = False, **kwargs) -> None:
    if raw or created:  # a new registration has no badge yet; its badge is stamped when issued
        return
    badges = Badge.objects.filter(registration_id=instance.pk)
    if badges.exists():
        bump(event_id=instance.event_id, badges=badges)


def _event_is_going(origin) -> bool:
    from eventsite.models import Event

    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    return model is Event


@receiver(post_delete, sender=Badge, dispatch_uid="desk_sync_badge_deleted")
def _badge_deleted(sender, instance: Badge, origin=None, **kwargs) -> None:
    if origin is not None and _event_is_going(origin):  # the whole event goes: no desk list to keep right
        return
    forget_badges(event_id=instance.event_id, badge_ids=[instance.pk])
