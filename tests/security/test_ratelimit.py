"""Rate limits (eventsite/ratelimit.py): sign-up per IP, scanner API per device, uploads per user.

The suite turns limits off (eventsite/test_settings.py); these tests turn them on with low limits. Windows are
an hour long here so a test never straddles a window boundary.
"""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from checkin.services import devices
from eventsite import ratelimit
from eventsite.models import EventRole
from registration.services import tokens
from tests.agreements.factories import agreement, organizer
from tests.agreements.files import pdf_bytes
from tests.factories import EventFactory, user_with_role
from tests.registration.factories_checkin import CheckinRegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def limits_on(settings, tmp_path):
    settings.KETNOI_RATE_LIMITS_ENABLED = True
    settings.KETNOI_RATE_LIMITS = {"registration": "2/h", "checkin_api": "3/h", "upload": "1/h"}
    settings.AGREEMENTS_PRIVATE_ROOT = str(tmp_path / "private")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    tokens.forget_cached_keys()
    yield
    cache.clear()
    tokens.forget_cached_keys()


def test_parse_rate_and_defaults(settings):
    assert ratelimit.parse_rate("20/s") == (20, 1)
    assert ratelimit.parse_rate("5/10m") == (5, 600)
    for bad in ("", "x/s", "5/y", "5/0m"):
        with pytest.raises(ValueError):
            ratelimit.parse_rate(bad)
    settings.KETNOI_RATE_LIMITS = {}
    assert ratelimit.limit_for("checkin_api") == (20, 1)  # generous: a scanner is fast


def test_hit_counts_per_scope_and_caller():
    assert [ratelimit.hit("t", "a", limit=2, period=3600)[0] for _ in range(3)] == [True, True, False]
    allowed, retry_after = ratelimit.hit("t", "b", limit=2, period=3600)
    assert allowed and 1 <= retry_after <= 3600
    assert ratelimit.hit("other", "a", limit=2, period=3600)[0]


def test_unreachable_cache_lets_requests_through(monkeypatch):
    # Redis restarting must not turn every scan into a 500: the limit fails open (and logs).
    class Down:
        def add(self, *args, **kwargs):
            raise ConnectionError("redis is restarting")

        incr = add

    monkeypatch.setattr(ratelimit, "cache", Down())
    assert [ratelimit.hit("t", "a", limit=1, period=3600)[0] for _ in range(3)] == [True, True, True]


def test_public_signup_post_limited_per_ip_with_a_clear_translated_page(client):
    event = EventFactory()
    url = reverse("registration:signup", kwargs={"event_slug": event.slug})
    for _ in range(2):
        assert client.post(url, {"full_name": ""}, REMOTE_ADDR="203.0.113.7").status_code == 200
    blocked = client.post(url, {"full_name": ""}, REMOTE_ADDR="203.0.113.7", HTTP_ACCEPT_LANGUAGE="vi")
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) >= 1
    html = blocked.content.decode()
    assert "Vui lòng chậm lại" in html and "<h1" in html
    # GETs are never counted; another address is not affected.
    assert client.get(url, REMOTE_ADDR="203.0.113.7").status_code == 200
    assert client.post(url, {"full_name": ""}, REMOTE_ADDR="203.0.113.8").status_code == 200


def test_htmx_and_json_callers_get_429_in_their_format(client):
    event = EventFactory()
    url = reverse("registration:signup", kwargs={"event_slug": event.slug})
    for _ in range(2):
        client.post(url, {}, REMOTE_ADDR="198.51.100.1")
    htmx = client.post(url, {}, REMOTE_ADDR="198.51.100.1", HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="vi")
    assert htmx.status_code == 429 and 'role="alert"' in htmx.content.decode()
    assert "<html" not in htmx.content.decode() and "Quá nhiều yêu cầu" in htmx.content.decode()
    as_json = client.post(url, {}, REMOTE_ADDR="198.51.100.1", HTTP_ACCEPT="application/json")
    assert as_json.status_code == 429 and as_json.json() == {"status": "error", "reason": "rate_limited"}


def test_checkin_api_limited_per_device(client):
    registration = CheckinRegistrationFactory()
    _one, token_one = devices.create_device(event=registration.event, name="Cổng A")
    _two, token_two = devices.create_device(event=registration.event, name="Cổng B")

    def status(token):
        return client.get("/api/checkin/v1/status", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert [status(token_one).status_code for _ in range(3)] == [200, 200, 200]
    blocked = status(token_one)
    assert blocked.status_code == 429 and blocked.json() == {"status": "error", "reason": "rate_limited"}
    assert blocked["Retry-After"]
    redeem = client.post("/api/checkin/v1/redeem", json.dumps({"code": "X", "gate": "A", "nonce": "n" * 12}),
                         content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token_one}")
    assert redeem.status_code == 429
    assert status(token_two).status_code == 200  # the other scanner keeps working


def test_import_file_upload_limited_per_user(client):
    event = EventFactory()
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    url = reverse("registration:import", kwargs={"event_slug": event.slug})

    def send():
        csv = SimpleUploadedFile("khach.csv", "Họ tên,Email\nNguyễn Văn A,a@example.vn\n".encode(),
                                 content_type="text/csv")
        return client.post(url, {"file": csv}, HTTP_ACCEPT_LANGUAGE="vi")

    assert send().status_code in (200, 302)
    blocked = send()
    assert blocked.status_code == 429 and "Vui lòng chậm lại" in blocked.content.decode()
    # A form POST without a file is not an upload and is not counted.
    assert client.post(url, {}).status_code == 200


def test_agreement_scan_upload_limited_per_user(client):
    from tests.agreements.test_views import form_post

    event = EventFactory()
    user = organizer(event)
    client.force_login(user)
    existing = agreement(event)
    url = reverse("agreements:new", args=[event.slug])

    def send(title):
        post = form_post(existing, title=title, confirm_duplicate="on")
        post["scan"] = SimpleUploadedFile("bien-ban.pdf", pdf_bytes(), content_type="application/pdf")
        return client.post(url, post, HTTP_ACCEPT_LANGUAGE="vi")

    assert send("Lần một").status_code == 302
    assert send("Lần hai").status_code == 429
    # Another user has their own allowance.
    client.force_login(organizer(event))
    assert send("Người khác").status_code == 302


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (40, 40), "orange").save(buffer, format="PNG")
    return buffer.getvalue()


def test_product_photo_upload_limited_per_user(client):
    """Issue #16 (7): product photos had no limit although the module said they had."""
    from tests.booths.factories import exhibitor

    event = EventFactory()
    application = exhibitor(event)
    client.force_login(application.applicant)
    url = reverse("booths:product_add", kwargs={"event_slug": event.slug})

    def send(name):
        photo = SimpleUploadedFile("mat-ong.png", _png(), content_type="image/png")
        return client.post(url, {"name": name, "group": "food", "subgroup": "raw", "stars": 4,
                                 "certifying_authority": "province", "certificate_issued_on": "2025-01-01",
                                 "certificate_expires_on": "2028-01-01", "photo": photo}, HTTP_ACCEPT_LANGUAGE="vi")

    assert send("Mật ong rừng U Minh").status_code == 302
    blocked = send("Mật ong lần hai")
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) >= 1
    assert "Vui lòng chậm lại" in blocked.content.decode()
    assert application.products.count() == 1  # the refused upload never reached the view
    # The same form without a photo is not an upload.
    no_photo = client.post(url, {"name": "Không ảnh", "group": "food", "subgroup": "raw", "stars": 4,
                                 "certifying_authority": "province", "certificate_issued_on": "2025-01-01",
                                 "certificate_expires_on": "2028-01-01"})
    assert no_photo.status_code == 302


def test_floor_plan_import_file_limited_per_user(client):
    event = EventFactory()
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    url = reverse("booths:import", kwargs={"event_slug": event.slug})

    def send():
        return client.post(url, {"file": SimpleUploadedFile("gian-hang.csv", b"code,x,y\n", content_type="text/csv")})

    assert send().status_code == 200
    assert send().status_code == 429


@pytest.mark.redis
def test_with_redis_one_round_trip_per_request_and_one_count_for_all_processes(settings, redis_url, monkeypatch):
    """In scale mode the counter is in Redis: each request costs one round trip, and two web processes (two
    clients, as after a fork) count against the same limit."""
    import uuid

    from redis.connection import AbstractConnection

    settings.CACHES = {"default": {"BACKEND": ratelimit.REDIS_CACHE, "LOCATION": redis_url,
                                   "KEY_PREFIX": f"ketnoi-rl-test-{uuid.uuid4().hex[:8]}"}}
    sent = []
    real_send = AbstractConnection.send_packed_command

    def counting_send(self, command, *args, **kwargs):
        sent.append(command)
        return real_send(self, command, *args, **kwargs)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counting_send)
    monkeypatch.setattr(ratelimit, "_clients", {})
    first = [ratelimit.hit("t", "device-1", limit=3, period=3600)[0] for _ in range(2)]
    counter_trips = [c for c in sent if b"ratelimit:t:device-1" in (c if isinstance(c, bytes) else b"".join(c))]
    assert first == [True, True] and len(counter_trips) == 2  # not counting the connection's HELLO
    monkeypatch.setattr(ratelimit, "_clients", {})  # another process: a client of its own, the same counter
    assert [ratelimit.hit("t", "device-1", limit=3, period=3600)[0] for _ in range(2)] == [True, False]
    key = settings.CACHES["default"]["KEY_PREFIX"]
    assert 0 < ratelimit._redis().ttl(f"{key}:1:ratelimit:t:device-1:{int(__import__('time').time() // 3600)}") \
        <= 3601
