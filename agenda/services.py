"""Agenda rules: draft edits, publishing releases, live control actions, stars and feed tokens.

Every organizer action edits the draft (``Session`` rows). Whether it reaches the public at once
depends on ``Agenda.live_control``:

* off (preparation weeks): actions only change the draft; organizers review the pending changes
  on the control panel and press "Publish" to release a new version;
* on (the event days): each action publishes a new version in the same transaction, so one
  click on the control panel reaches every screen. Switching live control on first publishes any
  edits still waiting in the draft (the control panel lists them and warns before the switch), so
  under live control the draft and the published programme stay equal and each action is exactly
  one release. (Edits made in the Django admin bypass these services: they wait in the draft until
  the next action or an explicit publish.)

Announcements are never drafted: posting or hiding one publishes a new version that keeps the
sessions of the current release and only updates the announcements.

Every release bumps ``Agenda.version`` under a row lock and is broadcast to the event's "agenda"
group after commit, carrying the version so clients can detect gaps and resync.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from eventsite.errors import Conflict, DomainError
from eventsite.live import broadcast_on_commit
from eventsite.models import Event

from .models import (
    Agenda,
    AgendaChange,
    AgendaRelease,
    Announcement,
    FeedToken,
    Room,
    Session,
    SessionSpeaker,
    Star,
    check_room_of_event,
)

TOPIC = "agenda"
DRAFT_TOPIC = "agenda-draft"  # only organizers' sockets join this group
MAX_SHIFT_MINUTES = 12 * 60
ANNOUNCEMENTS_SHOWN = 5

Status = Session.Status
Kind = AgendaChange.Kind


class AgendaError(DomainError):
    code = "agenda_error"


class NothingToPublish(AgendaError):
    code = "nothing_to_publish"


class RoomBusy(Conflict):
    code = "room_busy"


@dataclass
class ActionResult:
    """What an action did: the session(s) it touched and the release it published, if any."""

    sessions: list[Session]
    release: AgendaRelease | None = None


# --- reading ------------------------------------------------------------------------------


def agenda_for(event: Event) -> Agenda:
    agenda, _created = Agenda.objects.get_or_create(event=event)
    return agenda


def current_release(event: Event) -> tuple[int, AgendaRelease | None]:
    """(version, release) the public sees; one query."""
    agenda = Agenda.objects.select_related("current_release").filter(event=event).first()
    if agenda is None:
        return 0, None
    return agenda.version, agenda.current_release


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def build_snapshot(event: Event, *, announcements: list[dict] | None = None) -> dict[str, Any]:
    """The draft as plain data (what a release freezes). Four queries whatever the size."""
    rooms = list(Room.objects.filter(event=event).values("id", "name", "capacity"))
    speakers: dict[int, list[dict]] = {}
    links = (
        SessionSpeaker.objects.filter(session__event=event)
        .order_by("position", "id")
        .values_list("session_id", "role", "speaker__name", "speaker__title", "speaker__organization",
                     "speaker__photo")
    )
    for session_id, role, name, title, organization, photo in links:
        speakers.setdefault(session_id, []).append({
            "name": name, "title": title, "organization": organization, "role": role,
            "photo": default_storage.url(photo) if photo else "",
        })
    sessions = (
        Session.objects.filter(event=event)
        .order_by("starts_at", "room__position", "id")
        .values_list("id", "title", "description", "type", "starts_at", "ends_at", "room_id", "room__name",
                     "language", "status")
    )
    if announcements is None:
        announcements = announcement_data(event)
    return {
        "rooms": rooms,
        "sessions": [
            {
                "id": sid, "title": title, "description": description, "type": type_,
                "starts_at": _iso(starts), "ends_at": _iso(ends), "room_id": room_id, "room": room_name or "",
                "language": language, "status": status, "speakers": speakers.get(sid, []),
            }
            for sid, title, description, type_, starts, ends, room_id, room_name, language, status in sessions
        ],
        "announcements": announcements,
    }


def announcement_data(event: Event) -> list[dict]:
    shown = Announcement.objects.filter(event=event, active=True)[:ANNOUNCEMENTS_SHOWN]
    return [{"id": a.id, "text": a.text, "created_at": _iso(a.created_at)} for a in shown]


def diff(old: dict | None, new: dict) -> list[dict]:
    """Session-level changes between two snapshots, in programme order."""
    before = {s["id"]: s for s in (old or {}).get("sessions", [])}
    changes: list[dict] = []
    for s in new["sessions"]:
        prev = before.pop(s["id"], None)
        ref = {"session_id_ref": s["id"], "session_title": s["title"]}
        if prev is None:
            if old is not None:
                changes.append({**ref, "kind": Kind.ADDED, "data": {}})
            continue
        if prev["starts_at"] != s["starts_at"] or prev["ends_at"] != s["ends_at"]:
            day_changed = (
                timezone.localtime(datetime.fromisoformat(prev["starts_at"])).date()
                != timezone.localtime(datetime.fromisoformat(s["starts_at"])).date()
            )
            changes.append({**ref, "kind": Kind.MOVED,
                            "data": {"starts_at": s["starts_at"], "day_changed": day_changed}})
        if prev["room_id"] != s["room_id"]:
            changes.append({**ref, "kind": Kind.ROOM, "data": {"room": s["room"]}})
        if prev["status"] != s["status"]:
            kind = {
                Status.CANCELLED: Kind.CANCELLED, Status.LIVE: Kind.STARTED, Status.ENDED: Kind.ENDED,
                Status.SCHEDULED: Kind.RESTORED,
            }[s["status"]]
            changes.append({**ref, "kind": kind, "data": {}})
        details = ("title", "description", "type", "language", "speakers")
        if any(prev.get(k) != s.get(k) for k in details):
            changes.append({**ref, "kind": Kind.DETAILS, "data": {}})
    for gone in before.values():
        changes.append({"session_id_ref": gone["id"], "session_title": gone["title"],
                        "kind": Kind.REMOVED, "data": {}})
    old_rooms = {r["id"]: r for r in (old or {}).get("rooms", [])}
    if old is not None and not changes and old_rooms != {r["id"]: r for r in new["rooms"]}:
        changes.append({"session_id_ref": None, "session_title": "", "kind": Kind.DETAILS, "data": {}})
    return changes


def pending_changes(event: Event) -> list[AgendaChange]:
    """Unsaved AgendaChange objects describing the draft against the current release."""
    _version, release = current_release(event)
    old = release.snapshot if release else None
    new = build_snapshot(event, announcements=old.get("announcements", []) if old else [])
    if old is None:
        return [AgendaChange(kind=Kind.ADDED, session_title=s["title"], session_id_ref=s["id"])
                for s in new["sessions"]]
    return [AgendaChange(**c) for c in diff(old, new)]


# --- publishing ---------------------------------------------------------------------------


def _lock(event: Event) -> Agenda:
    agenda_for(event)
    return Agenda.objects.select_for_update(of=("self",)).select_related("current_release").get(event=event)


def _release(agenda: Agenda, snapshot: dict, changes: list[dict], actor) -> AgendaRelease:
    agenda.version += 1
    release = AgendaRelease.objects.create(
        agenda=agenda, version=agenda.version, snapshot=snapshot, published_by=actor
    )
    AgendaChange.objects.bulk_create([AgendaChange(release=release, **c) for c in changes])
    agenda.current_release = release
    agenda.save(update_fields=["version", "current_release"])
    broadcast_on_commit(agenda.event_id, TOPIC, {
        "type": "agenda.published",
        "version": release.version,
        "published_at": release.published_at.isoformat(),
        "changes": [{"kind": str(c["kind"]), "session": c["session_id_ref"]} for c in changes],
    })
    return release


def _publish_locked(agenda: Agenda, actor) -> AgendaRelease:
    old = agenda.current_release.snapshot if agenda.current_release else None
    new = build_snapshot(agenda.event)
    changes = diff(old, new)
    if old is not None and not changes and old.get("announcements") == new["announcements"]:
        raise NothingToPublish(_("The draft has no changes to publish."))
    return _release(agenda, new, changes, actor)


def publish(*, event: Event, actor=None) -> AgendaRelease:
    """Release the whole draft as the next version."""
    with transaction.atomic():
        agenda = _lock(event)
        return _publish_locked(agenda, actor)


def set_live_control(*, event: Event, enabled: bool, actor=None) -> Agenda:
    """Switching live control on publishes any waiting draft edits at once, so that from then on
    the draft and the published programme stay equal and every action is one release."""
    with transaction.atomic():
        agenda = _lock(event)
        agenda.live_control = enabled
        agenda.save(update_fields=["live_control"])
        if enabled and agenda.current_release is not None:
            try:
                with transaction.atomic():
                    _publish_locked(agenda, actor)
            except NothingToPublish:
                pass
    broadcast_on_commit(event.id, DRAFT_TOPIC, {"type": "agenda.draft", "live_control": enabled})
    return agenda


def _after_edit(agenda: Agenda, actor) -> AgendaRelease | None:
    """Every draft edit ends here: publish at once under live control, else tell organizers."""
    if agenda.live_control:
        return _publish_locked(agenda, actor)
    broadcast_on_commit(agenda.event_id, DRAFT_TOPIC, {"type": "agenda.draft", "live_control": False})
    return None


# --- control actions ----------------------------------------------------------------------


def _session(event: Event, session_id: int) -> Session:
    try:
        return Session.objects.select_for_update(of=("self",)).select_related("room").get(pk=session_id, event=event)
    except (Session.DoesNotExist, ValueError, TypeError):
        raise AgendaError(_("This session is not on the programme."), code="no_session") from None


def _check_room_free(session: Session, *, ignore: set[int] = frozenset()) -> None:
    if session.room_id is None or session.status == Status.CANCELLED:
        return
    clash = (
        Session.objects.filter(room_id=session.room_id, starts_at__lt=session.ends_at, ends_at__gt=session.starts_at)
        .exclude(pk__in={session.pk, *ignore})
        .exclude(status=Status.CANCELLED)
        .first()
    )
    if clash is not None:
        local = timezone.localtime(clash.starts_at)
        raise RoomBusy(
            _("%(room)s is in use by “%(title)s” at %(time)s.")
            % {"room": session.room.name, "title": clash.title, "time": local.strftime("%H:%M")}
        )


def start_session(*, event: Event, session_id: int, actor=None) -> ActionResult:
    """Mark a session live now; any other live session in its room ends."""
    with transaction.atomic():
        agenda = _lock(event)
        session = _session(event, session_id)
        if session.status != Status.SCHEDULED:
            raise AgendaError(_("Only a scheduled session can start."), code="not_scheduled")
        touched = [session]
        if session.room_id:
            for other in Session.objects.select_for_update().filter(room_id=session.room_id, status=Status.LIVE):
                other.status = Status.ENDED
                other.save(update_fields=["status", "updated_at"])
                touched.append(other)
        session.status = Status.LIVE
        session.save(update_fields=["status", "updated_at"])
        return ActionResult(touched, _after_edit(agenda, actor))


def end_session(*, event: Event, session_id: int, actor=None) -> ActionResult:
    with transaction.atomic():
        agenda = _lock(event)
        session = _session(event, session_id)
        if session.status != Status.LIVE:
            raise AgendaError(_("Only a session that is live can end."), code="not_live")
        session.status = Status.ENDED
        session.save(update_fields=["status", "updated_at"])
        return ActionResult([session], _after_edit(agenda, actor))


def cancel_session(*, event: Event, session_id: int, actor=None) -> ActionResult:
    with transaction.atomic():
        agenda = _lock(event)
        session = _session(event, session_id)
        if session.status not in (Status.SCHEDULED, Status.LIVE):
            raise AgendaError(_("This session has already ended or been cancelled."), code="not_cancellable")
        session.status = Status.CANCELLED
        session.save(update_fields=["status", "updated_at"])
        return ActionResult([session], _after_edit(agenda, actor))


def restore_session(*, event: Event, session_id: int, actor=None) -> ActionResult:
    """Put a cancelled session back on the programme (its room must still be free)."""
    with transaction.atomic():
        agenda = _lock(event)
        session = _session(event, session_id)
        if session.status != Status.CANCELLED:
            raise AgendaError(_("Only a cancelled session can be restored."), code="not_cancelled")
        session.status = Status.SCHEDULED
        _check_room_free(session)
        session.save(update_fields=["status", "updated_at"])
        return ActionResult([session], _after_edit(agenda, actor))


def shift_session(
    *, event: Event, session_id: int, minutes: int, cascade: bool = False, actor=None
) -> ActionResult:
    """Move a session by ``minutes``; with ``cascade``, every later session that day in its room too."""
    if not isinstance(minutes, int) or minutes == 0 or abs(minutes) > MAX_SHIFT_MINUTES:
        raise AgendaError(
            _("Enter a number of minutes between -%(max)d and %(max)d, other than 0.") % {"max": MAX_SHIFT_MINUTES},
            code="bad_minutes",
        )
    with transaction.atomic():
        agenda = _lock(event)
        session = _session(event, session_id)
        if session.status in (Status.ENDED, Status.CANCELLED):
            raise AgendaError(_("An ended or cancelled session cannot be moved."), code="not_movable")
        moved = [session]
        if cascade and session.room_id:
            day = timezone.localtime(session.starts_at).date()
            later = (
                Session.objects.select_for_update()
                .filter(room_id=session.room_id, starts_at__gte=session.starts_at,
                        status__in=(Status.SCHEDULED, Status.LIVE))
                .exclude(pk=session.pk)
            )
            moved += [s for s in later if timezone.localtime(s.starts_at).date() == day]
        delta = timedelta(minutes=minutes)
        ids = {s.pk for s in moved}
        for s in moved:
            s.starts_at += delta
            s.ends_at += delta
        for s in moved:
            _check_room_free(s, ignore=ids)
        for s in moved:
            s.save(update_fields=["starts_at", "ends_at", "updated_at"])
        return ActionResult(moved, _after_edit(agenda, actor))


def change_room(*, event: Event, session_id: int, room_id: int, actor=None) -> ActionResult:
    with transaction.atomic():
        agenda = _lock(event)
        session = _session(event, session_id)
        room = Room.objects.filter(pk=room_id).first() if isinstance(room_id, int) else None
        if room is None:
            raise AgendaError(_("Choose a room of this event."), code="no_room")
        try:
            check_room_of_event(Session(event_id=event.pk, room=room))  # the one rule (agenda/models.py)
        except ValidationError:
            raise AgendaError(_("Choose a room of this event."), code="no_room") from None
        if room.pk == session.room_id:
            raise AgendaError(_("The session is already in %(room)s.") % {"room": room.name}, code="same_room")
        session.room = room
        _check_room_free(session)
        session.save(update_fields=["room", "updated_at"])
        return ActionResult([session], _after_edit(agenda, actor))


def post_announcement(*, event: Event, text: str, actor=None) -> AgendaRelease:
    """Show a message on every screen now (announcements are never drafted)."""
    text = (text or "").strip()
    if not text:
        raise AgendaError(_("Write the announcement first."), code="empty_announcement")
    if len(text) > 280:
        raise AgendaError(_("Keep announcements to 280 characters."), code="long_announcement")
    with transaction.atomic():
        agenda = _lock(event)
        Announcement.objects.create(event=event, text=text, created_by=actor)
        return _republish_announcements(agenda, actor, {"text": text})


def hide_announcement(*, event: Event, announcement_id: int, actor=None) -> AgendaRelease:
    with transaction.atomic():
        agenda = _lock(event)
        updated = Announcement.objects.filter(pk=announcement_id, event=event, active=True).update(active=False)
        if not updated:
            raise AgendaError(_("This announcement is not shown."), code="no_announcement")
        return _republish_announcements(agenda, actor, None)


def _republish_announcements(agenda: Agenda, actor, posted: dict | None) -> AgendaRelease:
    base = agenda.current_release.snapshot if agenda.current_release else {"rooms": [], "sessions": []}
    snapshot = {**base, "announcements": announcement_data(agenda.event)}
    changes = []
    if posted:
        changes.append({"session_id_ref": None, "session_title": "", "kind": Kind.ANNOUNCEMENT, "data": posted})
    return _release(agenda, snapshot, changes, actor)


# --- personal agenda ----------------------------------------------------------------------


def toggle_star(*, user, event: Event, session_id: int) -> bool:
    """Star or unstar a published session for ``user``; returns whether it is now starred."""
    _version, release = current_release(event)
    published = {s["id"] for s in (release.snapshot["sessions"] if release else [])}
    try:
        session_id = int(session_id)
    except (TypeError, ValueError):
        session_id = -1
    if session_id not in published:
        raise AgendaError(_("This session is not on the programme."), code="no_session")
    with transaction.atomic():
        deleted, _detail = Star.objects.filter(user=user, session_id=session_id).delete()
        if deleted:
            return False
        if not Session.objects.filter(pk=session_id, event=event).exists():  # deleted since publishing
            raise AgendaError(_("This session is not on the programme."), code="no_session")
        Star.objects.get_or_create(user=user, session_id=session_id)
        return True


def starred_ids(user, event: Event) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(Star.objects.filter(user=user, session__event=event).values_list("session_id", flat=True))


def feed_token(*, user, event: Event) -> FeedToken:
    token, _created = FeedToken.objects.get_or_create(user=user, event=event)
    return token


def reset_feed_token(*, user, event: Event) -> FeedToken:
    with transaction.atomic():
        FeedToken.objects.filter(user=user, event=event).delete()
        return FeedToken.objects.create(user=user, event=event)
