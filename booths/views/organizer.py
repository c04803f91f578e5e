"""Organizer pages for booths: the plan with every booking, one booth's actions, and booking rules."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from eventsite.access import ORGANIZER, event_view
from eventsite.errors import DomainError

from ..models import ApplicationStatus, Booking, Booth, BoothSettings, ExhibitorApplication, PaymentRequest
from ..services import booking as svc
from .plan import plan_context
from .responses import done, refused


class BoothSettingsForm(forms.ModelForm):
    class Meta:
        model = BoothSettings
        fields = ["hold_minutes", "offer_minutes", "max_booths_per_exhibitor", "self_service_open"]


@event_view(roles=ORGANIZER)
def manage(request):
    rules = BoothSettings.for_event(request.event)
    form = BoothSettingsForm(request.POST or None, instance=rules)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Booking rules saved."))
        return redirect("booths:manage", event_slug=request.event.slug)
    context = plan_context(request)
    context["settings_form"] = form
    _attach_payments(request.event, context["halls"])
    return render(request, "booths/manage.html", context)


def _attach_payments(event, halls) -> None:
    """The organizer's plan lists each booth with its fee state (one query; never on the public plan)."""
    latest = {}
    for request in (PaymentRequest.objects.filter(event=event, booking__in=Booking.objects.filter(event=event).active())
                    .only("pk", "status", "booking__booth_id").select_related("booking").order_by("pk")):
        latest[request.booking.booth_id] = request
    for _hall, placed in halls:
        for p in placed:
            p.payment = latest.get(p.booth.pk)


@event_view(roles=ORGANIZER)
def manage_booth(request, code: str):
    booth = get_object_or_404(Booth.objects.select_related("hall", "zone"), event=request.event, code=code)
    booking = Booking.objects.filter(booth=booth).active().select_related("application__organization").first()
    payment = (PaymentRequest.objects.filter(booking=booking).order_by("-pk").first()
               if booking is not None else None)
    free_booths = (Booth.objects.filter(event=request.event, blocked=False).exclude(pk=booth.pk)
                   .exclude(pk__in=Booking.objects.filter(event=request.event).active().values("booth"))
                   .order_by("code"))
    occupied = (Booking.objects.filter(event=request.event).active().exclude(booth=booth)
                .select_related("booth", "application__organization").order_by("booth__code"))
    approved = (ExhibitorApplication.objects.filter(event=request.event, status=ApplicationStatus.APPROVED)
                .select_related("organization").order_by("organization__name"))
    return render(request, "booths/manage_booth.html", {
        "booth": booth, "booking": booking, "free_booths": free_booths, "occupied": occupied,
        "approved": approved, "payment": payment,
    })


ACTIONS = {
    "confirm": gettext_lazy("Booking confirmed."),
    "cancel": gettext_lazy("Booking cancelled."),
    "vacate": gettext_lazy("Booth vacated."),
    "assign": gettext_lazy("Booth assigned."),
    "move": gettext_lazy("Exhibitor moved."),
    "swap": gettext_lazy("Booths swapped."),
    "block": gettext_lazy("Booth blocked."),
    "unblock": gettext_lazy("Booth unblocked."),
}


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("Bad id") from None


@require_POST
@event_view(roles=ORGANIZER)
def booth_action(request, code: str, action: str):
    """One endpoint per organizer action on a booth; each calls exactly one booking service."""
    event = request.event
    booth = get_object_or_404(Booth, event=event, code=code)
    back = reverse("booths:manage_booth", kwargs={"event_slug": event.slug, "code": booth.code})
    post = request.POST
    try:
        if action == "confirm":
            svc.confirm_booking(booking_id=_int(post.get("booking")), event_id=event.pk, by_user=request.user)
        elif action == "cancel":
            svc.cancel_booking(booking_id=_int(post.get("booking")), event_id=event.pk, by_user=request.user)
        elif action == "vacate":
            svc.vacate_booth(booth_id=booth.pk, event_id=event.pk, by_user=request.user)
        elif action == "assign":
            svc.assign_booth(booth_id=booth.pk, application_id=_int(post.get("application")), event_id=event.pk,
                             by_user=request.user)
        elif action == "move":
            target = get_object_or_404(Booth, event=event, pk=_int(post.get("to_booth")))
            svc.move_booking(booking_id=_int(post.get("booking")), to_booth_id=target.pk, event_id=event.pk,
                             by_user=request.user)
            back = reverse("booths:manage_booth", kwargs={"event_slug": event.slug, "code": target.code})
        elif action == "swap":
            svc.swap_bookings(booking_a_id=_int(post.get("booking")), booking_b_id=_int(post.get("other")),
                              event_id=event.pk, by_user=request.user)
        elif action == "block":
            svc.block_booth(booth_id=booth.pk, event_id=event.pk, reason=post.get("reason", "")[:200],
                            by_user=request.user)
        elif action == "unblock":
            svc.unblock_booth(booth_id=booth.pk, event_id=event.pk, by_user=request.user)
        else:
            raise Http404("No such action")
    except (Booking.DoesNotExist, ExhibitorApplication.DoesNotExist, Booth.DoesNotExist):
        raise Http404("Not found") from None
    except DomainError as error:
        return refused(request, error, back)
    return done(request, str(ACTIONS[action]), back)
