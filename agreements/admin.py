"""Read-mostly admin: nothing is deleted here (cancel an agreement instead) and nothing bypasses the audit."""

from django.contrib import admin

from .models import Agreement, AgreementParty, AuditEntry


class NoDeleteMixin:
    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class PartyInline(NoDeleteMixin, admin.TabularInline):
    model = AgreementParty
    extra = 0
    readonly_fields = ["organization", "role", "position"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class AuditInline(NoDeleteMixin, admin.TabularInline):
    model = AuditEntry
    extra = 0
    readonly_fields = ["at", "actor", "action", "note", "before", "after"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Agreement)
class AgreementAdmin(NoDeleteMixin, admin.ModelAdmin):
    """Changes go through the site's forms (services write the audit trail); the admin only reads."""

    list_display = ["title", "event", "kind", "status", "verification", "estimated_value", "signed_at"]
    list_filter = ["event", "kind", "status", "verification"]
    search_fields = ["title"]
    inlines = [PartyInline, AuditInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["agreement", "action", "actor", "at"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
