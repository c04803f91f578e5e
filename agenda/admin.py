from django.contrib import admin

from .models import Agenda, AgendaRelease, Announcement, Room, Session, SessionSpeaker, Speaker


class SessionSpeakerInline(admin.TabularInline):
    model = SessionSpeaker
    extra = 1
    autocomplete_fields = ["speaker"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["title", "event", "type", "starts_at", "ends_at", "room", "status"]
    list_filter = ["event", "type", "status", "room"]
    search_fields = ["title"]
    inlines = [SessionSpeakerInline]
    list_select_related = ["event", "room"]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "event", "capacity", "position"]
    list_filter = ["event"]


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "organization", "event"]
    list_filter = ["event"]
    search_fields = ["name", "organization"]


@admin.register(Agenda)
class AgendaAdmin(admin.ModelAdmin):
    list_display = ["event", "version", "live_control"]
    readonly_fields = ["version", "current_release"]


@admin.register(AgendaRelease)
class AgendaReleaseAdmin(admin.ModelAdmin):
    list_display = ["agenda", "version", "published_at", "published_by"]
    readonly_fields = ["agenda", "version", "published_at", "published_by", "snapshot"]


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["text", "event", "created_at", "active"]
