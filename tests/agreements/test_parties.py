"""Party rules in one place: a participant's organization stays a party on edit (#16 defect 1), the party search
lists this event's organizations only (#16 defect 9), buyer-facing kinds need a buyer and a seller (#15), and
participants add unverified partners that organizers confirm or merge (#15)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agreements.models import Agreement, AgreementParty
from agreements.services import (
    AgreementError,
    NewOrganization,
    OrganizationClash,
    PartyData,
    add_organization,
    confirm_organization,
    create_agreement,
    merge_organization,
    party_choices,
    search_parties,
    update_agreement,
    verify_agreement,
)
from booths.models import ApplicationStatus
from eventsite.activity import history_of
from eventsite.models import ActivityEntry, Event, EventRole, Organization
from matchmaking.models import BuyerProfile
from registration.models import Registration, RegistrationStatus
from tests.booths.factories import ApplicationFactory
from tests.factories import DAY1, EventFactory, OrganizationFactory

from .factories import Role, data, dept, member, organizer, party, party_rows, producer, retailer

pytestmark = pytest.mark.django_db
K = Agreement.Kind
R = EventRole.Role


@pytest.fixture
def event():
    return EventFactory()


def submitted(event, *, own=None, partner=None):
    """An agreement an exhibitor submitted for ``own`` with ``partner``: (agreement, the exhibitor)."""
    own, partner = own or producer(), partner or retailer()
    user = member(event, R.EXHIBITOR, own)
    a = create_agreement(event=event, actor=user, data=data(seller=own, buyer=partner), submitted_by_org=own)
    return a, user


# --- #16 defect 1: the party rule of creation holds on edit ---------------------------------------


def test_exhibitor_cannot_edit_its_submission_into_one_its_organization_is_not_a_party_to(event):
    a, user = submitted(event)
    other_seller, other_buyer = producer(), retailer()
    with pytest.raises(AgreementError) as err:
        update_agreement(agreement=a, actor=user, data=data(seller=other_seller, buyer=other_buyer),
                         expected_version=a.version)
    assert err.value.code == "not_a_party"
    a.refresh_from_db()
    assert a.version == 1 and set(a.parties.values_list("organization_id", flat=True)) != {
        other_seller.pk, other_buyer.pk}


def test_exhibitor_edit_through_the_page_keeps_its_organization_a_party(client, event):
    own = producer()
    a, user = submitted(event, own=own)
    other_seller, other_buyer = producer(), retailer()
    client.force_login(user)
    post = {"kind": a.kind, "title": a.title, "signed_at": f"{DAY1:%Y-%m-%d}T10:00", "version": a.version,
            **party_rows([party(other_seller, "seller"), party(other_buyer, "buyer")]),
            "estimated_value": "", "volume": "", "term": "", "ceremony_ref": ""}
    response = client.post(reverse("agreements:edit", args=[event.slug, a.pk]), post)
    assert response.status_code == 200
    assert "Tổ chức của bạn phải là một trong các bên ký." in response.content.decode()
    assert set(AgreementParty.objects.filter(agreement=a).values_list("organization_id", flat=True)) == {
        own.pk, a.parties.get(role="buyer").organization_id}


def test_exhibitor_may_change_the_partner_while_staying_a_party(event):
    own = producer()
    a, user = submitted(event, own=own)
    new_partner = retailer(name="Chuỗi Co.op")
    ApplicationFactory(event=event, organization=new_partner)
    a = update_agreement(agreement=a, actor=user, data=data(seller=own, buyer=new_partner),
                         expected_version=a.version)
    assert a.version == 2


def test_someone_who_may_not_edit_is_refused_by_the_service(event):
    a, _user = submitted(event)
    stranger = member(event, R.EXHIBITOR, producer())
    with pytest.raises(AgreementError) as err:
        update_agreement(agreement=a, actor=stranger, data=data(), expected_version=a.version)
    assert err.value.code == "not_allowed" and err.value.status == 403


# --- #16 defect 9: the party search lists this event's organizations only --------------------------


def _names(event, user, text="dam doi"):
    return {o.name for o in search_parties(event=event, user=user, text=text)}


def test_party_search_lists_only_organizations_related_to_this_event(event):
    def org(name):
        return producer(name=f"Đầm Dơi {name}")

    applied, rejected, booked_elsewhere = org("applied"), org("rejected"), org("elsewhere")
    ApplicationFactory(event=event, organization=applied)
    ApplicationFactory(event=event, organization=rejected, status=ApplicationStatus.REJECTED)
    draft = EventFactory(status=Event.Status.DRAFT)
    ApplicationFactory(event=draft, organization=booked_elsewhere)
    ApplicationFactory(event=EventFactory(), organization=booked_elsewhere)
    buyer_co = org("buyer")
    Registration.objects.create(event=event, organization=buyer_co, full_name="Lê Văn A", company=buyer_co.name,
                                phone="0900000000", email="a@example.vn", status=RegistrationStatus.APPROVED)
    profile = org("matchmaking")
    BuyerProfile.objects.create(event=event, organization=profile)
    party = org("party")
    create_agreement(event=event, actor=None, data=data(K.OTHER, parties=[
        PartyData(party, Role.SELLER), PartyData(event.organizer, Role.GOVERNMENT)]))
    org("nowhere")
    event.organizer.name = "Sở Công Thương Đầm Dơi"
    event.organizer.save()
    user = member(event, R.EXHIBITOR, applied)
    assert _names(event, user) == {applied.name, buyer_co.name, profile.name, party.name, event.organizer.name}
    assert _names(event, organizer(event)) == _names(event, user)


def test_party_search_page_does_not_offer_other_events_organizations(client, event):
    ApplicationFactory(event=EventFactory(status=Event.Status.DRAFT), organization=producer(name="HTX Bí Mật"))
    client.force_login(organizer(event))
    html = client.get(reverse("agreements:parties", args=[event.slug]), {"q": "bi mat"}).content.decode()
    assert "HTX Bí Mật" not in html


# --- #15: buyer-facing kinds need a buyer and a seller ------------------------------------------------


@pytest.mark.parametrize("kind", [K.BIZ_DISTRIBUTOR, K.BIZ_BIZ])
def test_buyer_facing_agreement_with_two_sellers_is_refused(event, kind):
    parties = [PartyData(producer(), Role.SELLER), PartyData(retailer(), Role.SELLER)]
    with pytest.raises(AgreementError) as err:
        create_agreement(event=event, actor=None, data=data(kind, parties=parties))
    assert err.value.code == "buyer_and_seller"
    assert Agreement.objects.count() == 0


def test_buyer_facing_rule_guards_edit_too(event):
    a = create_agreement(event=event, actor=None, data=data())
    seller, buyer = [p.organization for p in a.parties.order_by("position")]
    with pytest.raises(AgreementError) as err:
        update_agreement(agreement=a, actor=organizer(event), expected_version=a.version, data=data(
            parties=[PartyData(seller, Role.SELLER), PartyData(buyer, Role.WITNESS)]))
    assert err.value.code == "buyer_and_seller"


def test_other_kinds_need_no_buyer(event):
    create_agreement(event=event, actor=None, data=data(K.DEPT_DEPT, parties=[
        PartyData(dept(96), Role.GOVERNMENT), PartyData(dept(79), Role.GOVERNMENT)]))


def test_quick_added_distributor_signs_as_buyer_even_in_a_row_posted_as_seller(client, event):
    client.force_login(organizer(event))
    seller = producer()
    post = {"kind": "biz_distributor", "title": "Lễ ký", "signed_at": f"{DAY1:%Y-%m-%d}T10:00",
            **party_rows([party(seller, "seller"), party("", "seller")]), "neworg_create": "1",
            "neworg-name": "Công ty TNHH Gạo Ngon", "neworg-kind": "distributor",
            "neworg-tax_code": "", "neworg-province_code": "92"}
    html = client.post(reverse("agreements:new", args=[event.slug]), post).content.decode()
    org = Organization.objects.get(name="Công ty TNHH Gạo Ngon")
    assert org.verified and f'<option value="{org.pk}" selected>' in html
    role_select = html[html.index('name="parties-1-role"'):]
    role_select = role_select[:role_select.index("</select>")]
    assert '<option value="buyer" selected>' in role_select


# --- #15: unverified organizations -------------------------------------------------------------------


def test_participant_adds_an_unverified_partner_and_submits_with_it(event):
    own = producer()
    user = member(event, R.EXHIBITOR, own)
    partner = add_organization(event=event, actor=user, data=NewOrganization("Siêu thị Mới", "retail_chain",
                                                                             "0312345678", 79))
    assert (partner.verified, partner.created_by_id) == (False, user.pk)
    assert ActivityEntry.objects.filter(action="agreements.organization_added", object_id=partner.pk).exists()
    a = create_agreement(event=event, actor=user, data=data(seller=own, buyer=partner), submitted_by_org=own)
    assert a.verification == "submitted"
    # another participant may neither see nor use it
    other = member(event, R.EXHIBITOR, producer())
    assert not party_choices(event=event, user=other).filter(pk=partner.pk).exists()
    assert party_choices(event=event, user=user).filter(pk=partner.pk).exists()
    assert party_choices(event=event, user=organizer(event)).filter(pk=partner.pk).exists()
    with pytest.raises(AgreementError) as err:
        create_agreement(event=event, actor=other, submitted_by_org=other.event_roles.get().organization,
                         data=data(seller=other.event_roles.get().organization, buyer=partner))
    assert err.value.code == "unverified_party"


def test_a_verified_tax_code_cannot_be_taken_the_holder_is_offered(event):
    holder = retailer(tax_code="0300000001")
    user = member(event, R.EXHIBITOR, producer())
    with pytest.raises(OrganizationClash) as err:
        add_organization(event=event, actor=user, data=NewOrganization("Tên khác", "distributor", "0300000001"))
    assert err.value.code == "tax_code_taken" and err.value.existing == [holder]
    assert not Organization.objects.filter(name="Tên khác").exists()


def test_a_tax_code_another_participant_added_goes_to_the_organizer(event):
    first = member(event, R.EXHIBITOR, producer())
    add_organization(event=event, actor=first, data=NewOrganization("Đại lý Bí Mật", "distributor", "0300000002"))
    second = member(event, R.EXHIBITOR, producer())
    with pytest.raises(OrganizationClash) as err:
        add_organization(event=event, actor=second, data=NewOrganization("Khác", "distributor", "0300000002"))
    assert err.value.code == "tax_code_pending" and err.value.existing == []
    assert "Bí Mật" not in err.value.message


def test_tax_code_clash_on_the_form_tells_the_exhibitor_what_to_do(client, event):
    retailer(name="Bách Hóa Xanh", tax_code="0300000003")
    own = producer()
    client.force_login(member(event, R.EXHIBITOR, own))
    post = {"kind": "biz_distributor", "title": "Lễ ký", "signed_at": f"{DAY1:%Y-%m-%d}T10:00",
            **party_rows([party(own, "seller"), party("", "buyer")]), "neworg_create": "1", "neworg-name": "BHX",
            "neworg-kind": "retail_chain", "neworg-tax_code": "0300000003", "neworg-province_code": ""}
    html = client.post(reverse("agreements:new", args=[event.slug]), post).content.decode()
    assert "Bách Hóa Xanh" in html and 'name="use_org"' in html and "liên hệ ban tổ chức" in html
    assert not Organization.objects.filter(name="BHX").exists()


def test_verifying_waits_for_the_organization_to_be_confirmed(event):
    own = producer()
    user = member(event, R.EXHIBITOR, own)
    partner = add_organization(event=event, actor=user, data=NewOrganization("Đại lý Mới", "distributor"))
    a = create_agreement(event=event, actor=user, data=data(seller=own, buyer=partner), submitted_by_org=own)
    boss = organizer(event)
    with pytest.raises(AgreementError) as err:
        verify_agreement(agreement=a, actor=boss)
    assert err.value.code == "unverified_party"
    confirm_organization(event=event, actor=boss, organization=partner)
    partner.refresh_from_db()
    assert partner.verified
    entry = ActivityEntry.objects.get(action="agreements.organization_confirmed", object_id=partner.pk)
    assert entry.actor == boss and entry.event_id == event.pk and entry.after["verified"] is True
    assert verify_agreement(agreement=a, actor=boss).counts


def test_organizer_page_lists_and_confirms_and_others_are_refused(client, event):
    own = producer()
    user = member(event, R.EXHIBITOR, own)
    partner = add_organization(event=event, actor=user, data=NewOrganization("Đại lý Chờ Duyệt", "distributor"))
    create_agreement(event=event, actor=user, data=data(seller=own, buyer=partner), submitted_by_org=own)
    stray = add_organization(event=event, actor=user, data=NewOrganization("Chưa dùng", "distributor"))
    url = reverse("agreements:organizations", args=[event.slug])
    client.force_login(user)
    assert client.get(url).status_code == 403
    assert client.post(reverse("agreements:confirm_organization", args=[event.slug, partner.pk])).status_code == 403
    client.force_login(organizer(event))
    html = client.get(url).content.decode()
    assert "Đại lý Chờ Duyệt" in html and "Chưa dùng" not in html
    response = client.post(reverse("agreements:confirm_organization", args=[event.slug, partner.pk]))
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.verified
    # an unverified organization of no agreement of this event is not this organizer's to confirm
    client.post(reverse("agreements:confirm_organization", args=[event.slug, stray.pk]))
    stray.refresh_from_db()
    assert not stray.verified


def test_organizer_merges_an_unverified_organization_into_the_known_one(event):
    known = retailer(name="Siêu thị Tứ Sơn")
    own = producer()
    user = member(event, R.EXHIBITOR, own)
    dup = add_organization(event=event, actor=user,
                           data=NewOrganization("Siêu thị Tứ Sơn", "retail_chain", create_anyway=True))
    a = create_agreement(event=event, actor=user, data=data(seller=own, buyer=dup), submitted_by_org=own)
    boss = organizer(event)
    merge_organization(event=event, actor=boss, organization=dup, into=known)
    a.refresh_from_db()
    assert set(a.parties.values_list("organization_id", flat=True)) == {own.pk, known.pk}
    assert a.party_key == "-".join(str(i) for i in sorted([own.pk, known.pk])) and a.buyer_key == str(known.pk)
    assert history_of(a).last().action == "agreements.updated"
    assert ActivityEntry.objects.filter(action="agreements.organization_merged", object_id=dup.pk).exists()
    assert verify_agreement(agreement=a, actor=boss).counts


def test_public_tally_does_not_name_an_unverified_organization(client, event):
    hidden = OrganizationFactory(name="Đại lý Chưa Xác Nhận", kind="distributor", verified=False)
    create_agreement(event=event, actor=None, data=data(seller=producer(), buyer=hidden))
    html = client.get(reverse("agreements:dashboard", args=[event.slug])).content.decode()
    assert "Đại lý Chưa Xác Nhận" not in html and "Tổ chức đang chờ xác nhận" in html


def test_detail_sends_the_organizer_to_confirm_before_verifying_and_hides_the_name_from_other_parties(client, event):
    own = producer()
    user = member(event, R.EXHIBITOR, own)
    partner = add_organization(event=event, actor=user, data=NewOrganization("Đại lý Kín Tên", "distributor"))
    a = create_agreement(event=event, actor=user, data=data(seller=own, buyer=partner), submitted_by_org=own)
    url = reverse("agreements:detail", args=[event.slug, a.pk])
    client.force_login(organizer(event))
    html = client.get(url).content.decode()
    assert reverse("agreements:organizations", args=[event.slug]) in html
    assert reverse("agreements:verify", args=[event.slug, a.pk]) not in html
    client.force_login(user)
    assert "Đại lý Kín Tên" in client.get(url).content.decode()
    colleague = member(event, R.EXHIBITOR, own)  # same organization, did not add it
    client.force_login(colleague)
    html = client.get(url).content.decode()
    assert "Đại lý Kín Tên" not in html and "Tổ chức đang chờ xác nhận" in html
