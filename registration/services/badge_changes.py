"""Badge change numbers: every saved badge or registration takes the event's next change number, a deleted badge
leaves a tombstone (the offline desk's and booth scanner's delta sync, checkin/services/offline.py).

Signals rather than calls in each service so that no path (admin, shell, import, approval, reissue) can change
what a desk shows without the desk hearing of it; bulk paths call ``bump`` themselves (ensure_badges).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import F, Max, QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from ..models import Badge, DeskSyncCounter, DeskTombstone, Registration

TOMBSTONE_DAYS = 30  # deletions older than this are pruned; a desk that far behind gets the full list



def bump(*, event_id: int, badges: QuerySet[Badge]) -> int:
    """Give ``badges`` the event's next change number (held under the counter's row lock until commit)."""
    with transaction.atomic():
        DeskSyncCounter.objects.get_or_create(event_id=event_id)
        DeskSyncCounter.objects.filter(event_id=event_id).update(version=F("version") + 1)
        version = DeskSyncCounter.objects.filter(event_id=event_id).values_list("version", flat=True).get()
        badges.update(sync_version=version)
    return version


def forget_badges(*, event_id: int, badge_ids: list[int]) -> int | None:
    """Record that ``badge_ids`` were deleted, at the event's next change number (desks drop them on sync).

    Only an existing counter is bumped (a counter row created while the event itself is being deleted would
    block that deletion). Tombstones older than TOMBSTONE_DAYS go; the counter's floor then says that a desk
    whose list is older than the newest pruned tombstone must start over with a full list.
    """
    if not badge_ids:
        return None
    with transaction.atomic():
        if not DeskSyncCounter.objects.filter(event_id=event_id).update(version=F("version") + 1):
            return None  # no counter: no badge was ever listed for a desk
        version = DeskSyncCounter.objects.filter(event_id=event_id).values_list("version", flat=True).get()
        DeskTombstone.objects.bulk_create(
            [DeskTombstone(event_id=event_id, badge_id=pk, version=version) for pk in badge_ids]
        )
        old = DeskTombstone.objects.filter(event_id=event_id,
                                           created_at__lt=timezone.now() - timedelta(days=TOMBSTONE_DAYS))
        pruned = old.aggregate(top=Max("version"))["top"]
        if pruned:
            old.delete()
            DeskSyncCounter.objects.filter(event_id=event_id, floor__lt=pruned).update(floor=pruned)
    return version


def current_version(event_id: int) -> int:
    return DeskSyncCounter.objects.filter(event_id=event_id).values_list("version", flat=True).first() or 0


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
