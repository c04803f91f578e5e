"""Words shown for each scan answer: the big word on the desk (never colour alone) and a sentence."""

from django.utils.translation import gettext_lazy as _

from .models import ScanStatus

WORDS = {
    ScanStatus.OK: _("OK"),
    ScanStatus.ALREADY: _("ALREADY CHECKED IN"),
    ScanStatus.MALFORMED: _("INVALID"),
    ScanStatus.FORGED: _("INVALID"),
    ScanStatus.REVOKED: _("REVOKED"),
    ScanStatus.WRONG_EVENT: _("WRONG EVENT"),
    ScanStatus.NOT_APPROVED: _("NOT APPROVED"),
    ScanStatus.REFUSED_OFFLINE: _("REFUSED OFFLINE"),
    ScanStatus.OUTSIDE_DATES: _("OUTSIDE EVENT DATES"),
}

REASONS = {
    ScanStatus.OK: _("Welcome! The badge is valid."),
    ScanStatus.ALREADY: _("This badge was already used to enter."),
    ScanStatus.MALFORMED: _("The code could not be read. Scan again or look the person up by name."),
    ScanStatus.FORGED: _("The code's signature is not genuine. Do not admit; call a supervisor."),
    ScanStatus.REVOKED: _("This badge was replaced by a newer one. Ask for the new badge."),
    ScanStatus.WRONG_EVENT: _("This badge is for another event."),
    ScanStatus.NOT_APPROVED: _("This registration is not approved."),
    ScanStatus.REFUSED_OFFLINE: _("The desk refused this scan while offline; it is recorded, not counted."),
    ScanStatus.OUTSIDE_DATES: _("The organizer does not allow check-in outside the event's dates."),
}

# The question asked at the desk when an admission falls outside the event's dates but is allowed.
CONFIRM_REASON = _("Today is outside the event's dates. Check this person in anyway? The check-in will be marked "
                   "early or late.")

# Colour family for the result box (the word above says the same thing in text).
TONES = {
    ScanStatus.OK: "ok",
    ScanStatus.ALREADY: "warn",
    ScanStatus.NOT_APPROVED: "warn",
    ScanStatus.OUTSIDE_DATES: "warn",
}

ERRORS = {
    "bad_gate": _("Choose a gate (1–40 characters) before scanning."),
    "bad_nonce": _("The request was incomplete. Reload the page and scan again."),
    "nothing_to_undo": _("Nothing to undo: no check-in by you at this gate in the last 15 minutes."),
    "not_found": _("No such registration at this event."),
}


def error_text(code: str):
    return ERRORS.get(code, _("The request could not be processed."))
