from django.contrib import admin

from .models import (
    AllocationRun,
    Booking,
    Booth,
    BoothPreference,
    BoothSettings,
    ExhibitorApplication,
    Hall,
    WaitlistEntry,
    Zone,
)


@admin.register(Hall)
class HallAdmin(admin.ModelAdmin):
    list_display = ["name", "event", "width_m", "depth_m", "order"]
    list_filter = ["event"]


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ["name", "hall", "theme_group"]
    list_filter = ["hall__event", "theme_group"]


@admin.register(Booth)
class BoothAdmin(admin.ModelAdmin):
    list_display = ["code", "event", "hall", "zone", "kind", "price", "blocked"]
    list_filter = ["event", "kind", "blocked"]
    search_fields = ["code"]


class PreferenceInline(admin.TabularInline):
    model = BoothPreference
    extra = 0
    raw_id_fields = ["booth", "zone"]


@admin.register(ExhibitorApplication)
class ExhibitorApplicationAdmin(admin.ModelAdmin):
    list_display = ["organization", "event", "status", "submitted_at"]
    list_filter = ["event", "status"]
    search_fields = ["organization__name", "organization__tax_code"]
    raw_id_fields = ["organization", "applicant", "decided_by"]
    filter_horizontal = ["products"]
    inlines = [PreferenceInline]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Read-only: bookings change only through the booking service (locks, waitlist, live plan)."""

    list_display = ["booth", "application", "status", "hold_expires_at", "updated_at"]
    list_filter = ["event", "status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(BoothSettings)
admin.site.register(WaitlistEntry)
admin.site.register(AllocationRun)
