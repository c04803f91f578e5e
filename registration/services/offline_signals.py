"""Every saved badge or registration takes the event's next desk-list change number (offline delta sync).

Signals rather than calls in each service so that no path (admin, shell, import, approval, reissue) can change
what a desk shows without the desk hearing of it; bulk paths call ``offline.bump`` themselves (ensure_badges).
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from ..models import Badge, Registration
from .offline import bump


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
