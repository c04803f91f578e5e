"""Public catalog: tone-mark-insensitive search, filters, expired certificates, constant query count."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from catalog.forms import ProductForm
from catalog.models import Product
from eventsite.models import EventRole, Organization
from tests.factories import EventFactory, EventRoleFactory, OrganizationFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return EventFactory(slug="ca-mau")


def exhibiting(event, **org):
    producer = OrganizationFactory(**org)
    EventRoleFactory(event=event, role=EventRole.Role.EXHIBITOR, organization=producer)
    return producer


def names(response) -> list[str]:
    return [p.name for p in response.context["page"].object_list]


def catalog_url(event):
    return reverse("catalog:event_catalog", kwargs={"event_slug": event.slug})


def test_search_ignores_tone_marks_both_ways(client, event):
    producer = exhibiting(event)
    ProductFactory(producer=producer, name="Mật ong rừng U Minh")
    ProductFactory(producer=producer, name="Khô cá khoai")
    assert names(client.get(catalog_url(event), {"q": "mat ong"})) == ["Mật ong rừng U Minh"]
    assert names(client.get(catalog_url(event), {"q": "MẬT ONG"})) == ["Mật ong rừng U Minh"]
    assert names(client.get(catalog_url(event), {"q": "đầm dơi"})) == ["Khô cá khoai", "Mật ong rừng U Minh"]


def test_only_this_events_exhibitors_are_listed(client, event):
    ProductFactory(producer=exhibiting(event), name="Tôm khô Rạch Gốc")
    ProductFactory(name="Not exhibiting here")
    assert names(client.get(catalog_url(event))) == ["Tôm khô Rạch Gốc"]


def test_filters_group_stars_province_producer_type(client, event):
    coop = exhibiting(event, kind=Organization.Kind.COOPERATIVE, province_code=96)
    house = exhibiting(event, kind=Organization.Kind.HOUSEHOLD, province_code=92)
    ProductFactory(producer=coop, name="Trà mãng cầu", group="beverage", subgroup="non_alcoholic", stars=3)
    ProductFactory(producer=house, name="Nước mắm", group="food", subgroup="condiment", stars=4)
    ProductFactory(producer=house, name="Bánh phồng tôm", stars=4,
                   certificate_issued_on=date.today() - timedelta(days=1200),
                   certificate_expires_on=date.today() - timedelta(days=100))
    url = catalog_url(event)
    assert names(client.get(url, {"group": "beverage"})) == ["Trà mãng cầu"]
    assert names(client.get(url, {"stars": "4"})) == ["Nước mắm"]  # the expired one is not "4★"
    assert names(client.get(url, {"province": "92"})) == ["Bánh phồng tôm", "Nước mắm"]
    assert names(client.get(url, {"producer_kind": "cooperative"})) == ["Trà mãng cầu"]
    assert client.get(url, {"stars": "nine", "province": "x", "group": "<script>"}).status_code == 200


def test_expired_certificate_is_flagged_not_rated(client, event):
    product = ProductFactory(producer=exhibiting(event), name="Bánh phồng tôm", stars=5,
                             certificate_issued_on=date.today() - timedelta(days=1200),
                             certificate_expires_on=date.today() - timedelta(days=10))
    html = client.get(reverse("catalog:product", args=[product.pk])).content.decode()
    assert "5★" not in html
    assert "flag-expired" in html


@pytest.mark.parametrize("size", [50, 500])
def test_catalog_query_count_constant_in_catalog_size(client, event, django_assert_num_queries, size):
    producers = [exhibiting(event) for _ in range(10)]
    Product.objects.bulk_create([
        Product(producer=producers[i % 10], name=f"Sản phẩm {i:04d}", group="food", subgroup="processed", stars=3,
                certificate_issued_on=date.today() - timedelta(days=10),
                certificate_expires_on=date.today() + timedelta(days=1000), search_text=f"san pham {i:04d}")
        for i in range(size)])
    with django_assert_num_queries(4):  # event, count, page, the header's event switcher
        response = client.get(catalog_url(event), {"page": 2})
    assert len(response.context["page"].object_list) == 24


def test_all_events_catalog_and_producer_page(client, event):
    producer = exhibiting(event, name="Hợp tác xã Ba khía Rạch Gốc")
    ProductFactory(producer=producer, name="Ba khía muối")
    assert names(client.get(reverse("catalog:all"))) == ["Ba khía muối"]
    html = client.get(reverse("catalog:producer", args=[producer.pk])).content.decode()
    assert "Ba khía muối" in html and "Hợp tác xã Ba khía Rạch Gốc" in html


def _png(size=(40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "orange").save(buffer, format="PNG")
    return buffer.getvalue()


def _form(files):
    data = {"name": "Mật ong", "group": "food", "subgroup": "raw", "stars": 4, "certifying_authority": "province",
            "certificate_issued_on": "2025-01-01", "certificate_expires_on": "2028-01-01"}
    return ProductForm(data, files)


def test_photo_is_checked_by_content_not_by_name():
    fake = SimpleUploadedFile("photo.jpg", b"<?php echo 'not an image'; ?>", content_type="image/jpeg")
    form = _form({"photo": fake})
    assert not form.is_valid()
    assert "photo" in form.errors
    real = SimpleUploadedFile("photo.png", _png(), content_type="image/png")
    assert _form({"photo": real}).is_valid()


def test_product_form_checks_dates_prices_and_subgroup():
    data = {"name": "X", "group": "food", "subgroup": "flower", "stars": 6, "certifying_authority": "province",
            "certificate_issued_on": "2025-01-01", "certificate_expires_on": "2024-01-01",
            "price_min": 100, "price_max": 50}
    form = ProductForm(data)
    assert not form.is_valid()
    assert {"stars", "certificate_expires_on", "price_max"} <= set(form.errors)
