"""Check-in: devices (external scanners) and the check-ins themselves.

Every scan and its answer is an entry of the platform's activity log (``eventsite.ActivityEntry``, action
``checkin.scan``, the client's nonce as its key, unique per event): a retried request finds its entry and gets
the same answer; the offline desk uploads its queue through the same path (``services/checkin.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from eventsite.models import Event


class ScanStatus(models.TextChoices):
    OK = "ok", _("OK")
    ALREADY = "already_checked_in", _("Already checked in")
    MALFORMED = "malformed", _("Invalid code")
    FORGED = "forged", _("Forged code")
    REVOKED = "revoked", _("Revoked badge")
    WRONG_EVENT = "wrong_event", _("Wrong event")
    NOT_APPROVED = "not_approved", _("Not approved")
    # An offline desk turned the person away; uploaded later, the server would have admitted them (logged only).
    REFUSED_OFFLINE = "refused_offline", _("Refused offline")
    # Outside the check-in window (the day before the start to the day after the end): refused when the organizer
    # turned such check-ins off, else asked of the person at the desk before admitting.
    OUTSIDE_DATES = "outside_dates", _("Outside the event's dates")


class CheckinTiming(models.TextChoices):
    """When an admission happened compared with the event's check-in window ("" inside it)."""

    EARLY = "early", _("Early")
    LATE = "late", _("Late")


class Device(models.Model):
    """An external scanner allowed to call the check-in API for one event, with a hashed bearer token."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="checkin_devices")
    name = models.CharField(_("name"), max_length=100)
    token_prefix = models.CharField(_("token starts with"), max_length=8, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)

    class Meta:
        verbose_name = _("check-in device")
        verbose_name_plural = _("check-in devices")

    def __str__(self) -> str:
        return f"{self.name} ({self.token_prefix}…)"


class CheckIn(models.Model):
    """One admission through a gate. Annulled check-ins stay for the record."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="checkins")
    badge = models.ForeignKey("registration.Badge", on_delete=models.CASCADE, related_name="checkins")
    gate = models.CharField(_("gate"), max_length=40)
    at = models.DateTimeField(_("time"))
    by_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    by_device = models.ForeignKey(Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    role = models.CharField(max_length=20)  # copied from the registration for cheap counts by role
    timing = models.CharField(_("timing"), max_length=5, choices=CheckinTiming.choices, blank=True, default="")
    annulled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            # The last line of defence against a double admission: one live check-in per badge.
            models.UniqueConstraint(fields=["badge"], condition=Q(annulled_at__isnull=True),
                                    name="checkin_one_live_per_badge"),
        ]
        indexes = [models.Index(fields=["event", "annulled_at", "at"], name="checkin_event_live_at")]

    def __str__(self) -> str:
        return f"{self.badge_id} @ {self.gate} {self.at:%d/%m/%Y %H:%M}"
