import json
import uuid

import pytest

from checkin.services import devices
from registration.services import badges, tokens
from tests.checkin.scans import scan_log
from tests.registration.factories_checkin import CheckinRegistrationFactory

pytestmark = pytest.mark.django_db

BASE = "/api/checkin/v1"


@pytest.fixture(autouse=True)
def _fresh_key_cache():
    tokens.forget_cached_keys()
    yield
    tokens.forget_cached_keys()


@pytest.fixture
def reg():
    return CheckinRegistrationFactory(full_name="Đặng Thị Hồng Nhung")


@pytest.fixture
def device_token(reg):
    _, token = devices.create_device(event=reg.event, name="Máy quét cổng A")
    return token


def call(client, method, path, token=None, body=None, raw=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if method == "get":
        return client.get(BASE + path, **headers)
    data = raw if raw is not None else json.dumps(body or {})
    return client.post(BASE + path, data=data, content_type="application/json", **headers)


def test_redeem_ok_already_and_retry(client, reg, device_token):
    code = badges.token_for(badges.ensure_badge(reg))
    nonce = uuid.uuid4().hex
    first = call(client, "post", "/redeem", device_token, {"code": code, "gate": "A", "nonce": nonce})
    assert first.status_code == 200
    data = first.json()
    assert data["status"] == "ok" and data["attendee"]["name"] == "Đặng Thị Hồng Nhung" and data["reason"]
    retry = call(client, "post", "/redeem", device_token, {"code": code, "gate": "A", "nonce": nonce}).json()
    assert retry["status"] == "ok" and retry["replayed"] is True
    again = call(client, "post", "/redeem", device_token, {"code": code, "gate": "B", "nonce": uuid.uuid4().hex})
    assert again.json()["status"] == "already_checked_in" and again.json()["gate"] == "A"
    status = call(client, "get", "/status", device_token).json()
    assert status["checked_in"] == 1 and status["registered"] == 1 and status["by_gate"] == {"A": 1}
    annul = call(client, "post", "/annul", device_token, {"gate": "A"})
    assert annul.status_code == 200 and annul.json()["status"] == "ok"
    assert call(client, "get", "/status", device_token).json()["checked_in"] == 0
    nothing = call(client, "post", "/annul", device_token, {"gate": "A"})
    assert nothing.status_code == 400 and nothing.json() == {"status": "error", "reason": "nothing_to_undo"}


@pytest.mark.parametrize("raw", ["", "{", "[]", '{"code": 1}', '{"code": "X", "gate": "", "nonce": "abcdefgh"}',
                                 '{"code": "X", "gate": "A", "nonce": "short"}', '{"code": "' + "A" * 1000 + '"}',
                                 "\xff\xfe"])
def test_bad_input_is_an_error_object_never_500(client, device_token, raw):
    response = call(client, "post", "/redeem", device_token, raw=raw)
    assert response.status_code == 400
    assert response.json()["status"] == "error" and response.json()["reason"]


def test_bad_codes_get_their_status(client, reg, device_token):
    response = call(client, "post", "/redeem", device_token, {"code": "hello", "gate": "A", "nonce": "n" * 10})
    assert response.status_code == 200 and response.json()["status"] == "malformed"


@pytest.mark.parametrize("header", [None, "Bearer nope", "Bearer kn_wrong", "Token abc"])
def test_device_auth_required(client, header):
    headers = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get(BASE + "/status", **headers)
    assert response.status_code == 401
    assert response.json() == {"status": "error", "reason": "unauthorized"}


def test_inactive_device_and_other_event(client, reg, device_token):
    other = CheckinRegistrationFactory()
    code = badges.token_for(badges.ensure_badge(other))
    response = call(client, "post", "/redeem", device_token, {"code": code, "gate": "A", "nonce": "n" * 12})
    assert response.json()["status"] == "wrong_event"
    for device in reg.event.checkin_devices.all():  # as the admin does: save() tells the device cache
        device.is_active = False
        device.save()
    assert call(client, "get", "/status", device_token).status_code == 401


def test_device_lookup_cached_until_the_device_changes(reg, django_assert_num_queries):
    device, token = devices.create_device(event=reg.event, name="Cổng B")
    assert devices.authenticate(token) == device  # a query (and the last-seen time)
    with django_assert_num_queries(0):
        assert devices.authenticate(token) == device
    device.is_active = False
    device.save()
    with django_assert_num_queries(1):
        assert devices.authenticate(token) is None


def test_token_stored_hashed(reg):
    device, token = devices.create_device(event=reg.event, name="X")
    assert token not in (device.token_hash, device.token_prefix + "x")
    assert len(device.token_hash) == 64 and token.startswith(device.token_prefix)


def test_openapi_schema_served(client):
    schema = client.get(BASE + "/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/checkin/v1/redeem", "/api/checkin/v1/annul", "/api/checkin/v1/status"} <= set(schema["paths"])


def test_public_key_endpoint(client, reg, device_token):
    data = call(client, "get", "/keys", device_token).json()
    assert data["algorithm"] == "Ed25519" and data["event_id"] == reg.event_id
    import base64

    assert base64.urlsafe_b64decode(data["public_key"] + "=") == tokens.public_key(reg.event_id)


@pytest.mark.parametrize("attendees", [0, 500])
def test_api_redeem_queries_constant(client, reg, device_token, attendees, django_assert_max_num_queries):
    """A scan through the one path (device login, rate limit, the service, the scan log) is at most 6 queries
    whatever the number of attendees, and each one really admits someone: a broken login (401) or a refused
    scan would be cheaper, so the answers and the rows are checked too."""
    from django.contrib.contenttypes.models import ContentType

    from checkin.models import CheckIn
    from registration.models import Registration
    from tests.registration.factories_checkin import bulk_registrations

    regs = [reg, *(CheckinRegistrationFactory(event=reg.event) for _ in range(3))]
    bulk_registrations(reg.event, attendees)
    codes = [badges.token_for(badges.ensure_badge(r)) for r in regs]
    assert call(client, "get", "/status", device_token).status_code == 200  # the device is known (cached) now
    # A server process looks the registration's content type up once (Django caches it per process), at its first
    # scan; whichever test ran before decides whether this process has, so it is looked up here.
    ContentType.objects.get_for_model(Registration)
    # Inside the test's transaction the service's own is a SAVEPOINT and a RELEASE, counted here; in production
    # it is BEGIN/COMMIT, which the count does not see. 6 either way: lock, check-in, badge, the scan's entry in
    # the activity log (+ 2).
    for n, code in enumerate(codes, start=1):
        with django_assert_max_num_queries(6) as queries:
            response = call(client, "post", "/redeem", device_token, {"code": code, "gate": "A",
                                                                     "nonce": uuid.uuid4().hex})
        assert response.status_code == 200 and response.json()["status"] == "ok", response.content
        assert CheckIn.objects.filter(event=reg.event, annulled_at__isnull=True).count() == n
        assert [bool(e.after["checkin_id"]) for e in scan_log(reg.event) if e.after["status"] == "ok"] == [True] * n
        statements = [q["sql"] for q in queries.captured_queries]
        assert any(s.startswith("INSERT") and "activityentry" in s for s in statements), statements


def test_revocations_endpoint(client, reg, device_token):
    badge = badges.ensure_badge(reg)
    badges.reissue_badge(badge=badge)
    data = call(client, "get", "/revocations", device_token).json()
    assert [(r["badge_id"], r["counter"]) for r in data] == [(badge.pk, 1)]
    assert call(client, "get", f"/revocations?after={data[-1]['id']}", device_token).json() == []
    assert call(client, "get", "/revocations?after=abc", device_token).status_code == 400


# --- the API through Django's one stack: headers, limits, outages, live updates ---------------------------------


def test_redeem_answers_with_the_stacks_security_headers(client, reg, device_token):
    code = badges.token_for(badges.ensure_badge(reg))
    response = call(client, "post", "/redeem", device_token, {"code": code, "gate": "A", "nonce": uuid.uuid4().hex})
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert response["content-type"].startswith("application/json")
    assert response["x-content-type-options"] == "nosniff" and response["x-frame-options"] == "DENY"
    assert response["content-language"] == "vi" and "default-src 'self'" in response["content-security-policy"]
    assert response.json()["reason"] == str(__import__("checkin.texts", fromlist=["REASONS"]).REASONS["ok"])


def test_redeem_refuses_an_oversized_code_and_an_unknown_host(client, device_token):
    huge = json.dumps({"code": "A" * 20_000, "gate": "A", "nonce": "n" * 12})
    response = call(client, "post", "/redeem", device_token, raw=huge)
    assert response.status_code == 400 and response.json() == {"status": "error", "reason": "invalid_request"}
    other_host = client.post(BASE + "/redeem", data="{}", content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {device_token}", HTTP_HOST="evil.example")
    assert other_host.status_code == 400


def test_redeem_rate_limit_and_database_outage(client, reg, device_token, settings, monkeypatch):
    from django.core.cache import cache
    from django.db import OperationalError

    from checkin.services import checkin

    cache.clear()
    settings.KETNOI_RATE_LIMITS_ENABLED = True  # the suite runs without limits (eventsite/test_settings.py)
    settings.KETNOI_RATE_LIMITS = {"checkin_api": "2/m"}
    body = {"code": "X", "gate": "A", "nonce": "n" * 12}
    assert [call(client, "post", "/redeem", device_token, body).status_code for _ in range(2)] == [200, 200]
    limited = call(client, "post", "/redeem", device_token, body)
    assert limited.status_code == 429 and limited.json() == {"status": "error", "reason": "rate_limited"}
    assert int(limited["retry-after"]) >= 1
    settings.KETNOI_RATE_LIMITS_ENABLED = False

    def down(**_kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(checkin, "redeem_badge", down)
    outage = call(client, "post", "/redeem", device_token, body)
    assert outage.status_code == 503 and outage.json() == {"status": "error", "reason": "service_unavailable"}
    assert outage["retry-after"] == "5"


@pytest.mark.django_db(transaction=True)
def test_redeem_announces_an_admission_to_the_dashboards(client, reg, device_token):
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer
    from django.db import connection

    from eventsite.live import group_name

    code = badges.token_for(badges.ensure_badge(reg))

    def scan_and_listen():
        try:
            layer = get_channel_layer()
            channel = async_to_sync(layer.new_channel)()
            async_to_sync(layer.group_add)(group_name(reg.event_id, "checkin"), channel)
            call(client, "post", "/redeem", device_token, {"code": code, "gate": "Cổng 2", "nonce": uuid.uuid4().hex})

            async def receive():
                return await asyncio.wait_for(layer.receive(channel), 10)

            return async_to_sync(receive)()
        finally:
            connection.close()

    # In a thread of its own, as a server's request thread: after a browser test on the same test worker,
    # Playwright leaves an event loop running on the main thread, where async_to_sync cannot run.
    with ThreadPoolExecutor(1) as pool:
        message = pool.submit(scan_and_listen).result(timeout=30)
    assert message["type"] == "checkin.changed" and message["delta"] == 1 and message["gate"] == "Cổng 2"
    assert message["role"] == reg.role


def test_redeem_body_is_the_schema_of_the_route(client, reg, device_token):
    from checkin.api import RedeemOut

    code = badges.token_for(badges.ensure_badge(reg))
    for body in ({"code": code, "gate": "A", "nonce": uuid.uuid4().hex}, {"code": "x", "gate": "A", "nonce": "n" * 9}):
        data = call(client, "post", "/redeem", device_token, body).json()
        assert data == RedeemOut.model_validate(data).model_dump(mode="json")
        assert list(data) == list(RedeemOut.model_fields)


@pytest.mark.django_db(transaction=True)
def test_redeem_through_the_asgi_application(reg, device_token):
    """As a server calls it: eventsite.asgi.application hands the scanner's POST to Django like any request."""
    import asyncio

    from channels.testing import HttpCommunicator

    from eventsite.asgi import application

    code = badges.token_for(badges.ensure_badge(reg))
    body = json.dumps({"code": code, "gate": "A", "nonce": uuid.uuid4().hex}).encode()
    headers = [(b"host", b"testserver"), (b"content-type", b"application/json"),
               (b"authorization", f"Bearer {device_token}".encode())]

    async def post():
        return await HttpCommunicator(application, "POST", BASE + "/redeem", body=body,
                                      headers=headers).get_response(timeout=60)

    response = asyncio.run(post())
    assert response["status"] == 200 and json.loads(response["body"])["status"] == "ok"
    assert any(name.lower() == b"content-security-policy" for name, _value in response["headers"])
