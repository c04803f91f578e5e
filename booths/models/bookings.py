"""Bookings of booths, the waitlist per booth type, and allocation proposals."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eventsite.models import Event

from .applications import ExhibitorApplication
from .floorplan import Booth, BoothKind


class BookingStatus(models.TextChoices):
    HELD = "held", _("Held")
    RESERVED = "reserved", _("Reserved")
    CONFIRMED = "confirmed", _("Confirmed")
    EXPIRED = "expired", _("Hold expired")
    CANCELLED = "cancelled", _("Cancelled")
    VACATED = "vacated", _("Vacated by the organizer")
    UNPAID = "unpaid", _("Released: not paid in time")


ACTIVE_STATUSES = (BookingStatus.HELD, BookingStatus.RESERVED, BookingStatus.CONFIRMED)


class BookingQuerySet(models.QuerySet):
    def active(self, now=None) -> BookingQuerySet:
        """Bookings that occupy their booth: reserved, confirmed, or held with an unexpired hold."""
        now = now or timezone.now()
        return self.filter(
            Q(status__in=[BookingStatus.RESERVED, BookingStatus.CONFIRMED])
            | Q(status=BookingStatus.HELD, hold_expires_at__gt=now)
        )


class Booking(models.Model):
    """An exhibitor's claim on one booth. At most one active booking per booth: the partial unique
    constraint below is the last guard, the row lock on the booth in the services is the first."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="booth_bookings")
    booth = models.ForeignKey(Booth, on_delete=models.CASCADE, related_name="bookings")
    application = models.ForeignKey(ExhibitorApplication, on_delete=models.CASCADE, related_name="bookings")
    status = models.CharField(_("status"), max_length=16, choices=BookingStatus.choices)
    hold_expires_at = models.DateTimeField(_("hold expires"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["booth"], condition=Q(status__in=["held", "reserved", "confirmed"]),
                name="booking_one_active_per_booth",
            ),
            models.CheckConstraint(
                condition=~Q(status="held") | Q(hold_expires_at__isnull=False), name="booking_hold_has_expiry",
            ),
        ]
        indexes = [models.Index(fields=["application", "status"])]

    def __str__(self) -> str:
        return f"{self.booth} – {self.application.organization} ({self.get_status_display()})"

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        if self.status == BookingStatus.HELD:
            return self.hold_expires_at is not None and self.hold_expires_at > now
        return self.status in (BookingStatus.RESERVED, BookingStatus.CONFIRMED)


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Offered a booth")
    DONE = "done", _("Booth taken")
    CANCELLED = "cancelled", _("Left the waitlist")


class WaitlistEntry(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="booth_waitlist")
    application = models.ForeignKey(ExhibitorApplication, on_delete=models.CASCADE, related_name="waitlist")
    kind = models.CharField(_("booth type"), max_length=16, choices=BoothKind.choices)
    status = models.CharField(_("status"), max_length=16, choices=WaitlistStatus.choices,
                              default=WaitlistStatus.WAITING)
    offer = models.ForeignKey(Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], condition=Q(status__in=["waiting", "offered"]),
                                    name="waitlist_once_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.application.organization} – {self.get_kind_display()}"


class AllocationRun(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        COMMITTED = "committed", _("Committed")
        DISCARDED = "discarded", _("Discarded")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="allocation_runs")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    avoid_same_subgroup_neighbours = models.BooleanField(_("avoid same sub-group neighbours"), default=True)
    objective = models.BigIntegerField(default=0)
    neighbour_conflicts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        verbose_name = _("allocation proposal")
        verbose_name_plural = _("allocation proposals")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk}"


class AllocationItem(models.Model):
    """One applicant's outcome in a proposal, with what is needed to explain it."""

    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="items")
    application = models.ForeignKey(ExhibitorApplication, on_delete=models.CASCADE, related_name="+")
    booth = models.ForeignKey(Booth, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    rank_met = models.PositiveSmallIntegerField(null=True, blank=True)  # None: unassigned or "no preference"
    priority = models.IntegerField(default=0)
    # Why not a better choice: the first better preference's label and who got it (with their priority).
    better_choice = models.CharField(max_length=120, blank=True)
    better_choice_holder = models.CharField(max_length=255, blank=True)
    better_choice_holder_stars = models.PositiveSmallIntegerField(null=True, blank=True)
    better_choice_reason = models.CharField(max_length=20, blank=True)  # priority | booked | theme | full

    class Meta:
        ordering = ["run", "-priority", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["run", "booth"], condition=Q(booth__isnull=False),
                                    name="allocation_booth_once_per_run"),
        ]


    def __str__(self) -> str:
        return f"{self.application_id} → {self.booth_id}"
