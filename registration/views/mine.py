"""The attendee's own page at an event: their registration, its state and their badge, then what the other apps
add through their ``my_event_parts`` hook (meetings, agreements)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from eventsite.access import event_view
from eventsite.apps import collect_my_parts

from ..models import Registration, RegistrationStatus


@event_view()
def my_event(request: HttpRequest) -> HttpResponse:
    """Signed-in visitors see the registrations linked to their account here (anonymous ones a way to log in)."""
    registrations, parts = [], []
    if request.user.is_authenticated:
        parts = collect_my_parts(request.event, request.user)
        registrations = list(
            Registration.objects.filter(event=request.event, user=request.user)
            .select_related("organization").order_by("-created_at")
        )
    return render(request, "registration/my_event.html", {
        "registrations": registrations, "Status": RegistrationStatus,
        "parts": parts,
    })
