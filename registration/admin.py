from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

# --- badges and check-in (feature/checkin) ---
from .models import Badge, CheckIn, Device, EventSigningKey, RevokedToken
from .services import devices


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    """Organizers create scanner devices here; the bearer token is shown once, after saving."""

    list_display = ["name", "event", "token_prefix", "is_active", "last_seen_at"]
    list_filter = ["event", "is_active"]
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


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
    list_display = ["id", "registration", "event", "counter", "checked_in_at", "checked_in_gate"]
    list_filter = ["event"]
    search_fields = ["registration__search_text"]
    readonly_fields = ["event", "registration", "counter", "issued_at", "reissued_at", "checked_in_at",
                       "checked_in_gate", "current_checkin"]
    actions = ["reissue"]

    @admin.action(description=_("Reissue (lost badge): the old QR code stops working"))
    def reissue(self, request, queryset):
        from .services.badges import reissue_badge

        for badge in queryset:
            reissue_badge(badge=badge, by=request.user)
        messages.success(request, _("%(n)d badge(s) reissued; print the new ones.") % {"n": queryset.count()})


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ["badge", "event", "gate", "at", "by_user", "by_device", "annulled_at"]
    list_filter = ["event", "gate"]
    readonly_fields = [f.name for f in CheckIn._meta.fields]


@admin.register(EventSigningKey)
class EventSigningKeyAdmin(admin.ModelAdmin):
    list_display = ["event", "created_at"]
    fields = ["event", "public_key_hex", "created_at"]
    readonly_fields = ["event", "public_key_hex", "created_at"]

    @admin.display(description=_("public key"))
    def public_key_hex(self, obj):
        return bytes(obj.public_key).hex()

    def has_add_permission(self, request):
        return False


admin.site.register(RevokedToken)
# --- end badges and check-in ---
