"""Every project model is usable in the Django admin: registered (or inline on its parent), with search and
filters, pages that render for a superuser with a bounded number of queries (no query per row), no huge
selects for big tables, and no secret ever shown."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.widgets import (
    AutocompleteSelect,
    AutocompleteSelectMultiple,
    ForeignKeyRawIdWidget,
    ManyToManyRawIdWidget,
    RelatedFieldWidgetWrapper,
)
from django.db import connection
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agenda.models import FeedToken
from agreements.models import (
    Agreement,
    AgreementParty,
    CheckPoint,
    FollowupLink,
    FollowupNotice,
    FollowupReport,
    Signatory,
)
from booths.models import (
    BankStatement,
    Booking,
    Booth,
    ExhibitorApplication,
    Payee,
    Payment,
    PaymentRequest,
    StatementLine,
)
from catalog.models import Product
from checkin.models import CheckIn, Device
from eventsite.models import ActivityEntry, Invitation, Organization, User
from matchmaking.models import Meeting, MeetingRequest, MeetingSlot
from registration.models import Badge, EventSigningKey, Registration, RevokedToken
from tests.eventsite.admin_world import build_world
from tests.factories import UserFactory

PROJECT_APPS = {"eventsite", "catalog", "booths", "registration", "agenda", "agreements", "matchmaking", "leads",
                "demo"}
PROJECT_MODELS = [m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS]
REGISTERED = sorted(
    (model._meta.label, model_admin)
    for model, model_admin in admin.site._registry.items()
    if model._meta.app_label in PROJECT_APPS
)
IDS = [label for label, _ in REGISTERED]
INLINED = {inline.model for model_admin in admin.site._registry.values() for inline in model_admin.inlines}
# Tables that grow to thousands of rows: a plain <select> of them is unusable (and slow to render).
BIG_TABLES = {User, Organization, Product, Registration, Badge, CheckIn, Booking, ExhibitorApplication,
              MeetingRequest, MeetingSlot, Meeting, Agreement, AgreementParty, Booth}
SMALL, BIG = "Đầm Dơi", "Năm Căn"  # the two worlds' search tokens
CHANGELIST_MAX_QUERIES = 12
CHANGE_PAGE_MAX_QUERIES = 40
# Records nobody may delete by hand (their admins follow agreements/admin.py: read-only, no delete).
NEVER_DELETED = [Agreement, ActivityEntry, AgreementParty, Signatory, CheckIn, RevokedToken, EventSigningKey,
                 PaymentRequest, Payment, StatementLine, FollowupReport, FollowupNotice, FollowupLink]
NEVER_EDITED = [Agreement, ActivityEntry, Signatory, CheckIn, RevokedToken, EventSigningKey, Booking,
                PaymentRequest, BankStatement, Payee, FollowupReport, FollowupNotice, FollowupLink, CheckPoint]


def superuser_request():
    request = RequestFactory().get("/admin/")
    request.user = UserFactory.build(is_superuser=True, is_staff=True, is_active=True)
    return request


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_admin_covers_every_project_model():
    missing = [m._meta.label for m in PROJECT_MODELS if m not in admin.site._registry and m not in INLINED]
    assert missing == [], f"not in the admin (neither registered nor inline): {missing}"


@pytest.mark.parametrize("label,model_admin", REGISTERED, ids=IDS)
def test_admin_has_search_and_filters(label, model_admin):
    assert model_admin.search_fields, f"{label}: no search_fields"
    assert model_admin.list_filter, f"{label}: no list_filter"


def _plain_selects_of_big_tables(form_class, parent_fk: str = "") -> list[str]:
    plain = []
    for name, form_field in form_class.base_fields.items():
        if name == parent_fk or not isinstance(form_field, ModelChoiceField | ModelMultipleChoiceField):
            continue
        widget = form_field.widget
        if isinstance(widget, RelatedFieldWidgetWrapper):
            widget = widget.widget
        if form_field.queryset.model in BIG_TABLES and not isinstance(
                widget, AutocompleteSelect | AutocompleteSelectMultiple | ForeignKeyRawIdWidget
                | ManyToManyRawIdWidget):
            plain.append(name)
    return plain


@pytest.mark.parametrize("label,model_admin", REGISTERED, ids=IDS)
def test_admin_forms_use_autocomplete_or_raw_id_for_big_tables(label, model_admin):
    request = superuser_request()
    problems = []
    if model_admin.has_add_permission(request) or model_admin.has_change_permission(request):
        problems += _plain_selects_of_big_tables(model_admin.get_form(request))
    for inline in model_admin.get_inline_instances(request):
        if inline.has_add_permission(request, None) or inline.has_change_permission(request):
            formset = inline.get_formset(request)
            problems += [f"{inline.model._meta.label}.{name}"
                         for name in _plain_selects_of_big_tables(formset.form, formset.fk.name)]
    assert problems == [], f"{label}: plain selects over big tables: {problems}"


@pytest.mark.parametrize("model", NEVER_DELETED, ids=lambda m: m._meta.label)
def test_admin_records_that_are_never_deleted(model):
    model_admin = admin.site._registry.get(model) or next(
        inline for ma in admin.site._registry.values() for inline in ma.inlines if inline.model is model)
    instance = model_admin(model, admin.site) if model not in admin.site._registry else model_admin
    request = superuser_request()
    assert not instance.has_delete_permission(request)
    if model in admin.site._registry:
        assert "delete_selected" not in instance.get_actions(request)


@pytest.mark.parametrize("model", NEVER_EDITED, ids=lambda m: m._meta.label)
def test_admin_records_only_services_write(model):
    model_admin = admin.site._registry[model]
    request = superuser_request()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)


def _count(client, path, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params or {})
    assert response.status_code == 200, (path, params, response.status_code)
    return response, len(queries)


def _widget_lookups_per_row(response) -> int:
    """Queries Django's own FK widgets make on inline rows (autocomplete and raw-id look up the chosen label)."""
    total = 0
    for inline_formset in response.context.get("inline_admin_formsets", []):
        for form in inline_formset.formset.initial_forms:
            for name, form_field in form.fields.items():
                widget = getattr(form_field.widget, "widget", form_field.widget)
                if isinstance(widget, AutocompleteSelect | ForeignKeyRawIdWidget | ManyToManyRawIdWidget) and (
                        form.initial.get(name) not in (None, "", [])):
                    total += 1
    return total


@pytest.mark.django_db
@pytest.mark.parametrize("label,model_admin", REGISTERED, ids=IDS)
def test_admin_pages_render_without_a_query_per_row(client, label, model_admin):
    model = model_admin.model
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    small = build_world(SMALL, n=1)
    changelist = url(model, "changelist")
    _, queries_small = _count(client, changelist)

    big = build_world(BIG, n=3)
    response, queries_big = _count(client, changelist)
    assert queries_small <= CHANGELIST_MAX_QUERIES, f"{label} changelist: {queries_small} queries"
    assert queries_big == queries_small, f"{label} changelist: {queries_small} queries, {queries_big} with more rows"
    cl = response.context["cl"]
    total = cl.result_count
    assert total >= 2, f"{label}: the test worlds should give this list rows"

    # Search finds the big world's rows and not the small one's.
    response, queries = _count(client, changelist, {"q": BIG})
    assert 1 <= response.context["cl"].result_count < total, f"{label}: search for {BIG!r} does not narrow"
    assert queries <= CHANGELIST_MAX_QUERIES

    # The first filter's first real choice, with the search: still a page, still bounded.
    spec = cl.filter_specs[0]
    choice = next(c for c in spec.choices(cl) if not c["selected"])
    params = dict(parse_qsl(choice["query_string"].lstrip("?")))
    response, queries = _count(client, changelist, {**params, "q": BIG})
    assert queries <= CHANGELIST_MAX_QUERIES
    assert response.context["cl"].result_count <= total

    request = superuser_request()
    if model_admin.has_add_permission(request):
        _, queries = _count(client, url(model, "add"))
        assert queries <= CHANGE_PAGE_MAX_QUERIES, f"{label} add page: {queries} queries"

    # Change (or view) pages: the big world's object has three times the children; only Django's widget
    # lookups may grow with them.
    small_obj, big_obj = small.objects[model], big.objects[model]
    response_small, queries_small = _count(client, url(model, "change", small_obj.pk))
    response_big, queries_big = _count(client, url(model, "change", big_obj.pk))
    assert queries_small <= CHANGE_PAGE_MAX_QUERIES, f"{label} change page: {queries_small} queries"
    allowed = _widget_lookups_per_row(response_big) - _widget_lookups_per_row(response_small)
    assert queries_big - queries_small <= allowed, (
        f"{label} change page: {queries_small} queries, {queries_big} with more children (allowed +{allowed})")


@pytest.mark.django_db
@pytest.mark.parametrize("model", [EventSigningKey, Device, FeedToken, Invitation, FollowupLink],
                         ids=lambda m: m._meta.label)
def test_admin_never_shows_secrets(client, model):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    world = build_world(SMALL)
    pages = [client.get(url(model, "changelist")), client.get(url(model, "change", world.objects[model].pk))]
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        for secret in world.secrets:
            assert secret not in html
