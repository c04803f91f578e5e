from django.contrib import admin

from .models import (
    BlockedTime,
    BuyerProfile,
    MatchmakingSettings,
    Meeting,
    MeetingOutcome,
    MeetingRequest,
    MeetingSession,
    MeetingTable,
    ProducerProfile,
)


@admin.register(MatchmakingSettings)
class SettingsAdmin(admin.ModelAdmin):
    list_display = ["event", "max_open_requests", "max_meetings", "request_ttl_hours", "published_at"]
    readonly_fields = ["published_at", "schedule_version"]


@admin.register(BuyerProfile)
class BuyerProfileAdmin(admin.ModelAdmin):
    list_display = ["organization", "event", "min_stars", "volume"]
    list_filter = ["event"]
    raw_id_fields = ["organization"]


@admin.register(ProducerProfile)
class ProducerProfileAdmin(admin.ModelAdmin):
    list_display = ["organization", "event", "capacity"]
    list_filter = ["event"]
    raw_id_fields = ["organization"]
    filter_horizontal = ["products"]


@admin.register(MeetingRequest)
class MeetingRequestAdmin(admin.ModelAdmin):
    list_display = ["buyer", "producer", "from_side", "status", "priority", "score", "expires_at"]
    list_filter = ["event", "status", "priority"]
    list_select_related = ["buyer", "producer"]
    # Status changes go through the services (quotas, expiry, turn order); the admin adjusts priority only.
    readonly_fields = ["event", "buyer", "producer", "from_side", "requested_by", "status", "score", "products",
                       "proposed_slot", "agreed_slot", "created_at", "expires_at", "responded_at", "responded_by"]


@admin.register(MeetingSession)
class MeetingSessionAdmin(admin.ModelAdmin):
    list_display = ["name", "event", "starts_at", "ends_at", "slot_minutes"]
    readonly_fields = ["starts_at", "ends_at", "slot_minutes"]

    def has_add_permission(self, request):
        return False  # sessions are cut into slots by scheduling.create_session (organizer page)


@admin.register(MeetingTable)
class MeetingTableAdmin(admin.ModelAdmin):
    list_display = ["number", "event", "booth_code", "seats"]
    list_filter = ["event"]


@admin.register(BlockedTime)
class BlockedTimeAdmin(admin.ModelAdmin):
    list_display = ["organization", "event", "starts_at", "ends_at", "reason"]
    raw_id_fields = ["organization"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["slot", "table", "buyer", "producer", "status", "placed_by"]
    list_filter = ["event", "status"]
    list_select_related = ["slot", "table", "buyer", "producer"]
    # Placement and check-in go through the services, which keep slot/table/people invariants.
    readonly_fields = ["event", "request", "slot", "table", "buyer", "producer", "status", "placed_by",
                       "checked_in_at", "checked_in_by", "absent_side", "no_show_reported_by"]


@admin.register(MeetingOutcome)
class MeetingOutcomeAdmin(admin.ModelAdmin):
    list_display = ["meeting", "side", "result", "recorded_at"]
    list_filter = ["result"]
