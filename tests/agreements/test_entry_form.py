"""The fast entry form: the signing-ceremony session, any number of parties and signatories, the organizers'
quick-added organizations, and a buyer's own submission seen through to the organizer's rejection."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse

from agenda.models import Session
from agreements.models import Agreement, AgreementParty
from agreements.services import AgreementError, PartyData, create_agreement, reject_agreement
from eventsite.models import EventRole, Organization
from tests.agenda.factories import SessionFactory
from tests.factories import DAY1, EventFactory
from tests.pages import without_tokens
from tests.reports import export_via_job

from .factories import agreement, data, dept, member, organizer, party, producer, retailer
from .test_views import form_post

pytestmark = pytest.mark.django_db
R = EventRole.Role


@pytest.fixture
def event():
    return EventFactory()


def new_url(event) -> str:
    return reverse("agreements:new", args=[event.slug])


def six_party_agreement(event) -> Agreement:
    parties = [PartyData(producer(name=f"Hợp tác xã {i}"), AgreementParty.Role.SELLER, f"Người ký {i}", "Giám đốc")
               for i in range(4)]
    parties.insert(1, PartyData(retailer(name="Chuỗi A"), AgreementParty.Role.BUYER))
    parties.append(PartyData(dept(96), AgreementParty.Role.WITNESS))
    parties[0].more_signatories = [("Phó giám đốc Lê Thị Hai", "Phó giám đốc")]
    return create_agreement(event=event, actor=None, data=data(parties=parties), allow_duplicate=True)


# --- the signing-ceremony session ---------------------------------------------------------------


def test_session_select_lists_signing_ceremonies_first_and_is_preset_from_the_link(client, event):
    panel = SessionFactory(event=event, title="Hội thảo chuyên đề", type=Session.Type.PANEL)
    signing = SessionFactory(event=event, title="Lễ ký kết hợp tác", type=Session.Type.SIGNING,
                             starts_at=panel.starts_at.replace(hour=15))
    SessionFactory(title="Phiên của sự kiện khác", type=Session.Type.SIGNING)
    client.force_login(organizer(event))
    html = client.get(new_url(event), {"session": signing.pk}).content.decode()
    select = html[html.index('name="ceremony_session"'):]
    select = select[:select.index("</select>")]
    assert select.index("Lễ ký kết hợp tác") < select.index("Hội thảo chuyên đề")  # signing first
    assert f'<option value="{signing.pk}" selected>' in select
    assert "Phiên của sự kiện khác" not in select
    assert '<label for="id_ceremony_session">' in html


def test_a_session_of_another_event_or_no_session_is_refused(client, event):
    foreign = SessionFactory(type=Session.Type.SIGNING)
    client.force_login(organizer(event))
    a, b = producer(), retailer()
    for bad in ("999999", str(foreign.pk), "abc"):
        response = client.post(new_url(event), form_post(parties=[party(a, "seller"), party(b, "buyer")],
                                                         ceremony_session=bad))
        assert response.status_code == 200 and Agreement.objects.count() == 0
        assert "Hãy chọn một phiên của sự kiện này." in response.content.decode()
    with pytest.raises(AgreementError):  # the service checks it too
        create_agreement(event=event, actor=None, data=data(ceremony_session=foreign))


def test_detail_and_exports_show_the_ceremony_session(client, event):
    session = SessionFactory(event=event, title="Lễ ký kết buổi sáng", type=Session.Type.SIGNING)
    a = agreement(event, ceremony_session=session)
    client.force_login(organizer(event))
    html = client.get(a.get_absolute_url()).content.decode()
    assert "Lễ ký kết buổi sáng" in html and f"#session-{session.pk}" in html
    rows = list(csv.reader(io.StringIO(export_via_job(client, event, "agreements_csv").content.decode("utf-8-sig"))))
    assert any("Lễ ký kết buổi sáng" in value for value in rows[1])


def test_signing_session_links_organizers_to_the_form_and_shows_its_count(client, event):
    from agenda import services as agenda_services

    signing = SessionFactory(event=event, title="Lễ ký kết", type=Session.Type.SIGNING)
    panel = SessionFactory(event=event, title="Hội thảo", type=Session.Type.PANEL)
    agreement(event, ceremony_session=signing, value=987_000_000)
    agreement(event, ceremony_session=signing, title="Thứ hai", seller=producer())
    gone = agreement(event, ceremony_session=signing, title="Bị hủy")
    reject_agreement(agreement=gone, actor=None, reason="nhập nhầm")  # does not count
    agenda_services.publish(event=event)
    client.force_login(organizer(event))
    control = client.get(reverse("agenda:control", args=[event.slug]), {"day": f"{DAY1:%Y-%m-%d}"}).content.decode()
    link = f'{new_url(event)}?session={signing.pk}'
    assert link in control and "Nhập các biên bản ký kết trong phiên này" in control
    assert f"?session={panel.pk}" not in control
    assert "2 biên bản đã ký" in control
    # the form reached through the link has the session chosen
    assert f'<option value="{signing.pk}" selected>' in client.get(link).content.decode()
    # the public programme shows the count, never a value
    client.logout()
    page = client.get(reverse("agenda:agenda", args=[event.slug])).content.decode()
    item = page[page.index(f'id="session-{signing.pk}"'):]
    item = item[:item.index("</li>")]
    assert "2 biên bản đã ký" in item and "987" not in without_tokens(page)
    assert "biên bản đã ký" not in page[page.index(f'id="session-{panel.pk}"'):][:400]


def test_programme_with_ceremonies_keeps_a_constant_query_count(client, django_assert_max_num_queries):
    from agenda import services as agenda_services

    counts = []
    for n in (2, 20):
        event = EventFactory()
        for i in range(n):
            s = SessionFactory(event=event, type=Session.Type.SIGNING, title=f"Lễ ký {i}")
            agreement(event, ceremony_session=s, seller=producer())
        agenda_services.publish(event=event)
        with django_assert_max_num_queries(4) as queries:  # event, release, layout, agreement counts
            assert client.get(reverse("agenda:agenda", args=[event.slug])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- any number of parties and signatories ------------------------------------------------------


def test_editing_an_agreement_with_six_parties_keeps_every_party_and_signatory(client, event):
    a = six_party_agreement(event)
    client.force_login(organizer(event))
    url = reverse("agreements:edit", args=[event.slug, a.pk])
    html = client.get(url).content.decode()
    for party_row in a.parties.all():
        assert f'<option value="{party_row.organization_id}" selected>' in html
    assert 'id="party-7"' in html and 'id="party-8"' not in html  # all six plus one empty row
    assert 'name="parties-TOTAL_FORMS" value="7"' in html and 'name="parties-INITIAL_FORMS" value="6"' in html
    assert 'value="Phó giám đốc Lê Thị Hai"' in html
    assert 'name="parties-0-signatories-TOTAL_FORMS" value="2"' in html  # both signatories of the first party
    for i, party_row in enumerate(a.parties.all()):  # every signatory in its own row, each party's role chosen
        for j, signatory in enumerate(party_row.signatories.all()):
            assert f'name="parties-{i}-signatories-{j}-name" value="{signatory.name}"' in html
        role = html[html.index(f'name="parties-{i}-role"'):]
        assert f'value="{party_row.role}" selected' in role[:role.index("</select>")]
    # post back exactly what the page holds (every rendered field) with a new title
    post = dict(re.findall(r'<input type="(?:text|hidden|number|email)" name="([^"]+)"(?: value="([^"]*)")?', html))
    post.update({f"parties-{i}-organization": p.organization_id for i, p in enumerate(a.parties.all())})
    post.update({f"parties-{i}-role": p.role for i, p in enumerate(a.parties.all())})
    post.update(kind=a.kind, title="Sửa tiêu đề", signed_at=f"{DAY1:%Y-%m-%d}T10:00", **{"parties-6-role": "buyer"})
    post["csrfmiddlewaretoken"] = ""
    response = client.post(url, post)
    assert response.status_code == 302, response.content.decode()[:3000]
    a.refresh_from_db()
    assert a.title == "Sửa tiêu đề" and a.parties.count() == 6
    assert [p.role for p in a.parties.all()] == ["seller", "buyer", "seller", "seller", "seller", "witness"]
    first = a.parties.all()[0]
    assert [s.name for s in first.signatories.all()] == ["Người ký 0", "Phó giám đốc Lê Thị Hai"]
    assert [[(s.name, s.title) for s in p.signatories.all()] for p in a.parties.all()] == [
        [("Người ký 0", "Giám đốc"), ("Phó giám đốc Lê Thị Hai", "Phó giám đốc")], [],
        [("Người ký 1", "Giám đốc")], [("Người ký 2", "Giám đốc")], [("Người ký 3", "Giám đốc")], []]


def test_add_a_party_without_javascript_keeps_everything_typed(client, event):
    client.force_login(organizer(event))
    a, b = producer(name="HTX Tôm Năm Căn"), retailer()
    post = form_post(title="Đang nhập dở", parties=[party(a, "seller", signatories=[("Út Nhỏ", "")]),
                                                    party(b, "buyer")], estimated_value="5000", add_party="1")
    response = client.post(new_url(event), post)
    html = response.content.decode()
    assert response.status_code == 200 and Agreement.objects.count() == 0
    assert 'id="party-3"' in html and 'id="party-4"' not in html
    assert 'name="parties-TOTAL_FORMS" value="3"' in html
    assert 'value="Đang nhập dở"' in html and 'value="Út Nhỏ"' in html and 'value="5000"' in html
    assert f'<option value="{a.pk}" selected>' in html and f'<option value="{b.pk}" selected>' in html
    assert 'id="id_parties-2-q" name="q" autocomplete="off" autofocus' in html
    assert 'class="error"' not in html  # nothing is checked yet
    # a third party chosen in the new row is saved
    c = dept(1)
    post = form_post(title="Đang nhập dở", parties=[party(a, "seller", signatories=[("Út Nhỏ", "")]),
                                                    party(b, "buyer"), party(c, "witness")],
                     estimated_value="5000", kind="biz_distributor")
    assert client.post(new_url(event), post).status_code == 302
    assert Agreement.objects.get().parties.count() == 3


def test_add_a_signatory_without_javascript_and_refuse_more_rows_than_allowed(client, event):
    client.force_login(organizer(event))
    a, b = producer(), retailer()
    post = form_post(parties=[party(a, "seller", signatories=[("Một", "")]), party(b, "buyer")], add_signatory="1")
    response = client.post(new_url(event), post)
    html = response.content.decode()
    assert response.status_code == 200 and Agreement.objects.count() == 0
    assert 'name="parties-0-signatories-TOTAL_FORMS" value="2"' in html
    assert re.search(r'<input [^>]*name="parties-0-signatories-1-name"[^>]* autofocus', html)
    assert 'name="parties-1-signatories-TOTAL_FORMS" value="1"' in html  # the other party is unchanged
    assert 'value="Một"' in html and 'class="error"' not in html
    post = form_post(parties=[party(a, "seller", signatories=[("Một", ""), ("Hai", "Kế toán trưởng")]),
                              party(b, "buyer")])
    assert client.post(new_url(event), post).status_code == 302
    saved = Agreement.objects.get().parties.get(organization=a)
    assert [(s.name, s.title) for s in saved.signatories.all()] == [("Một", ""), ("Hai", "Kế toán trưởng")]
    # more rows than the cap is an error, not a silent cut
    response = client.post(new_url(event), form_post(parties=[party(a, "seller"), party(b, "buyer")]
                                                     + [party("")] * 39, title="Khác"))
    assert response.status_code == 200 and "tối đa 40 bên" in response.content.decode()
    response = client.post(new_url(event), form_post(
        parties=[party(a, "seller", signatories=[(f"Người {k}", "") for k in range(11)]), party(b, "buyer")],
        title="Khác"))
    assert response.status_code == 200 and "Mỗi bên có tối đa 10 người ký." in response.content.decode()
    # a signatory typed in a row without an organization is not dropped silently
    response = client.post(new_url(event), form_post(
        parties=[party(a, "seller"), party(b, "buyer"), party("", signatories=[("Không có đơn vị", "")])],
        title="Khác nữa"))
    assert response.status_code == 200 and "Hãy chọn đơn vị mà người này ký thay mặt." in \
        response.content.decode()
    assert Agreement.objects.count() == 1


@pytest.mark.parametrize("count", [str(2**70), "41", "-1", "abc", "", "1e3"])
@pytest.mark.parametrize("key", ["parties-TOTAL_FORMS", "parties-0-signatories-TOTAL_FORMS"])
def test_a_tampered_row_count_is_a_form_error_not_a_500(client, event, key, count):
    client.force_login(organizer(event))
    post = form_post(parties=[party(producer(), "seller", signatories=[("Một", "")]), party(retailer(), "buyer")])
    response = client.post(new_url(event), {**post, key: count}, HTTP_ACCEPT_LANGUAGE="vi")
    html = response.content.decode()
    assert response.status_code == 200 and Agreement.objects.count() == 0
    assert 'class="form-errors" role="alert"' in html or 'class="error" role="alert"' in html
    assert html.count('class="party"') <= 40  # never more rows than the limit, whatever the page claims
    for button in ("add_party", "add_signatory"):  # the redisplay buttons read the same counts
        response = client.post(new_url(event), {**post, key: count, button: "1"})
        assert response.status_code == 200 and response.content.decode().count('class="party"') <= 40
    assert Agreement.objects.count() == 0


def test_row_count_errors_say_what_is_wrong(client, event):
    client.force_login(organizer(event))
    a, b = producer(), retailer()
    post = form_post(parties=[party(a, "seller"), party(b, "buyer")])
    html = client.post(new_url(event), {**post, "parties-TOTAL_FORMS": "41"},
                       HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Mỗi biên bản ở đây có tối đa 40 bên" in html
    html = client.post(new_url(event), form_post(parties=[party(a, "seller")]), HTTP_ACCEPT_LANGUAGE="vi"
                       ).content.decode()
    assert "Một biên bản cần ít nhất 2 bên." in html
    html = client.post(new_url(event), {**post, "parties-0-signatories-TOTAL_FORMS": "11"},
                       HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Mỗi bên có tối đa 10 người ký." in html
    # the old field names (a page from before the formsets, or a hand-made post): an error, nothing saved
    old = {k: v for k, v in post.items() if not k.startswith("parties-")}
    old.update(party_1=a.pk, party_1_role="seller", party_2=b.pk, party_2_role="buyer")
    response = client.post(new_url(event), old, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200 and "Một biên bản cần ít nhất 2 bên." in response.content.decode()
    # a signatory list without its counts
    html = client.post(new_url(event), {k: v for k, v in post.items() if not k.startswith("parties-0-signatories-")},
                       HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Danh sách người ký gửi lên không đầy đủ" in html
    assert Agreement.objects.count() == 0


def test_add_a_party_or_signatory_stops_at_the_limits(client, event):
    client.force_login(organizer(event))
    orgs = [retailer()] + [producer() for _ in range(39)]
    full = [party(org, "seller" if i else "buyer") for i, org in enumerate(orgs)]
    full[0]["signatories"] = [(f"Người {k}", "") for k in range(10)]
    post = form_post(parties=full, add_party="1")
    html = client.post(new_url(event), post).content.decode()
    assert 'name="parties-TOTAL_FORMS" value="40"' in html and 'id="party-40"' in html and 'id="party-41"' not in html
    assert 'name="add_party"' not in html  # no button past the limit
    assert 'name="parties-0-signatories-TOTAL_FORMS" value="10"' in html
    assert 'name="add_signatory" value="1"' not in html and 'name="add_signatory" value="2"' in html
    post = form_post(parties=full, add_signatory="1")
    html = client.post(new_url(event), post).content.decode()
    assert 'name="parties-0-signatories-TOTAL_FORMS" value="10"' in html and 'class="error"' not in html
    # and the 40 parties with 10 signatories are saved as they are
    post.pop("add_signatory")
    assert client.post(new_url(event), post).status_code == 302
    saved = Agreement.objects.get()
    assert saved.parties.count() == 40 and saved.parties.get(organization=orgs[0]).signatories.count() == 10


def test_add_a_party_on_the_edit_page_keeps_every_party_and_signatory(client, event):
    a = six_party_agreement(event)
    client.force_login(organizer(event))
    url = reverse("agreements:edit", args=[event.slug, a.pk])
    post = form_post(a, add_party="1")
    html = client.post(url, post).content.decode()
    assert 'id="party-7"' in html and 'id="party-8"' not in html and 'class="error"' not in html
    for i, p in enumerate(a.parties.all()):
        assert f'<option value="{p.organization_id}" selected>' in html
        for j, signatory in enumerate(p.signatories.all()):
            assert f'name="parties-{i}-signatories-{j}-name" value="{signatory.name}"' in html
    a.refresh_from_db()
    assert a.version == 1  # nothing saved


# --- quick-add an organization ------------------------------------------------------------------


def quick(party_1: Organization, **over) -> dict:
    post = form_post(title="Lễ ký", parties=[party(party_1, "seller"), party("", "buyer")], neworg_create="1",
                     **{"neworg-name": "Công ty TNHH Gạo Ngon", "neworg-kind": "distributor",
                        "neworg-tax_code": "", "neworg-province_code": "92"})
    post.update(over)
    return post


def test_organizer_quick_adds_an_organization_that_becomes_a_party_and_is_searchable(client, event):
    client.force_login(organizer(event))
    assert "Đơn vị mới (không tìm thấy khi tìm kiếm)" in client.get(new_url(event)).content.decode()
    response = client.post(new_url(event), quick(producer()))
    html = response.content.decode()
    org = Organization.objects.get(name="Công ty TNHH Gạo Ngon")
    assert (org.kind, org.province_code, org.tax_code) == ("distributor", 92, "")
    assert f'<option value="{org.pk}" selected>' in html and 'value="Lễ ký"' in html  # party 2, title kept
    assert "làm một bên ở dưới" in html and Agreement.objects.count() == 0
    options = client.get(reverse("agreements:parties", args=[event.slug]), {"q": "gao ngon"}).content.decode()
    assert f'value="{org.pk}"' in options


def test_quick_add_offers_the_existing_organization_instead_of_a_duplicate(client, event):
    client.force_login(organizer(event))
    taxed = retailer(name="Bách Hóa Xanh", tax_code="0310471746")
    same_name = retailer(name="Hợp tác xã Đầm Dơi", province_code=96)
    seller = producer()
    before = Organization.objects.count()
    # same tax code: always the same organization
    post = quick(seller, **{"neworg-name": "BHX", "neworg-tax_code": "0310471746"})
    html = client.post(new_url(event), post).content.decode()
    assert f'name="use_org" value="{taxed.pk}"' in html and Organization.objects.count() == before
    # same name without tone marks, same province
    post = quick(seller, **{"neworg-name": "hop tac xa  dam doi", "neworg-province_code": "96"})
    html = client.post(new_url(event), post).content.decode()
    assert f'name="use_org" value="{same_name.pk}"' in html and Organization.objects.count() == before
    assert 'name="neworg-create_anyway"' in html
    # use it: it becomes the next party
    html = client.post(new_url(event), {**post, "use_org": str(same_name.pk)}).content.decode()
    assert f'<option value="{same_name.pk}" selected>' in html and Organization.objects.count() == before
    # or really create a different one
    client.post(new_url(event), {**post, "neworg-create_anyway": "on"})
    assert Organization.objects.count() == before + 1
    # same name in another province is not a duplicate
    client.post(new_url(event), quick(seller, **{"neworg-name": "Hợp tác xã Đầm Dơi", "neworg-province_code": "92"}))
    assert Organization.objects.count() == before + 2


@pytest.mark.parametrize("role", [R.BUYER, R.EXHIBITOR])
def test_buyers_and_exhibitors_quick_add_an_unverified_organization(client, event, role):
    own = retailer() if role == R.BUYER else producer()
    user = member(event, role, own)
    client.force_login(user)
    assert "neworg-name" in client.get(new_url(event)).content.decode()
    html = client.post(new_url(event), quick(own)).content.decode()
    org = Organization.objects.get(name="Công ty TNHH Gạo Ngon")
    assert (org.verified, org.created_by_id) == (False, user.pk)
    assert f'<option value="{org.pk}" selected>' in html
    # the creator finds it in the search; nobody else at the event does
    search = reverse("agreements:parties", args=[event.slug])
    assert f'value="{org.pk}"' in client.get(search, {"q": "gao ngon"}).content.decode()
    client.force_login(member(event, role, producer()))
    assert f'value="{org.pk}"' not in client.get(search, {"q": "gao ngon"}).content.decode()
    # and another participant cannot put it on the form by its id
    html = client.post(new_url(event), quick(own, use_org=str(org.pk))).content.decode()
    assert f'<option value="{org.pk}" selected>' not in html


# --- a buyer's own submission through the pages -------------------------------------------------


def test_buyer_submits_its_agreement_and_sees_the_rejection_reason(client, event):
    buyer_org, seller = retailer(name="Siêu thị Tứ Sơn"), producer(name="HTX Ba Khía")
    buyer = member(event, R.BUYER, buyer_org)
    client.force_login(buyer)
    html = client.get(new_url(event)).content.decode()
    assert f'<option value="{buyer_org.pk}" selected>' in html  # its own organization, as buyer
    assert 'value="buyer" selected' in html
    post = form_post(title="Mua ba khía muối", parties=[party(buyer_org, "buyer"), party(seller, "seller")],
                     estimated_value="120000000")
    response = client.post(new_url(event), post)
    assert response.status_code == 302
    a = Agreement.objects.get()
    assert (a.verification, a.submitted_by_org, a.submitted_by) == ("submitted", buyer_org, buyer)
    assert not a.counts  # waits for an organizer

    client.force_login(organizer(event))
    client.post(reverse("agreements:reject", args=[event.slug, a.pk]),
                {"reject-reason": "Thiếu bản scan có chữ ký", "reject-version": a.version})

    client.force_login(buyer)
    detail = client.get(a.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Thiếu bản scan có chữ ký" in detail and "Bị từ chối" in detail
    listing = client.get(reverse("agreements:list", args=[event.slug])).content.decode()
    assert "Mua ba khía muối" in listing and "verification-rejected" in listing
    # correcting it sends it back for verification
    a.refresh_from_db()
    response = client.post(reverse("agreements:edit", args=[event.slug, a.pk]),
                           form_post(a, title="Mua ba khía muối (có scan)"))
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.verification == "submitted" and a.title == "Mua ba khía muối (có scan)"
