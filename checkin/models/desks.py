"""Offline desks (issue 10): each desk's last report, and the conflicts found when two desks admitted the same
badge while offline. The desks' list versions are the badges' change numbers (registration/models/badge_changes.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from eventsite.models import Event

from .checkin import CheckIn


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
    kept = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="+")
    # The admission that was not kept: a superseded check-in (annulled), or an offline scan that came later.
    superseded = models.ForeignKey(CheckIn, on_delete=models.SET_NULL, null=True, blank=True,
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
