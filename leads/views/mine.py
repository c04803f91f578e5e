"""The buyer's own page about lead capture: what exhibitors who scan them may see (consent, changeable at any
time), and which booths scanned them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from eventsite.access import event_view
from registration.models import Registration
from registration.services.consent import CONTACT_CONSENT, CONTACT_CONSENT_LABEL, set_contact_consent

from ..forms import ConsentForm
from ..services.cards import scanned_me


@login_required
@event_view()
def my_leads(request):
    registration = Registration.objects.filter(event=request.event, user=request.user).order_by("-pk").first()
    if registration is None:
        raise Http404("no registration")
    form = ConsentForm(request.POST or None, initial={"share_contact": registration.contact_shared})
    if request.method == "POST" and form.is_valid():
        set_contact_consent(registration=registration, shared=form.cleaned_data["share_contact"], actor=request.user)
        messages.success(request, _("Your choice is saved."))
        return redirect("leads:mine", event_slug=request.event.slug)
    last = registration.contact_consents.order_by("-given_at", "-pk").first()
    return render(request, "leads/mine.html", {
        "registration": registration, "form": form, "label": CONTACT_CONSENT_LABEL, "wording": CONTACT_CONSENT,
        "last": last,
        "scanned": scanned_me(request.event, request.user),
    })
