"""Huge, negative and non-finite numbers (2**70, -1, "inf", "nan", "1e30") wherever ids and numbers come in: in URL
paths (every route, walked from the URL configuration), in forms and HTMX posts, in query strings and in the JSON
API. The answer is a 4xx or the form's own error, never a 500, and nothing is saved.

The parsing itself lives in eventsite/numbers.py (tests/eventsite/test_numbers.py has its properties).
"""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

from agenda.models import Room
from agreements.models import Agreement
from checkin.services import devices
from eventsite.models import EventRole
from eventsite.numbers import IdConverter
from matchmaking.models import Meeting, MeetingTable, Side
from matchmaking.services import requests
from registration.models import Registration, RegistrationStatus
from tests.agenda.factories import RoomFactory, SessionFactory
from tests.agreements.factories import agreement, party, party_rows
from tests.factories import DAY1, DAY2, EventFactory, ProductFactory, user_with_role
from tests.matchmaking.factories import accepted_request, fair, grid
from tests.registration.factories import RegistrationFactory

BAD = [str(2**70), "-1", "inf", "nan", "1e30"]
# In a URL path only digits reach the converter: these are the values it must refuse itself.
BAD_IN_PATH = [str(2**70), str(2**63), "0"]
Role = EventRole.Role


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def all_routes():
    return list(walk(get_resolver().url_patterns))


# Per-event settings rows a page creates the first time it is opened (get_or_create), whatever was posted.
CREATED_ON_FIRST_USE = {"registration.RegistrationSettings", "agenda.Agenda", "matchmaking.MatchmakingSettings"}


def row_counts() -> dict[str, int]:
    """Rows per model, in one query (this runs around every one of several hundred requests)."""
    models = [m for m in apps.get_models() if m._meta.managed and m._meta.label not in CREATED_ON_FIRST_USE]
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})" for m in models)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip([m._meta.label for m in models], cursor.fetchone(), strict=True))


def test_every_integer_url_parameter_is_an_id_converter():
    """<int:…> lets 2**70 through to the query (a 500 on SQLite); <id:…> refuses it (404). A new URL with <int:…>
    fails here."""
    offenders = []
    for route, pattern in all_routes():
        for name, converter in getattr(pattern.pattern, "converters", {}).items():
            if isinstance(converter, IntConverter):
                offenders.append(f"{route} ({name})")
    assert not offenders, f"use <id:…> for object ids: {offenders}"
    assert any(isinstance(c, IdConverter) for _, p in all_routes() for c in getattr(p.pattern, "converters", {})
               .values())


SAMPLE = {"slug": "so", "str": "A-01", "path": "x"}


def bad_urls(event_slug: str) -> list[str]:
    """Every route with an <id:…> parameter, each id replaced by each bad value (other parameters: samples)."""
    urls = []
    for route, pattern in all_routes():
        converters = getattr(pattern.pattern, "converters", {})
        if not any(isinstance(c, IdConverter) for c in converters.values()) or route.startswith("admin/"):
            continue
        for bad in BAD_IN_PATH:
            def fill(match, bad=bad):
                kind, name = match.group(1), match.group(2)
                if kind == "id":
                    return bad
                return event_slug if name == "event_slug" else SAMPLE.get(kind, "x")
            urls.append("/" + re.sub(r"<(\w+):(\w+)>", fill, route))
    return urls


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", Role.ORGANIZER])
def test_out_of_range_ids_in_every_url_are_404(client, who):
    event = EventFactory(slug="so")
    if who != "anonymous":
        client.force_login(user_with_role(event, who))
    urls = bad_urls(event.slug)
    assert len(urls) > 40
    urls += [f"/catalog/products/{bad}/" for bad in BAD]  # what the digit pattern already refuses
    for url in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 404, (method, url, who, response.status_code)


@pytest.mark.django_db
def test_out_of_range_ids_in_admin_urls_are_not_500(client):
    client.force_login(get_user_model().objects.create_superuser(email="root@example.vn", password="x" * 12))
    for model in ("eventsite/event", "eventsite/organization", "agreements/agreement", "registration/registration"):
        for bad in BAD + BAD_IN_PATH:
            response = client.get(f"/admin/{model}/{bad}/change/")
            assert response.status_code in (302, 404), (model, bad, response.status_code)


def post_each(client, url: str, base: dict, fields: list[str], *, expect_saved_nothing: bool = True,
              method: str = "post", **headers) -> None:
    for field in fields:
        for bad in BAD:
            before = row_counts() if expect_saved_nothing else None
            response = getattr(client, method)(url, {**base, field: bad}, **headers)
            assert response.status_code < 500, (url, field, bad, response.status_code)
            if expect_saved_nothing:
                assert row_counts() == before, (url, field, bad, "something was saved")


@pytest.mark.django_db
def test_registration_ids_and_counters(client):
    event = EventFactory()
    registrations = [RegistrationFactory(event=event) for _ in range(2)]
    client.force_login(user_with_role(event, Role.ORGANIZER))
    post_each(client, reverse("registration:bulk", args=[event.slug]), {"action": "approve", "ids": "1"}, ["ids"])
    assert set(Registration.objects.values_list("status", flat=True)) == {RegistrationStatus.PENDING}
    post_each(client, reverse("registration:list", args=[event.slug]), {}, ["province", "page"], method="get")

    client.force_login(user_with_role(event, Role.DESK_STAFF))
    manual = reverse("checkin:desk_manual", args=[event.slug])
    for bad in BAD:
        response = client.post(manual, {"registration": bad, "gate": "A", "nonce": "n-0000001"})
        assert response.status_code == 400, (bad, response.status_code)
    assert set(Registration.objects.values_list("pk", flat=True)) == {r.pk for r in registrations}
    # The offline desk's counters: a bad one counts as "from the start", the desk still gets its list.
    post_each(client, reverse("checkin:desk_sync", args=[event.slug]),
              {"desk": "desk-1", "gate": "A", "queue": "0", "since": "0", "rv": "0"}, ["since", "rv", "queue"],
              expect_saved_nothing=False)


@pytest.mark.django_db
def test_checkin_api_query_numbers_are_400(client):
    event = EventFactory()
    _device, token = devices.create_device(event=event, name="Cổng A")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/checkin/v1/revocations?after=0&limit=10", **auth).status_code == 200
    for bad in BAD:
        for param in ("after", "limit"):
            response = client.get(f"/api/checkin/v1/revocations?{param}={bad}", **auth)
            assert response.status_code == 400, (param, bad, response.status_code)
            assert response.json() == {"status": "error", "reason": "invalid_request"}


@pytest.mark.django_db
def test_agreement_party_signatory_product_and_version_ids(client):
    event = EventFactory()
    organizer = user_with_role(event, Role.ORGANIZER)
    existing = agreement(event)
    parties = list(existing.parties.all())
    client.force_login(organizer)
    base = {"kind": "biz_distributor", "title": "Cung ứng", "signed_at": f"{DAY1:%Y-%m-%d}T10:00",
            "estimated_value": "", "volume": "", "term": "", "ceremony_ref": "", "version": "",
            **party_rows([party(parties[0].organization_id, "seller"), party(parties[1].organization_id, "buyer")]),
            "confirm_duplicate": "on"}
    # Ids: a bad one is a form error, nothing is saved.
    ids = ["parties-0-organization", "parties-1-organization", "products", "meeting", "ceremony_session"]
    # Counts and values where 0 (or a bad value read as "none") is acceptable: never a 500.
    counts = ["version", "parties-TOTAL_FORMS", "parties-INITIAL_FORMS", "parties-0-signatories-TOTAL_FORMS",
              "parties-0-signatories-INITIAL_FORMS", "estimated_value"]
    new = reverse("agreements:new", args=[event.slug])
    post_each(client, new, base, ids)
    post_each(client, new, base, counts, expect_saved_nothing=False)
    for button in ("add_signatory", "use_org", "add_party"):  # the form's own redisplay buttons
        post_each(client, new, base, [button])
    edit = reverse("agreements:edit", args=[event.slug, existing.pk])
    post_each(client, edit, {**base, "version": existing.version}, ids)
    assert Agreement.objects.get(pk=existing.pk).version == existing.version
    post_each(client, edit, {**base, "version": existing.version}, counts, expect_saved_nothing=False)
    post_each(client, reverse("agreements:new", args=[event.slug]), {}, ["products", "product", "buyer", "seller",
                                                                       "session", "meeting"], method="get")
    for action in ("verify", "reject", "cancel", "status"):
        url = reverse(f"agreements:{action}", args=[event.slug, existing.pk])
        post_each(client, url, {"reason": "Sai", "status": "in_execution"},
                  ["version", f"{action}-version"], expect_saved_nothing=False)


@pytest.mark.django_db
def test_matchmaking_slot_table_request_booth_and_product_ids(client):
    f = fair()
    buyer, producer = f.buyers[0], f.producers[0]
    request = accepted_request(f, buyer, producer)
    slots, tables = grid(f)
    client.force_login(f.organizer)
    place = {"request": request.pk, "slot": slots[0].pk, "table": tables[0].pk}
    post_each(client, reverse("matchmaking:place", args=[f.event.slug]), place, ["request", "slot", "table"])
    assert not Meeting.objects.exists()
    post_each(client, reverse("matchmaking:tables_add", args=[f.event.slug]), {"count": "2", "seats": "4"},
              ["booths", "count", "seats"])
    assert MeetingTable.objects.count() == len(tables)
    post_each(client, reverse("matchmaking:table_sheets", args=[f.event.slug]), {}, ["table"], method="get")
    post_each(client, reverse("matchmaking:table_checkin", args=[f.event.slug]), {}, ["table", "slot"],
              method="get")
    post_each(client, reverse("matchmaking:session_add", args=[f.event.slug]),
              {"name": "Phiên chiều", "day": f"{DAY2:%Y-%m-%d}", "starts": "13:00", "ends": "15:00"}, ["slot_minutes"])

    other = requests.create_request(event=f.event, sender=f.buyers[1].org, side=Side.BUYER,
                                    counterpart=f.producers[1].org, user=f.buyers[1].user, message="Xin gặp")
    client.force_login(f.producers[1].user)
    post_each(client, reverse("matchmaking:request_answer", args=[f.event.slug, other.pk]),
              {"action": "propose", "answer": "Giờ khác"}, ["slot"])
    client.force_login(buyer.user)
    product = ProductFactory(producer=f.producers[1].org)
    post_each(client, reverse("matchmaking:request_new", args=[f.event.slug, f.producers[1].org.pk]),
              {"message": "Xin gặp", "party_size": "2", "products": product.pk}, ["products", "party_size"])
    client.force_login(producer.user)
    post_each(client, reverse("matchmaking:profile", args=[f.event.slug]), {"capacity": "", "pitch": ""},
              ["products"], expect_saved_nothing=False)


@pytest.mark.django_db
def test_agenda_minutes_and_room_ids(client):
    event = EventFactory()
    room = RoomFactory(event=event)
    session = SessionFactory(event=event, room=room)
    client.force_login(user_with_role(event, Role.ORGANIZER))
    shift = reverse("agenda:session_action", args=[event.slug, session.pk, "shift"])
    post_each(client, shift, {"minutes": "15"}, ["minutes"])
    move = reverse("agenda:session_action", args=[event.slug, session.pk, "room"])
    post_each(client, move, {"room": RoomFactory(event=event).pk}, ["room"])
    assert Room.objects.filter(pk=room.pk).exists()
    session.refresh_from_db()
    assert session.room_id == room.pk


@pytest.mark.django_db
def test_catalog_filters_ignore_bad_numbers(client):
    event = EventFactory()
    for url in ("/catalog/", reverse("catalog:event_catalog", args=[event.slug])):
        for param in ("stars", "province", "page"):
            for bad in BAD:
                assert client.get(url, {param: bad}).status_code == 200, (url, param, bad)
