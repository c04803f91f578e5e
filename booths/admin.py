from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from eventsite.admin_mixins import NoDeleteMixin, ReadOnlyInline, ReadOnlyMixin
from eventsite.errors import DomainError

from .models import (
    AllocationItem,
    AllocationRun,
    BankStatement,
    Booking,
    Booth,
    BoothPreference,
    BoothSettings,
    ExhibitorApplication,
    Hall,
    OrganizationRevision,
    Payee,
    Payment,
    PaymentRequest,
    RevisionStatus,
    StatementLine,
    WaitlistEntry,
    Zone,
)
from .services.applications import approve_identity_revision, reject_identity_revision


@admin.register(BoothSettings)
class BoothSettingsAdmin(admin.ModelAdmin):
    list_display = ["event", "hold_minutes", "offer_minutes", "max_booths_per_exhibitor", "self_service_open"]
    list_filter = ["self_service_open", "event__status"]
    search_fields = ["event__name", "event__slug"]
    list_select_related = ["event"]
    autocomplete_fields = ["event"]


@admin.register(Hall)
class HallAdmin(admin.ModelAdmin):
    list_display = ["name", "event", "width_m", "depth_m", "order"]
    list_filter = ["event"]
    search_fields = ["name", "event__name"]
    list_select_related = ["event"]
    autocomplete_fields = ["event"]


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ["name", "hall", "theme_group"]
    list_filter = ["hall__event", "theme_group"]
    search_fields = ["name", "hall__name", "hall__event__name"]
    list_select_related = ["hall"]
    autocomplete_fields = ["hall"]


@admin.register(Booth)
class BoothAdmin(admin.ModelAdmin):
    list_display = ["code", "event", "hall", "zone", "kind", "price", "blocked"]
    list_filter = ["event", "kind", "blocked"]
    search_fields = ["code", "hall__name", "zone__name", "event__name"]
    list_select_related = ["event", "hall", "zone"]
    autocomplete_fields = ["event", "hall", "zone"]


class PreferenceInline(admin.TabularInline):
    model = BoothPreference
    extra = 0
    raw_id_fields = ["booth", "zone"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("booth", "zone")


class IdentityRevisionInline(ReadOnlyInline):
    """Changes of name, tax code or type: decided only through the service (the actions below, or the
    organizer's applications page), never edited by hand."""

    model = OrganizationRevision
    fk_name = "application"
    list_select_related = ("organization", "application__organization", "application__event", "proposed_by",
                           "decided_by")


def _decide_revisions(modeladmin, request, queryset, *, approve: bool) -> None:
    decide = approve_identity_revision if approve else reject_identity_revision
    pending = OrganizationRevision.objects.filter(application__in=queryset, status=RevisionStatus.PENDING)
    for revision in pending:
        try:
            decide(revision=revision, by_user=request.user)
        except DomainError as error:
            modeladmin.message_user(request, f"{revision}: {error.message}", messages.ERROR)
        else:
            modeladmin.message_user(request, str(revision), messages.SUCCESS)


@admin.action(description=_("Approve the pending change of name, tax code or type"))
def approve_identity_changes(modeladmin, request, queryset):
    _decide_revisions(modeladmin, request, queryset, approve=True)


@admin.action(description=_("Reject the pending change of name, tax code or type"))
def reject_identity_changes(modeladmin, request, queryset):
    _decide_revisions(modeladmin, request, queryset, approve=False)


@admin.register(ExhibitorApplication)
class ExhibitorApplicationAdmin(admin.ModelAdmin):
    list_display = ["organization", "event", "status", "contact_name", "submitted_at"]
    list_filter = ["event", "status"]
    search_fields = ["organization__name", "organization__tax_code", "contact_name", "contact_email",
                     "contact_phone"]
    list_select_related = ["organization", "event"]
    raw_id_fields = ["organization", "applicant", "decided_by"]
    autocomplete_fields = ["products"]
    inlines = [PreferenceInline, IdentityRevisionInline]
    actions = [approve_identity_changes, reject_identity_changes]


@admin.register(Booking)
class BookingAdmin(NoDeleteMixin, admin.ModelAdmin):
    """Read-only: bookings change only through the booking service (locks, waitlist, live plan)."""

    list_display = ["booth", "application", "status", "hold_expires_at", "updated_at"]
    list_filter = ["event", "status"]
    search_fields = ["booth__code", "application__organization__name", "application__organization__tax_code"]
    list_select_related = ["booth", "application__organization", "application__event"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(admin.ModelAdmin):
    list_display = ["application", "event", "kind", "status", "created_at"]
    list_filter = ["event", "status", "kind"]
    search_fields = ["application__organization__name", "application__organization__tax_code"]
    list_select_related = ["event", "application__organization", "application__event"]
    raw_id_fields = ["application", "offer"]
    autocomplete_fields = ["event"]


class AllocationItemInline(ReadOnlyInline):
    model = AllocationItem
    list_select_related = ("application__organization", "application__event", "booth")


@admin.register(AllocationRun)
class AllocationRunAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Proposals are computed and committed on the organizer's booth pages; here they can be read or removed."""

    list_display = ["__str__", "event", "status", "objective", "neighbour_conflicts", "created_by", "created_at"]
    list_filter = ["event", "status"]
    search_fields = ["event__name", "created_by__email", "created_by__full_name"]
    list_select_related = ["event", "created_by"]
    inlines = [AllocationItemInline]


# --- Booth fees: read only. Money moves only through booths/services/fees.py and reconcile.py (row locks, receipts,
# the activity log); organizers do it on their fees page (booths/manage/fees/). Nothing is deleted here.


@admin.register(Payee)
class PayeeAdmin(ReadOnlyMixin, NoDeleteMixin, admin.ModelAdmin):
    list_display = ["event", "bank_label", "account_number", "account_name", "pay_within_days", "updated_at"]
    list_filter = ["bank_bin", "event__status"]
    search_fields = ["event__name", "event__slug", "account_name", "account_number"]
    list_select_related = ["event"]


class PaymentInline(ReadOnlyInline):
    model = Payment
    fk_name = "request"
    list_select_related = ("recorded_by", "statement_line")


@admin.register(PaymentRequest)
class PaymentRequestAdmin(ReadOnlyMixin, NoDeleteMixin, admin.ModelAdmin):
    list_display = ["reference", "event", "booking", "amount", "waived_amount", "paid_amount", "status", "due_at"]
    list_filter = ["status", "event"]
    search_fields = ["reference", "booking__booth__code", "booking__application__organization__name",
                     "booking__application__organization__tax_code", "event__name"]
    list_select_related = ["event", "booking__booth", "booking__application__organization"]
    inlines = [PaymentInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("event", "booking__booth",
                                                            "booking__application__organization")


class StatementLineInline(ReadOnlyInline):
    model = StatementLine
    exclude = ("line_hash",)
    list_select_related = ("event", "request")


@admin.register(BankStatement)
class BankStatementAdmin(ReadOnlyMixin, NoDeleteMixin, admin.ModelAdmin):
    list_display = ["filename", "event", "layout", "lines_total", "lines_new", "uploaded_by", "uploaded_at"]
    list_filter = ["layout", "event"]
    search_fields = ["filename", "event__name", "lines__description", "lines__bank_ref"]
    list_select_related = ["event", "uploaded_by"]
    inlines = [StatementLineInline]
