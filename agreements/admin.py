"""Read-mostly admin: nothing is deleted here (cancel an agreement instead) and nothing bypasses the audit."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Agreement, AgreementParty, AgreementProductGroup, AuditEntry, Signatory


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

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization")


class ProductGroupInline(NoDeleteMixin, admin.TabularInline):
    model = AgreementProductGroup
    extra = 0
    readonly_fields = ["group"]
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

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Agreement)
class AgreementAdmin(NoDeleteMixin, admin.ModelAdmin):
    """Changes go through the site's forms (services write the audit trail); the admin only reads."""

    list_display = ["title", "event", "kind", "status", "verification", "estimated_value", "signed_at"]
    list_filter = ["event", "kind", "status", "verification"]
    search_fields = ["title", "parties__organization__name", "parties__organization__tax_code",
                     "parties__signatories__name", "ceremony_ref"]
    list_select_related = ["event"]
    inlines = [PartyInline, ProductGroupInline, AuditInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["agreement", "action", "actor", "at"]
    list_filter = ["action", "agreement__event", "at"]
    search_fields = ["agreement__title", "note", "actor__email", "actor__full_name"]
    list_select_related = ["agreement", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Signatory)
class SignatoryAdmin(NoDeleteMixin, admin.ModelAdmin):
    """Who signed for each party (a party's signatories cannot be nested in the agreement's page)."""

    list_display = ["name", "title", "party", "agreement"]
    list_filter = ["party__role", "party__agreement__event"]
    search_fields = ["name", "title", "party__organization__name", "party__agreement__title"]
    list_select_related = ["party__organization", "party__agreement"]

    @admin.display(description=_("agreement"), ordering="party__agreement__title")
    def agreement(self, obj):
        return obj.party.agreement

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
