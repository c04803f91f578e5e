"""#16 defect 3: public catalog pages show only what an organizer approved for a published event; the applicant
and the event's organizers still see a producer and its products before approval."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from booths.models import ApplicationStatus
from booths.services import applications as app_svc
from catalog.queries import products_visible_to
from eventsite.models import Event, EventRole
from tests.booths.factories import ApplicationFactory
from tests.factories import EventFactory, ProductFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return EventFactory(slug="ca-mau")


@pytest.fixture
def applied(event):
    """A signed-in user's own application with a self-declared 5★ product, not yet decided."""
    application = ApplicationFactory(event=event, status=ApplicationStatus.SUBMITTED)
    product = ProductFactory(producer=application.organization, name="Sâm Ngọc Linh tự khai", stars=5)
    application.products.add(product)
    return application, product


def pages(product) -> list[str]:
    return [reverse("catalog:product", args=[product.pk]), reverse("catalog:producer", args=[product.producer_id])]


def statuses(client, product) -> list[int]:
    return [client.get(page).status_code for page in pages(product)]


def listed(client, url) -> list[str]:
    return [p.name for p in client.get(url).context["page"].object_list]


def test_self_declared_product_is_not_public_before_approval(client, event, applied):
    application, product = applied
    assert statuses(client, product) == [404, 404]
    client.force_login(UserFactory())
    assert statuses(client, product) == [404, 404]
    assert listed(client, reverse("catalog:all")) == []
    assert listed(client, reverse("catalog:event_catalog", kwargs={"event_slug": event.slug})) == []


def test_the_applicant_and_the_events_organizers_see_it_before_approval(client, event, applied):
    application, product = applied
    client.force_login(application.applicant)
    assert statuses(client, product) == [200, 200]
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    assert statuses(client, product) == [200, 200]
    client.force_login(user_with_role(EventFactory(slug="other"), EventRole.Role.ORGANIZER))
    assert statuses(client, product) == [404, 404]


def test_approval_for_a_published_event_makes_it_public(client, event, applied):
    application, product = applied
    app_svc.approve_application(application=application, by_user=user_with_role(event, EventRole.Role.ORGANIZER))
    assert statuses(client, product) == [200, 200]
    assert listed(client, reverse("catalog:all")) == ["Sâm Ngọc Linh tự khai"]
    assert listed(client, reverse("catalog:event_catalog", kwargs={"event_slug": event.slug})) == [
        "Sâm Ngọc Linh tự khai"]


def test_approval_for_a_draft_event_is_not_public_yet(client, applied):
    application, product = applied
    Event.objects.filter(pk=application.event_id).update(status=Event.Status.DRAFT)
    organizer = user_with_role(application.event, EventRole.Role.ORGANIZER)
    app_svc.approve_application(application=application, by_user=organizer)
    assert statuses(client, product) == [404, 404]
    assert listed(client, reverse("catalog:all")) == []
    client.force_login(organizer)
    assert statuses(client, product) == [200, 200]
    assert listed(client, reverse("catalog:event_catalog", kwargs={"event_slug": application.event.slug})) == [
        "Sâm Ngọc Linh tự khai"]


def test_a_rejected_application_stays_private(client, event, applied):
    application, product = applied
    app_svc.reject_application(application=application, by_user=user_with_role(event, EventRole.Role.ORGANIZER))
    assert statuses(client, product) == [404, 404]


def test_the_rule_is_one_queryset_and_its_query_count_is_constant(django_assert_num_queries, applied):
    _application, product = applied
    stranger = UserFactory()
    for user in (AnonymousUser(), stranger):
        with django_assert_num_queries(1):
            assert list(products_visible_to(user)) == []
    with django_assert_num_queries(1):
        assert list(products_visible_to(_application.applicant)) == [product]
