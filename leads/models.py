"""Leads: who came to a booth (a badge scanned by the booth's staff) and what they wanted.

A lead is one (booth, registration) pair, whatever the number of scans; each scan is kept with its client nonce
so that a retried or re-uploaded scan counts once. What the booth sees of the person is decided when the lead is
shown, from the person's current consent (``Registration.contact_shared``), never copied into the lead.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from booths.models import Booth
from catalog.models import Product
from eventsite.models import Event
from registration.models import Registration

STAFF_PER_BOOTH_MAX = 50


class LeadSettings(models.Model):
    """The organizer's settings for lead capture at one event."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="lead_settings")
    staff_per_booth = models.PositiveSmallIntegerField(
        _("staff accounts per booth"), default=3,
        validators=[MinValueValidator(0), MaxValueValidator(STAFF_PER_BOOTH_MAX)],
        help_text=_("How many people each exhibitor may invite to scan badges at each of its booths."))

    class Meta:
        verbose_name = _("lead capture settings")
        verbose_name_plural = _("lead capture settings")

    def __str__(self) -> str:
        return str(self.event)


class BoothStaff(models.Model):
    """A person who scans badges at one booth, invited by its exhibitor. Staff see that booth's leads only."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    booth = models.ForeignKey(Booth, on_delete=models.CASCADE, related_name="lead_staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="booth_staff")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("booth staff member")
        verbose_name_plural = _("booth staff")
        constraints = [models.UniqueConstraint(fields=["booth", "user"], name="lead_staff_once_per_booth")]
        indexes = [models.Index(fields=["user", "event"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.booth}"


class Interest(models.TextChoices):
    UNKNOWN = "", _("Not rated")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


INTEREST_WEIGHT = {Interest.UNKNOWN: 1, Interest.LOW: 1, Interest.MEDIUM: 2, Interest.HIGH: 3}


class Lead(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="leads")
    booth = models.ForeignKey(Booth, on_delete=models.CASCADE, related_name="leads")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="leads")
    first_scanned_at = models.DateTimeField(_("first scanned"))
    last_scanned_at = models.DateTimeField(_("last scanned"))
    scans = models.PositiveIntegerField(_("scans"), default=1)
    interest = models.CharField(_("interest"), max_length=8, choices=Interest.choices, blank=True)
    products = models.ManyToManyField(Product, verbose_name=_("products of interest"), blank=True,
                                      related_name="+")
    note = models.TextField(_("note"), blank=True, max_length=4000)
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-last_scanned_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["booth", "registration"], name="lead_once_per_booth")]
        indexes = [models.Index(fields=["booth", "last_scanned_at"]), models.Index(fields=["registration"])]

    def __str__(self) -> str:
        return f"{self.booth} ← {self.registration_id}"


class LeadScan(models.Model):
    """One scan of a badge at a booth. ``nonce`` is the scanning phone's id for the scan: a retry or a second
    upload of the same scan finds it and changes nothing."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="scan_log")
    booth = models.ForeignKey(Booth, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    scanned_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    offline = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["booth", "nonce"], name="lead_scan_once_per_nonce")]

    def __str__(self) -> str:
        return self.nonce
