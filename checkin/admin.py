"""Check-in in the admin (platform operators): scanner devices, admissions, offline desks' conflicts and reports.
Organizers manage devices on their own page (checkin:devices)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from eventsite.admin_mixins import NoDeleteMixin, ReadOnlyMixin

from .models import CheckIn, CheckinConflict, DeskReport, Device
from .services import devices


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    """Organizers create scanner devices here; the bearer token is shown once, after saving."""

    list_display = ["name", "event", "token_prefix", "is_active", "last_seen_at"]
    list_filter = ["event", "is_active"]
    search_fields = ["name", "token_prefix", "event__name"]
    list_select_related = ["event"]
    fields = ["event", "name", "is_active", "token_prefix", "last_seen_at"]
    readonly_fields = ["token_prefix", "last_seen_at"]
    actions = ["new_token"]

    def save_model(self, request, obj, form, change):
        token = None
        if not change:
            obj.created_by = request.user
            token = devices.issue_token(obj)
        super().save_model(request, obj, form, change)
        if token:
            messages.warning(request, _("Device token (shown only now, copy it into the scanner): %(token)s")
                             % {"token": token})

    @admin.action(description=_("Issue a new token (the old one stops working)"))
    def new_token(self, request, queryset):
        for device in queryset:
            token = devices.issue_token(device)
            device.save(update_fields=["token_hash", "token_prefix"])
            messages.warning(request, _("New token for %(name)s: %(token)s") % {"name": device.name, "token": token})


@admin.register(CheckIn)
class CheckInAdmin(ReadOnlyMixin, NoDeleteMixin, admin.ModelAdmin):
    """Admissions are the record of who came in: made and annulled only at the desk, never deleted."""

    list_display = ["badge", "event", "gate", "role", "at", "by_user", "by_device", "annulled_at"]
    list_filter = ["event", "gate", "role", ("annulled_at", admin.EmptyFieldListFilter)]
    search_fields = ["badge__registration__full_name", "badge__registration__email", "gate",
                     "by_user__email", "by_device__name"]
    list_select_related = ["badge__registration", "event", "by_user", "by_device"]


@admin.register(CheckinConflict)
class CheckinConflictAdmin(ReadOnlyMixin, NoDeleteMixin, admin.ModelAdmin):
    list_display = ["badge", "event", "other_gate", "other_at", "other_by", "created_at"]
    list_filter = ["event", "other_gate"]
    search_fields = ["badge__registration__full_name", "badge__registration__email", "other_gate", "nonce"]
    list_select_related = ["badge__registration", "event", "other_by"]


@admin.register(DeskReport)
class DeskReportAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["desk_id", "event", "gate", "user", "last_sync_at", "queue_length", "list_version"]
    list_filter = ["event", "gate"]
    search_fields = ["desk_id", "gate", "user__email", "user__full_name"]
    list_select_related = ["event", "user"]
