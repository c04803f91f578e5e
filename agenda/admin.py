from django import forms
from django.contrib import admin

from catalog.forms import validate_photo
from eventsite.admin_mixins import NoDeleteMixin, ReadOnlyInline, ReadOnlyMixin
from eventsite.numbers import id_or_none

from .models import (
    Agenda,
    AgendaChange,
    AgendaRelease,
    Announcement,
    FeedToken,
    Room,
    Session,
    SessionSpeaker,
    Speaker,
    Star,
)


class SessionAdminForm(forms.ModelForm):
    """The room list holds only the rooms of the session's event (the one chosen in the form, or the saved one).

    ``Session.clean`` refuses another event's room as well, for a post that names the event and room together.
    """

    class Meta:
        model = Session
        fields = ["event", "title", "description", "type", "starts_at", "ends_at", "room", "language", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        event_id = id_or_none(self.data.get("event")) if self.is_bound else None
        if event_id is None and self.instance.event_id:
            event_id = self.instance.event_id
        rooms = Room.objects.select_related("event")
        field = self.fields.get("room")
        if field is not None:
            field.queryset = rooms.filter(event_id=event_id) if event_id else rooms
            field.label_from_instance = lambda room: f"{room.name} · {room.event}"


class SessionSpeakerInline(admin.TabularInline):
    model = SessionSpeaker
    extra = 1
    autocomplete_fields = ["speaker"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("speaker")


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["title", "event", "type", "starts_at", "ends_at", "room", "status"]
    list_filter = ["event", "type", "status", "room"]
    search_fields = ["title", "room__name", "speakers__name"]
    inlines = [SessionSpeakerInline]
    list_select_related = ["event", "room"]
    autocomplete_fields = ["event"]
    form = SessionAdminForm


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "event", "capacity", "position"]
    list_filter = ["event"]
    search_fields = ["name", "event__name"]
    list_select_related = ["event"]


class SpeakerAdminForm(forms.ModelForm):
    """The photo is checked as in the organizers' editor (catalog's product-photo rule)."""

    class Meta:
        model = Speaker
        fields = ["event", "name", "title", "organization", "bio", "photo"]

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and hasattr(photo, "content_type"):
            validate_photo(photo)
        return photo


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    form = SpeakerAdminForm
    list_display = ["name", "title", "organization", "event"]
    fields = ["event", "name", "title", "organization", "bio", "photo"]
    list_filter = ["event"]
    search_fields = ["name", "organization", "title"]
    list_select_related = ["event"]


class ReleaseInline(ReadOnlyInline):
    model = AgendaRelease
    fields = ["version", "published_at", "published_by"]
    list_select_related = ("published_by",)
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields


@admin.register(Agenda)
class AgendaAdmin(admin.ModelAdmin):
    list_display = ["event", "version", "live_control"]
    list_filter = ["live_control", "event__status"]
    search_fields = ["event__name", "event__slug"]
    list_select_related = ["event"]
    readonly_fields = ["version", "current_release"]
    inlines = [ReleaseInline]


class ChangeInline(ReadOnlyInline):
    model = AgendaChange
    fields = ["session_title", "kind", "data"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields


@admin.register(AgendaRelease)
class AgendaReleaseAdmin(ReadOnlyMixin, NoDeleteMixin, admin.ModelAdmin):
    """A published release is what the public saw: frozen, with its change log."""

    list_display = ["agenda", "version", "published_at", "published_by"]
    list_filter = ["agenda__event", "published_at"]
    search_fields = ["agenda__event__name", "published_by__email", "changes__session_title"]
    list_select_related = ["agenda__event", "published_by"]
    fields = ["agenda", "version", "published_at", "published_by", "snapshot"]
    inlines = [ChangeInline]


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["text", "event", "created_at", "created_by", "active"]
    list_filter = ["event", "active"]
    search_fields = ["text", "event__name"]
    list_select_related = ["event", "created_by"]
    autocomplete_fields = ["created_by"]


@admin.register(Star)
class StarAdmin(admin.ModelAdmin):
    list_display = ["user", "session", "created_at"]
    list_filter = ["session__event"]
    search_fields = ["user__email", "user__full_name", "session__title"]
    list_select_related = ["user", "session"]
    autocomplete_fields = ["user", "session"]


@admin.register(FeedToken)
class FeedTokenAdmin(admin.ModelAdmin):
    """Personal calendar feeds: the secret itself is never shown; deleting a row revokes the feed URL."""

    list_display = ["user", "event", "created_at"]
    list_filter = ["event"]
    search_fields = ["user__email", "user__full_name", "event__name"]
    list_select_related = ["user", "event"]
    fields = ["user", "event", "created_at"]
    readonly_fields = ["user", "event", "created_at"]

    def has_add_permission(self, request):
        return False  # a person gets their feed link from their own agenda page

    def has_change_permission(self, request, obj=None):
        return False
