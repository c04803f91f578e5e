"""Turn a release snapshot into what pages show: days, rooms, sessions, and what is on now / next.

Pure functions over the snapshot (no queries), so every public page costs the same
handful of queries whatever the size of the programme.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Session, SessionSpeaker

TYPE_LABELS = dict(Session.Type.choices)
STATUS_LABELS = dict(Session.Status.choices)
LANGUAGE_LABELS = dict(Session.Language.choices)
ROLE_LABELS = dict(SessionSpeaker.Role.choices)


@dataclass
class SpeakerItem:
    name: str
    title: str
    organization: str
    role: str
    photo: str

    @property
    def role_label(self):
        return ROLE_LABELS.get(self.role, self.role)


@dataclass
class SessionItem:
    id: int
    title: str
    description: str
    type: str
    starts_at: datetime
    ends_at: datetime
    room_id: int | None
    room: str
    language: str
    status: str
    speakers: list[SpeakerItem]
    is_now: bool = False
    is_next: bool = False
    starred: bool = False
    # Plain strings in the active language and time zone, filled by ``label()`` so that
    # templates only print them (a 200-session page stays well under 100 ms).
    start_hm: str = ""
    end_hm: str = ""
    start_iso: str = ""
    end_iso: str = ""
    meta: str = ""
    status_text: str = ""
    speaker_lines: list[tuple[str, str]] = field(default_factory=list)
    signed_text: str = ""  # a signing ceremony: how many agreements were signed there (add_signing_counts)

    @property
    def star_path(self) -> str:
        """The end of this session's star URL (the page gives the start: ``star_base``)."""
        return f"{self.id}/"

    @property
    def type_label(self):
        return TYPE_LABELS.get(self.type, self.type)

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def language_label(self):
        return LANGUAGE_LABELS.get(self.language, self.language)

    @property
    def cancelled(self) -> bool:
        return self.status == Session.Status.CANCELLED

    @property
    def day(self) -> date:
        return timezone.localtime(self.starts_at).date()


@dataclass
class RoomBlock:
    id: int | None
    name: str
    sessions: list[SessionItem] = field(default_factory=list)
    now: SessionItem | None = None
    next: SessionItem | None = None


@dataclass
class Day:
    date: date
    rooms: list[RoomBlock]

    @property
    def session_count(self) -> int:
        return sum(len(r.sessions) for r in self.rooms)


def sessions_of(snapshot: dict | None) -> list[SessionItem]:
    items = []
    for s in (snapshot or {}).get("sessions", []):
        items.append(SessionItem(
            id=s["id"], title=s["title"], description=s.get("description", ""), type=s["type"],
            starts_at=datetime.fromisoformat(s["starts_at"]), ends_at=datetime.fromisoformat(s["ends_at"]),
            room_id=s.get("room_id"), room=s.get("room", ""), language=s.get("language", "vi"),
            status=s["status"], speakers=[SpeakerItem(**sp) for sp in s.get("speakers", [])],
        ))
    return items


def mark_now_next(items: list[SessionItem], now: datetime) -> dict[int | None, tuple]:
    """Flag, per room, the session on now (live, or scheduled and within its times) and the next one."""
    by_room: dict[int | None, list[SessionItem]] = {}
    for s in items:
        by_room.setdefault(s.room_id, []).append(s)
    result = {}
    for room_id, sessions in by_room.items():
        sessions.sort(key=lambda s: s.starts_at)
        current = next((s for s in sessions if s.status == Session.Status.LIVE), None)
        if current is None:
            current = next((s for s in sessions if s.status == Session.Status.SCHEDULED
                            and s.starts_at <= now < s.ends_at), None)
        upcoming = next((s for s in sessions if s.status == Session.Status.SCHEDULED and s.starts_at > now
                         and s is not current), None)
        if current:
            current.is_now = True
        if upcoming:
            upcoming.is_next = True
        result[room_id] = (current, upcoming)
    return result


def label(items: list[SessionItem]) -> None:
    """Fill the display strings once per session (labels translated once per request)."""
    types = {k: str(v) for k, v in TYPE_LABELS.items()}
    statuses = {k: str(v) for k, v in STATUS_LABELS.items()}
    languages = {k: str(v) for k, v in LANGUAGE_LABELS.items()}
    roles = {k: str(v) for k, v in ROLE_LABELS.items()}
    no_room = str(_("No room"))
    zone = timezone.get_current_timezone()
    for s in items:
        start, end = s.starts_at.astimezone(zone), s.ends_at.astimezone(zone)
        s.start_hm, s.end_hm = f"{start.hour:02d}:{start.minute:02d}", f"{end.hour:02d}:{end.minute:02d}"
        s.start_iso, s.end_iso = start.isoformat(), end.isoformat()
        s.meta = " · ".join((types.get(s.type, s.type), s.room or no_room, languages.get(s.language, s.language)))
        s.status_text = statuses.get(s.status, s.status)
        s.speaker_lines = [
            (sp.name, ", ".join(p for p in (f"({roles.get(sp.role, sp.role)})", sp.title, sp.organization) if p))
            for sp in s.speakers
        ]


def programme(
    snapshot: dict | None, *, now: datetime, type: str = "", room: str = "",
    only: set[int] | None = None, starred: set[int] = frozenset(),
) -> list[Day]:
    """Days → rooms → sessions, filtered; now/next is judged on the whole programme."""
    items = sessions_of(snapshot)
    mark_now_next(items, now)
    rooms = [(r["id"], r["name"]) for r in (snapshot or {}).get("rooms", [])]
    for s in items:
        s.starred = s.id in starred
    if type:
        items = [s for s in items if s.type == type]
    if room:
        items = [s for s in items if str(s.room_id) == room]
    if only is not None:
        items = [s for s in items if s.id in only]
    label(items)
    days: dict[date, dict[int | None, RoomBlock]] = {}
    zone = timezone.get_current_timezone()
    for s in sorted(items, key=lambda s: (s.starts_at, s.id)):
        blocks = days.setdefault(s.starts_at.astimezone(zone).date(), {})
        if s.room_id not in blocks:
            blocks[s.room_id] = RoomBlock(s.room_id, s.room)
        blocks[s.room_id].sessions.append(s)
    order = {rid: i for i, (rid, _name) in enumerate(rooms)}
    return [
        Day(d, sorted(blocks.values(), key=lambda b: order.get(b.id, len(order))))
        for d, blocks in sorted(days.items())
    ]


def signing_text(n: int) -> str:
    return ngettext("%(n)d agreement signed", "%(n)d agreements signed", n) % {"n": n}


def add_signing_counts(days: list[Day], agreements: dict[int, int]) -> None:
    """Give each signing ceremony shown the sentence saying how many agreements were signed there (``agreements``:
    session id → count; a public figure, never values)."""
    for day in days:
        for block in day.rooms:
            for s in block.sessions:
                if s.type == Session.Type.SIGNING:
                    s.signed_text = signing_text(agreements.get(s.id, 0))


def screen(snapshot: dict | None, *, now: datetime) -> list[RoomBlock]:
    """Every room with what is on now and next (for venue screens)."""
    items = sessions_of(snapshot)
    marks = mark_now_next(items, now)
    blocks = []
    for r in (snapshot or {}).get("rooms", []):
        current, upcoming = marks.get(r["id"], (None, None))
        blocks.append(RoomBlock(r["id"], r["name"], now=current, next=upcoming))
    return blocks
