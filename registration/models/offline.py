"""Offline desks (issue 10): the per-event change number desks sync by, each desk's last report, and the
conflicts found when two desks admitted the same badge while offline.

Delta sync: every change to a badge or its registration takes the next ``DeskSyncCounter.version`` of the
event (an UPDATE that holds the counter row until commit, so versions become visible in order) and stamps it
on ``Badge.sync_version``. A desk asks for "everything after version N" and gets only what changed.
A deleted badge (its registration removed) leaves a ``DeskTombstone`` with the version of its deletion, so a
delta tells desks to drop it; tombstones older than a while are pruned and the counter's ``floor`` says up to
which version, so a desk further behind than that gets the full list instead.
"""

from __future__ import annotations

from django.conf import settings
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
    # row that blocks the event's own deletion (tombstones are not written then; see offline_signals).
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


class DeskReport(models.Model):
    """What a desk (one browser) last told the server: when it synced, how many scans wait in its queue."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="desk_reports")
    desk_id = models.CharField(max_length=40)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    gate = models.CharField(_("gate"), max_length=40, blank=True)
    last_sync_at = models.DateTimeField(_("last sync"))
    queue_length = models.PositiveIntegerField(_("scans waiting to upload"), default=0)
    list_version = models.BigIntegerField(_("list version"), default=0)

    class Meta:
        verbose_name = _("desk report")
        verbose_name_plural = _("desk reports")
        constraints = [models.UniqueConstraint(fields=["event", "desk_id"], name="deskreport_one_per_desk")]

    def __str__(self) -> str:
        return f"{self.desk_id} @ {self.gate}"


class CheckinConflict(models.Model):
    """Two admissions of one badge (at least one made offline): the earliest is kept, the other is kept here."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="checkin_conflicts")
    badge = models.ForeignKey("registration.Badge", on_delete=models.CASCADE, related_name="conflicts")
    kept = models.ForeignKey("registration.CheckIn", on_delete=models.CASCADE, related_name="+")
    # The admission that was not kept: a superseded check-in (annulled), or an offline scan that came later.
    superseded = models.ForeignKey("registration.CheckIn", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    other_gate = models.CharField(_("gate"), max_length=40)
    other_at = models.DateTimeField(_("time"))
    other_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    nonce = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("check-in conflict")
        verbose_name_plural = _("check-in conflicts")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"badge {self.badge_id}: {self.other_gate} {self.other_at:%d/%m/%Y %H:%M}"
