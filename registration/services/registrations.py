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

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from eventsite.activity import log_action
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
from . import roles

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
                    buyer_capacity: int | None, checkin_outside_dates: bool = True) -> RegistrationSettings:
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
    settings.checkin_outside_dates = checkin_outside_dates
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
    """The live registration that holds ``email`` at ``event`` (unconfirmed sign-ups hold nothing)."""
    return Registration.objects.filter(event=event, email__iexact=email.strip(), status__in=ACTIVE,
                                       email_claimed=True).first()


def owns_email(user: User | None, email: str) -> bool:
    """Whether ``user`` has proved (by verifying it) that ``email`` is theirs."""
    if user is None or not user.is_authenticated:
        return False
    owner = roles.owner_of(email)
    return owner is not None and owner.pk == user.pk


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
    tax_code: str = "",
    province_code: int | None = None,
    product_groups: Iterable[str] = (),
    needs: str = "",
    answers: Mapping[str, Any] | None = None,
    user: User | None = None,
    language: str = "vi",
    site: str = "",
    share_contact: bool = False,
) -> Registration | None:
    """Register a buyer: one live registration per claimed email and event.

    An email address is claimed only by proving it: a signed-in user whose verified address it is claims it
    at once; anyone else's sign-up waits unclaimed (it takes no place and blocks nobody) and the address gets
    a link to confirm it (:func:`claim`). A sign-up never tells the visitor whether the address is already
    registered: when it is, nothing is created (returns None) and the address's owner is told by email.
    A signed-in owner registering their address again gets ``DuplicateRegistration``, about their own data.

    Once claimed, the buyer waits for the organizer when the event asks for approval; otherwise they are
    approved while places remain and waitlisted after.
    """
    settings = _lock_settings(event)
    if not settings.is_open:
        raise RegistrationClosed(_("Registration for this event is closed."))
    email = email.strip().lower()
    proven = owns_email(user, email)
    existing = find_active(event, email)
    if existing is not None:
        if proven:
            raise DuplicateRegistration(_("This email address is already registered for this event."), existing)
        _notify_on_commit(existing, kind="already", site=site)
        return None
    cleaned = clean_answers(settings.questions.all(), answers or {})
    registration = Registration(
        event=event, user=user if proven else None, email_claimed=proven,
        role=RegistrationRole.BUYER, status=Status.PENDING,
        full_name=full_name.strip(), company=company.strip(), tax_code=tax_code.strip(), email=email,
        phone=phone.strip(), buyer_type=buyer_type, job_title=job_title.strip(), province_code=province_code,
        product_groups=sorted(set(product_groups)), needs=needs.strip(), answers=cleaned,
        language=language, source=RegistrationSource.SIGNUP,
    )
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError:  # the unique constraint is the last guard, should the lock ever be bypassed
        raise DuplicateRegistration(_("This email address is already registered for this event."))
    log_action(action="registration.signed_up", obj=registration, actor=user if proven else None,
               after={"status": registration.status, "email_claimed": proven})
    from .consent import set_contact_consent

    set_contact_consent(registration=registration, shared=share_contact, actor=user if proven else None)
    if proven:
        _cancel_unclaimed_rivals(registration)
        _take_place(registration, settings)
    else:
        _notify_on_commit(registration, kind="claim", site=site)
    return registration


def _take_place(registration: Registration, settings: RegistrationSettings) -> None:
    """A registration that has just claimed its address: decided at once when the event needs no approval,
    otherwise confirmed to the registrant while the organizer decides."""
    if not settings.approval_required:
        left = places_left(settings)
        _decide(registration, Status.APPROVED if left is None or left > 0 else Status.WAITLISTED, None)
    _notify_on_commit(registration, kind="decision" if registration.status != Status.PENDING else "confirmation")
    _announce(registration.event, [registration.pk])


def _cancel_unclaimed_rivals(winner: Registration) -> None:
    """Cancel the other unconfirmed sign-ups with the winner's address at its event: whoever typed them
    did not prove the address, the winner did."""
    rivals = (Registration.objects.select_for_update(of=("self",))
              .filter(event_id=winner.event_id, email__iexact=winner.email, email_claimed=False, status__in=ACTIVE)
              .exclude(pk=winner.pk))
    for rival in rivals:
        _decide(rival, Status.CANCELLED, None)


CLAIM_SALT = "registration.claim"
CLAIM_MAX_AGE = 7 * 24 * 3600


class ClaimInvalid(RegistrationError):
    code = "claim_invalid"


def claim_token(registration: Registration) -> str:
    return signing.dumps([registration.pk, registration.email], salt=CLAIM_SALT, compress=True)


def registration_for_claim(event: Event, token: str) -> Registration:
    """The unclaimed-or-claimed registration a confirmation link names; ``ClaimInvalid`` when the link is
    forged, expired, for another event or its registration is gone."""
    try:
        pk, email = signing.loads(token, salt=CLAIM_SALT, max_age=CLAIM_MAX_AGE)
        registration = Registration.objects.select_related("event").get(pk=int(pk), event=event, email=email)
    except (signing.BadSignature, Registration.DoesNotExist, ValueError, TypeError, OverflowError):
        raise ClaimInvalid(_("This confirmation link is not valid or has expired. Register again to get a new "
                             "one."))
    return registration


@transaction.atomic
def claim(*, registration: Registration) -> Registration:
    """The registrant proved the address is theirs (they opened the link sent to it): the registration claims
    it. Other unconfirmed sign-ups with the same address at the event are cancelled (the verifying one wins);
    when a registration already holds the address, this one is cancelled and that one is returned."""
    settings = _lock_settings(registration.event)
    registration = _locked_registration(registration)
    if registration.email_claimed or registration.status not in ACTIVE:
        return registration
    holder = find_active(registration.event, registration.email)
    if holder is not None:  # the address is already held (by its owner, who is the one clicking now)
        _cancel_unclaimed_rivals(holder)
        return holder
    _cancel_unclaimed_rivals(registration)
    registration.email_claimed = True
    registration.save(update_fields=["email_claimed"])
    log_action(action="registration.email_claimed", obj=registration, after={"email_claimed": True})
    roles.link_owner(registration)
    _take_place(registration, settings)
    return registration


# --- Decisions -------------------------------------------------------------------------------


def _decide(registration: Registration, status: str, by: User | None) -> None:
    """Every change of a registration's status goes through here: logged, and the buyer role follows it."""
    before = registration.status
    registration.status = status
    registration.decided_at = timezone.now()
    registration.decided_by = by if by is not None and by.is_authenticated else None
    registration.save(update_fields=["status", "decided_at", "decided_by"])
    log_action(action=f"registration.{status}", obj=registration, actor=registration.decided_by,
               before={"status": before}, after={"status": status})
    if registration.role == RegistrationRole.BUYER and registration.user_id is not None:
        roles.sync_buyer_role(event=registration.event_id, user=registration.user_id, by=registration.decided_by,
                              because=registration)


def _locked_registration(registration: Registration) -> Registration:
    # Lock only the registration row (not the joined event): the settings row is the one queue.
    return Registration.objects.select_for_update(of=("self",)).select_related("event").get(pk=registration.pk)


def _approve_locked(registration: Registration, settings: RegistrationSettings, by: User | None) -> bool:
    """Approve when a place is free, else waitlist. Returns whether anything changed."""
    if registration.status == Status.APPROVED:
        return False
    if registration.status == Status.CANCELLED:
        raise InvalidTransition(_("A cancelled registration cannot be approved."))
    if not registration.email_claimed:
        raise InvalidTransition(_("The registrant has not yet confirmed their email address."),
                                code="email_unconfirmed")
    status = Status.APPROVED
    if registration.role == RegistrationRole.BUYER:
        left = places_left(settings)
        if left is not None and left <= 0:
            status = Status.WAITLISTED
    if status == registration.status:
        return False
    _decide(registration, status, by)
    _notify_on_commit(registration, kind="decision")
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
    if registration.email_claimed:  # an unconfirmed address never gets mail it did not ask for
        _notify_on_commit(registration, kind="decision")
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
        event=settings.event, role=RegistrationRole.BUYER, status=Status.WAITLISTED, email_claimed=True
    ).order_by("created_at", "id")
    left = places_left(settings)
    if left is not None:
        waiting = waiting[:left]
    promoted = list(waiting)
    for registration in promoted:
        _decide(registration, Status.APPROVED, None)
        _notify_on_commit(registration, kind="decision")
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


def _notify_on_commit(registration: Registration, *, kind: str, site: str = "") -> None:
    """Queue the registrant's email in the current transaction: it goes out only once the change commits.
    ``site`` (scheme and host) makes the links in "claim" and "already" emails absolute."""
    from ..tasks import send_registration_email

    send_registration_email.enqueue(registration_id=registration.pk, kind=kind, site=site)


def _announce(event: Event, ids: list[int]) -> None:
    broadcast_on_commit(event.pk, "registrations", {"type": "registrations.changed", "ids": ids})
