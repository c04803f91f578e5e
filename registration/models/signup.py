"""How an event takes registrations: open or closed, approval, buyer capacity, the organizer's own
questions, and import batches waiting for the organizer's confirmation."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from eventsite.models import Event
from eventsite.storage import private_storage


class RegistrationSettings(models.Model):
    """One row per event. Services lock this row (``select_for_update``) to serialise every change
    that counts places, so two approvals can never both take the last one."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="registration_settings")
    is_open = models.BooleanField(_("registration open"), default=True)
    approval_required = models.BooleanField(
        _("organizer approves each buyer"), default=True,
        help_text=_("When off, buyers are approved automatically while places remain."),
    )
    buyer_capacity = models.PositiveIntegerField(
        _("places for buyers"), null=True, blank=True,
        help_text=_("Leave empty for no limit. Further buyers go on the waiting list."),
    )
    checkin_outside_dates = models.BooleanField(
        _("check-in allowed outside the event's dates"), default=True,
        help_text=_("From the day before the start to the day after the end, check-in is normal. Outside those "
                    "days the desk asks for confirmation and the scan is marked early or late; when off, it is "
                    "refused."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("registration settings")
        verbose_name_plural = _("registration settings")

    def __str__(self) -> str:
        return str(self.event)


class RegistrationQuestion(models.Model):
    """An extra question the organizer asks on the sign-up page; answers are kept in
    ``Registration.answers`` under the question's id (as text)."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        CHOICE = "choice", _("One choice from a list")
        YES_NO = "yes_no", _("Yes or no")

    settings = models.ForeignKey(RegistrationSettings, on_delete=models.CASCADE, related_name="questions")
    label = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    choices_text = models.TextField(
        _("choices"), blank=True, help_text=_("For a choice question: one choice per line."),
    )
    required = models.BooleanField(_("answer required"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("registration question")
        verbose_name_plural = _("registration questions")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def key(self) -> str:
        return str(self.pk)

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices_text.splitlines() if line.strip()]


class ImportBatch(models.Model):
    """Rows parsed from an uploaded CSV/XLSX, kept between the preview and the confirmation so the
    organizer never uploads twice. Each row carries its own errors; nothing becomes a
    registration until ``confirm_import`` saves every row in one transaction."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking the file")
        PREVIEW = "preview", _("Waiting for confirmation")
        IMPORTING = "importing", _("Importing")
        CONFIRMED = "confirmed", _("Imported")
        FAILED = "failed", _("Could not be read")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registration_imports")
    created_by = models.ForeignKey("eventsite.User", on_delete=models.SET_NULL, null=True, related_name="+")
    filename = models.CharField(max_length=255)
    rows = models.JSONField(default=list)
    error_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The background steps (registration.tasks): the uploaded file waits in private storage until checked;
    # progress and the outcome are read by the page that polls.
    file = models.FileField(upload_to="imports/", storage=private_storage, blank=True)
    language = models.CharField(max_length=10, blank=True)
    notify = models.BooleanField(default=False)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("registration import")
        verbose_name_plural = _("registration imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        return 100 if self.total == 0 else min(100, self.done * 100 // self.total)
