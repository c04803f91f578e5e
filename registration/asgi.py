"""The scanner redeem call, answered straight from ASGI: the event day's one hot endpoint.

``POST /api/checkin/v1/redeem`` is what ten desks send for every buyer at the door. Through Django's full stack
(twelve middleware, django-ninja's request parsing, the view) one scan cost several times the CPU of the scan
itself (see docs/benchmarks/checkin.md), so the ASGI application sends this one path here first. It is the same
API, not a second one: the same schema (``api.RedeemIn`` / ``api.RedeemOut``, so the OpenAPI document stays
true), the same device authentication, rate limit, service (:func:`.services.checkin.redeem_badge`),
translated reasons, error bodies and status codes, and the security headers the middleware would add. Scans run
in ``KETNOI_REDEEM_THREADS`` threads of their own (4; 0 runs them in Django's sync thread, as the test suite
does), each keeping its database connection from one scan to the next (closed after a database error) instead
of opening one, or taking one from the pool and health-checking it, per scan. With ``?pool=true`` the pool must
hold those connections plus the views' (``pool`` options in settings). The live update to the organizer
dashboards goes out after the commit, from the event loop.

Anything this lane does not handle in the ordinary way goes to Django untouched: another path or method, a host
not in ``ALLOWED_HOSTS``, plain HTTP where production redirects to HTTPS. Tests run every redeem case through
both (``tests/registration/test_api.py``).
"""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port, validate_host
from django.utils import translation
from pydantic import ValidationError

from eventsite.middleware import chosen_language

log = logging.getLogger(__name__)

PATH = "/api/checkin/v1/redeem"
MAX_BODY = 16 * 1024  # a redeem body is ~250 bytes; anything near this is not a scanner


class Answer:
    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None,
                 announce: tuple[str, dict] | None = None):
        self.status, self.body, self.headers, self.announce = status, body, headers or {}, announce


def _error(status: int, reason: str, **headers: str) -> Answer:
    return Answer(status, {"status": "error", "reason": reason}, headers)


def answer_body(result, reason: str) -> dict[str, Any]:
    """``api.RedeemOut`` as a plain dict (its fields, in its order; tests hold the two together)."""
    attendee = result.attendee
    return {"status": result.status, "reason": reason,
            "attendee": None if attendee is None else {
                "name": attendee["name"], "company": attendee["company"], "role": attendee["role"],
                "registration_id": attendee.get("registration_id")},
            "checked_in_at": result.checked_in_at, "gate": result.gate, "replayed": result.replayed}


def _handle(headers: dict[str, str], body: bytes | None) -> Answer:
    """One redeem, in Django's sync world (the thread Django runs its views in)."""
    from eventsite.live import group_name
    from eventsite.ratelimit import hit

    from .api import RedeemIn
    from .services import checkin, devices
    from .texts import REASONS

    scheme, _sep, token = headers.get("authorization", "").partition(" ")
    device = devices.authenticate(token.strip()) if scheme.lower() == "bearer" else None
    if device is None:
        return _error(401, "unauthorized")
    if body is None:
        return _error(400, "invalid_request")
    try:
        payload = RedeemIn.model_validate_json(body)
    except ValidationError:
        return _error(400, "invalid_request")
    if getattr(settings, "KETNOI_RATE_LIMITS_ENABLED", True):
        allowed, retry_after = hit("checkin_api", f"device-{device.pk}")
        if not allowed:
            return _error(429, "rate_limited", **{"retry-after": str(retry_after)})
    try:
        result = checkin.redeem_badge(code=payload.code, gate=payload.gate, nonce=payload.nonce,
                                      device_or_user=device, announce=False)
    except checkin.CheckinError as refused:
        return _error(400, refused.code)
    out = answer_body(result, str(REASONS.get(result.status, "")))
    announce = None
    if result.ok and not result.replayed:
        announce = (group_name(device.event_id, checkin.TOPIC),
                    checkin.announcement(role=result.attendee["role"], gate=result.gate, at=result.checked_in_at))
    return Answer(200, out, announce=announce)


def _in_django_request(headers: dict[str, str], body: bytes | None) -> Answer:
    """Run :func:`_handle` in the chosen language, on a connection that has seen no error."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.errors_occurred:  # e.g. PostgreSQL restarted under the kept connection: start afresh
        connection.close_if_unusable_or_obsolete()
    # Django's own cookie parsing and language rule, as for every other request.
    language = chosen_language(parse_cookie(headers.get("cookie", "")).get(settings.LANGUAGE_COOKIE_NAME))
    with translation.override(language):
        try:
            answer = _handle(headers, body)
        except (OperationalError, InterfaceError):
            # The kept connection may have died with a PostgreSQL restart: once more on a new one (safe: the
            # client's nonce makes a redeem idempotent). If that fails too, the database is down: 503, retry.
            _drop(connection)
            try:
                answer = _handle(headers, body)
            except (OperationalError, InterfaceError):
                log.warning("redeem refused: database unavailable", exc_info=True)
                _drop(connection)
                answer = _error(503, "service_unavailable", **{"retry-after": "5"})
        answer.headers["content-language"] = language
    return answer


def _drop(connection) -> None:
    """Close a connection that failed (not inside a transaction someone else owns, as in the test suite)."""
    if not connection.in_atomic_block:
        connection.close()


def _security_headers(secure: bool) -> list[tuple[bytes, bytes]]:
    found = [(b"content-type", b"application/json; charset=utf-8"), (b"vary", b"Cookie"),
             (b"x-content-type-options", b"nosniff"), (b"x-frame-options", settings.X_FRAME_OPTIONS.encode()),
             (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
             (b"cross-origin-opener-policy", b"same-origin")]
    if settings.SECURE_REFERRER_POLICY:
        found.append((b"referrer-policy", settings.SECURE_REFERRER_POLICY.encode()))
    if settings.SECURE_HSTS_SECONDS and secure:
        hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            hsts += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            hsts += "; preload"
        found.append((b"strict-transport-security", hsts.encode()))
    return found


def _header_dict(scope: dict) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _is_secure(scope: dict, headers: dict[str, str]) -> bool:
    if scope.get("scheme") == "https":
        return True
    proxy = settings.SECURE_PROXY_SSL_HEADER
    if proxy:
        name = proxy[0].removeprefix("HTTP_").replace("_", "-").lower()
        return headers.get(name, "").split(",")[0].strip() == proxy[1]
    return False


def _ours(scope: dict, headers: dict[str, str], secure: bool) -> bool:
    """For a request to PATH: whether this lane answers it (else Django does)."""
    if scope.get("method") != "POST":
        return False
    host = headers.get("host", "")
    domain, _port = split_domain_port(host)
    allowed = settings.ALLOWED_HOSTS or ([".localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
    if not domain or not validate_host(domain, allowed):
        return False  # Django answers it (400 Bad Request), as for every other path
    return not (settings.SECURE_SSL_REDIRECT and not secure)  # Django redirects it


async def _read_body(receive) -> bytes | None:
    """The request body, or None when it is larger than MAX_BODY (the rest is drained, never kept)."""
    chunks, size, too_big = [], 0, False
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ConnectionAbortedError
        size += len(message.get("body", b""))
        too_big = too_big or size > MAX_BODY
        if not too_big:
            chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return None if too_big else b"".join(chunks)


class RedeemLane:
    """ASGI middleware: answers the scanner redeem call, hands everything else to ``app``."""

    def __init__(self, app):
        self.app = app
        threads = getattr(settings, "KETNOI_REDEEM_THREADS", 4)
        if threads:
            # Scans run in a few threads of their own, each keeping its database connection, so one scan's
            # round trips to PostgreSQL overlap another's instead of queueing behind Django's one sync thread.
            executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="redeem")
            self.handle = sync_to_async(_in_django_request, thread_sensitive=False, executor=executor)
        else:  # in Django's sync thread (the test suite: inside the test's transaction)
            self.handle = sync_to_async(_in_django_request, thread_sensitive=True)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("path") != PATH:
            return await self.app(scope, receive, send)
        headers = _header_dict(scope)
        secure = _is_secure(scope, headers)
        if not _ours(scope, headers, secure):
            return await self.app(scope, receive, send)
        try:
            body = await _read_body(receive)
        except ConnectionAbortedError:
            return
        answer = await self.handle(headers, body)
        if answer.announce is not None:
            layer = get_channel_layer()
            try:
                if layer is not None:
                    await layer.group_send(*answer.announce)
            except Exception:  # a live update must never fail a committed check-in
                log.warning("live update to %s not delivered", answer.announce[0], exc_info=True)
        payload = json.dumps(answer.body, ensure_ascii=False).encode()
        out = _security_headers(secure) + [(k.encode(), v.encode()) for k, v in answer.headers.items()]
        out.append((b"content-length", str(len(payload)).encode()))
        await send({"type": "http.response.start", "status": answer.status, "headers": out})
        await send({"type": "http.response.body", "body": payload})
