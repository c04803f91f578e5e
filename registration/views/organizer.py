"""The organizer's registration list: search, filters, counts, bulk decisions, settings (exports run in the
background: eventsite/reports.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eventsite.access import ORGANIZER, event_view

from ..forms import BulkActionForm, QuestionFormSet, RegistrationFilterForm, SettingsForm
from ..models import Registration, RegistrationStatus
from ..services import registrations as svc
from ..services.queries import RegistrationFilter, filter_registrations, with_labels

PER_PAGE = 50
# The columns the list shows (and the bulk checkboxes use): not the search text, answers or needs.
LIST_FIELDS = ("id", "event_id", "full_name", "job_title", "company", "buyer_type", "email", "phone", "role",
               "province_code", "status", "created_at")


@event_view(roles=ORGANIZER)
def registration_list(request):
    event = request.event
    filters = RegistrationFilterForm(request.GET or None)
    chosen = filters.to_filter()
    registrations = filter_registrations(event, chosen).only(*LIST_FIELDS)
    counts = svc.counts_by_status(event)
    paginator = Paginator(registrations, PER_PAGE)
    if chosen == RegistrationFilter(status=chosen.status):
        # No search or filter beyond the status: the status counts already give the size, no COUNT(*) needed.
        paginator.count = counts.get(chosen.status, 0) if chosen.status else sum(counts.values())
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = with_labels(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "registration/list.html", {
        "filters": filters, "page": page, "bulk": BulkActionForm(),
        "status_counts": [(value, label, counts[value]) for value, label in RegistrationStatus.choices],
        "total": sum(counts.values()), "query": query.urlencode(),
        "settings": svc.settings_for(event),
    })


@event_view(roles=ORGANIZER)
def registration_detail(request, registration_id: int):
    """One registration for its event's organizers: the person, the decision, the badge, and its history from the
    activity log (sign-up, decisions, consent, every scan at a gate and every undone admission)."""
    registration = get_object_or_404(Registration.objects.select_related("badge", "decided_by"),
                                     pk=registration_id, event=request.event)
    return render(request, "registration/detail.html", {"registration": with_labels([registration])[0]})


@event_view(roles=ORGANIZER)
@require_POST
def bulk_decide(request):
    event = request.event
    form = BulkActionForm(request.POST)
    back = request.POST.get("next", "")
    # A path on this site only: redirect() would take any other text ("inf") for a view name and fail with a 500.
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        result = svc.decide_many(event=event, action=form.cleaned_data["action"],
                                 registration_ids=form.cleaned_data["ids"], by=request.user)
        labels = dict(RegistrationStatus.choices)
        parts = [f"{labels[s]}: {n}" for s, n in result.items() if s != "skipped" and n]
        if result["skipped"]:
            parts.append(_("not changed: %(n)d") % {"n": result["skipped"]})
        messages.success(request, _("Done. %(summary)s") % {"summary": "; ".join(parts) or _("nothing changed")})
    return redirect(back or reverse("registration:list", kwargs={"event_slug": event.slug}))


@event_view(roles=ORGANIZER)
def registration_settings(request):
    event = request.event
    settings = svc.settings_for(event)
    form = SettingsForm(request.POST or None, instance=settings)
    questions = QuestionFormSet(request.POST or None, instance=settings, prefix="questions")
    if request.method == "POST" and form.is_valid() and questions.is_valid():
        try:
            with transaction.atomic():
                svc.update_settings(event=event, **form.cleaned_data)
                questions.save()
        except svc.RegistrationError as exc:
            form.add_error("buyer_capacity", exc.message)
        else:
            messages.success(request, _("Registration settings saved."))
            return redirect("registration:settings", event_slug=event.slug)
    return render(request, "registration/settings.html", {"form": form, "questions": questions})
