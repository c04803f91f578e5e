"""Follow-through of signed agreements (issue 18): did the MoU turn into orders?

Check points fall a number of months after signing (default 1, 3, 6, 12; per event). At each, every party is
asked by email (a single-use link) or on its agreement page for a ``FollowupReport``. Reports are keyed by the
party's organization, not by ``AgreementParty`` rows (an edit of the agreement writes its parties again).
Nothing is overwritten: a correction is a new report, the one it replaces stays with ``current=False``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

DEFAULT_CHECKPOINT_MONTHS = (1, 3, 6, 12)
MAX_VALUE = 10**15  # VND, the same bound as the agreement's estimated value


class CheckPoint(models.Model):
    """A check point of an event's agreements, ``months`` after each agreement's local signing day."""

    event = models.ForeignKey("eventsite.Event", on_delete=models.CASCADE, related_name="followup_checkpoints")
    months = models.PositiveSmallIntegerField(_("months after signing"))

    class Meta:
        verbose_name = _("check point")
        verbose_name_plural = _("check points")
        ordering = ["event", "months"]
        constraints = [
            models.UniqueConstraint(fields=["event", "months"], name="followup_checkpoint_unique"),
            models.CheckConstraint(condition=Q(months__gte=1) & Q(months__lte=60), name="followup_months_range"),
        ]

    def __str__(self) -> str:
        return str(_("%(n)d months after signing") % {"n": self.months})


class FollowupState(models.TextChoices):
    NOT_STARTED = "not_started", pgettext_lazy("follow-through", "Not started")
    IN_PROGRESS = "in_progress", pgettext_lazy("follow-through", "In progress")
    ORDERS = "orders", pgettext_lazy("follow-through", "Orders placed")
    REGULAR = "regular", pgettext_lazy("follow-through", "Regular supply")
    PAUSED = "paused", pgettext_lazy("follow-through", "Paused")
    CANCELLED = "cancelled", pgettext_lazy("follow-through", "Cancelled")


IMPLEMENTED = (FollowupState.ORDERS, FollowupState.REGULAR)
NEEDS_REASON = (FollowupState.PAUSED, FollowupState.CANCELLED)


class FollowupReport(models.Model):
    """What one party said at one check point. ``value`` is what has been ordered so far (cumulative)."""

    class Via(models.TextChoices):
        LINK = "link", _("Emailed link")
        ACCOUNT = "account", _("Signed-in member")
        ORGANIZER = "organizer", _("Organizer")

    agreement = models.ForeignKey("agreements.Agreement", on_delete=models.PROTECT, related_name="followups")
    organization = models.ForeignKey("eventsite.Organization", on_delete=models.PROTECT, related_name="+")
    checkpoint = models.ForeignKey(CheckPoint, on_delete=models.PROTECT, related_name="reports")
    state = models.CharField(_("state"), max_length=16, choices=FollowupState.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    volume = models.CharField(_("volume"), max_length=200, blank=True)
    value = models.PositiveBigIntegerField(_("value ordered so far (VND)"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    current = models.BooleanField(default=True)
    via = models.CharField(max_length=10, choices=Via.choices)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    reported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow-through report")
        verbose_name_plural = _("follow-through reports")
        ordering = ["reported_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "organization", "checkpoint"], condition=Q(current=True),
                                    name="followup_one_current_report"),
            models.CheckConstraint(condition=Q(value__isnull=True) | Q(value__lte=MAX_VALUE),
                                   name="followup_value_bounded"),
        ]
        indexes = [models.Index(fields=["agreement", "current", "state", "value"], name="followup_report_idx")]

    def __str__(self) -> str:
        return f"{self.get_state_display()} · {self.checkpoint}"

    @property
    def implemented(self) -> bool:
        return self.state in IMPLEMENTED


class ChannelListing(models.Model):
    """A product of the agreement listed in a buyer channel, as a report states it."""

    class Channel(models.TextChoices):
        STORE_CHAIN = "store_chain", _("Store chain")
        ECOMMERCE = "ecommerce", _("E-commerce platform")
        EXPORT = "export", _("Export market")

    report = models.ForeignKey(FollowupReport, on_delete=models.CASCADE, related_name="listings")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("product"))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    name = models.CharField(_("where"), max_length=200, help_text=_("e.g. Co.opmart, Shopee, Japan"))

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.name}"


class FollowupStatus(models.Model):
    """One row per agreement with a report, rewritten by the reporting service: the dashboard groups over it
    with plain joins. ``implemented`` if any party's current report says orders or regular supply;
    ``realized_value`` is the largest current value (buyer and seller report the same orders)."""

    agreement = models.OneToOneField("agreements.Agreement", on_delete=models.CASCADE, primary_key=True,
                                     related_name="followup_status")
    state = models.CharField(max_length=16, choices=FollowupState.choices)
    implemented = models.BooleanField(default=False)
    realized_value = models.PositiveBigIntegerField(null=True, blank=True)
    last_reported_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.agreement_id}: {self.get_state_display()}"


class FollowupNotice(models.Model):
    """The email asking one party for its report at one check point: the row is the guard that it is sent once.

    The job inserts it (the unique constraint refuses a second one), claims it with ``select_for_update(
    skip_locked=True)`` and hands it to a task after commit; the task makes the link and sends."""

    class Kind(models.TextChoices):
        DUE = "due", _("Check point due")
        REMINDER = "reminder", _("Reminder")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not needed (already reported)")

    agreement = models.ForeignKey("agreements.Agreement", on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey("eventsite.Organization", on_delete=models.CASCADE, related_name="+")
    checkpoint = models.ForeignKey(CheckPoint, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DUE)
    email = models.EmailField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agreement", "organization", "checkpoint", "kind"],
                                    name="followup_notice_once"),
        ]
        indexes = [models.Index(fields=["status", "id"], name="followup_notice_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.email} · {self.get_status_display()}"


class FollowupLink(models.Model):
    """A single-use link for one party at one check point. Only the SHA-256 of its random token is stored;
    ``used_at`` is set by one conditional UPDATE, so a second use finds nothing to update."""

    token_hash = models.CharField(max_length=64, unique=True)
    agreement = models.ForeignKey("agreements.Agreement", on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey("eventsite.Organization", on_delete=models.CASCADE, related_name="+")
    checkpoint = models.ForeignKey(CheckPoint, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.email} · {self.expires_at:%d/%m/%Y}"


class CallNote(models.Model):
    """An organizer's "called on …" note about a stalled or silent agreement."""

    agreement = models.ForeignKey("agreements.Agreement", on_delete=models.CASCADE, related_name="call_notes")
    called_on = models.DateField(_("called on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-called_on", "-id"]

    def __str__(self) -> str:
        return f"{self.called_on:%d/%m/%Y} {self.note}".strip()
