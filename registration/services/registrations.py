"""Sign-up, approval, capacity and the waiting list.

The rule every function here keeps: at one event, the number of APPROVED buyers never exceeds
``RegistrationSettings.buyer_capacity``. Every function that can change that number first locks the
event's settings row (``select_for_update``), so concurrent approvals queue instead of overbooking.
A place that frees up (an approved buyer cancelled or rejected) goes to the oldest waitlisted buyer.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from eventsite.errors import Conflict, DomainError
from eventsite.live import broadcast_on_commit
from eventsite.models import Event, User

from ..models import (
    Registration,
    RegistrationQuestion,
    RegistrationRole,
    RegistrationSettings,
    RegistrationSource,
    RegistrationStatus,
)

log = logging.getLogger(__name__)
Status = RegistrationStatus
ACTIVE = (Status.PENDING, Status.APPROVED, Status.WAITLISTED)


class RegistrationError(DomainError):
    code = "registration_error"


class RegistrationClosed(RegistrationError):
    code = "closed"


class DuplicateRegistration(Conflict):
    code = "duplicate"

    def __init__(self, message: str = "", existing: Registration | None = None):
        super().__init__(message)
        self.existing = existing


class InvalidAnswers(RegistrationError):
    code = "invalid_answers"

    def __init__(self, errors: dict[str, str]):
        super().__init__(_("Some answers are missing or not allowed."))
        self.errors = errors


class InvalidTransition(Conflict):
    code = "invalid_transition"


# --- Settings and capacity -------------------------------------------------------------------


def settings_for(event: Event) -> RegistrationSettings:
    """The event's registration settings, created with defaults on first use."""
    settings, _created = RegistrationSettings.objects.get_or_create(event=event)
    return settings


def _lock_settings(event: Event) -> RegistrationSettings:
    """Lock the event's settings row until the transaction ends: the one queue for place changes."""
    locked = RegistrationSettings.objects.select_for_update()
    try:
        return locked.get(event=event)
    except RegistrationSettings.DoesNotExist:
        settings_for(event)
        return locked.get(event=event)


def approved_buyers(event: Event) -> int:
    return Registration.objects.filter(event=event, role=RegistrationRole.BUYER, status=Status.APPROVED).count()


def places_left(settings: RegistrationSettings) -> int | None:
    """Free buyer places, or None when the event has no limit."""
    if settings.buyer_capacity is None:
        return None
    return max(settings.buyer_capacity - approved_buyers(settings.event), 0)


def counts_by_status(event: Event) -> dict[str, int]:
    rows = Registration.objects.filter(event=event).order_by().values_list("status").annotate(n=Count("id"))
    counts = dict.fromkeys(Status.values, 0)
    counts.update(dict(rows))
    return counts


@transaction.atomic
def update_settings(*, event: Event, is_open: bool, approval_required: bool,
                    buyer_capacity: int | None) -> RegistrationSettings:
    """Change how the event takes registrations; a raised capacity promotes waitlisted buyers.

    Capacity cannot drop below the buyers already approved: places given are not taken back here.
    """
    settings = _lock_settings(event)
    approved = approved_buyers(event)
    if buyer_capacity is not None and buyer_capacity < approved:
        raise RegistrationError(
            _("%(n)d buyers are already approved; the capacity cannot be lower.") % {"n": approved},
            code="capacity_below_approved",
        )
    settings.is_open = is_open
    settings.approval_required = approval_required
    settings.buyer_capacity = buyer_capacity
    settings.save()
    _promote_locked(settings)
    return settings


# --- Answers to the organizer's questions ----------------------------------------------------


def clean_answers(questions: Iterable[RegistrationQuestion], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Keep only answers to known questions, checked against each question's kind; raise on errors."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in questions:
        value = answers.get(question.key)
        if question.kind == RegistrationQuestion.Kind.YES_NO:
            if value in (None, ""):
                value = None
            elif isinstance(value, bool):
                pass
            elif str(value).lower() in ("yes", "true", "1", "có"):
                value = True
            elif str(value).lower() in ("no", "false", "0", "không"):
                value = False
            else:
                errors[question.key] = _("Answer yes or no.")
                continue
        else:
            value = str(value).strip() if value is not None else ""
            if question.kind == RegistrationQuestion.Kind.CHOICE and value and value not in question.choice_list:
                errors[question.key] = _("Pick one of the listed choices.")
                continue
            if len(value) > 2000:
                errors[question.key] = _("The answer is too long.")
                continue
            value = value or None
        if value is None:
            if question.required:
                errors[question.key] = _("This question needs an answer.")
            continue
        cleaned[question.key] = value
    if errors:
        raise InvalidAnswers(errors)
    return cleaned


# --- Sign-up ---------------------------------------------------------------------------------


def find_active(event: Event, email: str) -> Registration | None:
    return Registration.objects.filter(event=event, email__iexact=email.strip(), status__in=ACTIVE).first()


@transaction.atomic
def register_buyer(
    *,
    event: Event,
    full_name: str,
    company: str,
    email: str,
    phone: str,
    buyer_type: str,
    job_title: str = "",
    province_code: int | None = None,
    product_groups: Iterable[str] = (),
    needs: str = "",
    answers: Mapping[str, Any] | None = None,
    user: User | None = None,
    language: str = "vi",
) -> Registration:
    """Register a buyer: one live registration per email and event.

    The buyer waits for the organizer when the event asks for approval; otherwise they are approved
    while places remain and waitlisted after. A second sign-up with the same email (a double click,
    a second tab) raises ``DuplicateRegistration`` rather than taking a second place.

    Emails after commit: a confirmation when the buyer waits for the organizer; when the event
    decides at once (no approval step), the decision email (approved or waitlisted) is the confirmation.
    """
    settings = _lock_settings(event)
    if not settings.is_open:
        raise RegistrationClosed(_("Registration for this event is closed."))
    email = email.strip().lower()
    existing = find_active(event, email)
    if existing is not None:
        raise DuplicateRegistration(_("This email address is already registered for this event."), existing)
    cleaned = clean_answers(settings.questions.all(), answers or {})
    registration = Registration(
        event=event, user=user if user is not None and user.is_authenticated else None,
        role=RegistrationRole.BUYER, status=Status.PENDING,
        full_name=full_name.strip(), company=company.strip(), email=email, phone=phone.strip(),
        buyer_type=buyer_type, job_title=job_title.strip(), province_code=province_code,
        product_groups=sorted(set(product_groups)), needs=needs.strip(), answers=cleaned,
        language=language, source=RegistrationSource.SIGNUP,
    )
    if not settings.approval_required:
        left = places_left(settings)
        registration.status = Status.APPROVED if left is None or left > 0 else Status.WAITLISTED
        registration.decided_at = timezone.now()
    try:
        registration.save()
    except IntegrityError:  # the unique constraint is the last guard, should the lock ever be bypassed
        raise DuplicateRegistration(_("This email address is already registered for this event."))
    _notify_on_commit(registration, decision=registration.status != Status.PENDING)
    _announce(event, [registration.pk])
    return registration


# --- Decisions -------------------------------------------------------------------------------


def _decide(registration: Registration, status: str, by: User | None) -> None:
    registration.status = status
    registration.decided_at = timezone.now()
    registration.decided_by = by if by is not None and by.is_authenticated else None
    registration.save(update_fields=["status", "decided_at", "decided_by"])


def _locked_registration(registration: Registration) -> Registration:
    # Lock only the registration row (not the joined event): the settings row is the one queue.
    return Registration.objects.select_for_update(of=("self",)).select_related("event").get(pk=registration.pk)


def _approve_locked(registration: Registration, settings: RegistrationSettings, by: User | None) -> bool:
    """Approve when a place is free, else waitlist. Returns whether anything changed."""
    if registration.status == Status.APPROVED:
        return False
    if registration.status == Status.CANCELLED:
        raise InvalidTransition(_("A cancelled registration cannot be approved."))
    status = Status.APPROVED
    if registration.role == RegistrationRole.BUYER:
        left = places_left(settings)
        if left is not None and left <= 0:
            status = Status.WAITLISTED
    if status == registration.status:
        return False
    _decide(registration, status, by)
    _notify_on_commit(registration, decision=True)
    return True


@transaction.atomic
def approve(*, registration: Registration, by: User | None = None) -> Registration:
    """Approve a registration while buyer places remain; a full event puts the buyer on the
    waiting list instead (they move up in sign-up order when a place frees)."""
    settings = _lock_settings(registration.event)
    registration = _locked_registration(registration)
    if _approve_locked(registration, settings, by):
        _announce(registration.event, [registration.pk])
    return registration


@transaction.atomic
def reject(*, registration: Registration, by: User | None = None) -> Registration:
    """Turn a registration down; an approved buyer's place goes to the waiting list."""
    settings = _lock_settings(registration.event)
    registration = _locked_registration(registration)
    if registration.status == Status.REJECTED:
        return registration
    if registration.status == Status.CANCELLED:
        raise InvalidTransition(_("A cancelled registration cannot be rejected."))
    was_approved = registration.status == Status.APPROVED
    _decide(registration, Status.REJECTED, by)
    _notify_on_commit(registration, decision=True)
    if was_approved:
        _promote_locked(settings)
    _announce(registration.event, [registration.pk])
    return registration


@transaction.atomic
def cancel(*, registration: Registration, by: User | None = None) -> Registration:
    """Withdraw a registration (the attendee or the organizer); a freed place goes to the waiting list."""
    settings = _lock_settings(registration.event)
    registration = _locked_registration(registration)
    if registration.status == Status.CANCELLED:
        return registration
    if registration.status == Status.REJECTED:
        raise InvalidTransition(_("A rejected registration cannot be cancelled."))
    was_approved = registration.status == Status.APPROVED
    _decide(registration, Status.CANCELLED, by)
    if was_approved:
        _promote_locked(settings)
    _announce(registration.event, [registration.pk])
    return registration


def _promote_locked(settings: RegistrationSettings) -> list[Registration]:
    waiting = Registration.objects.filter(
        event=settings.event, role=RegistrationRole.BUYER, status=Status.WAITLISTED
    ).order_by("created_at", "id")
    left = places_left(settings)
    if left is not None:
        waiting = waiting[:left]
    promoted = list(waiting)
    for registration in promoted:
        _decide(registration, Status.APPROVED, None)
        _notify_on_commit(registration, decision=True)
    if promoted:
        _announce(settings.event, [r.pk for r in promoted])
    return promoted


@transaction.atomic
def promote_waitlist(*, event: Event) -> list[Registration]:
    """Give free buyer places to waitlisted buyers, oldest sign-up first. Returns those promoted."""
    return _promote_locked(_lock_settings(event))


ACTIONS = {"approve": approve, "reject": reject, "cancel": cancel}


@transaction.atomic
def decide_many(*, event: Event, action: str, registration_ids: Iterable[int], by: User | None) -> dict[str, int]:
    """Apply ``action`` (approve, reject, cancel) to several registrations of one event, in id order.

    Returns how many ended in each status; registrations whose state forbids the action are skipped
    and counted under "skipped".
    """
    if action not in ACTIONS:
        raise RegistrationError(_("Unknown action."), code="unknown_action")
    _lock_settings(event)
    service = ACTIONS[action]
    result: dict[str, int] = {"skipped": 0}
    for registration in Registration.objects.filter(event=event, pk__in=list(registration_ids)).order_by("pk"):
        try:
            with transaction.atomic():
                registration = service(registration=registration, by=by)
        except InvalidTransition:
            result["skipped"] += 1
            continue
        result[registration.status] = result.get(registration.status, 0) + 1
    return result


# --- Emails and live updates -----------------------------------------------------------------


def badge_attachment(registration: Registration) -> tuple[str, bytes, str] | None:
    """The badge PDF to attach to an approval email; None until the registration is approved."""
    if registration.status != Status.APPROVED:
        return None
    from .badges import render_badge_pdf  # lazy: sign-up itself never loads the PDF renderer

    return (f"badge-{registration.pk}.pdf", render_badge_pdf(registration), "application/pdf")


def _notify_on_commit(registration: Registration, *, decision: bool) -> None:
    """Queue the registrant's email in the current transaction: it goes out only once the change commits."""
    from ..tasks import send_registration_email

    send_registration_email.enqueue(registration_id=registration.pk, kind="decision" if decision else "confirmation")


def _announce(event: Event, ids: list[int]) -> None:
    broadcast_on_commit(event.pk, "registrations", {"type": "registrations.changed", "ids": ids})
