"""The programme of an event: rooms, sessions, speakers, and the releases the public sees.

Organizers edit ``Session`` rows (the draft). Publishing freezes the draft into an
``AgendaRelease`` (a JSON snapshot with a version number, like a pretalx schedule release)
and records what changed in ``AgendaChange`` rows. Public pages, screens, feeds and
websocket clients only ever see releases, never the draft.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from eventsite.models import Event


class Room(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="agenda_rooms")
    name = models.CharField(_("name"), max_length=120)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(pgettext_lazy("ordering", "position"), default=0)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["event", "name"], name="agenda_room_unique_name")]

    def __str__(self) -> str:
        return self.name


class Speaker(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="agenda_speakers")
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(pgettext_lazy("job title", "title"), max_length=200, blank=True,
                             help_text=_("e.g. Deputy Director"))
    organization = models.CharField(_("organization"), max_length=255, blank=True)
    photo = models.ImageField(_("photo"), upload_to="agenda/speakers/%Y/", blank=True,
                              help_text=_("JPEG, PNG or WebP, at most 3 MB; shown on the public agenda."))
    bio = models.TextField(_("biography"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["event", "name"], name="agenda_speaker_unique_name")]

    def __str__(self) -> str:
        return self.name


class Session(models.Model):
    """One item of the draft programme."""

    class Type(models.TextChoices):
        OPENING = "opening", _("Opening ceremony")
        PANEL = "panel", _("Panel discussion")
        SIGNING = "signing", _("Signing ceremony")
        B2B = "b2b", _("B2B meeting block")
        EXHIBITION = "exhibition", _("Exhibition")
        BREAK = "break", _("Break")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("session status", "Scheduled")
        LIVE = "live", _("Live now")
        ENDED = "ended", _("Ended")
        CANCELLED = "cancelled", _("Cancelled")

    class Language(models.TextChoices):
        VI = "vi", _("Vietnamese")
        EN = "en", _("English")
        VI_EN = "vi-en", _("Vietnamese with English interpretation")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="agenda_sessions")
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    type = models.CharField(_("type"), max_length=16, choices=Type.choices)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    room = models.ForeignKey(
        Room, verbose_name=_("room"), on_delete=models.PROTECT, related_name="sessions", null=True, blank=True
    )
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.VI)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    speakers = models.ManyToManyField(Speaker, through="SessionSpeaker", related_name="sessions", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "room__position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="agenda_session_ends_after_start"),
        ]
        indexes = [models.Index(fields=["event", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        """The one rule for a session's room: it belongs to the session's event (forms, admin and services)."""
        super().clean()
        check_room_of_event(self)
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": ValidationError(_("The session must end after it starts."),
                                                              code="ends_before_start")})


def check_room_of_event(session: Session) -> None:
    """A session never points at another event's room. Raises ValidationError on ``room``.

    Called by ``Session.clean`` (model forms, the admin) and by the agenda services before every save.
    """
    if session.room_id is None or session.event_id is None:
        return
    if not Room.objects.filter(pk=session.room_id, event_id=session.event_id).exists():
        raise ValidationError({"room": ValidationError(_("Choose a room of this event."), code="other_event")})


class SessionSpeaker(models.Model):
    class Role(models.TextChoices):
        MODERATOR = "moderator", _("Moderator")
        PANELIST = "panelist", _("Panelist")
        SPEAKER = "speaker", _("Speaker")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="speaker_links")
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="session_links")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.SPEAKER)
    position = models.PositiveSmallIntegerField(pgettext_lazy("ordering", "position"), default=0)

    class Meta:
        verbose_name = _("session speaker")
        verbose_name_plural = _("session speakers")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "speaker"], name="agenda_session_speaker_unique")]

    def __str__(self) -> str:
        return f"{self.speaker} ({self.get_role_display()})"

    def clean(self) -> None:
        """A session's speakers come from its own event, like its room."""
        super().clean()
        if self.session_id and self.speaker_id:
            speaker_event = Speaker.objects.filter(pk=self.speaker_id).values_list("event_id", flat=True).first()
            if speaker_event != Session.objects.filter(pk=self.session_id).values_list("event_id", flat=True).first():
                raise ValidationError({"speaker": ValidationError(_("Choose a speaker of this event."),
                                                                   code="other_event")})


class Agenda(models.Model):
    """Per event: the published version and how control actions take effect."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="agenda")
    version = models.PositiveIntegerField(_("published version"), default=0)
    current_release = models.ForeignKey(
        "AgendaRelease", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    live_control = models.BooleanField(
        _("publish control actions immediately"), default=False,
        help_text=_("On the event days, every control action publishes a new version at once."),
    )

    class Meta:
        verbose_name = _("agenda")
        verbose_name_plural = _("agendas")

    def __str__(self) -> str:
        return f"{self.event} v{self.version}"


class AgendaRelease(models.Model):
    """A published, frozen programme: what everyone outside the organizer team sees."""

    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="releases")
    version = models.PositiveIntegerField(_("version"))
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    snapshot = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("agenda release")
        verbose_name_plural = _("agenda releases")
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["agenda", "version"], name="agenda_release_unique_version")]

    def __str__(self) -> str:
        return f"v{self.version}"


class AgendaChange(models.Model):
    """One line of the public change log, described in the reader's language when shown."""

    class Kind(models.TextChoices):
        ADDED = "added", _("Added")
        REMOVED = "removed", _("Removed")
        MOVED = "moved", _("Moved")
        ROOM = "room", _("Room changed")
        CANCELLED = "cancelled", _("Cancelled")
        RESTORED = "restored", _("Back on the programme")
        STARTED = "started", _("Started")
        ENDED = "ended", _("Ended")
        DETAILS = "details", _("Details updated")
        ANNOUNCEMENT = "announcement", _("Announcement")

    release = models.ForeignKey(AgendaRelease, on_delete=models.CASCADE, related_name="changes")
    session_id_ref = models.PositiveBigIntegerField(null=True, blank=True)
    session_title = models.CharField(max_length=255, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.session_title}: {self.describe()}"

    def describe(self) -> str:
        """The change in words, e.g. "moved to 14:30", in the active language."""
        data = self.data or {}
        if self.kind == self.Kind.MOVED:
            starts = timezone.localtime(datetime.fromisoformat(data["starts_at"]))
            if data.get("day_changed"):
                when = date_format(starts, "SHORT_DATETIME_FORMAT")
            else:
                when = date_format(starts, "H:i")
            return gettext("moved to %(when)s") % {"when": when}
        if self.kind == self.Kind.ROOM:
            return gettext("room changed to %(room)s") % {"room": data.get("room") or gettext("no room")}
        if self.kind == self.Kind.ANNOUNCEMENT:
            return gettext("announcement: %(text)s") % {"text": data.get("text", "")}
        return {
            self.Kind.ADDED: gettext("added to the programme"),
            self.Kind.REMOVED: gettext("removed from the programme"),
            self.Kind.CANCELLED: gettext("cancelled"),
            self.Kind.RESTORED: gettext("back on the programme"),
            self.Kind.STARTED: gettext("started"),
            self.Kind.ENDED: gettext("ended"),
            self.Kind.DETAILS: gettext("details updated"),
        }.get(self.kind, self.kind)


class Announcement(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="agenda_announcements")
    text = models.CharField(_("text"), max_length=280)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    active = models.BooleanField(_("shown"), default=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text


class Star(models.Model):
    """A session a signed-in person put on their personal agenda."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agenda_stars")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="stars")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "session"], name="agenda_star_unique")]

    def __str__(self) -> str:
        return f"{self.user} ★ {self.session}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class FeedToken(models.Model):
    """The secret in a personal calendar feed URL (calendar apps cannot log in)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agenda_feed_tokens")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="agenda_feed_token_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.event}"
