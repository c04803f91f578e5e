"""The attendee's own page at an event: their registration, its state and their badge."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from eventsite.access import event_view

from ..models import Registration, RegistrationStatus


@event_view()
def my_event(request: HttpRequest) -> HttpResponse:
    """Signed-in visitors see the registrations linked to their account here (anonymous ones a way to log in)."""
    registrations = []
    if request.user.is_authenticated:
        registrations = list(
            Registration.objects.filter(event=request.event, user=request.user)
            .select_related("organization").order_by("-created_at")
        )
    return render(request, "registration/my_event.html", {
        "registrations": registrations, "Status": RegistrationStatus,
        "roles": sorted(request.event_roles),
    })
