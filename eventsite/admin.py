from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .admin_mixins import NoDeleteMixin, ReadOnlyMixin
from .models import ActivityEntry, Event, EventRole, Invitation, Organization, OrganizationRole, ReportJob, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "full_name", "phone"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["full_name", "phone"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "tax_code", "province_code"]
    list_filter = ["kind", "province_code"]
    search_fields = ["name", "tax_code", "search_text"]


class EventRoleInline(admin.TabularInline):
    model = EventRole
    extra = 0
    autocomplete_fields = ["user", "organization"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "event", "organization")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "organizer", "province_at_event", "starts_at", "status"]
    list_filter = ["status", "province_code"]
    search_fields = ["name", "slug", "venue", "province_at_event", "organizer__name"]
    list_select_related = ["organizer"]
    autocomplete_fields = ["organizer"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [EventRoleInline]


@admin.register(EventRole)
class EventRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "event", "role", "organization"]
    list_filter = ["role", "event"]
    search_fields = ["user__email", "user__full_name", "organization__name", "organization__tax_code", "event__name"]
    list_select_related = ["user", "event", "organization"]
    autocomplete_fields = ["user", "organization", "event"]


@admin.register(OrganizationRole)
class OrganizationRoleAdmin(admin.ModelAdmin):
    """Organizers of an organization (they may create its events); normally given by the operator page's
    invitation, never needed by organizers themselves."""

    list_display = ["user", "organization", "role", "granted_by", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__full_name", "organization__name", "organization__tax_code"]
    list_select_related = ["user", "organization", "granted_by"]
    autocomplete_fields = ["user", "organization", "granted_by"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Invitation links (only the token's hash is stored, and not shown); sent, resent and revoked from the
    team and operator pages."""

    list_display = ["email", "role", "event", "organization", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role", "event"]
    search_fields = ["email", "event__name", "organization__name"]
    list_select_related = ["event", "organization"]
    fields = ["email", "role", "event", "organization", "invited_by", "sent_at", "expires_at", "accepted_at",
              "accepted_by", "revoked_at", "created_at"]


@admin.register(ReportJob)
class ReportJobAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Exports built in the background; organizers download them from the event's pages (private files)."""

    list_display = ["kind", "event", "status", "done", "total", "requested_by", "created_at", "finished_at"]
    list_filter = ["status", "kind", "event"]
    search_fields = ["kind", "filename", "event__name", "requested_by__email", "requested_by__full_name"]
    list_select_related = ["event", "requested_by"]
    fields = ["event", "kind", "params", "language", "status", "total", "done", "filename", "content_type",
              "error", "requested_by", "created_at", "finished_at"]


@admin.register(ActivityEntry)
class ActivityEntryAdmin(ReadOnlyMixin, NoDeleteMixin, admin.ModelAdmin):
    list_display = ["at", "event", "action", "object_repr", "actor", "actor_label"]
    list_filter = ["action"]
    search_fields = ["object_repr", "actor__email", "actor_label", "note"]
    list_select_related = ["event", "actor"]
    date_hierarchy = "at"
