"""Scanner devices of an event, for its organizers: add one (its token is shown once), rename, revoke."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from eventsite.access import ORGANIZER, event_view

from ..models import Device
from ..services import devices as svc


class DeviceForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Device name"), max_length=100,
                           help_text=gettext_lazy("e.g. Gate A scanner"))


@event_view(roles=ORGANIZER)
def device_list(request):
    event = request.event
    token = None
    form = DeviceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, token = svc.create_device(event=event, name=form.cleaned_data["name"], created_by=request.user)
        messages.success(request, _("Device “%(name)s” added. Copy its token now: it is shown only once.")
                         % {"name": device.name})
        form = DeviceForm()
    devices = Device.objects.filter(event=event).order_by("-is_active", "name")
    return render(request, "checkin/devices.html", {"form": form, "devices": devices, "token": token})


def _device(request, device_id) -> Device:
    return get_object_or_404(Device, pk=device_id, event=request.event)


@require_POST
@event_view(roles=ORGANIZER)
def device_rename(request, device_id):
    device = _device(request, device_id)
    form = DeviceForm(request.POST)
    if form.is_valid():
        svc.rename_device(device=device, name=form.cleaned_data["name"], actor=request.user)
        messages.success(request, _("Device renamed."))
    else:
        messages.error(request, _("Give the device a name of at most 100 characters."))
    return redirect("checkin:devices", event_slug=request.event.slug)


@require_POST
@event_view(roles=ORGANIZER)
def device_revoke(request, device_id):
    device = _device(request, device_id)
    if device.is_active:
        svc.revoke_device(device=device, actor=request.user)
        messages.success(request, _("Device “%(name)s” revoked: its token no longer works.") % {"name": device.name})
    return redirect("checkin:devices", event_slug=request.event.slug)
