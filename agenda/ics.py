"""iCalendar (RFC 5545) feeds written by hand: CRLF lines, escaped text, folded at 75 octets, UTC times."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from .programme import SessionItem


def escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11)."""
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
        .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line so no physical line exceeds 75 octets, never splitting a UTF-8 character."""
    out: list[str] = []
    current = ""
    size = 0
    limit = 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += ch
        size += n
    out.append(current)
    return "\r\n".join(out)


def utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(
    *, name: str, sessions: Iterable[SessionItem], uid_domain: str, venue: str, stamp: datetime,
    sequence: int, url: str = "",
) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Ket Noi//Agenda//VI",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
        "X-WR-TIMEZONE:Asia/Ho_Chi_Minh",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    for s in sessions:
        location = ", ".join(p for p in (s.room, venue) if p)
        speakers = "; ".join(
            f"{sp.name} ({sp.role_label})" + (f", {sp.title}" if sp.title else "")
            + (f", {sp.organization}" if sp.organization else "")
            for sp in s.speakers
        )
        description = "\n\n".join(p for p in (s.description, speakers) if p)
        lines += [
            "BEGIN:VEVENT",
            f"UID:session-{s.id}@{uid_domain}",
            f"DTSTAMP:{utc(stamp)}",
            f"DTSTART:{utc(s.starts_at)}",
            f"DTEND:{utc(s.ends_at)}",
            f"SEQUENCE:{sequence}",
            f"SUMMARY:{escape(s.title)}",
            f"LOCATION:{escape(location)}",
            f"CATEGORIES:{escape(str(s.type_label))}",
            f"STATUS:{'CANCELLED' if s.cancelled else 'CONFIRMED'}",
        ]
        if description:
            lines.append(f"DESCRIPTION:{escape(description)}")
        if url:
            lines.append(f"URL:{url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
