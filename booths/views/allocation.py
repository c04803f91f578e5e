"""Organizer: compute an allocation proposal, see it on the plan with explanations, commit it."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eventsite.access import ORGANIZER, event_view
from eventsite.errors import DomainError

from ..models import AllocationRun
from ..services.allocate import commit_allocation, propose_allocation
from .plan import plan_context


@event_view(roles=ORGANIZER)
def allocation(request):
    event = request.event
    if request.method == "POST":
        propose_allocation(event=event, by_user=request.user,
                           avoid_same_subgroup_neighbours=request.POST.get("avoid_neighbours") == "on")
        messages.success(request, _("A new proposal is ready. Nothing is booked until you commit it."))
        return redirect("booths:allocation", event_slug=event.slug)
    run = AllocationRun.objects.filter(event=event, status=AllocationRun.Status.PROPOSED).first()
    items = []
    proposal = {}
    if run is not None:
        items = list(run.items.select_related("booth", "application__organization")
                     .order_by("-priority", "application__organization__name"))
        proposal = {i.booth_id: i.application.organization.name for i in items if i.booth_id}
    context = plan_context(request, proposal=proposal)
    context.update(run=run, items=items, assigned=sum(1 for i in items if i.booth_id))
    return render(request, "booths/allocation.html", context)


@require_POST
@event_view(roles=ORGANIZER)
def commit(request, run_id: int):
    run = get_object_or_404(AllocationRun, pk=run_id, event=request.event)
    try:
        booked, failed = commit_allocation(run=run, by_user=request.user)
    except DomainError:
        messages.error(request, _("This proposal was already committed or discarded."))
        return redirect("booths:allocation", event_slug=request.event.slug)
    messages.success(request, _("%(n)d booths booked from the proposal.") % {"n": booked})
    for item, reason in failed:
        messages.warning(request, _("%(org)s not booked: %(reason)s") % {
            "org": item.application.organization.name, "reason": reason})
    return redirect("booths:manage", event_slug=request.event.slug)
