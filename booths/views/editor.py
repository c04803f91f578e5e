"""Organizer: a simple plan editor — add a row of booths, duplicate a row, move or resize one booth."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eventsite.access import ORGANIZER, event_view

from ..models import Booth, BoothKind, Hall, Zone
from ..services import floorplan as svc
from .plan import plan_context

metres = dict(min_value=0, max_value=1000, decimal_places=2, max_digits=7)


class RowForm(forms.Form):
    hall = forms.ModelChoiceField(label=gettext_lazy("Hall"), queryset=Hall.objects.none())
    zone = forms.ModelChoiceField(label=gettext_lazy("Zone"), queryset=Zone.objects.none(), required=False)
    prefix = forms.RegexField(label=gettext_lazy("Code prefix"), regex=r"^[A-Za-z0-9]{1,8}$", initial="A")
    first_number = forms.IntegerField(label=gettext_lazy("First number"), min_value=0, max_value=999, initial=1)
    count = forms.IntegerField(label=gettext_lazy("Number of booths"), min_value=1, max_value=60, initial=10)
    x = forms.DecimalField(label=gettext_lazy("x of the first booth (m)"), **metres)
    y = forms.DecimalField(label=gettext_lazy("y (m)"), **metres)
    w = forms.DecimalField(label=gettext_lazy("Width (m)"), initial=3, **metres)
    h = forms.DecimalField(label=gettext_lazy("Depth (m)"), initial=3, **metres)
    gap = forms.DecimalField(label=gettext_lazy("Gap between booths (m)"), initial=0, **metres)
    kind = forms.ChoiceField(label=gettext_lazy("Booth type"), choices=BoothKind.choices)
    price = forms.IntegerField(label=gettext_lazy("Price (VND)"), min_value=0, initial=6_000_000)

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hall"].queryset = Hall.objects.filter(event=event)
        self.fields["zone"].queryset = Zone.objects.filter(hall__event=event)


class DuplicateForm(forms.Form):
    hall = forms.ModelChoiceField(label=gettext_lazy("Hall"), queryset=Hall.objects.none())
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
    try:
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
    context.update(row_form=row_form, dup_form=dup_form)
    return render(request, "booths/editor.html", context)


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
