"""One-line summaries of check-in's activity-log entries for an object's history (registration page): a scan's
stored answer is the JSON replayed to a retrying scanner, which organizers should not have to read."""

from __future__ import annotations

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import CheckinTiming, ScanStatus


def _when(value) -> str:
    at = parse_datetime(value) if isinstance(value, str) else value
    return date_format(timezone.localtime(at), "SHORT_DATETIME_FORMAT") if at else ""


def scan_summary(entry) -> str:
    """"Gate A: OK, early", "Gate 2: Already checked in (offline desk, scanned 08/12/2026 07:58)"."""
    after = entry.after or {}
    status = after.get("status", "")
    parts = [str(ScanStatus(status).label) if status in ScanStatus.values else status]
    if after.get("timing") in CheckinTiming.values:
        parts.append(str(CheckinTiming(after["timing"]).label).lower())
    if after.get("scanned_at"):
        parts.append(_("offline desk, scanned %(when)s") % {"when": _when(after["scanned_at"])})
    return _("%(gate)s: %(answer)s") % {"gate": after.get("scan_gate") or after.get("gate") or "—",
                                        "answer": ", ".join(parts)}


def undone_summary(entry) -> str:
    """"Admission at Gate A (08/12/2026 08:02) undone"."""
    before = entry.before or {}
    return _("Admission at %(gate)s (%(when)s) undone") % {"gate": before.get("gate") or "—",
                                                            "when": _when(before.get("at"))}
