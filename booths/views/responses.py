"""One way to answer a booking action: JSON (fetch/HTMX callers) or a message and a redirect (plain forms)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from eventsite.errors import DomainError


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "") or request.headers.get("HX-Request") == "true"


def done(request: HttpRequest, message: str, next_url: str, **data) -> HttpResponse:
    messages.success(request, message)  # also for JSON callers: the plan reloads and shows it
    if wants_json(request):
        return JsonResponse({"status": "ok", "message": message, **data})
    return redirect(next_url)


def refused(request: HttpRequest, error: DomainError, next_url: str) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"status": "error", "reason": error.code, "message": error.message},
                            status=error.status)
    messages.error(request, error.message)
    return redirect(next_url)


def safe_next(request: HttpRequest, default: str) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default
