"""seed_demo builds the demo event, and running it again changes nothing."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)


def snapshot() -> dict[str, str]:
    """Every row of every project model, serialized (so any change shows up)."""
    project_apps = {"eventsite", "catalog", "booths", "registration", "agenda", "agreements", "matchmaking"}
    out = {}
    for model in apps.get_models():
        if model._meta.app_label in project_apps or model._meta.label == "account.EmailAddress":
            rows = model._default_manager.order_by("pk")
            out[model._meta.label] = serializers.serialize("json", rows)
    return out


def test_seed_demo_builds_the_demo_event():
    from catalog.models import Product
    from eventsite.models import Event, EventRole, Organization

    call_command("seed_demo", stdout=io.StringIO())
    event = Event.objects.get(slug="ca-mau-2026")
    assert event.province_code == 96
    roles = EventRole.objects.filter(event=event)
    assert roles.filter(role="exhibitor").count() == 70
    assert roles.filter(role="buyer").count() == 40
    assert Product.objects.count() == 160
    assert set(Product.objects.values_list("stars", flat=True)) == {3, 4, 5}
    assert len(set(Product.objects.values_list("group", flat=True))) >= 5
    assert Organization.objects.filter(name__contains="Saigon Co.op").exists()


def test_seed_demo_is_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    first = snapshot()
    call_command("seed_demo", stdout=io.StringIO())
    assert snapshot() == first


def test_seed_demo_logins_work(client):
    call_command("seed_demo", stdout=io.StringIO())
    response = client.post("/accounts/login/", {"login": "organizer@ketnoi.demo", "password": "ketnoi-demo-2026"})
    assert response.status_code == 302
    assert client.get("/e/ca-mau-2026/organizer/").status_code == 200
