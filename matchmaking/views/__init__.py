"""Thin views, split by page family: participants' pages, schedules, the day itself, organizer pages."""
