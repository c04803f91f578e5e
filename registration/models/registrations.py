"""People who attend an event: buyers who sign up, and exhibitor staff, speakers, press and organizer staff."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eventsite.models import Event, Organization, SearchTextMixin
from eventsite.provinces import current_choices, current_name


class BuyerType(models.TextChoices):
    SUPERMARKET = "supermarket", _("Supermarket chain")
    DISTRIBUTOR = "distributor", _("Distributor")
    WHOLESALER = "wholesaler", _("Wholesaler")
    ECOMMERCE = "ecommerce", _("E-commerce platform")
    EXPORTER = "exporter", _("Exporter")
    HORECA = "horeca", _("Hotel, restaurant, catering (HoReCa)")
    OTHER = "other", _("Other")


class RegistrationRole(models.TextChoices):
    """The role printed on the badge (its colour band)."""

    BUYER = "buyer", _("Buyer")
    EXHIBITOR_STAFF = "exhibitor_staff", _("Exhibitor staff")
    SPEAKER = "speaker", _("Speaker")
    PRESS = "press", _("Press")
    ORGANIZER_STAFF = "organizer_staff", _("Organizer staff")


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    WAITLISTED = "waitlisted", _("On the waiting list")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class RegistrationSource(models.TextChoices):
    SIGNUP = "signup", _("Sign-up page")
    IMPORT = "import", _("Imported")


class Registration(SearchTextMixin):
    """One person's place at one event. Only APPROVED registrations hold a place and a valid badge."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        "eventsite.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="registrations"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="registrations"
    )
    role = models.CharField(_("role"), max_length=20, choices=RegistrationRole.choices,
                            default=RegistrationRole.BUYER)
    status = models.CharField(_("status"), max_length=16, choices=RegistrationStatus.choices,
                              default=RegistrationStatus.PENDING)
    full_name = models.CharField(_("full name"), max_length=200)
    company = models.CharField(_("company"), max_length=255)
    tax_code = models.CharField(_("company tax code"), max_length=20, blank=True)
    buyer_type = models.CharField(_("buyer type"), max_length=20, choices=BuyerType.choices, blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30)
    email = models.EmailField(_("email"))
    email_claimed = models.BooleanField(
        _("email address confirmed"), default=True,
        help_text=_("A public sign-up claims its email address only once the registrant confirms it from the "
                    "address itself; organizers' imports and the admin enter addresses they vouch for."),
    )
    province_code = models.PositiveSmallIntegerField(_("province"), choices=current_choices, null=True, blank=True)
    product_groups = models.JSONField(_("product groups of interest"), default=list, blank=True)
    needs = models.TextField(_("what you are looking for"), blank=True)
    answers = models.JSONField(_("answers to the organizer's questions"), default=dict, blank=True)
    language = models.CharField(_("language for emails"), max_length=8, default="vi")
    # The buyer's current answer to CONTACT_CONSENT (registration/consent.py); its history, with the time and the
    # wording each answer was given under, is ContactConsent. False until the buyer says yes.
    contact_shared = models.BooleanField(_("exhibitors who scan my badge may see my contact details"),
                                         default=False)
    source = models.CharField(_("source"), max_length=10, choices=RegistrationSource.choices,
                              default=RegistrationSource.SIGNUP)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "eventsite.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "id"]
        constraints = [
            # One live registration per claimed email per event: a second sign-up is a duplicate, not a new place.
            # Unconfirmed sign-ups do not count: typing someone's address must not lock its owner out.
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~Q(status__in=["cancelled", "rejected"]) & Q(email_claimed=True),
                name="registration_one_active_per_email",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "created_at"]),
            # The organizer list's order: page 1 of 10,000 reads 50 index entries instead of sorting them all.
            # (Search has a trigram index on PostgreSQL too: migration 0006.)
            models.Index(fields=["event", "created_at", "id"], name="registration_event_created"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.company})"

    def searchable_parts(self) -> list[str]:
        return [self.full_name, self.company, self.email, self.phone, self.job_title]

    @property
    def province_name(self) -> str:
        return current_name(self.province_code)


class ContactConsent(models.Model):
    """One answer of a buyer to "may exhibitors who scan my badge see my contact details?", kept as given: the
    choice, when, and the exact wording shown (Decree 13/2023/NĐ-CP asks that consent can be shown later). The
    latest answer is copied to ``Registration.contact_shared``; older answers stay."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="contact_consents")
    shared = models.BooleanField(_("contact details shared"))
    wording = models.TextField(_("wording shown"))
    language = models.CharField(_("language"), max_length=8)
    given_at = models.DateTimeField(_("answered at"), default=timezone.now)
    given_by = models.ForeignKey("eventsite.User", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")

    class Meta:
        verbose_name = _("contact consent")
        verbose_name_plural = _("contact consents")
        ordering = ["registration", "-given_at", "-id"]

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.shared} @ {self.given_at:%Y-%m-%d %H:%M}"
