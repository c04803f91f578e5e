"""Roles follow the facts: who holds the buyer role at an event, and for which organization.

The one rule: a user holds the BUYER ``EventRole`` at an event exactly while one of their buyer registrations
there is APPROVED, on behalf of that registration's organization (so matchmaking and the buyer's pages work
for them). Every path that changes such a fact (sign-up, approval, bulk decisions, the waiting list, imports,
the admin, an email address confirmed later) calls :func:`sync_buyer_role`, inside its transaction.

A registration made without an account gets one linked when that account proves it owns the email address
(:func:`link_registrations`, called when allauth confirms an address); the role follows then.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction

from eventsite.activity import log_action
from eventsite.models import Event, EventRole, Organization, User
from eventsite.provinces import fold

from ..models import BuyerType, Registration, RegistrationRole, RegistrationStatus

# The buyer's own words for their business, as the organization kinds the rest of the platform knows.
KIND_OF_BUYER_TYPE = {
    BuyerType.SUPERMARKET: Organization.Kind.RETAIL_CHAIN,
    BuyerType.DISTRIBUTOR: Organization.Kind.DISTRIBUTOR,
    BuyerType.WHOLESALER: Organization.Kind.DISTRIBUTOR,
    BuyerType.ECOMMERCE: Organization.Kind.ECOMMERCE,
    BuyerType.EXPORTER: Organization.Kind.EXPORTER,
}


def name_key(name: str) -> str:
    """A company name as compared: tone marks, case and spacing do not matter ("Co.op  Mart" = "co.op mart")."""
    return " ".join(fold(name or "").split())


def matching_organization(*, name: str, tax_code: str = "", province_code: int | None = None) -> Organization | None:
    """The organization a company name stands for: the one holding its tax code; otherwise (no tax code given,
    or nobody holds it) one with the same name, tone marks aside, in the same province that has no other tax
    code."""
    tax_code = (tax_code or "").strip()
    if tax_code:
        found = Organization.objects.filter(tax_code=tax_code).first()
        if found is not None:
            return found
    key = name_key(name)
    if not key:
        return None
    candidates = Organization.objects.filter(province_code=province_code, search_text__startswith=key.split()[0])
    for organization in candidates.order_by("pk"):
        if name_key(organization.name) != key:
            continue
        if tax_code and organization.tax_code and organization.tax_code != tax_code:
            continue  # same name, another registered business
        return organization
    return None


def organization_for(registration: Registration, *, by: User | None = None) -> Organization:
    """The registration's organization, matched or created from its company, and set on the registration."""
    if registration.organization_id is not None:
        return registration.organization
    organization = matching_organization(name=registration.company, tax_code=registration.tax_code,
                                         province_code=registration.province_code)
    action = "registration.organization_matched"
    if organization is None:
        organization = Organization.objects.create(
            name=registration.company.strip()[:255], tax_code=registration.tax_code.strip(),
            province_code=registration.province_code,
            kind=KIND_OF_BUYER_TYPE.get(registration.buyer_type, Organization.Kind.OTHER),
        )
        action = "registration.organization_created"
    registration.organization = organization
    registration.save(update_fields=["organization"])
    log_action(action=action, obj=registration, actor=by, after={"organization": organization.pk},
               note=organization.name)
    return organization


def _approved_buyer_registrations(event_id: int, user_id: int):
    return Registration.objects.filter(event_id=event_id, user_id=user_id, role=RegistrationRole.BUYER,
                                       status=RegistrationStatus.APPROVED).order_by("created_at", "pk")


@transaction.atomic
def sync_buyer_role(*, event: Event | int, user: User | int | None, by: User | None = None,
                    because: Registration | None = None) -> EventRole | None:
    """Give or take the buyer role of ``user`` at ``event`` so that it matches their registrations there.

    Returns the role held afterwards (None when none). The role is taken away only when no approved buyer
    registration of the user at the event remains: another approved registration still justifies it.
    """
    event_id = event.pk if isinstance(event, Event) else event
    user_id = user.pk if isinstance(user, User) else user
    if user_id is None:
        return None
    actor = by if by is not None and by.is_authenticated else None
    role = EventRole.objects.select_for_update().filter(event_id=event_id, user_id=user_id,
                                                         role=EventRole.Role.BUYER).first()
    registrations = list(_approved_buyer_registrations(event_id, user_id))
    if not registrations:
        if role is not None:
            before = {"role": role.role, "organization": role.organization_id}
            role.delete()
            log_action(action="registration.buyer_role_removed", obj=because, event=event_id, actor=actor,
                       before={**before, "user": user_id})
        return None
    organization = organization_for(registrations[0], by=actor)
    for other in registrations[1:]:
        organization_for(other, by=actor)
    if role is None:
        role, created = EventRole.objects.get_or_create(event_id=event_id, user_id=user_id, role=EventRole.Role.BUYER,
                                                        defaults={"organization": organization})
        if created:
            log_action(action="registration.buyer_role_granted", obj=because or registrations[0], actor=actor,
                       after={"user": user_id, "role": role.role, "organization": organization.pk})
    if role.organization_id is None:
        role.organization = organization
        role.save(update_fields=["organization"])
        log_action(action="registration.buyer_role_granted", obj=registrations[0], actor=actor,
                   before={"user": user_id, "organization": None},
                   after={"user": user_id, "role": role.role, "organization": organization.pk})
    return role


def owner_of(email: str) -> User | None:
    """The account that has proved it owns ``email`` (a verified allauth address), if any."""
    address = (EmailAddress.objects.filter(email__iexact=email.strip(), verified=True)
               .select_related("user").first())
    return address.user if address is not None else None


def owners_of(emails: list[str]) -> dict[str, int]:
    """Lower-cased address → id of the account that verified it, for many addresses at once."""
    owners: dict[str, int] = {}
    wanted = sorted({e.strip().lower() for e in emails if e})
    for start in range(0, len(wanted), 500):  # stay under SQLite's parameter limit
        for email, user_id in EmailAddress.objects.filter(email__in=wanted[start:start + 500], verified=True) \
                .values_list("email", "user_id"):
            owners[email.lower()] = user_id
    return owners


@transaction.atomic
def link_registrations(*, user: User, email: str) -> list[Registration]:
    """Attach ``user``, who has just proved they own ``email``, to the claimed registrations made with that
    address without an account, and give the buyer role where one is approved. Returns those linked."""
    linked = list(Registration.objects.select_for_update(of=("self",)).filter(
        email__iexact=email.strip(), user__isnull=True, email_claimed=True))
    for registration in linked:
        registration.user = user
        registration.save(update_fields=["user"])
        log_action(action="registration.account_linked", obj=registration, actor=user,
                   after={"user": user.pk})
    for event_id in sorted({r.event_id for r in linked}):
        sync_buyer_role(event=event_id, user=user, by=user)
    return linked


def link_owner(registration: Registration) -> None:
    """Link a claimed registration without an account to the account that owns its address, if there is one."""
    if registration.user_id is None and registration.email_claimed:
        user = owner_of(registration.email)
        if user is not None:
            registration.user = user
            registration.save(update_fields=["user"])
            log_action(action="registration.account_linked", obj=registration, after={"user": user.pk})


def on_email_confirmed(sender, request=None, email_address=None, **kwargs) -> None:
    """allauth's ``email_confirmed``: fires on every path that verifies an address (the link, a code, a
    password reset), which the adapter's ``confirm_email`` alone does not see."""
    if email_address is not None and email_address.verified:
        link_registrations(user=email_address.user, email=email_address.email)
