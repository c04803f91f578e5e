"""Check-in models: devices and admissions (checkin.py), offline desks' reports and conflicts (desks.py).
Badges, their tokens and their change numbers belong to registration."""

from .checkin import CheckIn, CheckinTiming, Device, ScanStatus
from .desks import CheckinConflict, DeskReport

__all__ = ["CheckIn", "CheckinConflict", "CheckinTiming", "DeskReport", "Device", "ScanStatus"]
