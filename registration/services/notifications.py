"""Emails to registrants, written in the registrant's language (Vietnamese unless they chose English).

Sent by the task registration.tasks.send_registration_email, enqueued in the transaction that changed the
registration (so it runs after commit); a mail failure is logged and never undoes the registration."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from ..models import Registration, RegistrationStatus

log = logging.getLogger(__name__)


def _language(registration: Registration) -> str:
    available = {code for code, _name in settings.LANGUAGES}
    return registration.language if registration.language in available else settings.LANGUAGE_CODE


def build_message(registration: Registration, *, kind: str, site: str = "") -> EmailMessage:
    """The email for ``kind`` (see KINDS), rendered in the registrant's language.

    These go to whatever address was typed into a public form, so their text is fixed: the templates get the
    event and the status, never the registrant's free text (name, company, needs), which a stranger could have
    chosen to make the department's email carry their message."""
    from .registrations import badge_attachment, claim_token

    slug = registration.event.slug
    with translation.override(_language(registration)):
        context = {
            "event": registration.event,
            "event_url": site + reverse("event_home", kwargs={"event_slug": slug}),
            "my_url": site + reverse("registration:my_event", kwargs={"event_slug": slug}),
            "status": registration.status,
            "Status": RegistrationStatus,
        }
        if kind == "claim":
            context["claim_url"] = site + reverse("registration:claim", kwargs={
                "event_slug": slug, "token": claim_token(registration)})
        subject = " ".join(render_to_string(f"registration/email/{kind}_subject.txt", context).split())
        body = render_to_string(f"registration/email/{kind}.txt", context)
    message = EmailMessage(subject=subject, body=body, to=[registration.email])
    if kind == "decision" and registration.status == RegistrationStatus.APPROVED:
        try:
            attachment = badge_attachment(registration)
        except Exception:  # the decision still goes out; the badge can be downloaded later
            log.exception("badge for registration %s could not be rendered", registration.pk)
            attachment = None
        if attachment is not None:
            message.attach(*attachment)
    return message


# claim: confirm the address of a new sign-up; already: the address is registered, nothing new was made;
# confirmation: the organizer will decide; decision: approved (badge attached), waitlisted or rejected.
KINDS = ("claim", "already", "confirmation", "decision")


def send(*, registration_id: int, kind: str, site: str = "") -> None:
    """Send the ``kind`` email of a registration now (no-op if it was deleted meanwhile)."""
    if kind not in KINDS:
        raise ValueError(f"unknown email kind {kind!r}")
    registration = Registration.objects.select_related("event").filter(pk=registration_id).first()
    if registration is None:
        return
    try:
        build_message(registration, kind=kind, site=site).send()
    except Exception:
        log.exception("%s email for registration %s not sent", kind, registration_id)


def send_confirmation(*, registration_id: int) -> None:
    """Tell a new registrant we have their sign-up and that the organizer will decide."""
    send(registration_id=registration_id, kind="confirmation")


def send_decision(*, registration_id: int) -> None:
    """Tell a registrant they are approved (badge attached when available), waitlisted or rejected."""
    send(registration_id=registration_id, kind="decision")
