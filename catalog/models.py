"""OCOP products and their certificates, owned by producer organizations."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eventsite.models import Organization, SearchTextMixin

from .ocop import GROUP_OF_SUBGROUP, ProductGroup, SubGroup


class ProductQuerySet(models.QuerySet):
    def certified(self, on=None) -> ProductQuerySet:
        """Products whose OCOP certificate is valid on ``on`` (today by default)."""
        day = on or timezone.localdate()
        return self.filter(certificate_expires_on__gte=day, certificate_issued_on__lte=day)


class Product(SearchTextMixin):
    class Authority(models.TextChoices):
        PROVINCE = "province", _("Provincial People's Committee")
        DISTRICT = "district", _("District People's Committee (before 07/2025)")
        MINISTRY = "ministry", _("Ministry of Agriculture and Environment")

    producer = models.ForeignKey(
        Organization, verbose_name=_("producer"), on_delete=models.CASCADE, related_name="products"
    )
    name = models.CharField(_("product name"), max_length=255)
    group = models.CharField(_("product group"), max_length=20, choices=ProductGroup.choices)
    subgroup = models.CharField(_("sub-group"), max_length=30, choices=SubGroup.choices)
    stars = models.PositiveSmallIntegerField(
        _("OCOP stars"), validators=[MinValueValidator(3), MaxValueValidator(5)]
    )
    certificate_number = models.CharField(_("certificate number"), max_length=60, blank=True)
    certifying_authority = models.CharField(
        _("certified by"), max_length=20, choices=Authority.choices, default=Authority.PROVINCE
    )
    certificate_issued_on = models.DateField(_("certificate issued"))
    certificate_expires_on = models.DateField(_("certificate expires"))
    description = models.TextField(_("description"), blank=True)
    price_min = models.PositiveBigIntegerField(_("lowest price (VND)"), null=True, blank=True)
    price_max = models.PositiveBigIntegerField(_("highest price (VND)"), null=True, blank=True)
    packaging = models.CharField(_("packaging"), max_length=200, blank=True)
    traceability_url = models.URLField(_("traceability link"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="products/%Y/", blank=True)
    monthly_capacity = models.CharField(_("supply capacity per month"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("OCOP product")
        verbose_name_plural = _("OCOP products")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(stars__gte=3, stars__lte=5), name="product_stars_3_to_5"),
            models.CheckConstraint(
                condition=Q(certificate_expires_on__gt=models.F("certificate_issued_on")),
                name="product_certificate_expires_after_issue",
            ),
            models.CheckConstraint(
                condition=(
                    Q(price_min__isnull=True) | Q(price_max__isnull=True) | Q(price_max__gte=models.F("price_min"))
                ),
                name="product_price_range_ordered",
            ),
        ]
        indexes = [models.Index(fields=["group", "stars"])]

    def __str__(self) -> str:
        return self.name

    def searchable_parts(self) -> list[str]:
        return [self.name, self.description, self.producer.name if self.producer_id else ""]

    def clean(self) -> None:
        if self.subgroup and self.group and GROUP_OF_SUBGROUP.get(self.subgroup) != self.group:
            raise ValidationError({"subgroup": _("This sub-group does not belong to the chosen product group.")})

    @property
    def is_certificate_valid(self) -> bool:
        today = timezone.localdate()
        return self.certificate_issued_on <= today <= self.certificate_expires_on
