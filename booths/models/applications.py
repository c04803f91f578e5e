"""Exhibitor applications: a producer asks for space at one event, with its products and booth wishes."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from eventsite.models import Event, Organization

from .floorplan import Booth, BoothKind, Zone


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ExhibitorApplication(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="exhibitor_applications")
    organization = models.ForeignKey(Organization, verbose_name=_("producer"), on_delete=models.CASCADE,
                                     related_name="exhibitor_applications")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="exhibitor_applications")
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    contact_email = models.EmailField(_("contact email"))
    products = models.ManyToManyField(Product, verbose_name=_("products to exhibit"), blank=True,
                                      related_name="exhibitor_applications")
    booths_wanted = models.PositiveSmallIntegerField(_("booths wanted"), default=1,
                                                     validators=[MinValueValidator(1), MaxValueValidator(10)])
    note = models.TextField(_("note to the organizer"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.SUBMITTED)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decision_note = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("exhibitor application")
        verbose_name_plural = _("exhibitor applications")
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "organization"], name="application_one_per_producer"),
        ]
        indexes = [models.Index(fields=["event", "status"])]

    def __str__(self) -> str:
        return f"{self.organization} @ {self.event}"

    @property
    def is_approved(self) -> bool:
        return self.status == ApplicationStatus.APPROVED


class BoothPreference(models.Model):
    """One ranked wish (1 = first choice): a specific booth, any booth in a zone, or any booth of a type."""

    application = models.ForeignKey(ExhibitorApplication, on_delete=models.CASCADE, related_name="preferences")
    rank = models.PositiveSmallIntegerField(_("rank"), validators=[MinValueValidator(1)])
    booth = models.ForeignKey(Booth, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(_("booth type"), max_length=16, choices=BoothKind.choices, blank=True)

    class Meta:
        verbose_name = _("booth preference")
        verbose_name_plural = _("booth preferences")
        ordering = ["application", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["application", "rank"], name="preference_rank_unique"),
            models.CheckConstraint(
                condition=(Q(booth__isnull=False, zone__isnull=True, kind="")
                           | Q(booth__isnull=True, zone__isnull=False, kind="")
                           | Q(booth__isnull=True, zone__isnull=True) & ~Q(kind="")),
                name="preference_exactly_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.label}"

    @property
    def label(self) -> str:
        if self.booth_id:
            return str(self.booth)
        if self.zone_id:
            return str(self.zone)
        return str(BoothKind(self.kind).label)

    def matches(self, booth: Booth) -> bool:
        if self.booth_id:
            return booth.pk == self.booth_id
        if self.zone_id:
            return booth.zone_id == self.zone_id
        return booth.kind == self.kind


class RevisionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the organizer")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class OrganizationRevision(models.Model):
    """An exhibitor's proposed change to its organization's identity (name, tax code, type), made after an
    organizer decided on one of its applications. The organization keeps its approved identity (the one the
    floor plan, the catalog and agreements show) until an organizer approves the revision."""

    organization = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.CASCADE,
                                     related_name="identity_revisions")
    application = models.ForeignKey(ExhibitorApplication, verbose_name=_("application"), on_delete=models.CASCADE,
                                    related_name="identity_revisions")
    name = models.CharField(_("proposed name"), max_length=255)
    kind = models.CharField(_("proposed type"), max_length=32, choices=Organization.Kind.choices)
    tax_code = models.CharField(_("proposed tax code"), max_length=20)
    status = models.CharField(_("status"), max_length=16, choices=RevisionStatus.choices,
                              default=RevisionStatus.PENDING)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    proposed_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("organization identity revision")
        verbose_name_plural = _("organization identity revisions")
        ordering = ["proposed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization"], condition=Q(status="pending"),
                                    name="revision_one_pending_per_organization"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} → {self.name}"

    @property
    def is_pending(self) -> bool:
        return self.status == RevisionStatus.PENDING
