from django.contrib import admin

from .models import BoothStaff, Lead, LeadScan, LeadSettings


@admin.register(LeadSettings)
class LeadSettingsAdmin(admin.ModelAdmin):
    list_display = ["event", "staff_per_booth"]
    list_filter = ["event"]
    search_fields = ["event__name"]


@admin.register(BoothStaff)
class BoothStaffAdmin(admin.ModelAdmin):
    list_display = ["booth", "user", "event", "created_at"]
    list_filter = ["event"]
    search_fields = ["booth__code", "user__email", "user__full_name", "event__name"]
    list_select_related = ["booth", "user", "event"]
    raw_id_fields = ["booth", "user", "added_by"]


class LeadScanInline(admin.TabularInline):
    model = LeadScan
    extra = 0
    fields = ["scanned_at", "nonce", "by", "offline"]
    readonly_fields = fields
    can_delete = False


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ["booth", "registration", "interest", "scans", "last_scanned_at"]
    list_filter = ["event", "interest"]
    search_fields = ["booth__code", "registration__full_name", "registration__company"]
    list_select_related = ["booth", "registration"]
    raw_id_fields = ["booth", "registration", "products", "updated_by"]
    inlines = [LeadScanInline]
