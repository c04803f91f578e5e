"""Helpers for agreement tests: organizations of each kind and agreements made through the services."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from agreements.models import Agreement, AgreementParty
from agreements.services import AgreementData, PartyData, create_agreement
from eventsite.models import EventRole, Organization
from tests.factories import DAY1, EventRoleFactory, OrganizationFactory, UserFactory, at

VN = ZoneInfo("Asia/Ho_Chi_Minh")
Kind = Organization.Kind
Role = AgreementParty.Role
SIGNED = at(DAY1, "10:00")


def dept(province: int = 79, **kw) -> Organization:
    return OrganizationFactory(kind=Kind.GOVERNMENT, province_code=province, name=kw.pop("name", None)
                               or f"Sở Công Thương {province}", **kw)


def retailer(**kw) -> Organization:
    return OrganizationFactory(kind=kw.pop("kind", Kind.RETAIL_CHAIN), name=kw.pop("name", "Siêu thị Tứ Sơn"),
                               province_code=kw.pop("province_code", 92), **kw)


def producer(**kw) -> Organization:
    kw.setdefault("province_code", 96)
    return OrganizationFactory(kind=Kind.COOPERATIVE, **kw)


def data(kind=Agreement.Kind.BIZ_DISTRIBUTOR, *, seller=None, buyer=None, parties=None, value=100_000_000,
         signed_at=SIGNED, title="Cung ứng khô cá khoai", **kw) -> AgreementData:
    if parties is None:
        parties = [PartyData(seller or producer(), Role.SELLER, "Trần Văn Út", "Giám đốc"),
                   PartyData(buyer or retailer(), Role.BUYER)]
    return AgreementData(kind=kind, title=title, parties=parties, signed_at=signed_at, estimated_value=value, **kw)


def agreement(event, *, actor=None, **kw) -> Agreement:
    return create_agreement(event=event, actor=actor, data=data(**kw), allow_duplicate=True)


def member(event, role: str, org: Organization | None = None):
    """A user holding ``role`` at ``event`` for ``org`` (a fresh organization by default)."""
    user = UserFactory()
    EventRoleFactory(event=event, user=user, role=role, organization=org or OrganizationFactory())
    return user


def organizer(event):
    return member(event, EventRole.Role.ORGANIZER, event.organizer)


# --- the entry form's parties formset, as the page posts it -------------------------------------


def party(org, role: str = "", *, email: str = "", signatories=()) -> dict:
    """One party row: an organization (or its id, or "" for none), its role, contact email, (name, title) pairs."""
    return {"organization": getattr(org, "pk", org), "role": role, "contact_email": email,
            "signatories": list(signatories)}


def party_rows(rows, *, initial: int = 0) -> dict:
    """The parties formset as the page posts it, management forms included (at least one signatory row each)."""
    post = {"parties-TOTAL_FORMS": len(rows), "parties-INITIAL_FORMS": initial}
    for i, row in enumerate(rows):
        prefix = f"parties-{i}"
        post.update({f"{prefix}-organization": row["organization"], f"{prefix}-role": row["role"],
                     f"{prefix}-contact_email": row["contact_email"]})
        signatories = row["signatories"] or [("", "")]
        post.update({f"{prefix}-signatories-TOTAL_FORMS": len(signatories),
                     f"{prefix}-signatories-INITIAL_FORMS": 0})
        for j, (name, title) in enumerate(signatories):
            post.update({f"{prefix}-signatories-{j}-name": name, f"{prefix}-signatories-{j}-title": title})
    return post
