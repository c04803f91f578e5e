"""Import registrations from a spreadsheet: upload, preview with row errors, confirm."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from eventsite.access import ORGANIZER, event_view
from eventsite.ratelimit import ratelimit

from ..forms import ImportConfirmForm, ImportUploadForm
from ..models import ImportBatch
from ..services import imports


@event_view(roles=ORGANIZER)
@ratelimit("upload", key="user", files_only=True)
def import_upload(request):
    event = request.event
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > imports.MAX_BYTES:
            form.add_error("file", _("The file is larger than 2 MB. Split it into smaller files."))
        else:
            try:
                batch = imports.preview_import(event=event, data=upload.read(), filename=upload.name,
                                               by=request.user)
            except imports.ImportFileError as exc:
                form.add_error("file", exc.message)
            else:
                return redirect("registration:import_preview", event_slug=event.slug, batch_id=batch.pk)
    return render(request, "registration/import_upload.html", {
        "form": form, "max_rows": imports.MAX_ROWS,
    })


@event_view(roles=ORGANIZER)
def import_preview(request, batch_id: int):
    event = request.event
    batch = ImportBatch.objects.filter(event=event, pk=batch_id, created_by=request.user).first()
    if batch is None:
        raise Http404("No such import")
    form = ImportConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = imports.confirm_import(batch=batch, by=request.user, notify=form.cleaned_data["notify"])
        except imports.ImportHasErrors as exc:
            messages.error(request, exc.message)
            return redirect("registration:import_preview", event_slug=event.slug, batch_id=batch.pk)
        except imports.ImportNotAvailable as exc:
            messages.error(request, exc.message)
            return redirect("registration:import", event_slug=event.slug)
        messages.success(request, _("%(n)d registrations imported.") % {"n": len(created)})
        return redirect("registration:list", event_slug=event.slug)
    rows = [
        {**row, "messages": [imports.ROW_ERRORS[code] for code in row["errors"]]}
        for row in batch.rows
    ]
    return render(request, "registration/import_preview.html", {
        "batch": batch, "rows": rows, "form": form, "stale": imports.is_stale(batch),
        "ok_count": len(rows) - batch.error_count,
    })
