"""Organizer: a simple plan editor — halls and zones (create, rename, resize), rows of booths, one booth's place."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.ocop import ProductGroup
from eventsite.access import ORGANIZER, event_view
from eventsite.numbers import BoundedDecimalField, BoundedIntegerField, BoundedModelChoiceField

from ..models import Booth, BoothKind, Hall, Zone
from ..services import floorplan as svc
from .plan import plan_context

metres = dict(min_value=0, max_value=1000, decimal_places=2, max_digits=7)


MAX_PRICE = 10**12  # a trillion đồng: far above any booth, far below the column's limit
hall_metres = dict(min_value=1, max_value=1000, decimal_places=2, max_digits=7)


class HallForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Hall name"), max_length=100)
    width_m = BoundedDecimalField(label=gettext_lazy("Width (m)"), **hall_metres)
    depth_m = BoundedDecimalField(label=gettext_lazy("Depth (m)"), **hall_metres)

    def service_values(self) -> dict:
        d = self.cleaned_data
        return {"name": d["name"].strip(), "width_m": float(d["width_m"]), "depth_m": float(d["depth_m"])}


class ZoneForm(forms.Form):
    hall = BoundedModelChoiceField(label=gettext_lazy("Hall"), queryset=Hall.objects.none())
    name = forms.CharField(label=gettext_lazy("Zone name"), max_length=100)
    theme_group = forms.ChoiceField(label=gettext_lazy("Product-group theme"), required=False,
                                    choices=[("", gettext_lazy("Open to every product group")),
                                             *ProductGroup.choices])

    def __init__(self, *args, event, fixed_hall: Hall | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hall"].queryset = Hall.objects.filter(event=event)
        if fixed_hall is not None:  # editing a zone: it stays in its hall
            del self.fields["hall"]

    def service_values(self) -> dict:
        return {"name": self.cleaned_data["name"].strip(), "theme_group": self.cleaned_data["theme_group"]}


class RowForm(forms.Form):
    hall = BoundedModelChoiceField(label=gettext_lazy("Hall"), queryset=Hall.objects.none())
    zone = BoundedModelChoiceField(label=gettext_lazy("Zone"), queryset=Zone.objects.none(), required=False)
    prefix = forms.RegexField(label=gettext_lazy("Code prefix"), regex=r"^[A-Za-z0-9]{1,8}$", initial="A")
    first_number = forms.IntegerField(label=gettext_lazy("First number"), min_value=0, max_value=999, initial=1)
    count = forms.IntegerField(label=gettext_lazy("Number of booths"), min_value=1, max_value=60, initial=10)
    x = forms.DecimalField(label=gettext_lazy("x of the first booth (m)"), **metres)
    y = forms.DecimalField(label=gettext_lazy("y (m)"), **metres)
    w = forms.DecimalField(label=gettext_lazy("Width (m)"), initial=3, **metres)
    h = forms.DecimalField(label=gettext_lazy("Depth (m)"), initial=3, **metres)
    gap = forms.DecimalField(label=gettext_lazy("Gap between booths (m)"), initial=0, **metres)
    kind = forms.ChoiceField(label=gettext_lazy("Booth type"), choices=BoothKind.choices)
    price = BoundedIntegerField(label=gettext_lazy("Price (VND)"), min_value=0, max_value=MAX_PRICE,
                                initial=6_000_000)

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hall"].queryset = Hall.objects.filter(event=event)
        self.fields["zone"].queryset = Zone.objects.filter(hall__event=event)


class DuplicateForm(forms.Form):
    hall = BoundedModelChoiceField(label=gettext_lazy("Hall"), queryset=Hall.objects.none())
    source_y = forms.DecimalField(label=gettext_lazy("Row to copy: its y (m)"), **metres)
    dy = forms.DecimalField(label=gettext_lazy("Move the copy down by (m)"), min_value=-1000, max_value=1000,
                            decimal_places=2, max_digits=7)
    prefix = forms.RegexField(label=gettext_lazy("Code prefix"), regex=r"^[A-Za-z0-9]{1,8}$")
    first_number = forms.IntegerField(label=gettext_lazy("First number"), min_value=0, max_value=999, initial=1)

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hall"].queryset = Hall.objects.filter(event=event)


class MoveForm(forms.Form):
    x = forms.DecimalField(label=gettext_lazy("x (m)"), **metres)
    y = forms.DecimalField(label=gettext_lazy("y (m)"), **metres)
    w = forms.DecimalField(label=gettext_lazy("Width (m)"), **metres)
    h = forms.DecimalField(label=gettext_lazy("Depth (m)"), **metres)


@event_view(roles=ORGANIZER)
def editor(request):
    event = request.event
    row_form = RowForm(request.POST if request.POST.get("form") == "row" else None, event=event, prefix="row")
    dup_form = DuplicateForm(request.POST if request.POST.get("form") == "dup" else None, event=event, prefix="dup")
    hall_form = HallForm(request.POST if request.POST.get("form") == "hall" else None, prefix="hall")
    zone_form = ZoneForm(request.POST if request.POST.get("form") == "zone" else None, event=event, prefix="zone")
    try:
        if hall_form.is_bound and hall_form.is_valid():
            hall = svc.save_hall(event=event, values=hall_form.service_values(), actor=request.user)
            messages.success(request, _("Hall %(name)s added.") % {"name": hall.name})
            return redirect("booths:editor", event_slug=event.slug)
        if zone_form.is_bound and zone_form.is_valid():
            zone = svc.save_zone(hall=zone_form.cleaned_data["hall"], values=zone_form.service_values(),
                                 actor=request.user)
            messages.success(request, _("Zone %(name)s added.") % {"name": zone.name})
            return redirect("booths:editor", event_slug=event.slug)
        if row_form.is_bound and row_form.is_valid():
            d = row_form.cleaned_data
            made = svc.add_booth_row(hall=d["hall"], zone=d["zone"], prefix=d["prefix"],
                                     first_number=d["first_number"], count=d["count"], x=float(d["x"]),
                                     y=float(d["y"]), w=float(d["w"]), h=float(d["h"]), kind=d["kind"],
                                     price=d["price"], gap=float(d["gap"]))
            messages.success(request, _("%(n)d booths added.") % {"n": len(made)})
            return redirect("booths:editor", event_slug=event.slug)
        if dup_form.is_bound and dup_form.is_valid():
            d = dup_form.cleaned_data
            made = svc.duplicate_row(hall=d["hall"], source_y=float(d["source_y"]), dy=float(d["dy"]),
                                     prefix=d["prefix"], first_number=d["first_number"])
            messages.success(request, _("%(n)d booths added.") % {"n": len(made)})
            return redirect("booths:editor", event_slug=event.slug)
    except svc.PlanEditError as error:
        messages.error(request, error.message)
    context = plan_context(request)
    context.update(row_form=row_form, dup_form=dup_form, hall_form=hall_form, zone_form=zone_form)
    bound = [f for f in (row_form, dup_form, hall_form, zone_form) if f.is_bound]
    return render(request, "booths/editor.html", context, status=400 if bound else 200)


@event_view(roles=ORGANIZER)
def hall_edit(request, hall_id: int):
    """Rename or resize one hall (a size that would leave a booth outside is refused, naming the booth)."""
    hall = get_object_or_404(Hall, pk=hall_id, event=request.event)
    form = HallForm(request.POST or None, initial={"name": hall.name, "width_m": f"{hall.width_m:g}",
                                                   "depth_m": f"{hall.depth_m:g}"})
    if request.method == "POST" and form.is_valid():
        try:
            hall = svc.save_hall(event=request.event, hall=hall, values=form.service_values(), actor=request.user)
        except svc.PlanEditError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Hall %(name)s saved.") % {"name": hall.name})
            return redirect("booths:editor", event_slug=request.event.slug)
    return render(request, "booths/plan_item_form.html", {
        "form": form, "obj": hall, "heading": _("Hall %(name)s") % {"name": hall.name},
        "zones": hall.zones.all(),
    }, status=400 if form.is_bound else 200)


@event_view(roles=ORGANIZER)
def zone_edit(request, zone_id: int):
    zone = get_object_or_404(Zone.objects.select_related("hall"), pk=zone_id, hall__event=request.event)
    form = ZoneForm(request.POST or None, event=request.event, fixed_hall=zone.hall,
                    initial={"name": zone.name, "theme_group": zone.theme_group})
    if request.method == "POST" and form.is_valid():
        try:
            zone = svc.save_zone(hall=zone.hall, zone=zone, values=form.service_values(), actor=request.user)
        except svc.PlanEditError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Zone %(name)s saved.") % {"name": zone.name})
            return redirect("booths:editor", event_slug=request.event.slug)
    return render(request, "booths/plan_item_form.html", {
        "form": form, "obj": zone, "heading": _("Zone %(name)s · %(hall)s") % {"name": zone.name,
                                                                             "hall": zone.hall.name},
    }, status=400 if form.is_bound else 200)


@event_view(roles=ORGANIZER)
def move(request, code: str):
    booth = get_object_or_404(Booth, event=request.event, code=code)
    form = MoveForm(request.POST or None, initial={"x": booth.x, "y": booth.y, "w": booth.w, "h": booth.h})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            svc.move_booth(booth=booth, x=float(d["x"]), y=float(d["y"]), w=float(d["w"]), h=float(d["h"]))
        except svc.PlanEditError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Booth %(code)s placed.") % {"code": booth.code})
        return redirect("booths:editor", event_slug=request.event.slug)
    return render(request, "booths/move.html", {"booth": booth, "form": form})
