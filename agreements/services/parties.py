"""Who may be a party to an agreement, and which organizations a person may pick, add and see.

One place for the party rules, used by creation, editing, the party search, the form's quick-add and the
organizers' confirmation page alike:

- a participant (exhibitor, buyer) acting for an organization keeps that organization among the parties
  (:func:`check_parties`), on creation *and* on every edit;
- a participant picks only organizations related to this event (:func:`party_choices`), plus the unverified ones
  they added themselves;
- a participant may add a partner that is not yet known: it is *unverified*, seen only by its creator and the
  organizers, unnamed on public pages, until an organizer confirms it (:func:`add_organization`,
  :func:`confirm_organization`); a tax code already held by an organization is never taken by a new one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import rules
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from booths.models import ApplicationStatus, ExhibitorApplication
from eventsite.activity import log_action, snapshot
from eventsite.models import Event, EventRole, Organization
from eventsite.provinces import fold
from eventsite.rules import is_organizer
from matchmaking.models import BuyerProfile, ProducerProfile
from registration.models import Registration, RegistrationStatus

from ..models import Agreement, AgreementParty
from .errors import AgreementError, NotAllowed, OrganizationClash, PartyError

OrgKind = Organization.Kind
PartyRole = AgreementParty.Role
DISTRIBUTOR_KINDS = (OrgKind.RETAIL_CHAIN, OrgKind.DISTRIBUTOR, OrgKind.ECOMMERCE, OrgKind.EXPORTER)
# Kinds where one side sells to the other: they need a seller and a buyer party (the "by buyer" tally and
# "M distributors" count the buyer side).
BUYER_FACING_KINDS = (Agreement.Kind.BIZ_BIZ, Agreement.Kind.BIZ_DISTRIBUTOR)
# The name public pages show instead of an unverified organization's own.
UNVERIFIED_LABEL = gettext_lazy("Organization awaiting confirmation")


# --- who acts for which organization ----------------------------------------------------------------


def member_org_ids(user, event: Event) -> set[int]:
    """Organizations ``user`` represents at ``event`` as exhibitor or buyer."""
    if user is None or not user.is_authenticated:
        return set()
    return set(
        EventRole.objects.filter(
            event=event, user=user, role__in=[EventRole.Role.EXHIBITOR, EventRole.Role.BUYER],
            organization__isnull=False,
        ).values_list("organization_id", flat=True)
    )


@rules.predicate
def is_pending_submission_of_own_org(user, agreement: Agreement | None) -> bool:
    """A participant edits what its organization submitted, until an organizer verified it (or it was cancelled)."""
    if agreement is None or agreement.submitted_by_org_id is None:
        return False
    return (agreement.verification != Agreement.Verification.VERIFIED
            and agreement.status != Agreement.Status.CANCELLED
            and agreement.submitted_by_org_id in member_org_ids(user, agreement.event))


# Who may edit an agreement (registered as the permission "agreements.edit_agreement" in agreements/rules.py).
may_edit_agreement = is_organizer | is_pending_submission_of_own_org


def acts_as_organizer(actor, event: Event) -> bool:
    """Organizers (and the system: imports, seeds, tasks with no user) enter agreements for the event itself."""
    return actor is None or is_organizer(actor, event)


def submitter_org(*, event: Event, actor, organizations: Iterable[Organization]) -> Organization | None:
    """The organization a participant submits for: the first party that is theirs (None for organizers).
    A participant none of whose organizations is a party may not submit it."""
    if acts_as_organizer(actor, event):
        return None
    own = member_org_ids(actor, event)
    for org in organizations:
        if org.pk in own:
            return org
    raise PartyError(_("Your organization must be one of the parties."))


def check_parties(*, event: Event, actor, acting_org: Organization | None,
                  organizations: Sequence[Organization]) -> None:
    """The party rule of creation and edit alike. ``acting_org``: the organization a participant acts for
    (None when an organizer or the system enters it). A participant's organization must stay a party, and an
    unverified party must be one the participant added (nobody else sees it until an organizer confirms it)."""
    if acting_org is None:
        return
    if acting_org.pk not in {o.pk for o in organizations}:
        raise PartyError(_("Your organization must be one of the parties."))
    user_id = getattr(actor, "pk", None)
    for org in organizations:
        if not org.verified and org.pk != acting_org.pk and (user_id is None or org.created_by_id != user_id):
            raise PartyError(_("“%(name)s” is awaiting confirmation by the organizers; choose another "
                               "organization or add your partner as a new one.") % {"name": org.name},
                             code="unverified_party")


# --- which organizations one may pick -----------------------------------------------------------------


def event_organizations(event: Event) -> Q:
    """Organizations related to ``event``: the organizer, the team's and participants' organizations, exhibitors
    who applied or booked (not rejected or withdrawn), registered buyers' companies (not rejected or cancelled),
    matchmaking participants and every party of this event's agreements."""
    return (
        Q(pk=event.organizer_id)
        | Q(pk__in=EventRole.objects.filter(event=event, organization__isnull=False).values("organization_id"))
        | Q(pk__in=ExhibitorApplication.objects.filter(event=event).exclude(
            status__in=[ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN]).values("organization_id"))
        | Q(pk__in=Registration.objects.filter(event=event, organization__isnull=False).exclude(
            status__in=[RegistrationStatus.REJECTED, RegistrationStatus.CANCELLED]).values("organization_id"))
        | Q(pk__in=BuyerProfile.objects.filter(event=event).values("organization_id"))
        | Q(pk__in=ProducerProfile.objects.filter(event=event).values("organization_id"))
        | Q(pk__in=AgreementParty.objects.filter(agreement__event=event).values("organization_id"))
    )


def party_choices(*, event: Event, user, organizer: bool | None = None) -> QuerySet[Organization]:
    """The organizations ``user`` may pick as a party at ``event`` (the party search, the form's check).

    Everyone: the organizations related to this event (:func:`event_organizations`) and those the user added.
    Unverified ones: organizers see those of their event; anyone else only the ones they added themselves."""
    if organizer is None:
        organizer = user is not None and is_organizer(user, event)
    related = event_organizations(event)
    mine = Q(created_by=user) if user is not None and user.is_authenticated else Q(pk__in=[])
    if organizer:
        return Organization.objects.filter(related | mine)
    return Organization.objects.filter((related & Q(verified=True)) | mine)


def search_parties(*, event: Event, user, text: str, limit: int = 20) -> list[Organization]:
    """The party search: tone-mark-free words in name, tax code or province, within :func:`party_choices`."""
    words = fold(text).split()[:5]
    if not words or len(" ".join(words)) < 2:
        return []
    qs = party_choices(event=event, user=user)
    for word in words:
        qs = qs.filter(search_text__contains=word)
    return list(qs.order_by("name")[:limit])


def default_role(org: Organization, *, kind: str | None = None, taken_roles: Iterable[str] = ()) -> str:
    """The side a newly added organization most likely signs on. In an agreement where one side sells to the
    other (a buyer-facing kind) it takes the side still missing; otherwise retail chains and distributors buy,
    departments sign as government and producers sell."""
    taken = set(taken_roles)
    if kind in BUYER_FACING_KINDS and org.kind != OrgKind.GOVERNMENT:
        if PartyRole.BUYER not in taken:
            return PartyRole.BUYER
        if PartyRole.SELLER not in taken:
            return PartyRole.SELLER
    if org.kind in DISTRIBUTOR_KINDS:
        return PartyRole.BUYER
    if org.kind == OrgKind.GOVERNMENT:
        return PartyRole.GOVERNMENT
    if org.kind in Organization.PRODUCER_KINDS:
        return PartyRole.SELLER
    return PartyRole.BUYER


# --- adding and confirming organizations --------------------------------------------------------------


@dataclass
class NewOrganization:
    name: str
    kind: str
    tax_code: str = ""
    province_code: int | None = None
    create_anyway: bool = False  # the same name in the same province is a different organization


def _visible_to(org: Organization, user, organizer: bool) -> bool:
    return org.verified or organizer or (user is not None and org.created_by_id == getattr(user, "pk", None))


@transaction.atomic
def add_organization(*, event: Event, actor, data: NewOrganization) -> Organization:
    """Add a party's organization from the agreement form. Organizers add verified ones; a participant adds an
    *unverified* one (seen by them and the organizers until an organizer confirms it).

    A tax code already held is never taken: the holder is offered instead when the person may see it, else the
    clash goes to the organizer (the message says to contact them). The same tone-mark-free name in the same
    province is offered too, unless ``create_anyway``."""
    organizer = acts_as_organizer(actor, event)
    name = " ".join((data.name or "").split())
    if len(fold(name)) < 2:
        raise AgreementError(_("Give the organization's name."), code="name")
    if data.kind not in OrgKind.values:
        raise AgreementError(_("Choose the organization's type."), code="kind")
    tax_code = (data.tax_code or "").strip()
    if tax_code:
        holder = Organization.objects.filter(tax_code=tax_code).first()
        if holder is not None:
            if _visible_to(holder, actor, organizer):
                raise OrganizationClash(_("An organization with this tax code is already registered: use it "
                                          "(“Use this one”), or contact the organizers if it is not the right one."),
                                        [holder], code="tax_code_taken")
            raise OrganizationClash(_("This tax code is already being checked by the organizers for another "
                                      "entry. Contact the organizers; they will add the organization for you."),
                                    code="tax_code_pending")
    folded = fold(name)
    same_name = [o for o in Organization.objects.filter(province_code=data.province_code,
                                                        search_text__startswith=folded)
                 if fold(" ".join(o.name.split())) == folded and _visible_to(o, actor, organizer)]
    if same_name and not data.create_anyway:
        raise OrganizationClash(_("An organization with this name already exists in this province. "
                                  "Use it, or tick the box to create a different one."), same_name, certain=False,
                                code="same_name")
    user = actor if actor is not None and actor.is_authenticated else None
    try:
        with transaction.atomic():
            org = Organization.objects.create(name=name, kind=data.kind, tax_code=tax_code,
                                              province_code=data.province_code, verified=organizer,
                                              created_by=user)
    except IntegrityError:  # the same tax code saved a moment ago at another desk
        raise OrganizationClash(_("An organization with this tax code is already registered: use it "
                                  "(“Use this one”), or contact the organizers if it is not the right one."),
                                [o for o in Organization.objects.filter(tax_code=tax_code)
                                 if _visible_to(o, actor, organizer)], code="tax_code_taken") from None
    log_action(action="agreements.organization_added", obj=org, event=event, actor=user,
               after=snapshot(org, ORG_FIELDS))
    return org


def may_use(*, event: Event, actor, organization: Organization) -> bool:
    """Whether ``actor`` may put ``organization`` on the form ("Use this one")."""
    if acts_as_organizer(actor, event):
        return True
    return _visible_to(organization, actor, False)


ORG_FIELDS = ("name", "kind", "tax_code", "province_code", "verified", "created_by")


def unverified_organizations(event: Event) -> QuerySet[Organization]:
    """Unverified organizations that are parties of ``event``'s agreements: what its organizers confirm."""
    return (Organization.objects.filter(
        verified=False, pk__in=AgreementParty.objects.filter(agreement__event=event).values("organization_id"))
        .select_related("created_by").order_by("created_at", "pk"))


@transaction.atomic
def confirm_organization(*, event: Event, actor, organization: Organization) -> Organization:
    """An organizer of ``event`` confirms an unverified organization that is a party of one of its agreements:
    from then on it is an ordinary organization (searchable by everyone, named on public pages)."""
    if not acts_as_organizer(actor, event):
        raise NotAllowed(_("Only the event's organizers confirm organizations."))
    org = unverified_organizations(event).select_for_update(of=("self",)).filter(pk=organization.pk).first()
    if org is None:
        raise AgreementError(_("This organization is not awaiting confirmation at this event."), code="not_pending")
    before = snapshot(org, ORG_FIELDS)
    org.verified = True
    org.save(update_fields=["verified"])
    log_action(action="agreements.organization_confirmed", obj=org, event=event, actor=actor, before=before,
               after=snapshot(org, ORG_FIELDS))
    return org


@transaction.atomic
def merge_organization(*, event: Event, actor, organization: Organization, into: Organization) -> Organization:
    """An organizer finds that an unverified organization is one already known: this event's agreements name
    ``into`` instead. The unverified record stays (other records may still point at it) but leaves the list."""
    if not acts_as_organizer(actor, event):
        raise NotAllowed(_("Only the event's organizers confirm organizations."))
    org = unverified_organizations(event).filter(pk=organization.pk).first()
    if org is None:
        raise AgreementError(_("This organization is not awaiting confirmation at this event."), code="not_pending")
    if into.pk == org.pk or not into.verified:
        raise AgreementError(_("Choose a verified organization to merge into."), code="merge_target")
    parties = list(AgreementParty.objects.select_for_update().filter(agreement__event=event, organization=org)
                   .select_related("agreement"))
    clash = [p.agreement for p in parties
             if AgreementParty.objects.filter(agreement=p.agreement_id, organization=into).exists()]
    if clash:
        raise AgreementError(_("“%(into)s” is already a party of “%(title)s”: edit that agreement instead.")
                          % {"into": into.name, "title": clash[0].title}, code="merge_clash")
    from .entry import replace_party_organization  # entry uses this module's rules; import at call time

    for party in parties:
        replace_party_organization(agreement=party.agreement, actor=actor, old=org, new=into)
    log_action(action="agreements.organization_merged", obj=org, event=event, actor=actor,
               before={"organization_id": org.pk, "name": org.name},
               after={"organization_id": into.pk, "name": into.name},
               note=", ".join(str(p.agreement_id) for p in parties))
    return into


def similar_organizations(org: Organization, limit: int = 5) -> list[Organization]:
    """Verified organizations an unverified one may really be: the same tone-mark-free name (any province)."""
    folded = fold(" ".join(org.name.split()))
    candidates = Organization.objects.filter(verified=True, search_text__startswith=folded).exclude(pk=org.pk)
    return [o for o in candidates.order_by("name")[:50] if fold(" ".join(o.name.split())) == folded][:limit]


def shown_name(org: Organization, *, user=None, organizer: bool = False) -> str:
    """An organization's name as ``user`` may see it: an unverified one is named only to the organizers and the
    person who added it; everyone else (public pages, other participants) reads "awaiting confirmation"."""
    if _visible_to(org, user, organizer):
        return org.name
    return str(UNVERIFIED_LABEL)


def public_names(org_ids: Iterable[int]) -> dict[int, str]:
    """{id: name} for public tallies: unverified organizations are not named. One query."""
    return {pk: name if verified else str(UNVERIFIED_LABEL) for pk, name, verified in
            Organization.objects.filter(pk__in=list(org_ids)).values_list("pk", "name", "verified")}
