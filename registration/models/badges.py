"""Badges and the keys that sign their QR tokens.

Each event has one Ed25519 key pair: the public key is published (desks verify offline with it), the
private key is stored encrypted (``services/tokens.py``: its own key setting with fallbacks for rotation) and never
leaves the server. A badge belongs to one registration; reissuing it bumps ``counter`` and puts the old
(badge, counter) pair on the revocation list, so a photo of the old QR no longer admits anyone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from eventsite.models import Event
from eventsite.storage import private_storage


class EventSigningKey(models.Model):
    """The per-event Ed25519 key pair. ``private_key_encrypted`` is a Fernet token; never shown in admin."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="signing_key")
    public_key = models.BinaryField(_("public key"), max_length=32)
    private_key_encrypted = models.BinaryField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("badge signing key")
        verbose_name_plural = _("badge signing keys")

    def __str__(self) -> str:
        return f"{self.event} – {bytes(self.public_key).hex()[:16]}…"


class Badge(models.Model):
    """The badge of one registration; the current check-in state is kept here so a scan locks one row."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="badges")
    registration = models.OneToOneField(
        "registration.Registration", on_delete=models.CASCADE, related_name="badge"
    )
    counter = models.PositiveIntegerField(_("issue number"), default=1)
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    reissued_at = models.DateTimeField(_("reissued"), null=True, blank=True)
    # Current check-in (None = not in the venue yet), kept here by the check-in app (checkin/) so a scan locks one
    # row; its CheckIn rows keep the history.
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_in_gate = models.CharField(_("gate"), max_length=40, blank=True)
    # The event's change number of the last change to this badge or its registration (offline desk delta sync).
    sync_version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("badge")
        verbose_name_plural = _("badges")
        indexes = [models.Index(fields=["event", "checked_in_at"]),
                   models.Index(fields=["event", "sync_version"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.registration.full_name}"


class RevokedToken(models.Model):
    """A token that no longer admits: (badge, counter) of an earlier issue. Published to desks for offline use."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="revoked_tokens")
    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="revoked_tokens")
    counter = models.PositiveIntegerField()
    revoked_at = models.DateTimeField(auto_now_add=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        verbose_name = _("revoked badge token")
        verbose_name_plural = _("revoked badge tokens")
        constraints = [models.UniqueConstraint(fields=["badge", "counter"], name="revoked_token_unique")]
        indexes = [models.Index(fields=["event", "revoked_at"])]

    def __str__(self) -> str:
        return f"badge {self.badge_id} issue {self.counter}"


class BadgeLayout(models.TextChoices):
    A6_SINGLE = "a6", _("One A6 badge per page")
    A4_4XA6 = "a4_4xa6", _("A4 sheet, 4 × A6")
    A4_8XA7 = "a4_8xa7", _("A4 sheet, 8 × A7")


class BadgeJob(models.Model):
    """A background run that prints many badges into one PDF file; the page polls its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="badge_jobs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+")
    layout = models.CharField(_("layout"), max_length=10, choices=BadgeLayout.choices,
                              default=BadgeLayout.A4_8XA7)
    roles = models.JSONField(_("roles"), default=list, blank=True)
    statuses = models.JSONField(_("statuses"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # Private: every badge's QR admits its holder (served only by views.badges.badge_job_download).
    file = models.FileField(upload_to="badges/", storage=private_storage, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The running task renews this lease as it makes progress; a running job whose lease ran out lost its worker
    # (services.jobs.fail_stale_badge_jobs fails it, so the page never polls a dead job forever).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("badge printing job")
        verbose_name_plural = _("badge printing jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_layout_display()} ({self.done}/{self.total})"

    @property
    def percent(self) -> int:
        return 100 if self.total == 0 else min(100, self.done * 100 // self.total)

    @property
    def is_archive(self) -> bool:
        """Very big jobs are a zip of PDF volumes (services/pdf.py, MAX_PAGES_PER_FILE), others one PDF."""
        return self.file.name.endswith(".zip")
