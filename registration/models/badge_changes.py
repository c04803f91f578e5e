"""The event's change number for badge lists (the offline desk's and booth scanner's delta sync).

Every change to a badge or its registration takes the next ``DeskSyncCounter.version`` of the event (an UPDATE
that holds the counter row until commit, so versions become visible in order) and stamps it on
``Badge.sync_version``. A list client asks for "everything after version N" and gets only what changed.
A deleted badge (its registration removed) leaves a ``DeskTombstone`` with the version of its deletion, so a
delta tells clients to drop it; tombstones older than a while are pruned and the counter's ``floor`` says up to
which version, so a client further behind than that gets the full list instead. The lists themselves are built
by the check-in app (checkin/services/offline.py).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from eventsite.models import Event


class DeskSyncCounter(models.Model):
    """The event's change number for desk lists: bumped (under its row lock) by every badge change."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, primary_key=True, related_name="desk_sync")
    version = models.BigIntegerField(default=0)
    floor = models.BigIntegerField(default=0)  # tombstones up to this version were pruned

    class Meta:
        verbose_name = _("desk list version")
        verbose_name_plural = _("desk list versions")

    def __str__(self) -> str:
        return f"{self.event_id}: v{self.version}"


class DeskTombstone(models.Model):
    """A badge deleted at change ``version``: deltas after an older version tell desks to drop it."""

    # No database constraint: an event being deleted cascades to its badges, whose deletion must not leave a
    # row that blocks the event's own deletion (tombstones are not written then; see services/badge_changes.py).
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    badge_id = models.BigIntegerField()
    version = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("deleted badge (desk lists)")
        verbose_name_plural = _("deleted badges (desk lists)")
        indexes = [models.Index(fields=["event", "version"], name="desktombstone_event_version")]

    def __str__(self) -> str:
        return f"{self.event_id}: -{self.badge_id} v{self.version}"
