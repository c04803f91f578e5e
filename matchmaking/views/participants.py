"""Profiles, recommendations and meeting requests, as buyers and producers see them."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import Product
from eventsite.access import event_view
from eventsite.errors import DomainError
from eventsite.models import Organization

from ..forms import AnswerForm, BuyerProfileForm, ProducerProfileForm, RequestForm
from ..models import BuyerProfile, MeetingRequest, MeetingSlot, ProducerProfile, Side
from ..queries import requests_for
from ..services import profiles, recommendations, requests
from ..services.participants import organization_ids_of
from .common import PARTICIPANTS, participant_or_403, report_error

PAGE_SIZE = 50


@event_view(roles=PARTICIPANTS)
def profile(request):
    me = participant_or_403(request)
    event = request.event
    if me.is_buyer:
        current = BuyerProfile.objects.filter(event=event, organization=me.organization).first()
        initial = {f: getattr(current, f) for f in ("groups", "subgroups", "min_stars", "volume", "certifications",
                                                    "channels", "needs")} if current else {}
        form = BuyerProfileForm(request.POST or None, initial=initial)
    else:
        current = ProducerProfile.objects.filter(event=event, organization=me.organization).first()
        own = Product.objects.certified().filter(producer=me.organization)
        initial = {"products": list(current.products.all()), "capacity": current.capacity,
                   "certifications": current.certifications, "channels": current.channels,
                   "pitch": current.pitch} if current else {}
        form = ProducerProfileForm(request.POST or None, initial=initial, products=own)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if me.is_buyer:
                profiles.save_buyer_profile(event=event, organization=me.organization, **data)
            else:
                data["product_ids"] = [p.pk for p in data.pop("products")]
                profiles.save_producer_profile(event=event, organization=me.organization, **data)
        except DomainError as e:
            report_error(request, e)
        else:
            messages.success(request, _("Your matchmaking profile is saved."))
            return redirect("matchmaking:recommendations", event_slug=event.slug)
    return render(request, "matchmaking/profile.html", {"form": form, "me": me, "has_profile": current is not None})


@event_view(roles=PARTICIPANTS)
def recommendations_page(request):
    me = participant_or_403(request)
    event = request.event
    if me.is_buyer:
        matches = recommendations.recommend_producers(event=event, buyer=me.organization)
        has_profile = BuyerProfile.objects.filter(event=event, organization=me.organization).exists()
    else:
        matches = recommendations.recommend_buyers(event=event, producer=me.organization)
        has_profile = True
    live = dict(
        MeetingRequest.objects.filter(event=event, status__in=requests.LIVE)
        .filter(**{me.side: me.organization})
        .values_list("producer_id" if me.is_buyer else "buyer_id", "status"))
    rows = [(m, MeetingRequest.Status(live[m.organization.pk]).label if m.organization.pk in live else "")
            for m in matches]
    return render(request, "matchmaking/recommendations.html",
                  {"rows": rows, "me": me, "has_profile": has_profile})


@event_view(roles=PARTICIPANTS)
def request_new(request, org_id: int):
    me = participant_or_403(request)
    event = request.event
    counterpart = Organization.objects.filter(pk=org_id).first()
    if counterpart is None:
        raise Http404
    producer = me.organization if not me.is_buyer else counterpart
    form = RequestForm(request.POST or None, products=Product.objects.certified().filter(producer=producer))
    if request.method == "POST" and form.is_valid():
        try:
            requests.create_request(
                event=event, sender=me.organization, side=me.side, counterpart=counterpart, user=request.user,
                message=form.cleaned_data["message"], product_ids=[p.pk for p in form.cleaned_data["products"]],
                party_size=form.cleaned_data["party_size"])
        except DomainError as e:
            report_error(request, e)
        else:
            messages.success(request, _("Your request was sent to %(name)s.") % {"name": counterpart.name})
            return redirect("matchmaking:requests", event_slug=event.slug)
    return render(request, "matchmaking/request_new.html", {"form": form, "counterpart": counterpart, "me": me})


@event_view(roles=PARTICIPANTS)
def request_list(request):
    me = participant_or_403(request)
    event = request.event
    requests.expire_stale_requests(event=event)
    mine = organization_ids_of(request.user, event)
    qs = requests_for(event, mine)
    status = request.GET.get("status", "")
    if status in MeetingRequest.Status.values:
        qs = qs.filter(status=status)
    # Requests still waiting for an answer first, newest first within each part.
    qs = qs.order_by(Case(When(status__in=requests.WAITING, then=0), default=1), "-created_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for r in page:
        my_side = Side.BUYER if r.buyer_id in mine else Side.PRODUCER
        rows.append({"r": r, "incoming": r.from_side != my_side, "other": r.producer if my_side == Side.BUYER
                     else r.buyer, "my_turn": r.status in requests.WAITING and r.recipient_side() == my_side
                     and not r.is_expired})
    slots = MeetingSlot.objects.filter(session__event=event).select_related("session")
    return render(request, "matchmaking/requests.html", {
        "rows": rows, "page": page, "me": me, "slots": slots, "status": status,
        "statuses": MeetingRequest.Status.choices,
    })


@event_view(roles=PARTICIPANTS)
@require_POST
def request_answer(request, pk: int):
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an answer."))
    else:
        try:
            r = requests.respond_to_request(event=request.event, request_id=pk, user=request.user,
                                            action=form.cleaned_data["action"], slot_id=form.cleaned_data["slot"],
                                            answer=form.cleaned_data["answer"])
        except DomainError as e:
            report_error(request, e)
        else:
            messages.success(request, _("Answer recorded: %(status)s.") % {"status": r.get_status_display()})
    return redirect("matchmaking:requests", event_slug=request.event.slug)


@event_view(roles=PARTICIPANTS)
@require_POST
def request_cancel(request, pk: int):
    try:
        requests.cancel_request(event=request.event, request_id=pk, user=request.user)
    except DomainError as e:
        report_error(request, e)
    else:
        messages.success(request, _("The request is cancelled."))
    return redirect("matchmaking:requests", event_slug=request.event.slug)
