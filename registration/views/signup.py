"""The public buyer sign-up page, the link that confirms the registrant's email address, and the attendee's
own page at the event."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from eventsite.access import event_view
from eventsite.ratelimit import ratelimit

from ..forms import BuyerSignupForm
from ..models import Registration
from ..services import registrations as svc

SESSION_KEY = "registration_done"


@event_view()
@ratelimit("registration", key="ip")
def signup(request):
    """Whatever the address, an anonymous visitor gets the same answer ("check your email"): the page never
    tells whether an address is registered or in which state."""
    event = request.event
    settings = svc.settings_for(event)
    questions = list(settings.questions.all())
    mine = None
    if request.user.is_authenticated:
        mine = Registration.objects.filter(event=event, user=request.user, status__in=svc.ACTIVE).first()
    form = BuyerSignupForm(request.POST or None, questions=questions, initial=_initial(request))
    if request.method == "POST" and settings.is_open and form.is_valid():
        data = form.cleaned_data
        try:
            registration = svc.register_buyer(
                event=event, full_name=data["full_name"], company=data["company"], email=data["email"],
                phone=data["phone"], buyer_type=data["buyer_type"], job_title=data["job_title"],
                tax_code=data["tax_code"], province_code=data["province_code"],
                product_groups=data["product_groups"], needs=data["needs"], answers=form.answers(),
                user=request.user, language=translation.get_language() or "vi",
                site=request.build_absolute_uri("/").rstrip("/"), share_contact=data["share_contact"],
            )
        except svc.DuplicateRegistration as exc:  # only for a signed-in owner of the address: their own data
            status = exc.existing.get_status_display() if exc.existing is not None else ""
            form.add_error("email", _("This email address is already registered for this event (status: "
                                      "%(status)s). You do not need to register again.") % {"status": status})
        except svc.InvalidAnswers as exc:
            for key, message in exc.errors.items():
                form.add_error(f"q_{key}", message)
        except svc.RegistrationClosed as exc:
            messages.error(request, exc.message)
            return redirect("registration:signup", event_slug=event.slug)
        else:
            request.session[SESSION_KEY] = registration.pk if registration and registration.email_claimed else None
            return redirect("registration:signup_done", event_slug=event.slug)
    return render(request, "registration/signup.html", {
        "form": form, "settings": settings, "mine": mine,
    })


def _initial(request) -> dict:
    user = request.user
    if not user.is_authenticated:
        return {}
    return {"full_name": user.full_name, "email": user.email, "phone": user.phone}


@event_view()
def signup_done(request):
    """After a sign-up: the registration's state when the registrant proved the address (signed in with it),
    otherwise the same "confirm from your email" page for every address."""
    if SESSION_KEY not in request.session:
        return redirect("registration:signup", event_slug=request.event.slug)
    registration = Registration.objects.filter(
        event=request.event, pk=request.session.get(SESSION_KEY) or 0, email_claimed=True,
    ).first()
    return render(request, "registration/signup_done.html", {"registration": registration})


@event_view()
@ratelimit("registration", key="ip")
def claim(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the "confirm your address" email: shows what was registered with the address, and a POST
    (not the GET, which mail scanners open) confirms it."""
    try:
        registration = svc.registration_for_claim(request.event, token)
    except svc.ClaimInvalid as exc:
        return render(request, "registration/claim.html", {"error": exc.message}, status=400)
    if request.method == "POST":
        registration = svc.claim(registration=registration)
        request.session[SESSION_KEY] = registration.pk
        return redirect("registration:signup_done", event_slug=request.event.slug)
    return render(request, "registration/claim.html", {"registration": registration})
