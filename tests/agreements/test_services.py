"""Entry rules: every kind, parties, duplicates, status changes, verification, optimistic concurrency, audit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from agreements.audit import AuditAction
from agreements.models import Agreement
from agreements.services import (
    AgreementError,
    DuplicateSuspected,
    PartyData,
    StaleEdit,
    cancel_agreement,
    create_agreement,
    prefill_from_meeting,
    reject_agreement,
    set_status,
    update_agreement,
    verify_agreement,
)
from eventsite.activity import history_of
from tests.factories import EventFactory, ProductFactory

from .factories import SIGNED, Role, agreement, data, dept, organizer, producer, retailer

pytestmark = pytest.mark.django_db
K = Agreement.Kind


@pytest.fixture
def event():
    return EventFactory()


@pytest.mark.parametrize("kind,parties", [
    (K.DEPT_DEPT, lambda: [PartyData(dept(96), Role.GOVERNMENT), PartyData(dept(79), Role.GOVERNMENT)]),
    (K.DEPT_RETAIL, lambda: [PartyData(dept(96), Role.GOVERNMENT), PartyData(retailer(), Role.BUYER)]),
    (K.BIZ_BIZ, lambda: [PartyData(producer(), Role.SELLER), PartyData(producer(), Role.BUYER)]),
    (K.BIZ_DISTRIBUTOR, lambda: [PartyData(producer(), Role.SELLER), PartyData(retailer(), Role.BUYER)]),
    (K.OTHER, lambda: [PartyData(producer(), Role.SELLER), PartyData(dept(96), Role.WITNESS)]),
])
def test_every_kind_is_recorded_with_parties_and_audit(event, kind, parties):
    user = organizer(event)
    a = create_agreement(event=event, actor=user, data=data(kind, parties=parties()))
    assert a.kind == kind and a.parties.count() == 2
    assert a.verification == Agreement.Verification.VERIFIED and a.version == 1
    entry = history_of(a).get()
    assert entry.action == AuditAction.CREATED and entry.actor == user
    assert entry.before is None and entry.after["kind"] == kind and len(entry.after["parties"]) == 2


def test_kind_must_match_the_parties(event):
    with pytest.raises(AgreementError) as err:
        create_agreement(event=event, actor=None, data=data(K.DEPT_DEPT))
    assert err.value.code == "kind_parties"
    with pytest.raises(AgreementError) as err:
        create_agreement(event=event, actor=None, data=data(
            K.BIZ_DISTRIBUTOR, parties=[PartyData(producer(), Role.SELLER), PartyData(producer(), Role.BUYER)]))
    assert err.value.code == "kind_parties"


def test_needs_two_distinct_parties(event):
    org = producer()
    with pytest.raises(AgreementError) as err:
        create_agreement(event=event, actor=None, data=data(parties=[PartyData(org, Role.SELLER)]))
    assert err.value.code == "parties"
    with pytest.raises(AgreementError) as err:
        create_agreement(event=event, actor=None,
                         data=data(K.BIZ_BIZ, parties=[PartyData(org, Role.SELLER), PartyData(org, Role.BUYER)]))
    assert err.value.code == "party_twice"
    assert not Agreement.objects.exists()


def test_products_add_their_group_and_partner_province_is_the_other_side(event):
    product = ProductFactory(group="beverage", subgroup="alcoholic")
    buyer = retailer(province_code=79)
    a = create_agreement(event=event, actor=None, data=data(buyer=buyer, products=[product],
                                                            product_groups=["food"]))
    assert sorted(a.product_groups.values_list("group", flat=True)) == ["beverage", "food"]
    assert a.partner_province_code == 79


def test_duplicate_same_parties_same_day_warns_and_confirm_saves(event):
    seller, buyer = producer(), retailer()
    create_agreement(event=event, actor=None, data=data(seller=seller, buyer=buyer))
    with pytest.raises(DuplicateSuspected) as err:
        create_agreement(event=event, actor=None,
                         data=data(seller=seller, buyer=buyer, signed_at=SIGNED + timedelta(hours=3)))
    assert err.value.code == "duplicate" and len(err.value.duplicates) == 1
    assert Agreement.objects.count() == 1  # nothing saved silently
    # another day is not a duplicate; the same day with confirmation is saved
    next_day = SIGNED + timedelta(days=1)
    create_agreement(event=event, actor=None, data=data(seller=seller, buyer=buyer, signed_at=next_day))
    create_agreement(event=event, actor=None, data=data(seller=seller, buyer=buyer), allow_duplicate=True)
    assert Agreement.objects.count() == 3


def test_cancelled_agreement_is_not_a_duplicate_and_stays_in_history(event):
    user = organizer(event)
    seller, buyer = producer(), retailer()
    a = create_agreement(event=event, actor=user, data=data(seller=seller, buyer=buyer))
    cancel_agreement(agreement=a, actor=user, reason="Nhà phân phối rút lại")
    create_agreement(event=event, actor=user, data=data(seller=seller, buyer=buyer))
    a.refresh_from_db()
    assert a.status == Agreement.Status.CANCELLED and a.cancelled_on and a.cancel_reason == "Nhà phân phối rút lại"
    assert Agreement.objects.filter(event=event).count() == 2
    assert [e.action for e in history_of(a)] == ["agreements.created", "agreements.cancelled"]
    assert history_of(a).last().before["status"] == "signed" and history_of(a).last().after["status"] == "cancelled"


def test_cancel_needs_a_reason(event):
    a = agreement(event)
    with pytest.raises(AgreementError) as err:
        cancel_agreement(agreement=a, actor=None, reason="  ")
    assert err.value.code == "reason_required"
    a.refresh_from_db()
    assert a.status == Agreement.Status.SIGNED and history_of(a).count() == 1


def test_status_flow_with_dates_and_forbidden_transitions(event):
    user = organizer(event)
    a = agreement(event)
    set_status(agreement=a, actor=user, status="in_execution", on=date(2027, 1, 5))
    a = set_status(agreement=a, actor=user, status="completed", on=date(2027, 6, 30))
    assert (a.execution_started_on, a.completed_on) == (date(2027, 1, 5), date(2027, 6, 30))
    with pytest.raises(AgreementError) as err:
        set_status(agreement=a, actor=user, status="signed")
    assert err.value.code == "status_transition"
    with pytest.raises(AgreementError):
        cancel_agreement(agreement=a, actor=user, reason="late")
    assert [e.action for e in history_of(a)] == ["agreements.created", "agreements.status", "agreements.status"]


def test_submission_waits_for_verification_then_counts(event):
    seller = producer()
    a = create_agreement(event=event, actor=None, data=data(seller=seller), submitted_by_org=seller)
    assert a.verification == "submitted" and not a.counts
    user = organizer(event)
    a = verify_agreement(agreement=a, actor=user)
    assert a.counts and [e.action for e in history_of(a)] == ["agreements.submitted", "agreements.verified"]


def test_submitter_must_be_a_party(event):
    with pytest.raises(AgreementError) as err:
        create_agreement(event=event, actor=None, data=data(), submitted_by_org=producer())
    assert err.value.code == "not_a_party"


def test_reject_needs_reason_and_a_corrected_edit_goes_back_to_review(event):
    seller = producer()
    a = create_agreement(event=event, actor=None, data=data(seller=seller), submitted_by_org=seller)
    with pytest.raises(AgreementError):
        reject_agreement(agreement=a, actor=None, reason="")
    a = reject_agreement(agreement=a, actor=None, reason="Thiếu bản scan có chữ ký")
    assert a.verification == "rejected" and a.rejection_reason == "Thiếu bản scan có chữ ký"
    a = update_agreement(agreement=a, actor=None, data=data(seller=seller, title="Bản sửa"), expected_version=a.version)
    assert a.verification == "submitted" and a.title == "Bản sửa"
    assert [e.action for e in history_of(a)] == ["agreements.submitted", "agreements.rejected", "agreements.updated"]


def test_edit_records_before_and_after(event):
    a = agreement(event, value=100_000_000)
    seller = a.parties.get(role="seller").organization
    buyer = a.parties.get(role="buyer").organization
    a = update_agreement(agreement=a, actor=None, data=data(seller=seller, buyer=buyer, value=250_000_000),
                         expected_version=1)
    entry = history_of(a).last()
    assert entry.action == "agreements.updated" and entry.before["estimated_value"] == 100_000_000
    assert entry.after["estimated_value"] == 250_000_000 and a.version == 2
    assert ("estimated_value", 100_000_000, 250_000_000) in entry.changed_fields()


def test_stale_edit_is_refused_and_changes_nothing(event):
    a = agreement(event, value=1)
    seller = a.parties.get(role="seller").organization
    buyer = a.parties.get(role="buyer").organization
    update_agreement(agreement=a, actor=None, data=data(seller=seller, buyer=buyer, value=2), expected_version=1)
    with pytest.raises(StaleEdit) as err:
        update_agreement(agreement=a, actor=None, data=data(seller=seller, buyer=buyer, value=3), expected_version=1)
    assert err.value.code == "stale"
    a.refresh_from_db()
    assert a.estimated_value == 2 and a.version == 2 and history_of(a).count() == 2


def test_prefill_from_meeting(event):
    seller, buyer = producer(), retailer()
    mine = ProductFactory(producer=seller, name="Mật ong rừng U Minh")
    other = ProductFactory()
    initial = prefill_from_meeting(event=event, buyer_org=buyer, producer_org=seller, product_ids=[mine.pk, other.pk])
    assert initial["kind"] == K.BIZ_DISTRIBUTOR
    assert initial["parties"] == [{"organization": seller.pk, "role": "seller"},
                                  {"organization": buyer.pk, "role": "buyer"}]
    assert initial["products"] == [mine.pk] and initial["product_groups"] == ["food"]
    assert "Mật ong rừng U Minh" in initial["title"]


def test_nothing_is_hard_deleted_by_the_admin(admin_client, event):
    a = agreement(event)
    response = admin_client.post(f"/admin/agreements/agreement/{a.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Agreement.objects.filter(pk=a.pk).exists()
