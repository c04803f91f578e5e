"""Booth fees: the event's payee, one payment request per reservation of a priced booth, the money received
against it, and the bank statements organizers upload to reconcile transfers."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from eventsite.models import Event

from ..banks import bank_choices, bank_of
from .bookings import Booking

account_number_validator = RegexValidator(r"^[0-9A-Za-z]{4,19}$",
                                          _("An account number has 4 to 19 digits or letters, without spaces."))


class Payee(models.Model):
    """Who exhibitors pay at this event, and how long they have to pay (kept per event, like the booth rules)."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="booth_payee")
    bank_bin = models.CharField(_("bank"), max_length=6, choices=bank_choices)
    account_number = models.CharField(_("account number"), max_length=19, validators=[account_number_validator])
    account_name = models.CharField(_("account name"), max_length=100,
                                    help_text=_("As the bank shows it, e.g. SO CONG THUONG TINH CA MAU."))
    pay_within_days = models.PositiveSmallIntegerField(
        _("days to pay"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("An unpaid reservation is released this many days after it was made. Leave empty to keep "
                    "unpaid reservations."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("payee")
        verbose_name_plural = _("payees")

    def __str__(self) -> str:
        return f"{self.bank_label} {self.account_number}"

    @property
    def bank_label(self) -> str:
        bank = bank_of(self.bank_bin)
        return bank.short_name if bank else self.bank_bin


class PaymentStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("payment", "Awaiting payment")
    PAID = "paid", pgettext_lazy("payment", "Paid")
    WAIVED = "waived", pgettext_lazy("payment", "Waived")
    CANCELLED = "cancelled", pgettext_lazy("payment", "Cancelled")
    EXPIRED = "expired", pgettext_lazy("payment", "Expired unpaid")


SETTLED = (PaymentStatus.PAID, PaymentStatus.WAIVED)


class PaymentRequest(models.Model):
    """What an exhibitor owes for one booking: the booth's price when it was reserved, less any waiver.

    ``reference`` is the transfer message (VietQR field 62/08) that reconciliation looks for in statements."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="booth_payments")
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="payment_requests")
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    waived_amount = models.PositiveBigIntegerField(_("waived (VND)"), default=0)
    waiver_reason = models.CharField(_("reason for the waiver"), max_length=300, blank=True)
    paid_amount = models.PositiveBigIntegerField(_("received (VND)"), default=0)
    reference = models.CharField(_("transfer reference"), max_length=12, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.OPEN)
    due_at = models.DateTimeField(_("pay by"), null=True, blank=True)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment request")
        verbose_name_plural = _("payment requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(waived_amount__lte=models.F("amount")),
                                   name="payment_waiver_within_amount"),
        ]
        indexes = [models.Index(fields=["event", "status"]), models.Index(fields=["booking", "status"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def due(self) -> int:
        """What is still to pay (never below zero)."""
        return max(self.amount - self.waived_amount - self.paid_amount, 0)

    @property
    def to_pay(self) -> int:
        return self.amount - self.waived_amount

    @property
    def is_open(self) -> bool:
        return self.status == PaymentStatus.OPEN


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("Bank transfer (statement)")
    MANUAL = "manual", _("Marked paid by the organizer")


class Payment(models.Model):
    """Money received against a request (a statement line, or an organizer's "mark paid" with a note)."""

    request = models.ForeignKey(PaymentRequest, on_delete=models.CASCADE, related_name="payments")
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    receipt_number = models.CharField(_("receipt number"), max_length=24, unique=True)
    received_at = models.DateTimeField(_("received"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    statement_line = models.OneToOneField("StatementLine", on_delete=models.SET_NULL, null=True, blank=True,
                                          related_name="payment")

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["received_at", "pk"]

    def __str__(self) -> str:
        return self.receipt_number


class StatementLayout(models.TextChoices):
    VIETCOMBANK = "vcb", _("Vietcombank account statement")
    TECHCOMBANK = "tcb", _("Techcombank account statement")


class BankStatement(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="booth_statements")
    filename = models.CharField(_("file"), max_length=200)
    layout = models.CharField(_("statement layout"), max_length=8, choices=StatementLayout.choices)
    lines_total = models.PositiveIntegerField(_("credit lines"), default=0)
    lines_new = models.PositiveIntegerField(_("new lines"), default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.filename


class LineStatus(models.TextChoices):
    MATCHED = "matched", _("Matched")
    PROPOSED = "proposed", _("Match proposed")
    DUPLICATE = "duplicate", _("Already paid: refund or ask")
    UNMATCHED = "unmatched", _("No match")
    DISMISSED = "dismissed", _("Set aside")


class StatementLine(models.Model):
    """One credit on a bank statement. ``line_hash`` is unique per event, so a line seen before (the same file
    uploaded again, or overlapping statements) is never stored, matched or paid a second time."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    statement = models.ForeignKey(BankStatement, on_delete=models.CASCADE, related_name="lines")
    line_hash = models.CharField(max_length=64)
    posted_on = models.DateField(_("date"), null=True, blank=True)
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    description = models.CharField(_("transfer message"), max_length=500)
    bank_ref = models.CharField(_("bank reference"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=LineStatus.choices)
    request = models.ForeignKey(PaymentRequest, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="statement_lines")
    reason = models.CharField(max_length=20, blank=True)  # why proposed: partial | mistyped | amount

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["statement", "pk"]
        constraints = [models.UniqueConstraint(fields=["event", "line_hash"], name="statement_line_once")]
        indexes = [models.Index(fields=["event", "status"])]

    def __str__(self) -> str:
        return f"{self.posted_on} {self.amount} {self.description[:40]}"
