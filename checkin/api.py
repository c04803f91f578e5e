"""JSON API for external scanners (django-ninja, OpenAPI 3 at /api/checkin/v1/openapi.json).

Devices authenticate with ``Authorization: Bearer kn_…`` (a Device of one event, created by organizers on the
scanner devices page). Every error is ``{"status": "error", "reason": "<code>"}`` with a 4xx status, never a 500.
"""

from __future__ import annotations

import base64

from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer
from pydantic import Field

from eventsite.numbers import ID_MAX, api_int
from eventsite.ratelimit import ratelimit
from registration.models import RevokedToken
from registration.services import tokens

from .models import Device
from .services import checkin, devices
from .services.checkin import CheckinError
from .texts import REASONS


class DeviceAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Device | None:
        device = devices.authenticate(token)
        if device is not None:
            request.device = device
        return device


api = NinjaAPI(
    title="Kết Nối check-in API", version="1", urls_namespace="checkin:api", docs_url=None,
    auth=DeviceAuth(),
    description="Redeem badge codes at a gate, undo the last check-in, read the counts. "
                "Errors: {\"status\": \"error\", \"reason\": code}.",
)


class ErrorOut(Schema):
    status: str = "error"
    reason: str


# The service strips the gate and refuses a blank one; the nonce rule is checkin._NONCE. Stating both in the
# schema means clients (and schemathesis) see the rules the service enforces. A gate must hold a letter or
# digit (Vietnamese included): "not blank" as \S differs between regex dialects (U+0085, U+001C…), this does not.
GATE = Field(min_length=1, max_length=40, pattern="[0-9A-Za-z\u00c0-\u024f\u1e00-\u1eff]",
             description="Gate name, 1–40 characters, with at least one letter or digit")


class RedeemIn(Schema):
    code: str = Field(max_length=400, description="The text of the badge's QR code")
    gate: str = GATE
    nonce: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]{8,64}$",
                       description="Client-chosen unique id of this scan (8–64 letters, digits or -_.:); "
                                   "resend it on retry")


class AttendeeOut(Schema):
    name: str
    company: str
    role: str
    registration_id: int | None = None


class RedeemOut(Schema):
    status: str = Field(description="ok, already_checked_in, malformed, forged, revoked, wrong_event, not_approved, "
                                    "outside_dates (refused: the organizer turned off check-in outside the dates)")
    reason: str
    timing: str = Field("", description="early or late: an admission outside the event's check-in window (the day "
                                        "before the start to the day after the end); empty inside it")
    attendee: AttendeeOut | None = None
    checked_in_at: str | None = None
    gate: str = ""
    replayed: bool = False


class AnnulIn(Schema):
    gate: str = GATE


class AnnulOut(Schema):
    status: str = "ok"
    badge_id: int
    gate: str
    checked_in_at: str


class StatusOut(Schema):
    registered: int
    checked_in: int
    by_role: dict[str, dict[str, int]]
    by_gate: dict[str, int]


class KeyOut(Schema):
    event_id: int
    algorithm: str = "Ed25519"
    token_version: int
    public_key: str = Field(description="Raw 32-byte public key, base64url without padding")


# Every operation: a device token is required (401) and each device gets settings.KETNOI_RATE_LIMITS
# ["checkin_api"] calls (429 {"status": "error", "reason": "rate_limited"} beyond it, with Retry-After).
DEVICE_ERRORS = {401: ErrorOut, 429: ErrorOut}
per_device = ratelimit("checkin_api", key="device", methods=("GET", "POST"))


def _error(request, reason: str, status: int):
    return api.create_response(request, {"status": "error", "reason": reason}, status=status)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    return _error(request, "invalid_request", 400)


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    return _error(request, "unauthorized", 401)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return _error(request, "invalid_request" if exc.status_code < 500 else "server_error", exc.status_code)


@api.exception_handler(CheckinError)
def _checkin_error(request, exc):
    return _error(request, exc.code, 400)


@api.post("/redeem", response={200: RedeemOut, 400: ErrorOut, **DEVICE_ERRORS}, summary="Redeem a badge code")
@per_device
def redeem(request, payload: RedeemIn):
    result = checkin.redeem_badge(code=payload.code, gate=payload.gate, nonce=payload.nonce,
                                  device_or_user=request.device)
    return {**result.as_dict(), "reason": str(REASONS.get(result.status, "")), "replayed": result.replayed}


@api.post("/annul", response={200: AnnulOut, 400: ErrorOut, **DEVICE_ERRORS},
          summary="Undo this device's last check-in at a gate (within 15 minutes)")
@per_device
def annul(request, payload: AnnulIn):
    undone = checkin.annul_last_checkin(gate=payload.gate, device_or_user=request.device)
    return {"badge_id": undone.badge_id, "gate": undone.gate, "checked_in_at": undone.at.isoformat()}


@api.get("/status", response={200: StatusOut, **DEVICE_ERRORS}, summary="Counts: checked in / registered")
@per_device
def status(request):
    figures = checkin.counts(request.device.event)
    return {k: figures[k] for k in ("registered", "checked_in", "by_role", "by_gate")}


class RevokedOut(Schema):
    id: int
    badge_id: int
    counter: int


@api.get("/revocations", response={200: list[RevokedOut], 400: ErrorOut, **DEVICE_ERRORS},
         summary="Revoked tokens (badge id, issue counter) after a given id, oldest first, for offline desks")
@per_device
def revocations(request, after: api_int(0, ID_MAX) = 0, limit: api_int(0, ID_MAX) = 1000):
    rows = RevokedToken.objects.filter(event_id=request.device.event_id, pk__gt=max(after, 0)).order_by("pk")
    return list(rows.values("id", "badge_id", "counter")[: max(1, min(limit, 5000))])


@api.get("/keys", response={200: KeyOut, **DEVICE_ERRORS}, summary="The event's public key, for offline verification")
@per_device
def keys(request):
    raw = tokens.public_key(request.device.event_id)
    return {"event_id": request.device.event_id, "token_version": tokens.VERSION,
            "public_key": base64.urlsafe_b64encode(raw).decode().rstrip("=")}
