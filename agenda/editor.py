"""Organizer pages that edit the programme: rooms, speakers and sessions (no Django admin needed).

Each page parses input with a form, calls one service of ``agenda.editing`` and redirects; the service keeps the
release/version rules (live control publishes at once) and writes the activity log.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eventsite.access import ORGANIZER, event_view
from eventsite.errors import DomainError

from . import editing
from .forms import RoomForm, SessionForm, SpeakerForm, speaker_formset
from .models import Agenda, Room, Session, Speaker


def _index_url(request: HttpRequest, anchor: str = "") -> str:
    url = reverse("agenda:edit", kwargs={"event_slug": request.event.slug})
    return f"{url}#{anchor}" if anchor else url


def _saved(request: HttpRequest, result: editing.ActionResult | None, text: str) -> None:
    release = result.release if result else None
    if release:
        text = _("%(action)s Published as version %(version)d.") % {"action": text, "version": release.version}
    elif not Agenda.objects.filter(event=request.event, live_control=True).exists():
        text = _("%(action)s Saved in the draft; publish to show it.") % {"action": text}
    messages.success(request, text)


@event_view(roles=ORGANIZER)
def index(request: HttpRequest) -> HttpResponse:
    event = request.event
    return render(request, "agenda/edit/index.html", {
        "sessions": (Session.objects.filter(event=event).select_related("room")
                     .prefetch_related("speaker_links__speaker")),
        "rooms": Room.objects.filter(event=event),
        "speakers": Speaker.objects.filter(event=event),
    })


@event_view(roles=ORGANIZER)
def room_edit(request: HttpRequest, room_id: int | None = None) -> HttpResponse:
    event = request.event
    room = get_object_or_404(Room, pk=room_id, event=event) if room_id else None
    form = RoomForm(request.POST or None, instance=room)
    if request.method == "POST" and form.is_valid():
        try:
            saved = editing.save_room(event=event, room=room, values=form.cleaned_data, actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            _saved(request, None, _("Room “%(name)s” saved.") % {"name": saved.name})
            return redirect(_index_url(request, "rooms"))
    return render(request, "agenda/edit/form.html", {
        "form": form, "obj": room, "kind": "room", "multipart": False,
        "heading": _("Edit room") if room else _("New room"),
        "delete_url": reverse("agenda:room_delete", args=[event.slug, room.pk]) if room else "",
    }, status=400 if form.is_bound else 200)


@event_view(roles=ORGANIZER)
def speaker_edit(request: HttpRequest, speaker_id: int | None = None) -> HttpResponse:
    event = request.event
    speaker = get_object_or_404(Speaker, pk=speaker_id, event=event) if speaker_id else None
    form = SpeakerForm(request.POST or None, request.FILES or None, instance=speaker)
    if request.method == "POST" and form.is_valid():
        try:
            saved = editing.save_speaker(event=event, speaker=speaker, values=form.service_values(),
                                         actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            _saved(request, None, _("Speaker “%(name)s” saved.") % {"name": saved.name})
            return redirect(_index_url(request, "speakers"))
    return render(request, "agenda/edit/form.html", {
        "form": form, "obj": speaker, "kind": "speaker", "multipart": True,
        "heading": _("Edit speaker") if speaker else _("New speaker"),
        "delete_url": reverse("agenda:speaker_delete", args=[event.slug, speaker.pk]) if speaker else "",
    }, status=400 if form.is_bound else 200)


@event_view(roles=ORGANIZER)
def session_edit(request: HttpRequest, session_id: int | None = None) -> HttpResponse:
    event = request.event
    session = get_object_or_404(Session, pk=session_id, event=event) if session_id else None
    data = request.POST or None
    form = SessionForm(data, instance=session, event=event)
    speakers = speaker_formset(data, event=event, session=session)
    if request.method == "POST" and form.is_valid() and speakers.is_valid():
        slots = [editing.SpeakerSlot(speaker, role) for speaker, role in speakers.slots()]
        try:
            result = editing.save_session(event=event, session=session, values=form.service_values(),
                                          speakers=slots, actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            _saved(request, result, _("Session “%(title)s” saved.") % {"title": result.sessions[0].title})
            return redirect(_index_url(request, "sessions"))
    return render(request, "agenda/edit/form.html", {
        "form": form, "formset": speakers, "obj": session, "kind": "session", "multipart": False,
        "heading": _("Edit session") if session else _("New session"),
        "delete_url": reverse("agenda:session_delete", args=[event.slug, session.pk]) if session else "",
    }, status=400 if form.is_bound else 200)


@event_view(roles=ORGANIZER)
@require_POST
def delete(request: HttpRequest, kind: str, object_id: int) -> HttpResponse:
    event, actor = request.event, request.user
    model = {"room": Room, "speaker": Speaker, "session": Session}[kind]
    obj = get_object_or_404(model, pk=object_id, event=event)
    try:
        if kind == "room":
            editing.delete_room(event=event, room=obj, actor=actor)
            result, text = None, _("Room “%(name)s” deleted.") % {"name": obj.name}
        elif kind == "speaker":
            editing.delete_speaker(event=event, speaker=obj, actor=actor)
            result, text = None, _("Speaker “%(name)s” deleted.") % {"name": obj.name}
        else:
            result = editing.delete_session(event=event, session=obj, actor=actor)
            text = _("Session “%(title)s” deleted.") % {"title": obj.title}
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(reverse(f"agenda:{kind}_edit", args=[event.slug, obj.pk]))
    _saved(request, result, text)
    return redirect(_index_url(request, f"{kind}s"))
