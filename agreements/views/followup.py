"""Follow-through pages: the report through an emailed link (no login), the same form on a member's agreement,
and the organizer's follow-through dashboard with its check points and "called on" notes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eventsite.access import event_view
from eventsite.activity import log_action
from eventsite.errors import DomainError
from eventsite.models import EventRole
from eventsite.ratelimit import ratelimit

from ..apps import MEMBERS
from ..followup_forms import CallNoteForm, CheckPointsForm, FollowupReportForm
from ..models import Agreement
from ..models_followup import CallNote, FollowupReport
from ..services import followup
from ..services.followup_board import followup_board
from ..services.parties import member_org_ids
from ..tasks import send_followup_confirmation
from .entry import is_organizer

ORGANIZER = frozenset({EventRole.Role.ORGANIZER})


def _invalid(request, error: followup.LinkInvalid):
    status = 410 if error.code in ("used", "expired", "not_a_party") else 404
    return render(request, "agreements/followup/link_invalid.html", {"error": error}, status=status)


def _render_form(request, *, agreement, organization, checkpoint, form, status=200, via_link=True):
    previous = (FollowupReport.objects.filter(agreement=agreement, organization=organization, checkpoint=checkpoint,
                                              current=True).first())
    return render(request, "agreements/followup/report.html", {
        "agreement": agreement, "organization": organization, "checkpoint": checkpoint, "form": form,
        "previous": previous, "via_link": via_link}, status=status)


@event_view()
@ratelimit("followup_link", key="ip", methods=("GET", "POST"))
def followup_report(request, token: str):
    """A party's report through its emailed link: no account, the link is its key, once."""
    try:
        link = followup.read_link(token)
    except followup.LinkInvalid as error:
        return _invalid(request, error)
    agreement = link.agreement
    if agreement.event_id != request.event.pk:
        return _invalid(request, followup.LinkInvalid(_("This link is not valid. Check that it was copied whole.")))
    products = list(agreement.products.order_by("name"))
    form = FollowupReportForm(request.POST if request.method == "POST" else None, products=products)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                done = followup.submit_report(agreement=agreement, organization=link.organization,
                                              checkpoint=link.checkpoint, data=form.to_data(),
                                              via=FollowupReport.Via.LINK, link=link)
                site = request.build_absolute_uri("/").rstrip("/")
                send_followup_confirmation.enqueue(
                    email=link.email, agreement_id=agreement.pk, organization_id=link.organization_id,
                    checkpoint_id=link.checkpoint_id, token=done.correction_token, closes=done.closes.isoformat(),
                    site=site)
        except followup.LinkInvalid as error:
            return _invalid(request, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return render(request, "agreements/followup/thanks.html", {
                "agreement": agreement, "organization": link.organization, "report": done.report,
                "closes": done.closes, "email": link.email})
    return _render_form(request, agreement=agreement, organization=link.organization, checkpoint=link.checkpoint,
                        form=form, status=400 if form.errors else 200)


@event_view(roles=MEMBERS)
def member_report(request, pk: int):
    """The same form for a signed-in exhibitor or buyer of a party, at the check point open today."""
    agreement = get_object_or_404(Agreement.objects.select_related("event"), pk=pk, event=request.event)
    organization = followup.party_of(agreement, member_org_ids(request.user, request.event))
    if organization is None:
        raise PermissionDenied
    points = followup.checkpoints_of(request.event)
    checkpoint = followup.open_checkpoint(agreement, points)
    if checkpoint is None or not agreement.counts:
        messages.info(request, _("No follow-through check point is open for this agreement now."))
        return redirect(agreement.get_absolute_url())
    data = request.POST if request.method == "POST" else None
    form = FollowupReportForm(data, products=list(agreement.products.order_by("name")))
    if request.method == "POST" and form.is_valid():
        try:
            followup.submit_report(agreement=agreement, organization=organization, checkpoint=checkpoint,
                                   data=form.to_data(), via=FollowupReport.Via.ACCOUNT, actor=request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Thank you: your follow-through report was saved."))
            return redirect(agreement.get_absolute_url())
    return _render_form(request, agreement=agreement, organization=organization, checkpoint=checkpoint, form=form,
                        status=400 if form.errors else 200, via_link=False)


@event_view(roles=ORGANIZER)
def followup_dashboard(request):
    event = request.event
    followup.checkpoints_of(event)
    board = followup_board(event)
    return render(request, "agreements/followup/dashboard.html", {
        "board": board, "organizer": is_organizer(request),
        "checkpoints_form": CheckPointsForm(initial={"months": ", ".join(map(str, board.checkpoints))}),
        "call_form": CallNoteForm(),
        "charts": [("kind", _("By kind"), board.by_kind), ("province", _("By partner province"), board.by_province),
                   ("buyer", _("By buyer"), board.by_buyer),
                   ("product_group", _("By product group"), board.by_product_group)],
    })


@event_view(roles=ORGANIZER)
@require_POST
def followup_checkpoints(request):
    form = CheckPointsForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["months"]))
    else:
        try:
            kept = followup.set_checkpoints(event=request.event, months=form.cleaned_data["months"],
                                            actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Check points saved."))
            if kept:
                messages.warning(request, _("Check points that already have reports or requests were kept: "
                                            "%(m)s months.") % {"m": ", ".join(map(str, kept))})
    return redirect("agreements:followup", event_slug=request.event.slug)


@event_view(roles=ORGANIZER)
@require_POST
def add_call_note(request, pk: int):
    agreement = get_object_or_404(Agreement, pk=pk, event=request.event)
    form = CallNoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the day of the call."))
    else:
        with transaction.atomic():
            note = CallNote.objects.create(agreement=agreement, author=request.user, **form.cleaned_data)
            log_action(action="agreements.followup_called", obj=agreement, actor=request.user,
                       after={"called_on": note.called_on, "note": note.note})
        messages.success(request, _("Call noted."))
    return redirect("agreements:followup", event_slug=request.event.slug)

