"""Read-mostly admin: nothing is deleted here (cancel an agreement instead) and nothing bypasses the activity log."""

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.utils.translation import gettext_lazy as _

from eventsite.admin_mixins import NoDeleteMixin, ReadOnlyInline, ReadOnlyMixin
from eventsite.models import ActivityEntry

from .models import (
    Agreement,
    AgreementParty,
    AgreementProductGroup,
    CallNote,
    ChannelListing,
    CheckPoint,
    FollowupLink,
    FollowupNotice,
    FollowupReport,
    FollowupStatus,
    Signatory,
)


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


class HistoryInline(ReadOnlyMixin, NoDeleteMixin, GenericTabularInline):
    """The agreement's entries in the activity log (its object is the agreement), read only."""

    model = ActivityEntry
    extra = 0
    can_delete = False
    fields = readonly_fields = ["at", "actor", "actor_label", "action", "note", "before", "after"]

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
    inlines = [PartyInline, ProductGroupInline, HistoryInline]

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


# --- Follow-through: read only. Reports, notices and links are written by agreements/services/followup*.py (one
# current report per party and check point, each email once, single-use links); organizers work on their
# follow-through page. A link's token hash is never shown.


@admin.register(CheckPoint)
class CheckPointAdmin(ReadOnlyMixin, NoDeleteMixin, admin.ModelAdmin):
    list_display = ["__str__", "event", "months"]
    list_filter = ["months", "event"]
    search_fields = ["event__name", "event__slug"]
    list_select_related = ["event"]


class ChannelListingInline(ReadOnlyInline):
    model = ChannelListing
    list_select_related = ("product",)


@admin.register(FollowupReport)
class FollowupReportAdmin(ReadOnlyMixin, NoDeleteMixin, admin.ModelAdmin):
    list_display = ["agreement", "organization", "checkpoint", "state", "value", "current", "via", "reported_at"]
    list_filter = ["state", "current", "via", "checkpoint__months"]
    search_fields = ["agreement__title", "organization__name", "organization__tax_code", "note"]
    list_select_related = ["agreement", "organization", "checkpoint"]
    inlines = [ChannelListingInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agreement", "organization", "checkpoint",
                                                            "reported_by")


@admin.register(FollowupStatus)
class FollowupStatusAdmin(ReadOnlyMixin, NoDeleteMixin, admin.ModelAdmin):
    list_display = ["agreement", "state", "implemented", "realized_value", "last_reported_at"]
    list_filter = ["state", "implemented", "agreement__event"]
    search_fields = ["agreement__title"]
    list_select_related = ["agreement"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agreement")


@admin.register(FollowupNotice)
class FollowupNoticeAdmin(ReadOnlyMixin, NoDeleteMixin, admin.ModelAdmin):
    list_display = ["email", "kind", "status", "attempts", "agreement", "checkpoint", "sent_at"]
    list_filter = ["status", "kind", "checkpoint__months"]
    search_fields = ["email", "agreement__title", "organization__name", "error"]
    list_select_related = ["agreement", "checkpoint"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agreement", "organization", "checkpoint")


@admin.register(FollowupLink)
class FollowupLinkAdmin(ReadOnlyMixin, NoDeleteMixin, admin.ModelAdmin):
    list_display = ["email", "agreement", "checkpoint", "expires_at", "used_at"]
    list_filter = ["checkpoint__months", "expires_at"]
    search_fields = ["email", "agreement__title", "organization__name"]
    list_select_related = ["agreement", "checkpoint"]
    exclude = ["token_hash"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agreement", "organization", "checkpoint")


@admin.register(CallNote)
class CallNoteAdmin(ReadOnlyMixin, NoDeleteMixin, admin.ModelAdmin):
    list_display = ["agreement", "called_on", "note", "author"]
    list_filter = ["called_on", "agreement__event"]
    search_fields = ["agreement__title", "note", "author__email"]
    list_select_related = ["agreement", "author"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agreement", "author")
