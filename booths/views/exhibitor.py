"""Exhibitor self-service on the plan: hold, reserve, cancel, waitlist. Each view calls one service."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eventsite.access import Role, event_view
from eventsite.errors import DomainError

from ..models import Booking, Booth, BoothKind, ExhibitorApplication
from ..selectors import application_of
from ..services import booking as svc
from .responses import done, refused, safe_next

EXHIBITOR = frozenset({Role.EXHIBITOR})


def _plan_url(request) -> str:
    return safe_next(request, reverse("booths:floor_plan", kwargs={"event_slug": request.event.slug}))


def _my_application(request) -> ExhibitorApplication:
    application = application_of(request.user, request.event)
    if application is None:
        raise PermissionDenied
    return application


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("Bad id") from None


@require_POST
@event_view(roles=EXHIBITOR)
def hold(request):
    application = _my_application(request)
    try:
        booking = svc.hold_booth(booth_id=_int(request.POST.get("booth")), application=application,
                                 by_user=request.user)
    except Booth.DoesNotExist:
        raise Http404("No such booth") from None
    except DomainError as error:
        return refused(request, error, _plan_url(request))
    message = _("Booth %(code)s is held for you until %(time)s. Reserve it to keep it.") % {
        "code": booking.booth.code, "time": _local_time(booking.hold_expires_at)}
    return done(request, message, _plan_url(request), booking=booking.pk, booth=booking.booth.code)


def _local_time(moment) -> str:
    from django.utils import formats, timezone

    return formats.time_format(timezone.localtime(moment), "H:i")


@require_POST
@event_view(roles=EXHIBITOR)
def reserve(request):
    application = _my_application(request)
    try:
        booking = svc.reserve_booking(booking_id=_int(request.POST.get("booking")), application=application,
                                      by_user=request.user)
    except Booking.DoesNotExist:
        raise Http404("No such booking") from None
    except DomainError as error:
        return refused(request, error, _plan_url(request))
    return done(request, _("Booth %(code)s is reserved. The organizer will confirm it.") % {
        "code": booking.booth.code}, _plan_url(request))


@require_POST
@event_view(roles=EXHIBITOR)
def cancel(request):
    application = _my_application(request)
    try:
        booking = svc.cancel_booking(booking_id=_int(request.POST.get("booking")), application=application,
                                     event_id=request.event.pk, by_user=request.user)
    except Booking.DoesNotExist:
        raise Http404("No such booking") from None
    except DomainError as error:
        return refused(request, error, _plan_url(request))
    return done(request, _("Your booking of booth %(code)s is cancelled.") % {"code": booking.booth.code},
                _plan_url(request))


@require_POST
@event_view(roles=EXHIBITOR)
def join_waitlist(request):
    application = _my_application(request)
    kind = request.POST.get("kind", "")
    if kind not in BoothKind.values:
        raise Http404("No such booth type")
    try:
        svc.join_waitlist(application=application, kind=kind)
    except DomainError as error:
        return refused(request, error, _plan_url(request))
    return done(request, _("You are on the waitlist for %(kind)s booths. When one frees up it is held for you "
                           "automatically.") % {"kind": BoothKind(kind).label}, _plan_url(request))


@require_POST
@event_view(roles=EXHIBITOR)
def leave_waitlist(request):
    application = _my_application(request)
    svc.leave_waitlist(application=application, entry_id=_int(request.POST.get("entry")))
    return done(request, _("You left the waitlist."), _plan_url(request))
