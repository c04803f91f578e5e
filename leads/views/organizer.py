"""The organizer's view of booth visits: figures per booth, per product group and per product, and the
lead-capture settings (staff accounts per booth). No personal data."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from eventsite.access import ORGANIZER, event_view

from ..forms import LeadSettingsForm
from ..services import report, staff


@event_view(roles=ORGANIZER)
def report_page(request):
    event = request.event
    current = staff.settings_for(event)
    form = LeadSettingsForm(request.POST or None, initial={"staff_per_booth": current.staff_per_booth})
    if request.method == "POST" and form.is_valid():
        staff.update_settings(event=event, staff_per_booth=form.cleaned_data["staff_per_booth"], actor=request.user)
        messages.success(request, _("Settings saved."))
        return redirect("leads:report", event_slug=event.slug)
    booths = report.visits_per_booth(event)
    return render(request, "leads/report.html", {
        "form": form, "booths": booths, "groups": report.visits_per_group(event),
        "products": report.top_products(event), "halls": report.heat_map(event),
        "total": sum(b["visitors"] for b in booths),
    })


