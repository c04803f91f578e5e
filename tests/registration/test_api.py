import json
import uuid

import pytest

from registration.services import badges, devices, tokens

from .factories_checkin import CheckinRegistrationFactory

pytestmark = pytest.mark.django_db

BASE = "/api/checkin/v1"


@pytest.fixture(autouse=True)
def _fresh_key_cache():
    tokens.forget_cached_keys()
    yield
    tokens.forget_cached_keys()


@pytest.fixture(params=["django", "asgi"])
def client(request, client):
    """Every API case twice: through Django's test client, and through the ASGI application as a server calls it
    (where POST /redeem takes the scanner lane, registration/asgi.py)."""
    if request.param == "asgi":
        from tests.asgi_client import AsgiClient

        return AsgiClient(fallback=client)
    return client


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


def test_api_redeem_queries_constant(client, reg, device_token, django_assert_max_num_queries):
    from .factories_checkin import bulk_registrations

    bulk_registrations(reg.event, 500)
    code = badges.token_for(badges.ensure_badge(reg))
    call(client, "get", "/status", device_token)
    with django_assert_max_num_queries(8):  # device lookup + the redeem's statements (+ test savepoints)
        call(client, "post", "/redeem", device_token, {"code": code, "gate": "A", "nonce": uuid.uuid4().hex})


def test_revocations_endpoint(client, reg, device_token):
    badge = badges.ensure_badge(reg)
    badges.reissue_badge(badge=badge)
    data = call(client, "get", "/revocations", device_token).json()
    assert [(r["badge_id"], r["counter"]) for r in data] == [(badge.pk, 1)]
    assert call(client, "get", f"/revocations?after={data[-1]['id']}", device_token).json() == []
    assert call(client, "get", "/revocations?after=abc", device_token).status_code == 400


# --- the scanner lane (registration/asgi.py) as a server calls it ----------------------------------------------


@pytest.fixture
def lane():
    from tests.asgi_client import AsgiClient

    return AsgiClient()


def test_lane_answers_with_the_security_headers(lane, reg, device_token):
    code = badges.token_for(badges.ensure_badge(reg))
    response = call(lane, "post", "/redeem", device_token, {"code": code, "gate": "A", "nonce": uuid.uuid4().hex})
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert response["content-type"].startswith("application/json")
    assert response["x-content-type-options"] == "nosniff" and response["x-frame-options"] == "DENY"
    assert response["content-language"] == "vi" and "default-src 'none'" in response["content-security-policy"]
    assert response.json()["reason"] == str(__import__("registration.texts", fromlist=["REASONS"]).REASONS["ok"])


def test_lane_refuses_an_oversized_body_and_hands_unknown_hosts_to_django(lane, device_token):
    huge = json.dumps({"code": "A" * 20_000, "gate": "A", "nonce": "n" * 12})
    response = call(lane, "post", "/redeem", device_token, raw=huge)
    assert response.status_code == 400 and response.json() == {"status": "error", "reason": "invalid_request"}
    from tests.asgi_client import AsgiClient

    assert call(AsgiClient(host="evil.example"), "post", "/redeem", device_token, {}).status_code == 400


def test_lane_rate_limit_and_database_outage(lane, reg, device_token, settings, monkeypatch):
    from django.core.cache import cache
    from django.db import OperationalError

    from registration.services import checkin

    cache.clear()
    settings.KETNOI_RATE_LIMITS_ENABLED = True  # the suite runs without limits (eventsite/test_settings.py)
    settings.KETNOI_RATE_LIMITS = {"checkin_api": "2/m"}
    body = {"code": "X", "gate": "A", "nonce": "n" * 12}
    assert [call(lane, "post", "/redeem", device_token, body).status_code for _ in range(2)] == [200, 200]
    limited = call(lane, "post", "/redeem", device_token, body)
    assert limited.status_code == 429 and limited.json() == {"status": "error", "reason": "rate_limited"}
    assert int(limited["retry-after"]) >= 1
    settings.KETNOI_RATE_LIMITS_ENABLED = False

    def down(**_kwargs):
        raise OperationalError("connection refused")

    real, calls = checkin.redeem_badge, []

    def down_once(**kwargs):  # a kept connection that died with a PostgreSQL restart: retried on a new one
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(checkin, "redeem_badge", down_once)
    retried = call(lane, "post", "/redeem", device_token, {**body, "nonce": "r" * 12})
    assert retried.status_code == 200 and len(calls) == 2
    monkeypatch.setattr(checkin, "redeem_badge", down)
    outage = call(lane, "post", "/redeem", device_token, body)
    assert outage.status_code == 503 and outage.json() == {"status": "error", "reason": "service_unavailable"}
    assert outage["retry-after"] == "5"


def test_lane_announces_an_admission_to_the_dashboards(lane, reg, device_token):
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from eventsite.live import group_name

    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group_name(reg.event_id, "checkin"), channel)
    code = badges.token_for(badges.ensure_badge(reg))
    call(lane, "post", "/redeem", device_token, {"code": code, "gate": "Cổng 2", "nonce": uuid.uuid4().hex})
    message = async_to_sync(layer.receive)(channel)
    assert message["type"] == "checkin.changed" and message["delta"] == 1 and message["gate"] == "Cổng 2"
    assert message["role"] == reg.role


def test_lane_body_is_the_schema_of_the_route(lane, reg, device_token):
    from registration.api import RedeemOut

    code = badges.token_for(badges.ensure_badge(reg))
    for body in ({"code": code, "gate": "A", "nonce": uuid.uuid4().hex}, {"code": "x", "gate": "A", "nonce": "n" * 9}):
        data = call(lane, "post", "/redeem", device_token, body).json()
        assert data == RedeemOut.model_validate(data).model_dump(mode="json")
        assert list(data) == list(RedeemOut.model_fields)
