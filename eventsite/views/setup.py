"""Creating and setting up an event: details (step 1), copy from an earlier event (step 2), checklist, preview
and publishing (step 3)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import event_setup
from ..access import ORGANIZER, event_view
from ..apps import collect_setup_checks
from ..forms import CopyForm, EventDetailsForm, province_names
from ..rules import organizations_of

DETAILS = ["name", "starts_at", "ends_at", "venue", "province_at_event", "province_code", "description"]


def _form_errors(form, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
def event_create(request):
    organizations = organizations_of(request.user)
    if not organizations.exists():
        raise PermissionDenied
    start, end = event_setup.default_dates()
    form = EventDetailsForm(request.POST or None, organizations=organizations,
                            initial={"starts_at": start, "ends_at": end})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not request.user.has_perm("eventsite.create_event", data["organization"]):
            raise PermissionDenied
        try:
            event = event_setup.create_event(organization=data["organization"], actor=request.user,
                                             slug=data["slug"], **{k: data[k] for k in DETAILS})
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Draft event created at /e/%(slug)s/. Only organizers see it until you "
                                        "publish it.") % {"slug": event.slug})
            return redirect("event_copy", event_slug=event.slug)
    return render(request, "eventsite/event_form.html",
                  {"form": form, "province_names": province_names(), "step": 1, "creating": True})


@event_view(roles=ORGANIZER)
def event_edit(request):
    event = request.event
    form = EventDetailsForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event_setup.update_event(event=event, actor=request.user, slug=data["slug"] or event.slug,
                                     **{k: data[k] for k in DETAILS})
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Event details saved."))
            return redirect("event_setup", event_slug=event.slug)
    return render(request, "eventsite/event_form.html",
                  {"form": form, "province_names": province_names(), "creating": False})


@event_view(roles=ORGANIZER)
def event_copy(request):
    event = request.event
    sources = event_setup.copy_sources(event)
    form = CopyForm(request.POST or None, sources=sources)
    if request.method == "POST" and "skip" in request.POST:
        return redirect("event_setup", event_slug=event.slug)
    if request.method == "POST" and form.is_valid():
        try:
            summary = event_setup.copy_event(source=form.cleaned_data["source"], target=event,
                                             parts=form.cleaned_data["parts"], actor=request.user)
        except event_setup.SetupError as error:
            messages.error(request, error.message)
        else:
            request.session["copy_summary"] = [(str(label), count) for label, count in summary]
            request.session["copy_source"] = form.cleaned_data["source"].name
            return redirect("event_setup", event_slug=event.slug)
    return render(request, "eventsite/event_copy.html", {"form": form, "has_sources": sources.exists(), "step": 2})


@event_view(roles=ORGANIZER)
def event_setup_page(request):
    summary = request.session.pop("copy_summary", None)
    source = request.session.pop("copy_source", None)
    checks = collect_setup_checks(request.event)
    return render(request, "eventsite/event_setup.html", {
        "checks": checks, "all_done": all(c.done for c in checks), "summary": summary, "source": source,
        "step": 3})


@require_POST
@event_view(roles=ORGANIZER)
def event_publish(request):
    publish = request.POST.get("publish") == "1"
    event_setup.publish_event(event=request.event, actor=request.user, publish=publish)
    messages.success(request, _("The event is public now.") if publish
                     else _("The event is a draft again: only organizers see it."))
    return redirect("event_setup", event_slug=request.event.slug)
