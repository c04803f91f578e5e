"""Signed cooperation agreements (MoUs) at an event: who signed, what, for how much, and every change made.

Nothing here is ever deleted: an agreement that falls through is cancelled and stays in history;
every change goes through ``agreements.services``, which writes it to the activity log (``AuditAction``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.ocop import ProductGroup
from eventsite.models import Organization
from eventsite.storage import private_storage


def scan_storage():
    """Signed scans are private files (folder "agreements" of the private storage: PRIVATE_MEDIA_ROOT/agreements
    on disk, private objects in an object store), served only by the permission-checked view and kept by backups."""
    return private_storage("agreements")


class Agreement(models.Model):
    class Kind(models.TextChoices):
        DEPT_DEPT = "dept_dept", _("Department ↔ department of another province")
        DEPT_RETAIL = "dept_retail", _("Department ↔ retail chain or distributor")
        BIZ_BIZ = "biz_biz", _("Business ↔ business")
        BIZ_DISTRIBUTOR = "biz_distributor", _("Business ↔ distributor or retail chain")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        SIGNED = "signed", _("Signed")
        IN_EXECUTION = "in_execution", _("In execution")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class Verification(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    event = models.ForeignKey("eventsite.Event", on_delete=models.PROTECT, related_name="agreements")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(pgettext_lazy("agreement", "title"), max_length=300)
    products = models.ManyToManyField(
        "catalog.Product", verbose_name=_("products covered"), blank=True, related_name="agreements"
    )
    estimated_value = models.PositiveBigIntegerField(
        _("estimated value (VND)"), null=True, blank=True, help_text=_("Whole đồng, no decimals.")
    )
    volume = models.CharField(_("volume"), max_length=200, blank=True, help_text=_("e.g. 2 tonnes per month"))
    term = models.CharField(_("term"), max_length=100, blank=True, help_text=_("e.g. 12 months, 2026–2028"))
    signed_at = models.DateTimeField(_("signed at"))
    signed_on = models.DateField(editable=False, db_index=True)  # local date, for duplicate checks
    ceremony_ref = models.CharField(
        _("signing ceremony"), max_length=100, blank=True,
        help_text=_("The agenda session or ceremony where it was signed (optional)."),
    )
    # PROTECT, not SET_NULL: which ceremony an agreement was signed at is part of its record (and audit
    # trail); the agenda cancels sessions instead of deleting them, so a delete only happens by mistake in
    # the admin, which then refuses it instead of silently unlinking the agreements.
    ceremony_session = models.ForeignKey(
        "agenda.Session", verbose_name=_("signing-ceremony session"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="agreements",
    )
    # The B2B meeting it came from, when entered from that meeting's "MoU signed" link.
    meeting = models.ForeignKey("matchmaking.Meeting", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="agreements", verbose_name=_("B2B meeting"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SIGNED)
    execution_started_on = models.DateField(_("execution started"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    verification = models.CharField(
        _("verification"), max_length=16, choices=Verification.choices, default=Verification.VERIFIED
    )
    rejection_reason = models.CharField(_("reason for rejecting"), max_length=300, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_by_org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    party_key = models.CharField(max_length=200, editable=False, db_index=True)  # sorted party ids "3-9-12"
    partner_province_code = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    # Its row in the "by buyer" and "by product group" breakdowns, stored when saved (like the partner province)
    # so each breakdown is one GROUP BY on this table: the organization id of its only buyer / its only product
    # group, SEVERAL, or NONE (breakdown_keys below).
    buyer_key = models.CharField(max_length=20, editable=False, default="none")
    group_key = models.CharField(max_length=20, editable=False, default="none")
    scan = models.FileField(_("scan of the signed document"), storage=scan_storage, blank=True, max_length=200)
    scan_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    scan_content_type = models.CharField(max_length=40, blank=True)
    scan_size = models.PositiveIntegerField(null=True, blank=True)
    scan_name = models.CharField(max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-signed_at", "-id"]
        indexes = [
            # Covers the tally queries (no table lookups): filter columns first, then what they group and sum.
            models.Index(fields=["event", "verification", "status", "kind", "partner_province_code",
                                 "estimated_value"], name="agreement_tally_idx"),
            models.Index(fields=["event", "signed_on", "party_key"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_on__isnull=False), name="agreement_cancel_dated"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agreements:detail", kwargs={"event_slug": self.event.slug, "pk": self.pk})

    @property
    def counts(self) -> bool:
        """Whether it enters the tallies: verified and not cancelled."""
        return self.verification == self.Verification.VERIFIED and self.status != self.Status.CANCELLED


SEVERAL = "several"
NONE = "none"


def breakdown_key(values) -> str:
    """The one value as text, SEVERAL when more than one, NONE when none."""
    distinct = {str(v) for v in values}
    if not distinct:
        return NONE
    return distinct.pop() if len(distinct) == 1 else SEVERAL


class AgreementParty(models.Model):
    class Role(models.TextChoices):
        SELLER = "seller", pgettext_lazy("agreement party", "Seller")
        BUYER = "buyer", pgettext_lazy("agreement party", "Buyer")
        GOVERNMENT = "government", pgettext_lazy("agreement party", "Government")
        WITNESS = "witness", pgettext_lazy("agreement party", "Witness")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="agreement_parties"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    position = models.PositiveSmallIntegerField(default=0)
    # Where follow-through requests go (issue 18): asked on the entry form, filled in by organizers.
    contact_email = models.EmailField(_("contact email"), blank=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "organization"], name="agreement_party_unique"),
        ]
        indexes = [
            models.Index(fields=["organization", "agreement"]),
            models.Index(fields=["role", "agreement", "organization"], name="agreement_party_role_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_role_display()})"


class Signatory(models.Model):
    party = models.ForeignKey(AgreementParty, on_delete=models.CASCADE, related_name="signatories")
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(pgettext_lazy("signatory", "position"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name}, {self.title}" if self.title else self.name


class AgreementProductGroup(models.Model):
    """One OCOP product group an agreement covers (a row per group, so tallies group in SQL)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="product_groups")
    group = models.CharField(_("product group"), max_length=20, choices=ProductGroup.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agreement", "group"], name="agreement_group_unique")]
        indexes = [models.Index(fields=["group", "agreement"])]

    def __str__(self) -> str:
        return self.get_group_display()


from .models_followup import (  # noqa: E402,F401  (follow-through models, registered with this app)
    CallNote,
    ChannelListing,
    CheckPoint,
    FollowupLink,
    FollowupNotice,
    FollowupReport,
    FollowupStatus,
)
