"""Every project model is usable in the Django admin: list (with search and filters) and add form."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory

PROJECT_APPS = {"eventsite", "catalog", "booths", "registration", "agenda", "agreements", "matchmaking"}
REGISTERED = sorted(
    (model._meta.label, model_admin)
    for model, model_admin in admin.site._registry.items()
    if model._meta.app_label in PROJECT_APPS
)


def test_admin_covers_core_models():
    labels = {label for label, _ in REGISTERED}
    assert {"eventsite.User", "eventsite.Organization", "eventsite.Event", "eventsite.EventRole",
            "catalog.Product"} <= labels


@pytest.mark.django_db
@pytest.mark.parametrize("label,model_admin", REGISTERED, ids=[label for label, _ in REGISTERED])
def test_admin_changelist_search_and_add_render(client, label, model_admin):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    opts = model_admin.model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert client.get(changelist).status_code == 200
    if model_admin.search_fields:
        assert client.get(changelist, {"q": "Đầm Dơi"}).status_code == 200
    if model_admin.has_add_permission(type("R", (), {"user": UserFactory.build(is_superuser=True, is_active=True,
                                                                                 is_staff=True)})()):
        assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 200
