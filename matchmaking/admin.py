from django.contrib import admin

from eventsite.admin_mixins import ReadOnlyInline

from .models import (
    BlockedTime,
    BuyerProfile,
    MatchmakingSettings,
    Meeting,
    MeetingOutcome,
    MeetingRequest,
    MeetingSession,
    MeetingSlot,
    MeetingTable,
    ProducerProfile,
)


@admin.register(MatchmakingSettings)
class SettingsAdmin(admin.ModelAdmin):
    list_display = ["event", "max_open_requests", "max_meetings", "request_ttl_hours", "published_at"]
    list_filter = [("published_at", admin.EmptyFieldListFilter), "event__status"]
    search_fields = ["event__name", "event__slug"]
    list_select_related = ["event"]
    readonly_fields = ["published_at", "schedule_version"]


@admin.register(BuyerProfile)
class BuyerProfileAdmin(admin.ModelAdmin):
    list_display = ["organization", "event", "min_stars", "volume"]
    list_filter = ["event", "min_stars"]
    search_fields = ["organization__name", "organization__tax_code", "needs", "certifications"]
    list_select_related = ["organization", "event"]
    raw_id_fields = ["organization"]


@admin.register(ProducerProfile)
class ProducerProfileAdmin(admin.ModelAdmin):
    list_display = ["organization", "event", "capacity"]
    list_filter = ["event"]
    search_fields = ["organization__name", "organization__tax_code", "pitch", "certifications"]
    list_select_related = ["organization", "event"]
    raw_id_fields = ["organization"]
    autocomplete_fields = ["products"]


@admin.register(MeetingRequest)
class MeetingRequestAdmin(admin.ModelAdmin):
    list_display = ["buyer", "producer", "from_side", "status", "priority", "score", "expires_at"]
    list_filter = ["event", "status", "priority"]
    search_fields = ["buyer__name", "producer__name", "buyer__tax_code", "producer__tax_code", "message"]
    list_select_related = ["buyer", "producer"]
    # Status changes go through the services (quotas, expiry, turn order); the admin adjusts priority only.
    readonly_fields = ["event", "buyer", "producer", "from_side", "requested_by", "status", "score", "products",
                       "proposed_slot", "agreed_slot", "created_at", "expires_at", "responded_at", "responded_by"]


class SlotInline(ReadOnlyInline):
    model = MeetingSlot
    fields = ["starts_at", "ends_at"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields


@admin.register(MeetingSession)
class MeetingSessionAdmin(admin.ModelAdmin):
    list_display = ["name", "event", "starts_at", "ends_at", "slot_minutes"]
    list_filter = ["event"]
    search_fields = ["name", "event__name"]
    list_select_related = ["event"]
    readonly_fields = ["starts_at", "ends_at", "slot_minutes"]
    inlines = [SlotInline]

    def has_add_permission(self, request):
        return False  # sessions are cut into slots by scheduling.create_session (organizer page)


@admin.register(MeetingTable)
class MeetingTableAdmin(admin.ModelAdmin):
    list_display = ["number", "event", "booth_code", "seats"]
    list_filter = ["event"]
    search_fields = ["booth_code", "event__name"]
    list_select_related = ["event"]
    autocomplete_fields = ["booth"]


@admin.register(BlockedTime)
class BlockedTimeAdmin(admin.ModelAdmin):
    list_display = ["organization", "event", "starts_at", "ends_at", "reason"]
    list_filter = ["event"]
    search_fields = ["organization__name", "organization__tax_code", "reason"]
    list_select_related = ["organization", "event"]
    raw_id_fields = ["organization"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["slot", "table", "buyer", "producer", "status", "placed_by"]
    list_filter = ["event", "status", "placed_by"]
    search_fields = ["buyer__name", "producer__name", "table__booth_code"]
    list_select_related = ["slot", "table", "buyer", "producer"]
    # Placement and check-in go through the services, which keep slot/table/people invariants.
    readonly_fields = ["event", "request", "slot", "table", "buyer", "producer", "status", "placed_by",
                       "checked_in_at", "checked_in_by", "absent_side", "no_show_reported_by"]


@admin.register(MeetingOutcome)
class MeetingOutcomeAdmin(admin.ModelAdmin):
    list_display = ["meeting", "side", "result", "recorded_by", "recorded_at"]
    list_filter = ["result", "side", "meeting__event"]
    search_fields = ["meeting__buyer__name", "meeting__producer__name", "note"]
    list_select_related = ["meeting__slot", "meeting__table", "meeting__buyer", "meeting__producer", "recorded_by"]
    raw_id_fields = ["meeting", "recorded_by"]
