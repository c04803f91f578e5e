"""Organizer: import booths from CSV with a checked preview (table + SVG) before anything is written."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eventsite.access import ORGANIZER, event_view

from ..services import floorplan as floorplan_service
from ..services.floorplan import COLUMNS, parse_booths_csv

MAX_CSV_BYTES = 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"), required=False)
    text = forms.CharField(label=gettext_lazy("…or paste the CSV here"), required=False,
                           widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}))

    def csv_text(self) -> str:
        upload = self.cleaned_data.get("file")
        if upload:
            if upload.size > MAX_CSV_BYTES:
                raise forms.ValidationError(_("The file is larger than 1 MB."))
            try:
                return upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(_("Save the CSV as UTF-8.")) from None
        return self.cleaned_data.get("text") or ""


@event_view(roles=ORGANIZER)
def import_booths_view(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    preview = None
    text = ""
    if request.method == "POST" and form.is_valid():
        try:
            text = form.csv_text()
        except forms.ValidationError as error:
            form.add_error("file", error)
        else:
            preview = parse_booths_csv(text)
            if "apply" in request.POST and preview.ok:
                created, updated = floorplan_service.import_booths(event=request.event, preview=preview)
                messages.success(request, _("%(c)d booths created, %(u)d updated.") % {"c": created, "u": updated})
                return redirect("booths:manage", event_slug=request.event.slug)
            if not preview.rows and not preview.errors:
                preview.errors.append(_("The CSV has no rows."))
    halls = []
    if preview is not None and preview.rows:
        for name, (width, depth) in preview.halls().items():
            halls.append({"name": name, "viewbox": f"-1 -1 {width + 2:g} {depth + 2:g}",
                          "rows": [r for r in preview.rows if r.hall == name]})
    return render(request, "booths/import.html", {"form": form, "preview": preview, "text": text,
                                                  "columns": ",".join(COLUMNS), "preview_halls": halls})

