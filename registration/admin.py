from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from eventsite.admin_mixins import NoDeleteMixin, ReadOnlyMixin

from .models import (
    Badge,
    BadgeJob,
    ContactConsent,
    DeskSyncCounter,
    DeskTombstone,
    EventSigningKey,
    ImportBatch,
    Registration,
    RegistrationQuestion,
    RegistrationSettings,
    RevokedToken,
)
from .services import roles


class QuestionInline(admin.TabularInline):
    model = RegistrationQuestion
    extra = 0
    fields = ["label", "kind", "choices_text", "required", "order"]


@admin.register(RegistrationSettings)
class RegistrationSettingsAdmin(admin.ModelAdmin):
    list_display = ["event", "is_open", "approval_required", "buyer_capacity", "updated_at"]
    list_filter = ["is_open", "approval_required", "event__status"]
    search_fields = ["event__name", "event__slug"]
    list_select_related = ["event"]
    autocomplete_fields = ["event"]
    inlines = [QuestionInline]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Contact details may be corrected here (desks hear of it); approval, waiting list and cancelling go
    through the organizer's registration pages, which hold the capacity lock and issue badges."""

    list_display = ["full_name", "company", "email", "phone", "role", "status", "event", "created_at"]
    list_filter = ["event", "status", "role", "source", "buyer_type"]
    search_fields = ["full_name", "company", "email", "phone", "search_text", "organization__name"]
    list_select_related = ["event"]
    raw_id_fields = ["user", "organization"]
    readonly_fields = ["event", "status", "source", "created_at", "decided_at", "decided_by"]

    def get_readonly_fields(self, request, obj=None):
        # A new registration (added by hand) needs its event; afterwards the event and status are fixed here.
        return self.readonly_fields if obj else ["status", "source", "created_at", "decided_at", "decided_by"]

    def save_model(self, request, obj, form, change):
        """A changed account or role moves the buyer role with it (registration.services.roles)."""
        previous = Registration.objects.filter(pk=obj.pk).values_list("user_id", flat=True).first() if change else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            for user_id in {previous, obj.user_id} - {None}:
                roles.sync_buyer_role(event=obj.event_id, user=user_id, by=request.user, because=obj)


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["filename", "event", "status", "total", "error_count", "created_by", "created_at",
                    "confirmed_at"]
    list_filter = ["status", "event"]
    search_fields = ["filename", "event__name", "created_by__email", "created_by__full_name"]
    list_select_related = ["event", "created_by"]
    # The parsed rows stay out of the page: thousands of personal records belong on the import preview.
    fields = ["event", "filename", "status", "total", "done", "error_count", "error", "notify", "language",
              "created_by", "created_at", "confirmed_at"]


@admin.register(BadgeJob)
class BadgeJobAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "event", "status", "requested_by", "created_at", "finished_at"]
    list_filter = ["status", "layout", "event"]
    search_fields = ["event__name", "requested_by__email", "requested_by__full_name", "error"]
    list_select_related = ["event", "requested_by"]
    fields = ["event", "layout", "roles", "statuses", "status", "total", "done", "error", "requested_by",
              "created_at", "finished_at"]


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
    list_display = ["id", "registration", "event", "counter", "checked_in_at", "checked_in_gate"]
    list_filter = ["event", ("checked_in_at", admin.EmptyFieldListFilter), "checked_in_gate"]
    search_fields = ["registration__search_text", "registration__full_name", "registration__email",
                     "registration__company", "checked_in_gate"]
    list_select_related = ["registration", "event"]
    readonly_fields = ["event", "registration", "counter", "issued_at", "reissued_at", "checked_in_at",
                       "checked_in_gate"]
    actions = ["reissue"]

    @admin.action(description=_("Reissue (lost badge): the old QR code stops working"))
    def reissue(self, request, queryset):
        from .services.badges import reissue_badge

        for badge in queryset:
            reissue_badge(badge=badge, by=request.user)
        messages.success(request, _("%(n)d badge(s) reissued; print the new ones.") % {"n": queryset.count()})


@admin.register(ContactConsent)
class ContactConsentAdmin(ReadOnlyMixin, NoDeleteMixin, admin.ModelAdmin):
    """Buyers' answers on sharing contact details with booths (Decree 13/2023): the proof of consent, kept as
    given, so never edited or deleted by hand."""

    list_display = ["registration", "shared", "given_at", "language"]
    list_filter = ["shared", "registration__event"]
    search_fields = ["registration__full_name", "registration__email", "registration__event__name"]
    list_select_related = ["registration"]
    raw_id_fields = ["registration", "given_by"]


@admin.register(DeskSyncCounter)
class DeskSyncCounterAdmin(ReadOnlyMixin, NoDeleteMixin, admin.ModelAdmin):
    """The event's change number for offline desks: only the services move it (under its row lock)."""

    list_display = ["event", "version"]
    list_filter = ["event__status"]
    search_fields = ["event__name", "event__slug"]
    list_select_related = ["event"]


@admin.register(DeskTombstone)
class DeskTombstoneAdmin(ReadOnlyMixin, NoDeleteMixin, admin.ModelAdmin):
    """A deleted badge as offline desks learn of it: written by the services, pruned after 30 days."""

    list_display = ["badge_id", "event", "version", "created_at"]
    list_filter = ["event"]
    search_fields = ["=badge_id", "event__name", "event__slug"]
    list_select_related = ["event"]


@admin.register(EventSigningKey)
class EventSigningKeyAdmin(NoDeleteMixin, admin.ModelAdmin):
    """Only the public half is shown; the private key never appears here. Deleting a key would void every
    badge of the event, so it cannot be deleted (or edited) by hand."""

    list_display = ["event", "created_at"]
    list_filter = ["event__status", "created_at"]
    search_fields = ["event__name", "event__slug"]
    list_select_related = ["event"]
    fields = ["event", "public_key_hex", "created_at"]
    readonly_fields = ["event", "public_key_hex", "created_at"]

    @admin.display(description=_("public key"))
    def public_key_hex(self, obj):
        return bytes(obj.public_key).hex()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RevokedToken)
class RevokedTokenAdmin(ReadOnlyMixin, NoDeleteMixin, admin.ModelAdmin):
    """The revocation list desks check offline: an entry removed here would let an old badge in again."""

    list_display = ["badge", "counter", "event", "revoked_at", "revoked_by"]
    list_filter = ["event", "revoked_at"]
    search_fields = ["badge__registration__full_name", "badge__registration__email", "revoked_by__email"]
    list_select_related = ["badge__registration", "event", "revoked_by"]

