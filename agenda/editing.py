"""Draft editing: organizers create, change and delete rooms, speakers and sessions in the app.

Every function here edits the draft under the ``Agenda`` row lock (as the control actions in
``agenda.services`` do) and ends in :func:`_after_draft_edit`: under live control the edit is published at
once as the next version, otherwise organizers' sockets hear that the draft changed and the control panel
lists it as pending. Each change writes the activity log inside the same transaction.

The rule "a session never points at another event's room" is ``Session.clean`` →
:func:`agenda.models.check_room_of_event`; :func:`save_session` calls it before saving, so a forged room id
that slipped past a form is still refused here with a ``ValidationError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from eventsite.activity import log_action, snapshot
from eventsite.live import broadcast_on_commit
from eventsite.models import Event

from .models import Agenda, AgendaRelease, Room, Session, SessionSpeaker, Speaker
from .services import (
    DRAFT_TOPIC,
    ActionResult,
    AgendaError,
    NothingToPublish,
    _check_room_free,
    _lock,
    _publish_locked,
)

ROOM_FIELDS = ("name", "capacity", "position")
SPEAKER_FIELDS = ("name", "title", "organization", "bio")
SESSION_FIELDS = ("title", "description", "type", "starts_at", "ends_at", "room", "language")


@dataclass(frozen=True)
class SpeakerSlot:
    """One speaker of a session, in the order the programme shows them."""

    speaker: Speaker
    role: str = SessionSpeaker.Role.SPEAKER


def _after_draft_edit(agenda: Agenda, actor) -> AgendaRelease | None:
    """Publish at once under live control (unless the public programme does not change), else tell organizers."""
    if agenda.live_control:
        try:
            with transaction.atomic():
                return _publish_locked(agenda, actor)
        except NothingToPublish:  # e.g. a new speaker on no session yet: nothing the public sees changed
            return None
    broadcast_on_commit(agenda.event_id, DRAFT_TOPIC, {"type": "agenda.draft", "live_control": False})
    return None


def _speaker_state(speaker: Speaker) -> dict[str, Any]:
    return {**snapshot(speaker, SPEAKER_FIELDS), "photo": speaker.photo.name or ""}


def _apply(obj, values: dict[str, Any], fields: Sequence[str]) -> None:
    for name in fields:
        if name in values:
            setattr(obj, name, values[name])


# --- rooms --------------------------------------------------------------------------------------------------------


def save_room(*, event: Event, values: dict[str, Any], room: Room | None = None, actor=None) -> Room:
    """Create a room of ``event`` or change one of its rooms (name unique in the event)."""
    with transaction.atomic():
        agenda = _lock(event)
        if room is not None:
            room = Room.objects.select_for_update().get(pk=room.pk, event=event)
            before = snapshot(room, ROOM_FIELDS)
        else:
            room, before = Room(event=event), None
        _apply(room, values, ROOM_FIELDS)
        if Room.objects.filter(event=event, name=room.name).exclude(pk=room.pk).exists():
            raise ValidationError({"name": _("This event already has a room with this name.")}, code="room_name")
        room.save()
        log_action(action="agenda.room_updated" if before else "agenda.room_created", obj=room, event=event,
                   actor=actor, before=before, after=snapshot(room, ROOM_FIELDS))
        _after_draft_edit(agenda, actor)
        return room


def delete_room(*, event: Event, room: Room, actor=None) -> None:
    """Delete a room no session uses (move or delete its sessions first)."""
    with transaction.atomic():
        agenda = _lock(event)
        room = Room.objects.select_for_update().get(pk=room.pk, event=event)
        used = list(Session.objects.filter(room=room).values_list("title", flat=True)[:5])
        if used:
            raise AgendaError(_("Sessions still use this room: %(titles)s. Move them to another room first.")
                              % {"titles": "; ".join(used)}, code="room_in_use")
        log_action(action="agenda.room_deleted", obj=room, event=event, actor=actor,
                   before=snapshot(room, ROOM_FIELDS))
        room.delete()
        _after_draft_edit(agenda, actor)


# --- speakers -----------------------------------------------------------------------------------------------------


def save_speaker(*, event: Event, values: dict[str, Any], speaker: Speaker | None = None, actor=None) -> Speaker:
    """Create or change a speaker of ``event``. ``values["photo"]`` is an already validated upload (the form checks
    it like a product photo), ``False`` to remove the photo, or absent to keep it."""
    with transaction.atomic():
        agenda = _lock(event)
        if speaker is not None:
            speaker = Speaker.objects.select_for_update().get(pk=speaker.pk, event=event)
            before = _speaker_state(speaker)
        else:
            speaker, before = Speaker(event=event), None
        values = dict(values)
        photo = values.pop("photo", None)
        _apply(speaker, values, SPEAKER_FIELDS)
        if Speaker.objects.filter(event=event, name=speaker.name).exclude(pk=speaker.pk).exists():
            raise ValidationError({"name": _("This event already has a speaker with this name.")},
                                  code="speaker_name")
        if photo is False:
            speaker.photo = ""
        elif photo:
            speaker.photo = photo
        speaker.save()
        log_action(action="agenda.speaker_updated" if before else "agenda.speaker_created", obj=speaker,
                   event=event, actor=actor, before=before, after=_speaker_state(speaker))
        _after_draft_edit(agenda, actor)
        return speaker


def delete_speaker(*, event: Event, speaker: Speaker, actor=None) -> None:
    """Delete a speaker; the sessions they spoke at keep their other speakers."""
    with transaction.atomic():
        agenda = _lock(event)
        speaker = Speaker.objects.select_for_update().get(pk=speaker.pk, event=event)
        log_action(action="agenda.speaker_deleted", obj=speaker, event=event, actor=actor,
                   before=_speaker_state(speaker))
        speaker.delete()
        _after_draft_edit(agenda, actor)


# --- sessions -----------------------------------------------------------------------------------------------------


def _session_state(session: Session, links: Sequence[SpeakerSlot] | None = None) -> dict[str, Any]:
    state = snapshot(session, SESSION_FIELDS)
    if links is None:
        links = [SpeakerSlot(link.speaker, link.role)
                 for link in session.speaker_links.select_related("speaker").order_by("position", "id")]
    state["speakers"] = [[slot.speaker.pk, str(slot.role)] for slot in links]
    return state


def save_session(*, event: Event, values: dict[str, Any], speakers: Sequence[SpeakerSlot],
                 session: Session | None = None, actor=None) -> ActionResult:
    """Create or change a session of ``event`` with its speakers in programme order.

    Refused with ``ValidationError`` when the room or a speaker belongs to another event or the session ends
    before it starts, and with ``RoomBusy`` when its room is taken at that time.
    """
    with transaction.atomic():
        agenda = _lock(event)
        if session is not None:
            try:
                session = Session.objects.select_for_update(of=("self",)).get(pk=session.pk, event=event)
            except Session.DoesNotExist:
                raise AgendaError(_("This session is not on the programme."), code="no_session") from None
            before = _session_state(session)
        else:
            session, before = Session(event=event), None
        _apply(session, values, SESSION_FIELDS)
        session.clean()  # the room-of-this-event rule and end after start
        seen: set[int] = set()
        for slot in speakers:
            if slot.speaker.event_id != event.pk:
                raise ValidationError(_("Choose a speaker of this event."), code="other_event")
            if slot.speaker.pk in seen:
                raise ValidationError(_("%(name)s is listed twice.") % {"name": slot.speaker.name},
                                      code="speaker_twice")
            seen.add(slot.speaker.pk)
        if session.room_id:
            session.room = Room.objects.get(pk=session.room_id)
        _check_room_free(session)
        session.save()
        SessionSpeaker.objects.filter(session=session).delete()
        SessionSpeaker.objects.bulk_create([
            SessionSpeaker(session=session, speaker=slot.speaker, role=slot.role, position=i)
            for i, slot in enumerate(speakers)
        ])
        log_action(action="agenda.session_updated" if before else "agenda.session_created", obj=session,
                   event=event, actor=actor, before=before, after=_session_state(session, speakers))
        return ActionResult([session], _after_draft_edit(agenda, actor))


def delete_session(*, event: Event, session: Session, actor=None) -> ActionResult:
    """Delete a session from the draft. One with agreements recorded at it is cancelled instead, not deleted."""
    with transaction.atomic():
        agenda = _lock(event)
        try:
            session = Session.objects.select_for_update(of=("self",)).get(pk=session.pk, event=event)
        except Session.DoesNotExist:
            raise AgendaError(_("This session is not on the programme."), code="no_session") from None
        log_action(action="agenda.session_deleted", obj=session, event=event, actor=actor,
                   before=_session_state(session))
        try:
            with transaction.atomic():
                session.delete()
        except ProtectedError:
            raise AgendaError(_("Agreements were recorded at this session, so it cannot be deleted; "
                                "cancel it on the control panel instead."), code="session_has_agreements") from None
        return ActionResult([session], _after_draft_edit(agenda, actor))
