"""Pages of the booth's people: scan, lead list, lead card, export, meeting request, agreement draft, staff."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eventsite.access import Role, event_view
from eventsite.errors import DomainError
from eventsite.numbers import id_or_none
from eventsite.ratelimit import ratelimit
from registration.services import tokens

from ..forms import InviteStaffForm, LeadForm, MeetingForm
from ..models import BoothStaff, Lead
from ..services import access, capture, cards, staff, use

MAX_BATCH = 200


BOOTH_PEOPLE = frozenset({Role.EXHIBITOR, Role.BOOTH_STAFF})


def _booth_people(view=None, *, landing: bool = False):
    """Exhibitors and booth staff (by role), then working at one of the event's booths (owner or staff): an
    exhibitor without a booth gets 403, except on the ``landing`` page (the lead list, where the menu leads), which
    says how to get a booth. Pages of one lead look the lead up first (404 for an id that names nothing), then
    answer 403 to people of another booth."""
    if view is None:
        return lambda v: _booth_people(v, landing=landing)

    @event_view(roles=BOOTH_PEOPLE)
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.lead_booths = list(access.lead_booths(request.user, request.event))
        if not request.lead_booths and not kwargs and not landing:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _booth_id(request) -> int | None:
    return id_or_none(request.GET.get("booth") or request.POST.get("booth"))


def _person_json(lead) -> dict:
    person = cards.person_of(lead)
    return {"name": person.name, "organization": person.organization, "buyer_type": person.buyer_type,
            "consented": person.consented, "email": person.email, "phone": person.phone,
            "job_title": person.job_title}


def _error(error: DomainError) -> JsonResponse:
    return JsonResponse({"status": "error", "reason": error.code, "message": error.message or str(error)},
                        status=error.status)


@_booth_people
def scan_page(request):
    event = request.event
    booth_id = _booth_id(request)
    booth = next((b for b in request.lead_booths if b.pk == booth_id), request.lead_booths[0])
    key = base64.urlsafe_b64encode(tokens.public_key(event.pk)).rstrip(b"=").decode()
    recent = cards.leads_for(request.user, event, booth.pk)[:10]
    return render(request, "leads/scan.html", {
        "booth": booth, "booths": request.lead_booths, "public_key": key, "recent": recent,
        "texts": {"online": _("Online"), "offline": _("OFFLINE"), "saved": _("LEAD SAVED"),
            "refused": _("NOT SAVED"),
            "offline_checked": _("Checked on this phone without a network."), "saved_offline": _(
            "Saved on this phone: the signature is genuine. Name and details appear after the upload."),
            "forged": _("This code is not a genuine badge of this event."),
            "malformed": _("The code could not be read. Scan again or type it."),
            "wrong_event": _("This badge is for another event."),
            "no_crypto": _("This browser cannot check badges offline."),
            "network": _("The server did not answer. Check the network and scan again."),
            "no_details": _("Contact details not shared"), "open": _("Open lead card"),
            "uploaded": _("Offline scans uploaded: %(n)s"),
            "camera": _("The camera could not be opened. Allow camera access or type the code.")},
    })


@_booth_people
@require_POST
@ratelimit("lead_scan", key="user")
def scan(request):
    """One scan, online: ``booth``, ``code``, ``nonce`` → the lead as this booth may see it (JSON)."""
    try:
        done = capture.capture_lead(event=request.event, booth_id=_booth_id(request),
                                    code=request.POST.get("code", "")[:400], nonce=request.POST.get("nonce", ""),
                                    user=request.user, booths=request.lead_booths)
    except DomainError as error:
        return _error(error)
    lead = done.lead
    return JsonResponse({"status": "ok", "created": done.created, "replayed": done.replayed, "lead": lead.pk,
                         "booth": lead.booth.code, "person": _person_json(lead),
                         "url": reverse("leads:card", args=[request.event.slug, lead.pk])})


@_booth_people
@require_POST
def upload(request):
    """Scans stored offline: ``{"booth": id, "scans": [{code, nonce, scanned_at}]}`` → one answer per nonce.
    Each goes through the same service as an online scan; its nonce makes a second upload change nothing."""
    try:
        body = json.loads(request.body or b"{}")
        scans = body["scans"]
        booth_id = id_or_none(body.get("booth"))
        if not isinstance(scans, list) or len(scans) > MAX_BATCH or not all(isinstance(s, dict) for s in scans):
            raise ValueError
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return JsonResponse({"status": "error", "reason": "bad_batch"}, status=400)
    results = []
    for item in scans:
        nonce = str(item.get("nonce", ""))[:64]
        when = parse_datetime(str(item.get("scanned_at", ""))[:40]) if item.get("scanned_at") else None
        when = when if isinstance(when, datetime) and when.tzinfo else None
        try:
            done = capture.capture_lead(event=request.event, booth_id=booth_id, code=str(item.get("code", ""))[:400],
                                        nonce=nonce, user=request.user, scanned_at=when, offline=True,
                                        booths=request.lead_booths)
        except access.NotBoothStaff as error:
            return _error(error)
        except DomainError as error:
            results.append({"n": nonce, "s": error.code, "m": error.message})
        else:
            results.append({"n": nonce, "s": "ok", "lead": done.lead.pk, "person": _person_json(done.lead)})
    return JsonResponse({"results": results})


@_booth_people(landing=True)
def lead_list(request):
    booth_id = _booth_id(request)
    leads = cards.leads_for(request.user, request.event, booth_id).order_by("-last_scanned_at", "-pk")
    rows = [(lead, cards.person_of(lead)) for lead in leads]
    return render(request, "leads/list.html", {"rows": rows, "booths": request.lead_booths, "booth_id": booth_id,
                                               "owned": access.owned_booths(request.user, request.event).exists()})


@_booth_people
def export(request, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    if not request.lead_booths:
        raise PermissionDenied
    booth_id = _booth_id(request)
    content, content_type = use.export_leads(cards.leads_for(request.user, request.event, booth_id), fmt,
                                             title=_("Leads"))
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="leads-{request.event.slug}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def _lead_or_403(request, lead_id):
    if not Lead.objects.filter(event=request.event, pk=lead_id).exists():
        raise Http404("no such lead")
    try:
        return cards.lead_for(request.user, request.event, lead_id)
    except access.NotBoothStaff:
        raise PermissionDenied from None


@_booth_people
def lead_card(request, lead_id):
    lead = _lead_or_403(request, lead_id)
    catalog = cards.catalog_for(lead)
    form = LeadForm(request.POST or None, instance=lead, catalog=catalog)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cards.update_lead(event=request.event, lead_id=lead.pk, user=request.user, interest=data["interest"],
                              product_ids=[p.pk for p in data["products"]], note=data["note"],
                              follow_up_on=data["follow_up_on"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Lead saved."))
            return redirect("leads:card", event_slug=request.event.slug, lead_id=lead.pk)
    owner = access.booth_owner(lead.booth)
    return render(request, "leads/card.html", {
        "lead": lead, "person": cards.person_of(lead), "form": form, "meeting_form": MeetingForm(),
        "may_propose": owner is not None and owner.pk in access.exhibitor_org_ids(request.user, request.event),
    })


@_booth_people
@require_POST
def propose_meeting(request, lead_id):
    lead = _lead_or_403(request, lead_id)
    form = MeetingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please write a short message to introduce your request."))
    else:
        try:
            use.propose_meeting(event=request.event, lead=lead, user=request.user,
                                message=form.cleaned_data["message"])
        except access.NotBoothStaff:
            raise PermissionDenied from None
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Meeting request sent to %(buyer)s.") % {
                "buyer": lead.registration.organization.name})
    return redirect("leads:card", event_slug=request.event.slug, lead_id=lead.pk)


@_booth_people
def agreement_draft(request, lead_id):
    lead = _lead_or_403(request, lead_id)
    return redirect(use.agreement_url(event=request.event, lead=lead))


@_booth_people
def staff_page(request):
    event = request.event
    owned = list(access.owned_booths(request.user, event).order_by("code"))
    if not owned:
        raise PermissionDenied
    form = InviteStaffForm(request.POST or None, booths=owned)
    if request.method == "POST" and form.is_valid():
        booth = next(b for b in owned if b.pk == form.cleaned_data["booth"])
        try:
            staff.invite_staff(event=event, booth=booth, email=form.cleaned_data["email"], invited_by=request.user,
                               site_url=request.build_absolute_uri("/"))
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("leads:staff", event_slug=event.slug)
    rows = [(b, list(BoothStaff.objects.filter(booth=b).select_related("user")),
             list(staff.pending_invitations(b))) for b in owned]
    return render(request, "leads/staff.html", {"form": form, "rows": rows,
                                                "limit": staff.settings_for(event).staff_per_booth})


@_booth_people
@require_POST
def staff_remove(request, staff_id):
    member = BoothStaff.objects.filter(pk=staff_id, event=request.event).select_related("booth").first()
    if member is None:
        raise Http404
    try:
        staff.remove_staff(event=request.event, staff=member, actor=request.user)
    except access.NotBoothStaff:
        raise PermissionDenied from None
    messages.success(request, _("Removed."))
    return redirect("leads:staff", event_slug=request.event.slug)
