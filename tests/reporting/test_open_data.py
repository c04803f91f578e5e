"""Open data: the public JSON and CSV of a published event's figures, their schema, and no personal data."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.apps import apps
from django.urls import reverse

from eventsite.apps import ReportFigure, ReportSection
from eventsite.models import Event
from reporting.opendata import CSV_COLUMNS, SCHEMA, SCHEMA_VERSION

from .world import BUYER_EMAIL, BUYER_NAME, BUYER_PHONE, build_world

pytestmark = pytest.mark.django_db

EXPECTED = {
    "exhibitors.total": 3, "exhibitors.booths": 3,
    "products.total": 4, "products.stars_5": 1, "products.stars_4": 2, "products.stars_3": 1,
    "buyers.total": 4, "buyers.type.supermarket": 2, "buyers.type.distributor": 1, "buyers.type.wholesaler": 0,
    "buyers.type.ecommerce": 0, "buyers.type.exporter": 0, "buyers.type.horeca": 0, "buyers.type.other": 0,
    "buyers.type.not_stated": 1,
    "checkins.total": 2, "checkins.role.buyer": 2, "checkins.role.exhibitor_staff": 0, "checkins.role.speaker": 0,
    "checkins.role.press": 0, "checkins.role.organizer_staff": 0,
    "sessions.planned": 3, "sessions.held": 2, "sessions.signing_held": 1, "sessions.cancelled": 1,
    "agreements.total": 4, "agreements.kind.dept_dept": 1, "agreements.kind.dept_retail": 0,
    "agreements.kind.biz_biz": 0, "agreements.kind.biz_distributor": 3, "agreements.kind.other": 0,
    "agreements.business_with_distributors": 3, "agreements.distributors": 2,
}


def urls(event) -> tuple[str, str]:
    return (reverse("reporting:open_data_json", kwargs={"event_slug": event.slug}),
            reverse("reporting:open_data_csv", kwargs={"event_slug": event.slug}))


def test_json_schema_and_figures_for_anyone(client):
    event, _boss = build_world()
    response = client.get(urls(event)[0])
    assert response.status_code == 200 and response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(response.content)
    assert set(data) == {"schema", "schema_version", "generated_at", "event", "results", "follow_through"}
    assert (data["schema"], data["schema_version"]) == (SCHEMA, SCHEMA_VERSION) == ("ketnoi-event-results", "1.1")
    assert set(data["event"]) == {"slug", "name", "organizer", "province_code", "province", "province_at_event",
                                  "venue", "starts_on", "ends_on"}
    assert data["event"]["slug"] == event.slug and data["event"]["province"] == "Cà Mau"
    for record in data["results"]:
        assert set(record) == {"part", "section", "key", "label", "value"} and record["part"] == "results"
        assert isinstance(record["value"], int) and record["key"].startswith(record["section"] + ".")
    assert {r["key"]: r["value"] for r in data["results"]} == EXPECTED
    assert [r["key"] for r in data["results"]] == list(EXPECTED)  # a stable order
    labels = {r["key"]: r["label"] for r in data["results"]}
    assert labels["products.stars_5"] == "Sản phẩm OCOP 5 sao"  # Vietnamese labels, whatever the caller's language
    # The agreements app's follow-through figures: counts only, every key present.
    follow = {r["key"]: r["value"] for r in data["follow_through"]}
    assert set(follow) == {"follow_through.agreements", "follow_through.reported", "follow_through.implemented",
                           *(f"follow_through.implemented.{kind}" for kind in
                             ("dept_dept", "dept_retail", "biz_biz", "biz_distributor", "other"))}
    assert all(isinstance(v, int) for v in follow.values())
    assert follow["follow_through.agreements"] == EXPECTED["agreements.total"]


def test_csv_has_the_same_records(client):
    event, _boss = build_world()
    response = client.get(urls(event)[1])
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_COLUMNS == ("schema_version", "event", "part", "section", "key", "label", "value")
    assert {row[4]: int(row[6]) for row in rows[1:] if row[2] == "results"} == EXPECTED
    assert {(row[0], row[1], row[2]) for row in rows[1:]} == {("1.1", event.slug, "results"),
                                                              ("1.1", event.slug, "follow_through")}


def test_no_personal_data_and_no_values(client):
    event, _boss = build_world()
    bodies = [client.get(address).content.decode("utf-8-sig") for address in urls(event)]
    for body in bodies:
        for private in (BUYER_NAME, BUYER_EMAIL, BUYER_PHONE, "Trần Văn Út", "Nguyễn Thị Xa", "@example.vn",
                        "0290 3831 234", "Co.opmart Cà Mau", "Bách Hóa Xanh", "500000000", "1500000000", "₫"):
            assert private not in body, private


def test_follow_through_figures_fill_their_slot(client, monkeypatch):
    event, _boss = build_world()
    section = ReportSection("follow_through", "Triển khai", (),
                            (ReportFigure("follow_through.with_orders", "Biên bản đã có đơn hàng", 2),))
    monkeypatch.setattr(apps.get_app_config("agreements"), "follow_through_sections", lambda event: [section],
                        raising=False)
    data = json.loads(client.get(urls(event)[0]).content)
    assert data["follow_through"] == [{"part": "follow_through", "section": "follow_through",
                                       "key": "follow_through.with_orders", "label": "Biên bản đã có đơn hàng",
                                       "value": 2}]
    rows = list(csv.reader(io.StringIO(client.get(urls(event)[1]).content.decode("utf-8-sig"))))
    assert rows[-1] == ["1.1", event.slug, "follow_through", "follow_through", "follow_through.with_orders",
                        "Biên bản đã có đơn hàng", "2"]


def test_drafts_publish_nothing_even_to_their_organizers(client):
    event, boss = build_world(status=Event.Status.DRAFT)
    for address in urls(event):
        assert client.get(address).status_code == 404
    client.force_login(boss)
    for address in urls(event):
        assert client.get(address).status_code == 404


def test_archived_events_stay_published(client):
    event, _boss = build_world(status=Event.Status.ARCHIVED)
    assert all(client.get(address).status_code == 200 for address in urls(event))
