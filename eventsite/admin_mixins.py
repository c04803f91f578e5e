"""Shared admin building blocks: records that must never be deleted, and records only services may write.

The pattern follows agreements/admin.py: the admin may read such rows (and search and filter them) but
cannot add, edit or delete them by hand, so nothing bypasses the services' locks, counters and audit trail.
"""

from __future__ import annotations

from django.contrib import admin


class NoDeleteMixin:
    """No delete button, no "delete selected" action."""

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class ReadOnlyMixin:
    """View only: rows are written by the site's services (or background jobs), never by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyMixin, NoDeleteMixin, admin.TabularInline):
    """A read-only list of children on the parent's page (every field shown, nothing editable)."""

    extra = 0
    can_delete = False
    show_change_link = False
    #: related objects shown in the rows, fetched with the children (no query per row)
    list_select_related: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "id" and f.name not in (self.exclude or ())]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.select_related(*self.list_select_related) if self.list_select_related else queryset
