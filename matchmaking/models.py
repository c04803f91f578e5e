"""B2B matchmaking: who seeks and offers what, meeting requests, the meeting grid and what came of it.

Participants are organizations holding a buyer or exhibitor ``EventRole``: a company sends one
delegation, so "nobody double-booked" means one meeting per organization per slot.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.ocop import ProductGroup
from eventsite.models import Event, Organization


class Channel(models.TextChoices):
    SUPERMARKET = "supermarket", _("Supermarkets and retail chains")
    WHOLESALE = "wholesale", _("Wholesale and distribution")
    ECOMMERCE = "ecommerce", _("E-commerce")
    EXPORT = "export", _("Export")
    HORECA = "horeca", _("Hotels, restaurants, catering")
    GIFTS = "gifts", _("Gifts and souvenirs")


class Side(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    PRODUCER = "producer", _("Producer")


class MatchmakingSettings(models.Model):
    """Per-event rules of the matchmaking programme and the state of its published schedule."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="matchmaking_settings")
    max_open_requests = models.PositiveSmallIntegerField(
        _("open requests per participant"), default=15,
        help_text=_("How many pending requests one organization may have sent at a time."),
    )
    max_meetings = models.PositiveSmallIntegerField(
        _("accepted meetings per participant"), default=12,
    )
    request_ttl_hours = models.PositiveSmallIntegerField(_("hours before an unanswered request expires"), default=72)
    published_at = models.DateTimeField(_("schedule published"), null=True, blank=True)
    schedule_version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("matchmaking settings")
        verbose_name_plural = _("matchmaking settings")

    def __str__(self) -> str:
        return str(self.event)


class BuyerProfile(models.Model):
    """What a buyer seeks at one event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="buyer_profiles")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="buyer_profiles")
    groups = models.JSONField(_("product groups"), default=list, blank=True)
    subgroups = models.JSONField(_("sub-groups"), default=list, blank=True)
    min_stars = models.PositiveSmallIntegerField(
        _("minimum OCOP stars"), default=3, choices=[(3, "3★"), (4, "4★"), (5, "5★")]
    )
    volume = models.CharField(_("volume needed per month"), max_length=100, blank=True,
                              help_text=_("For example: 2 tấn, 5.000 lít, 1.000 hộp."))
    certifications = models.CharField(_("certifications required"), max_length=200, blank=True,
                                      help_text=_("Comma-separated, e.g. VietGAP, HACCP, ISO 22000."))
    channels = models.JSONField(_("target channels"), default=list, blank=True)
    needs = models.TextField(_("what you are looking for"), blank=True,
                             help_text=_("Products in your own words, separated by commas: nước mắm, mật ong…"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("buyer profile")
        verbose_name_plural = _("buyer profiles")
        constraints = [models.UniqueConstraint(fields=["event", "organization"], name="mm_buyer_profile_unique")]

    def __str__(self) -> str:
        return str(self.organization)


class ProducerProfile(models.Model):
    """What a producer offers at one event: a choice of its catalog products and its capacity."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="producer_profiles")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="producer_profiles")
    products = models.ManyToManyField("catalog.Product", verbose_name=_("products offered"), blank=True,
                                      related_name="+")
    capacity = models.CharField(_("overall supply capacity per month"), max_length=100, blank=True)
    certifications = models.CharField(_("certifications held"), max_length=200, blank=True,
                                      help_text=_("Comma-separated, e.g. VietGAP, HACCP, ISO 22000."))
    channels = models.JSONField(_("channels you want"), default=list, blank=True)
    pitch = models.TextField(_("short introduction"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("producer profile")
        verbose_name_plural = _("producer profiles")
        constraints = [models.UniqueConstraint(fields=["event", "organization"], name="mm_producer_profile_unique")]

    def __str__(self) -> str:
        return str(self.organization)


class MeetingRequestQuerySet(models.QuerySet):
    def open(self) -> MeetingRequestQuerySet:
        return self.filter(status=MeetingRequest.Status.PENDING, expires_at__gt=timezone.now())

    def involving(self, organization) -> MeetingRequestQuerySet:
        return self.filter(Q(buyer=organization) | Q(producer=organization))


class MeetingRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting answer")
        PROPOSED = "proposed", _("Other time proposed")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meeting_requests")
    buyer = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("buyer"))
    producer = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("producer"))
    from_side = models.CharField(_("sent by"), max_length=10, choices=Side.choices)
    requested_by = models.ForeignKey("eventsite.User", on_delete=models.SET_NULL, null=True, related_name="+")
    products = models.ManyToManyField("catalog.Product", blank=True, related_name="+",
                                      verbose_name=_("products to discuss"))
    product_group = models.CharField(_("product group"), max_length=20, choices=ProductGroup.choices, blank=True)
    message = models.TextField(_("message"), max_length=2000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=2, choices=[(1, _("low")), (2, _("normal")), (3, _("high"))]
    )
    score = models.PositiveSmallIntegerField(_("match score"), default=0)
    party_size = models.PositiveSmallIntegerField(_("people at the table"), default=2)
    proposed_slot = models.ForeignKey("MeetingSlot", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", verbose_name=_("proposed time"))
    agreed_slot = models.ForeignKey("MeetingSlot", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("agreed time"))
    answer = models.TextField(_("answer"), blank=True, max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey("eventsite.User", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")

    objects = MeetingRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting request")
        verbose_name_plural = _("meeting requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One live conversation per pair: a second request while one is open is a duplicate.
            models.UniqueConstraint(
                fields=["event", "buyer", "producer"], condition=Q(status__in=["pending", "proposed", "accepted"]),
                name="mm_request_one_live_per_pair",
            ),
            models.CheckConstraint(condition=~Q(buyer=F("producer")), name="mm_request_two_parties"),
            models.CheckConstraint(condition=Q(party_size__gte=2), name="mm_request_party_of_two"),
        ]
        indexes = [models.Index(fields=["event", "status"]), models.Index(fields=["event", "buyer"]),
                   models.Index(fields=["event", "producer"])]

    def __str__(self) -> str:
        return f"{self.buyer} ↔ {self.producer}"

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.EXPIRED or (
            self.status in (self.Status.PENDING, self.Status.PROPOSED) and self.expires_at <= timezone.now()
        )

    def recipient_side(self) -> str:
        """Who must answer now: the other side, or the sender when the other side proposed a new time."""
        if self.status == self.Status.PROPOSED:
            return self.from_side
        return Side.PRODUCER if self.from_side == Side.BUYER else Side.BUYER


class MeetingSession(models.Model):
    """A block of time in which B2B meetings run, cut into slots of equal length."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meeting_sessions")
    name = models.CharField(_("name"), max_length=120)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=20)

    class Meta:
        verbose_name = _("meeting session")
        verbose_name_plural = _("meeting sessions")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="mm_session_ends_after_start"),
            models.CheckConstraint(condition=Q(slot_minutes__gte=5), name="mm_session_slot_5_min"),
        ]

    def __str__(self) -> str:
        return self.name


class MeetingSlot(models.Model):
    session = models.ForeignKey(MeetingSession, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    class Meta:
        verbose_name = _("meeting slot")
        verbose_name_plural = _("meeting slots")
        ordering = ["starts_at", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "starts_at"], name="mm_slot_unique_start")]

    def __str__(self) -> str:
        start = timezone.localtime(self.starts_at)
        end = timezone.localtime(self.ends_at)
        return f"{start:%d/%m/%Y %H:%M}–{end:%H:%M}"


class MeetingTable(models.Model):
    """A table in the meeting area; ``seats`` bounds the party a meeting may bring to it."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meeting_tables")
    number = models.PositiveSmallIntegerField(_("number"))
    booth = models.ForeignKey("booths.Booth", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="meeting_tables", verbose_name=_("booth"),
                              help_text=_("When meetings take place at an exhibitor's booth: that booth."))
    # Shown on schedules and sheets: the linked booth's code (kept in step with it), or free text.
    booth_code = models.CharField(_("booth code"), max_length=20, blank=True,
                                  help_text=_("When meetings take place at an exhibitor's booth, its code."))
    seats = models.PositiveSmallIntegerField(_("seats"), default=4)

    class Meta:
        verbose_name = _("meeting table")
        verbose_name_plural = _("meeting tables")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["event", "number"], name="mm_table_unique_number"),
            models.CheckConstraint(condition=Q(seats__gte=2), name="mm_table_two_seats"),
        ]

    def __str__(self) -> str:
        label = _("Table %(n)s") % {"n": self.number}
        return f"{label} ({self.booth_code})" if self.booth_code else str(label)

    def save(self, *args, **kwargs) -> None:
        self.clean()  # a booth of another event is refused; a linked table shows its booth's code
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.booth_id is not None:
            if self.booth.event_id != self.event_id:
                raise ValidationError({"booth": _("Choose a booth of this event.")})
            self.booth_code = self.booth.code


class BlockedTime(models.Model):
    """A time when a participant cannot meet (another appointment, a talk they give)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("blocked time")
        verbose_name_plural = _("blocked times")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="mm_blocked_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {timezone.localtime(self.starts_at):%d/%m/%Y %H:%M}"


class Meeting(models.Model):
    """An accepted request placed at one slot and one table."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("meeting", "Scheduled")
        HELD = "held", _("Held (checked in)")
        NO_SHOW = "no_show", _("No-show")

    class Placement(models.TextChoices):
        OPTIMIZER = "optimizer", _("Schedule all")
        MANUAL = "manual", _("Placed by hand")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meetings")
    request = models.OneToOneField(MeetingRequest, on_delete=models.CASCADE, related_name="meeting")
    slot = models.ForeignKey(MeetingSlot, on_delete=models.PROTECT, related_name="meetings")
    table = models.ForeignKey(MeetingTable, on_delete=models.PROTECT, related_name="meetings")
    buyer = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    producer = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    placed_by = models.CharField(max_length=10, choices=Placement.choices, default=Placement.MANUAL)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey("eventsite.User", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+")
    absent_side = models.CharField(max_length=10, choices=Side.choices, blank=True)
    no_show_reported_by = models.ForeignKey("eventsite.User", on_delete=models.SET_NULL, null=True, blank=True,
                                            related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["slot__starts_at", "table__number"]
        constraints = [
            # The last guard behind place_meeting / schedule_all: one meeting per table per slot,
            # and one meeting per participant per slot.
            models.UniqueConstraint(fields=["slot", "table"], name="mm_meeting_one_per_table_slot"),
            models.UniqueConstraint(fields=["slot", "buyer"], name="mm_meeting_buyer_once_per_slot"),
            models.UniqueConstraint(fields=["slot", "producer"], name="mm_meeting_producer_once_per_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.slot} · {self.table} · {self.buyer} ↔ {self.producer}"

    def side_of(self, organization_ids) -> str | None:
        if self.buyer_id in organization_ids:
            return Side.BUYER
        if self.producer_id in organization_ids:
            return Side.PRODUCER
        return None


class MeetingOutcome(models.Model):
    class Result(models.TextChoices):
        INTERESTED = "interested", _("Interested")
        SAMPLE = "sample", _("Sample requested")
        NEGOTIATING = "negotiating", _("Negotiating")
        MOU = "mou", _("MoU signed")
        NO_INTEREST = "no_interest", _("No further interest")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="outcomes")
    side = models.CharField(max_length=10, choices=Side.choices)
    result = models.CharField(_("outcome"), max_length=12, choices=Result.choices)
    note = models.TextField(_("note"), blank=True, max_length=1000)
    recorded_by = models.ForeignKey("eventsite.User", on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("meeting outcome")
        verbose_name_plural = _("meeting outcomes")
        constraints = [models.UniqueConstraint(fields=["meeting", "side"], name="mm_outcome_one_per_side")]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.get_result_display()}"


__all__ = [
    "BlockedTime", "BuyerProfile", "Channel", "MatchmakingSettings", "Meeting", "MeetingOutcome", "MeetingRequest",
    "MeetingSession", "MeetingSlot", "MeetingTable", "ProducerProfile", "Side",
]
