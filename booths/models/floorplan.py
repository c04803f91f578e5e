"""The venue: halls, zones (optionally themed by OCOP product group) and booths placed on a hall plan."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.ocop import ProductGroup
from eventsite.models import Event


class BoothSettings(models.Model):
    """Per-event booking rules (kept here, not on Event, so eventsite stays free of booth concepts)."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="booth_settings")
    hold_minutes = models.PositiveSmallIntegerField(_("hold duration (minutes)"), default=10,
                                                    validators=[MinValueValidator(1)])
    offer_minutes = models.PositiveSmallIntegerField(_("waitlist offer duration (minutes)"), default=240,
                                                     validators=[MinValueValidator(1)])
    max_booths_per_exhibitor = models.PositiveSmallIntegerField(_("booth limit per exhibitor"), default=2,
                                                                validators=[MinValueValidator(1)])
    self_service_open = models.BooleanField(_("exhibitors may book booths themselves"), default=True)

    class Meta:
        verbose_name = _("booth settings")
        verbose_name_plural = _("booth settings")

    def __str__(self) -> str:
        return str(self.event)

    @classmethod
    def for_event(cls, event: Event) -> BoothSettings:
        settings, _ = cls.objects.get_or_create(event=event)
        return settings


class Hall(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="halls")
    name = models.CharField(_("name"), max_length=100)
    width_m = models.FloatField(_("width (m)"), validators=[MinValueValidator(1)])
    depth_m = models.FloatField(_("depth (m)"), validators=[MinValueValidator(1)])
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("hall")
        verbose_name_plural = _("halls")
        ordering = ["order", "name"]
        constraints = [models.UniqueConstraint(fields=["event", "name"], name="hall_name_unique_per_event")]

    def __str__(self) -> str:
        return self.name


class Zone(models.Model):
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="zones")
    name = models.CharField(_("name"), max_length=100)
    theme_group = models.CharField(_("product-group theme"), max_length=20, choices=ProductGroup.choices,
                                   blank=True, help_text=_("Leave empty for a zone open to every product group."))

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ["hall__order", "name"]
        constraints = [models.UniqueConstraint(fields=["hall", "name"], name="zone_name_unique_per_hall")]

    def __str__(self) -> str:
        return self.name


class BoothKind(models.TextChoices):
    STANDARD = "standard", _("Standard (3 × 3 m)")
    CORNER = "corner", _("Corner")
    DOUBLE = "double", _("Double")
    PREMIUM = "premium", _("Premium")
    OUTDOOR = "outdoor", _("Outdoor")


class Booth(models.Model):
    """A rectangle on a hall plan, in metres from the hall's top-left corner."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="booths")
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="booths")
    zone = models.ForeignKey(Zone, on_delete=models.SET_NULL, null=True, blank=True, related_name="booths")
    code = models.CharField(_("code"), max_length=20)
    kind = models.CharField(_("type"), max_length=16, choices=BoothKind.choices, default=BoothKind.STANDARD)
    price = models.PositiveBigIntegerField(_("price (VND)"))
    x = models.FloatField(_("x (m)"), validators=[MinValueValidator(0)])
    y = models.FloatField(_("y (m)"), validators=[MinValueValidator(0)])
    w = models.FloatField(_("width (m)"), validators=[MinValueValidator(0.5)])
    h = models.FloatField(_("depth (m)"), validators=[MinValueValidator(0.5)])
    blocked = models.BooleanField(_("blocked"), default=False)
    blocked_reason = models.CharField(_("reason for blocking"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("booth")
        verbose_name_plural = _("booths")
        ordering = ["hall__order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["event", "code"], name="booth_code_unique_per_event"),
            models.CheckConstraint(condition=Q(w__gt=0, h__gt=0), name="booth_positive_size"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def area_m2(self) -> float:
        return round(self.w * self.h, 2)

    def touches(self, other: Booth, tolerance: float = 0.05) -> bool:
        """Neighbours share an edge (or a corner) on the same hall plan."""
        if self.hall_id != other.hall_id or self.pk == other.pk:
            return False
        return (self.x - tolerance <= other.x + other.w and other.x - tolerance <= self.x + self.w
                and self.y - tolerance <= other.y + other.h and other.y - tolerance <= self.y + self.h)
