"""The check-in desk: scan (keyboard-wedge scanner or camera), manual lookup, undo. Desk staff and organizers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_POST

from eventsite.access import STAFF, event_view
from eventsite.numbers import NumberError, parse_id
from registration.models import RegistrationRole

from ..models import ScanStatus
from ..services import checkin
from ..services.checkin import CheckinError, ScanResult
from ..texts import CONFIRM_REASON, REASONS, TONES, WORDS, error_text
from .offline import desk_texts

DEFAULT_GATE = "1"


def _gate(request: HttpRequest) -> str:
    if request.method == "POST":
        return request.POST.get("gate", "").strip()[:41]  # the service rejects empty or over-long gates
    return (request.GET.get("gate") or DEFAULT_GATE).strip()[:40]


def result_context(result: ScanResult) -> dict:
    attendee = dict(result.attendee or {})
    if attendee.get("role"):
        try:
            attendee["role_label"] = RegistrationRole(attendee["role"]).label
        except ValueError:
            attendee["role_label"] = attendee["role"]
    return {
        "status": result.status,
        "word": WORDS.get(result.status, result.status),
        "reason": CONFIRM_REASON if result.confirmable else REASONS.get(result.status, ""),
        "tone": TONES.get(result.status, "bad"),
        "attendee": attendee or None,
        "when": parse_datetime(result.checked_in_at) if result.checked_in_at else None,
        "gate": result.gate,
        "show_when": result.status == ScanStatus.ALREADY,
        "timing": result.timing,
        "confirmable": result.confirmable,
    }


def _undo_context(request: HttpRequest, gate: str) -> dict:
    return {"last": checkin.last_undoable(event=request.event, gate=gate, device_or_user=request.user),
            "gate": gate}


@event_view(roles=STAFF)
def desk(request: HttpRequest) -> HttpResponse:
    gate = _gate(request)
    return render(request, "checkin/desk.html", {"gate": gate, "desk_texts": desk_texts(),
                                                 **_undo_context(request, gate)})


def _confirmed(request: HttpRequest) -> bool:
    """The person at the desk confirmed an admission outside the event's dates (see checkin._check_dates)."""
    return request.POST.get("confirm_outside_dates") == "1"


def _answer(request: HttpRequest, result: ScanResult | None, error: str = "") -> HttpResponse:
    gate = _gate(request)
    context = {"error": error, **_undo_context(request, gate)}
    if result is not None:
        context.update(result_context(result))
        if result.timing:
            first, last = checkin.checkin_window(request.event)
            context.update(window_first=first, window_last=last, retry=request.POST)
    response = render(request, "checkin/_desk_result.html", context, status=400 if error else 200)
    response["X-Scan-Status"] = result.status if result else "error"
    return response


@event_view(roles=STAFF)
@require_POST
def scan(request: HttpRequest) -> HttpResponse:
    try:
        result = checkin.redeem_badge(code=request.POST.get("code", "")[:400], gate=_gate(request),
                                      nonce=request.POST.get("nonce", ""), device_or_user=request.user,
                                      event=request.event, confirmed_outside_dates=_confirmed(request))
    except CheckinError as e:
        return _answer(request, None, error_text(e.code))
    return _answer(request, result)


@event_view(roles=STAFF)
@require_POST
def manual(request: HttpRequest) -> HttpResponse:
    try:
        registration_id = parse_id(request.POST.get("registration", ""))
    except NumberError:
        return _answer(request, None, error_text("not_found"))
    try:
        result = checkin.checkin_registration(registration_id=registration_id, gate=_gate(request),
                                              nonce=request.POST.get("nonce", ""), device_or_user=request.user,
                                              event=request.event, confirmed_outside_dates=_confirmed(request))
    except CheckinError as e:
        return _answer(request, None, error_text(e.code))
    return _answer(request, result)


@event_view(roles=STAFF)
@require_POST
def undo(request: HttpRequest) -> HttpResponse:
    gate = _gate(request)
    try:
        undone = checkin.annul_last_checkin(gate=gate, device_or_user=request.user, event=request.event)
    except CheckinError as e:
        return _answer(request, None, error_text(e.code))
    context = {"undone": undone, **_undo_context(request, gate)}
    response = render(request, "checkin/_desk_result.html", context)
    response["X-Scan-Status"] = "undone"
    return response


@event_view(roles=STAFF)
@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    results = checkin.lookup(event=request.event, query=query)
    return render(request, "checkin/_desk_lookup.html", {"results": results, "query": query,
                                                          "gate": _gate(request)})
