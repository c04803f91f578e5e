"""The floor plan everyone sees (and exhibitors book on), its live state, and each booth's public page."""

from __future__ import annotations

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from catalog.models import Product
from eventsite.access import ORGANIZER, event_view

from ..models import (
    Booking,
    BoothKind,
    BoothSettings,
    PaymentRequest,
    PaymentStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from ..selectors import application_of
from ..services.state import STATUSES, plan_for, plan_state
from ..signs import render_booth_sign, render_booth_signs

STATUS_LABELS = {
    "free": _("Free"), "held": _("Held"), "reserved": _("Reserved"), "confirmed": _("Confirmed"),
    "blocked": _("Blocked"),
}


def plan_context(request, *, proposal: dict | None = None) -> dict:
    event = request.event
    application = application_of(request.user, event)
    my_bookings = []
    waitlist = []
    if application is not None:
        my_bookings = list(Booking.objects.filter(application=application).active()
                           .select_related("booth").order_by("booth__code"))
        payments = {p.booking_id: p for p in PaymentRequest.objects.filter(
            booking__in=my_bookings).exclude(status__in=[PaymentStatus.CANCELLED, PaymentStatus.EXPIRED])}
        for b in my_bookings:
            b.payment = payments.get(b.pk)
        waitlist = list(WaitlistEntry.objects.filter(
            application=application, status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]))
    halls = plan_for(event)
    if proposal:
        for _hall, placed in halls:
            for p in placed:
                p.proposed = proposal.get(p.booth.pk, "")
    return {
        "halls": halls,
        "application": application,
        "can_book": bool(application and application.is_approved),
        "my_bookings": my_bookings,
        "waitlist": waitlist,
        "rules": BoothSettings.for_event(event),
        "status_labels": [(s, STATUS_LABELS[s]) for s in STATUSES],
        "booth_kinds": BoothKind.choices,
        "proposal": proposal or {},
        "now": timezone.now(),
    }


@event_view()
def floor_plan(request):
    return render(request, "booths/floor_plan.html", plan_context(request))


@require_GET
@event_view()
def plan_state_json(request):
    """Full state for a (re)connecting viewer; live messages then carry only what changed."""
    return JsonResponse({"booths": plan_state(request.event)})


@event_view()
def booth_page(request, code: str):
    """A booth's catalog page (the QR on its printed sign points here): who exhibits and what."""
    booth = get_object_or_404(request.event.booths.select_related("hall", "zone"), code=code)
    booking = (Booking.objects.filter(booth=booth).active().select_related("application__organization").first())
    products = []
    if booking is not None and not booth.blocked:
        products = list(Product.objects.filter(producer=booking.application.organization)
                        .select_related("producer").order_by("name"))
    else:
        booking = None
    return render(request, "booths/booth_page.html", {"booth": booth, "booking": booking, "products": products,
                                                      "today": timezone.localdate()})


@event_view()
def booth_sign(request, code: str):
    booth = get_object_or_404(request.event.booths.select_related("hall"), code=code)
    booking = Booking.objects.filter(booth=booth).active().select_related("application__organization").first()
    if booking is None:
        raise Http404("No exhibitor in this booth")
    url = request.build_absolute_uri(booth_url(request.event.slug, booth.code))
    pdf = render_booth_sign(booth=booth, exhibitor=booking.application.organization, url=url,
                            event=request.event)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="booth-{booth.code}.pdf"'
    return response


def booth_url(event_slug: str, code: str) -> str:
    from django.urls import reverse

    return reverse("booths:booth_page", kwargs={"event_slug": event_slug, "code": code})


@event_view(roles=ORGANIZER)
def all_signs(request):
    """Every occupied booth's sign in one PDF, in booth-code order, for the print shop."""
    bookings = (Booking.objects.filter(event=request.event).active()
                .select_related("booth__hall", "application__organization").order_by("booth__code"))
    signs = [(b.booth, b.application.organization,
              request.build_absolute_uri(booth_url(request.event.slug, b.booth.code))) for b in bookings
             if not b.booth.blocked]
    if not signs:
        raise Http404("No occupied booth")
    response = HttpResponse(render_booth_signs(event=request.event, signs=signs), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="booth-signs-{request.event.slug}.pdf"'
    return response
