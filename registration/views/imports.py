"""Import registrations from a spreadsheet: upload, then the file is checked in the background (progress is
polled), the preview lists row errors, and the confirmed import runs in the background, all rows or none."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from eventsite.access import ORGANIZER, event_view

from ..forms import ImportConfirmForm, ImportUploadForm
from ..models import ImportBatch
from ..services import imports

WORKING = (ImportBatch.Status.CHECKING, ImportBatch.Status.IMPORTING)


@event_view(roles=ORGANIZER)
def import_upload(request):
    event = request.event
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > imports.MAX_BYTES:
            form.add_error("file", _("The file is larger than 2 MB. Split it into smaller files."))
        else:
            batch = imports.start_import(event=event, data=upload.read(), filename=upload.name, by=request.user)
            return redirect("registration:import_preview", event_slug=event.slug, batch_id=batch.pk)
    return render(request, "registration/import_upload.html", {
        "form": form, "max_rows": imports.MAX_ROWS,
    })


def _own_batch(request, batch_id: int) -> ImportBatch:
    batch = ImportBatch.objects.filter(event=request.event, pk=batch_id, created_by=request.user).first()
    if batch is None:
        raise Http404("No such import")
    return batch


@event_view(roles=ORGANIZER)
def import_preview(request, batch_id: int):
    event = request.event
    batch = _own_batch(request, batch_id)
    form = ImportConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            imports.request_confirm(batch=batch, notify=form.cleaned_data["notify"])
        except imports.ImportNotAvailable as exc:
            messages.error(request, exc.message)
            return redirect("registration:import", event_slug=event.slug)
        return redirect("registration:import_preview", event_slug=event.slug, batch_id=batch.pk)
    rows = [
        {**row, "messages": [imports.ROW_ERRORS[code] for code in row["errors"]]}
        for row in batch.rows
    ] if batch.status in (ImportBatch.Status.PREVIEW, ImportBatch.Status.CONFIRMED) else []
    return render(request, "registration/import_preview.html", {
        "batch": batch, "rows": rows, "form": form, "stale": imports.is_stale(batch),
        "ok_count": len(rows) - batch.error_count, "working": batch.status in WORKING,
    })


@event_view(roles=ORGANIZER)
def import_progress(request, batch_id: int):
    """Polled while the file is checked or imported; once that is over the page reloads to show the outcome."""
    batch = _own_batch(request, batch_id)
    if batch.status not in WORKING:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "registration/_import_progress.html", {"batch": batch})
