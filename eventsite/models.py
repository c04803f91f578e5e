"""What every app shares: people, organizations, events and who plays which role at an event."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .provinces import current_choices, current_code_for, current_name, fold
from .storage import private_storage


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address (no username: buyers never pick one)."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name.split()[-1] if self.full_name else self.email)


class SearchTextMixin(models.Model):
    """Keeps a tone-mark-free copy of the searchable text so search works on SQLite and PostgreSQL alike."""

    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.search_text = fold(" ".join(p for p in self.searchable_parts() if p))
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def searchable_parts(self) -> list[str]:  # pragma: no cover - overridden
        return [str(self)]


class Organization(SearchTextMixin):
    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government department")
        RETAIL_CHAIN = "retail_chain", _("Retail chain")
        DISTRIBUTOR = "distributor", _("Distributor")
        ECOMMERCE = "ecommerce", _("E-commerce platform")
        EXPORTER = "exporter", _("Exporter")
        ENTERPRISE = "enterprise", _("Enterprise")
        COOPERATIVE = "cooperative", _("Cooperative")
        COOPERATIVE_GROUP = "cooperative_group", _("Cooperative group")
        HOUSEHOLD = "household", _("Household business")
        OTHER = "other", _("Other")

    PRODUCER_KINDS = (Kind.ENTERPRISE, Kind.COOPERATIVE, Kind.COOPERATIVE_GROUP, Kind.HOUSEHOLD)

    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("type"), max_length=32, choices=Kind.choices, default=Kind.OTHER)
    tax_code = models.CharField(_("tax code"), max_length=20, blank=True)
    province_code = models.PositiveSmallIntegerField(
        _("province"), choices=current_choices, null=True, blank=True
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    # An organization an exhibitor added on the spot (a partner not yet known) is unverified: only its creator
    # and the organizers see it, and public pages do not name it, until an organizer confirms it.
    verified = models.BooleanField(_("verified"), default=True)
    created_by = models.ForeignKey(  # set by the service that adds it, never typed in a form
        "eventsite.User", verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tax_code"], condition=~Q(tax_code=""), name="organization_tax_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def searchable_parts(self) -> list[str]:
        return [self.name, self.tax_code, self.province_name]

    @property
    def province_name(self) -> str:
        return current_name(self.province_code)

    @property
    def is_producer(self) -> bool:
        return self.kind in self.PRODUCER_KINDS


class EventQuerySet(models.QuerySet):
    def visible_to(self, user) -> EventQuerySet:
        """Published events for everyone; drafts only for their organizers."""
        if user.is_authenticated and user.is_superuser:
            return self
        visible = Q(status=Event.Status.PUBLISHED) | Q(status=Event.Status.ARCHIVED)
        if user.is_authenticated:
            visible |= Q(roles__user=user, roles__role=EventRole.Role.ORGANIZER)
        return self.filter(visible).distinct()


class Event(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    name = models.CharField(_("name"), max_length=255)
    slug = models.SlugField(_("short name (URL)"), max_length=80, unique=True)
    organizer = models.ForeignKey(
        Organization, verbose_name=_("organizer"), on_delete=models.PROTECT, related_name="organized_events"
    )
    province_at_event = models.CharField(
        _("province (as named at the event)"), max_length=100,
        help_text=_("The province as it was called when the event took place, e.g. Sóc Trăng."),
    )
    province_code = models.PositiveSmallIntegerField(_("province (today)"), choices=current_choices)
    venue = models.CharField(_("venue"), max_length=300)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    description = models.TextField(_("description"), blank=True)
    is_template = models.BooleanField(
        _("template for new events"), default=False,
        help_text=_("Organizers of any organization may copy a template's floor plan, settings and agenda."),
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=models.F("starts_at")), name="event_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("event_home", kwargs={"event_slug": self.slug})

    def clean(self) -> None:
        """The province as named at the event must be a real one, today's or from before the July 2025 merger
        (any tone marks, with or without "tỉnh"/"thành phố"), and must lie in the chosen province of today."""
        super().clean()
        name = (self.province_at_event or "").strip()
        if not name:
            return  # blank: the field's own "required" check speaks for it
        code = current_code_for(name)
        if code is None:
            raise ValidationError({"province_at_event": ValidationError(
                _("“%(name)s” is not a province of Vietnam: give one of the 34 provinces and cities of today or "
                  "a name from before the July 2025 merger, such as Sóc Trăng."),
                code="unknown_province", params={"name": name})})
        if self.province_code and code != self.province_code:
            raise ValidationError({"province_code": ValidationError(
                _("%(name)s is part of %(current)s today, not of %(chosen)s: correct one of the two provinces."),
                code="province_mismatch",
                params={"name": name, "current": current_name(code), "chosen": current_name(self.province_code)})})

    @property
    def province_name(self) -> str:
        return current_name(self.province_code)


class EventRole(models.Model):
    """A user's role at one event, on behalf of one organization."""

    class Role(models.TextChoices):
        ORGANIZER = "organizer", _("Organizer")
        DESK_STAFF = "desk_staff", _("Desk staff")
        EXHIBITOR = "exhibitor", _("Exhibitor")
        BUYER = "buyer", _("Buyer")
        SPEAKER = "speaker", _("Speaker")
        # Scans badges at the booths an exhibitor invited them to (which booths: the leads app's BoothStaff).
        BOOTH_STAFF = "booth_staff", _("Booth staff")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey("eventsite.User", on_delete=models.CASCADE, related_name="event_roles")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="event_roles",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("event role")
        verbose_name_plural = _("event roles")
        constraints = [
            models.UniqueConstraint(fields=["event", "user", "role"], name="event_role_unique"),
        ]
        indexes = [models.Index(fields=["user", "event"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} @ {self.event}"


class OrganizationRole(models.Model):
    """A user's standing at an organization (not at one event): an organizer of the organization may create its
    events and copy its earlier ones. Given when the platform operator's invitation is accepted."""

    class Role(models.TextChoices):
        ORGANIZER = "organizer", _("Organizer")

    organization = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.CASCADE,
                                     related_name="member_roles")
    user = models.ForeignKey("eventsite.User", on_delete=models.CASCADE, related_name="organization_roles")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.ORGANIZER)
    granted_by = models.ForeignKey("eventsite.User", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organization role")
        verbose_name_plural = _("organization roles")
        constraints = [
            models.UniqueConstraint(fields=["organization", "user", "role"], name="organization_role_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} @ {self.organization}"


class Invitation(models.Model):
    """An emailed, single-use, expiring link that gives its holder a role: at an event (``event`` set) or at an
    organization (``organization`` set, the operator inviting an organization's first organizer). Only the
    SHA-256 of the link's token is stored (eventsite/invitations.py)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations")
    organization = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.CASCADE,
                                     null=True, blank=True, related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=16)
    # Where an app's own role applies (eventsite.apps.InvitationRole), e.g. "booth:12"; empty for event roles.
    scope = models.CharField(max_length=40, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey("eventsite.User", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    invited_by = models.ForeignKey("eventsite.User", verbose_name=_("invited by"), on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(event__isnull=False) | Q(organization__isnull=False),
                                   name="invitation_has_target"),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.role_label}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def role_label(self) -> str:
        if self.event_id is None:
            return str(OrganizationRole.Role(self.role).label) if self.role in OrganizationRole.Role.values \
                else self.role
        from .apps import collect_invitation_roles

        app_role = collect_invitation_roles().get(self.role)
        if app_role is not None:
            return str(app_role.label(self))
        return str(EventRole.Role(self.role).label) if self.role in EventRole.Role.values else self.role


class ReportJob(models.Model):
    """One export or report of an event, built in the background (eventsite/reports.py); the page polls it and
    organizers of the event download the finished file from private storage."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="report_jobs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+")
    kind = models.CharField(_("kind"), max_length=40)
    params = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="reports/", storage=private_storage, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["event", "-created_at"], name="reportjob_event_recent")]

    def __str__(self) -> str:
        return f"{self.kind} ({self.status})"

    @property
    def percent(self) -> int:
        return 100 if self.total == 0 else min(100, self.done * 100 // self.total)

    @property
    def label(self) -> str:
        from .reports import KINDS

        return str(KINDS[self.kind].label) if self.kind in KINDS else self.kind


class ActivityEntry(models.Model):
    """One change of state: who, when, what object, before and after. The one activity log of the platform,
    written by every service that changes state (``eventsite.activity.log_action``) and read on each object's
    page by the organizers of its event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, null=True, blank=True, related_name="activity")
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL,
                              null=True, blank=True, related_name="+")
    # Who acted when it was not a signed-in person: a scanner device, a party through an emailed link, a task.
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=64)
    content_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    object_id = models.BigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")  # the object changed (an object's history in admin)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    note = models.CharField(max_length=500, blank=True)
    # Makes a write idempotent where a client may retry (a scan's nonce): unique per event when set (NULL when
    # not: a full unique index, which every query plan can use to find a key).
    key = models.CharField(max_length=64, null=True, blank=True, default=None)

    class Meta:
        verbose_name = _("activity entry")
        verbose_name_plural = _("activity log")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"], name="activity_object_at"),
            models.Index(fields=["event", "at"], name="activity_event_at"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["event", "key"], name="activity_event_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.action} · {self.object_repr}"

    @property
    def who(self) -> str:
        return str(self.actor) if self.actor_id else self.actor_label

    def changed_fields(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for each value that differs between the two snapshots."""
        before, after = self.before or {}, self.after or {}
        if not isinstance(before, dict) or not isinstance(after, dict):
            return []
        return [(k, before.get(k), after.get(k)) for k in sorted(set(before) | set(after))
                if before.get(k) != after.get(k)]
