"""Pages: who sees what, the fast form (autocomplete, add another, duplicate confirm, stale edit, prefill)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from agenda.models import Session
from agreements.models import Agreement
from eventsite.models import EventRole
from tests.agenda.factories import SessionFactory
from tests.booths.factories import ApplicationFactory
from tests.factories import DAY1, EventFactory, ProductFactory
from tests.pages import without_tokens

from .factories import agreement, dept, member, organizer, party, party_rows, producer, retailer

pytestmark = pytest.mark.django_db
R = EventRole.Role


def form_post(a: Agreement | None = None, *, parties: list[dict] | None = None, **over) -> dict:
    """The whole entry form as posted: ``a``'s values (or defaults), ``parties`` rows (default: ``a``'s parties,
    or two empty rows), then ``over``."""
    post = {
        "kind": a.kind if a else "biz_distributor", "title": a.title if a else "Cung ứng",
        "signed_at": timezone.localtime(a.signed_at).strftime("%Y-%m-%dT%H:%M") if a else f"{DAY1:%Y-%m-%d}T10:00",
        "estimated_value": a.estimated_value if a and a.estimated_value is not None else "",
        "volume": "", "term": "", "ceremony_ref": "", "version": a.version if a else "",
    }
    if parties is None:
        parties = [party(p.organization_id, p.role, email=p.contact_email,
                         signatories=[(s.name, s.title) for s in p.signatories.all()])
                   for p in a.parties.all()] if a else []
        parties += [party("")] * max(0, 2 - len(parties))
    post.update(party_rows(parties))
    post.update(over)
    return post


@pytest.fixture
def event():
    return EventFactory()


def test_buyer_sees_only_own_agreements_and_public_tally(client, event):
    buyer_org = retailer()
    mine = agreement(event, buyer=buyer_org, title="Của tôi", value=777_000_000)
    other = agreement(event, title="Của người khác")
    client.force_login(member(event, R.BUYER, buyer_org))
    page = client.get(reverse("agreements:list", args=[event.slug])).content.decode()
    assert "Của tôi" in page and "Của người khác" not in page
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404
    tally = client.get(reverse("agreements:dashboard", args=[event.slug])).content.decode()
    assert "777" not in without_tokens(tally)  # values are for organizers only
    for kind in ("agreements_csv", "agreements_xlsx", "agreements_pdf"):  # exports are background jobs
        assert client.post(reverse("reports", args=[event.slug]), {"kind": kind}).status_code == 403
    assert client.post(reverse("agreements:verify", args=[event.slug, mine.pk])).status_code == 403


def test_exhibitor_sees_only_own_and_organizer_sees_all(client, event):
    seller = producer()
    agreement(event, seller=seller, title="Hàng của HTX")
    agreement(event, title="Hợp đồng khác")
    client.force_login(member(event, R.EXHIBITOR, seller))
    page = client.get(reverse("agreements:list", args=[event.slug])).content.decode()
    assert "Hàng của HTX" in page and "Hợp đồng khác" not in page
    client.force_login(organizer(event))
    page = client.get(reverse("agreements:list", args=[event.slug])).content.decode()
    assert "Hàng của HTX" in page and "Hợp đồng khác" in page


def test_anonymous_and_speaker_cannot_list_but_see_public_tally_and_counter(client, event):
    agreement(event, value=555_000_000)
    assert client.get(reverse("agreements:list", args=[event.slug])).status_code == 302
    for name in ("dashboard", "counter"):
        response = client.get(reverse(f"agreements:{name}", args=[event.slug]))
        assert response.status_code == 200 and "555" not in without_tokens(response.content.decode())
    client.force_login(member(event, R.SPEAKER))
    assert client.get(reverse("agreements:list", args=[event.slug])).status_code == 403


def test_other_events_agreements_are_invisible_to_an_organizer(client, event):
    other = agreement(EventFactory(), title="Sự kiện khác")
    client.force_login(organizer(event))
    assert "Sự kiện khác" not in client.get(reverse("agreements:list", args=[event.slug])).content.decode()
    assert client.get(reverse("agreements:detail", args=[event.slug, other.pk])).status_code == 404


def test_party_autocomplete_ignores_tone_marks(client, event):
    ApplicationFactory(event=event, organization=producer(name="Hợp tác xã Thủy sản Đầm Dơi"))
    ApplicationFactory(event=event, organization=producer(name="Công ty Năm Căn"))
    client.force_login(organizer(event))
    response = client.get(reverse("agreements:parties", args=[event.slug]), {"q": "dam doi"},
                          HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Hợp tác xã Thủy sản Đầm Dơi" in html and "Năm Căn" not in html


def test_fast_form_save_and_add_another_keeps_ceremony(client, event):
    client.force_login(organizer(event))
    session = SessionFactory(event=event, type=Session.Type.SIGNING, title="Lễ ký kết sáng 9/12")
    a, b = dept(96), dept(79)
    post = form_post(kind="dept_dept", title="Hợp tác thương mại", parties=[party(a, "government"),
                     party(b, "government")], ceremony_ref="Lễ ký kết sáng 9/12",
                     ceremony_session=str(session.pk), add_another="1")
    response = client.post(reverse("agreements:new", args=[event.slug]), post)
    assert response.status_code == 302 and "ceremony_ref=" in response["Location"]
    saved = Agreement.objects.get()
    assert saved.partner_province_code == 79 and saved.ceremony_session == session
    page = client.get(response["Location"]).content.decode()
    assert 'value="Lễ ký kết sáng 9/12"' in page and 'value="dept_dept" selected' in page
    assert f'<option value="{session.pk}" selected>' in page


def test_duplicate_asks_for_confirmation(client, event):
    client.force_login(organizer(event))
    a = agreement(event)
    url = reverse("agreements:new", args=[event.slug])
    response = client.post(url, form_post(a, title="Lần hai"))
    assert response.status_code == 409 and Agreement.objects.count() == 1
    assert 'name="confirm_duplicate"' in response.content.decode()
    response = client.post(url, form_post(a, title="Lần hai", confirm_duplicate="on"))
    assert response.status_code == 302 and Agreement.objects.count() == 2


def test_stale_form_gets_clear_error_and_keeps_input(client, event):
    client.force_login(organizer(event))
    a = agreement(event)
    url = reverse("agreements:edit", args=[event.slug, a.pk])
    assert client.post(url, form_post(a, title="Sửa lần 1")).status_code == 302
    response = client.post(url, form_post(a, title="Sửa của tôi", version=1))
    html = response.content.decode()
    assert response.status_code == 409
    assert "Sửa của tôi" in html and "Sửa lần 1" in html  # mine kept, theirs shown
    a.refresh_from_db()
    assert a.title == "Sửa lần 1" and a.version == 2


def test_participant_submits_and_organizer_verifies_or_rejects(client, event):
    seller = producer()
    buyer = retailer()
    client.force_login(member(event, R.EXHIBITOR, seller))
    response = client.get(reverse("agreements:new", args=[event.slug]))
    assert f'value="{seller.pk}" selected' in response.content.decode()  # own org prefilled
    post = form_post(parties=[party(seller, "seller"), party(buyer, "buyer")])
    response = client.post(reverse("agreements:new", args=[event.slug]), post)
    assert response.status_code == 302
    a = Agreement.objects.get()
    assert a.verification == "submitted" and a.submitted_by_org == seller
    # not a party: refused
    client.force_login(member(event, R.EXHIBITOR))
    post2 = form_post(parties=[party(producer(), "seller"), party(buyer, "buyer")])
    response = client.post(reverse("agreements:new", args=[event.slug]), post2)
    assert response.status_code == 200 and Agreement.objects.count() == 1

    client.force_login(organizer(event))
    response = client.post(reverse("agreements:reject", args=[event.slug, a.pk]),
                           {"reject-reason": "Thiếu chữ ký", "reject-version": a.version})
    a.refresh_from_db()
    assert a.verification == "rejected" and a.rejection_reason == "Thiếu chữ ký"
    client.post(reverse("agreements:verify", args=[event.slug, a.pk]), {"version": a.version})
    a.refresh_from_db()
    assert a.verification == "verified"


def test_organizer_cancels_and_changes_status_from_detail(client, event):
    client.force_login(organizer(event))
    a = agreement(event)
    client.post(reverse("agreements:status", args=[event.slug, a.pk]),
                {"status": "in_execution", "on": "2027-01-02", "version": a.version})
    a.refresh_from_db()
    assert a.status == "in_execution"
    client.post(reverse("agreements:cancel", args=[event.slug, a.pk]),
                {"cancel-reason": "Đối tác giải thể", "cancel-version": a.version})
    a.refresh_from_db()
    assert a.status == "cancelled"
    page = client.get(a.get_absolute_url()).content.decode()
    assert "Đối tác giải thể" in page
    assert a.title in client.get(reverse("agreements:list", args=[event.slug])).content.decode()


def test_prefill_get_params_from_matchmaking(client, event):
    seller, buyer = producer(), retailer()
    product = ProductFactory(producer=seller, name="Khô cá dứa")
    EventRole.objects.create(event=event, user=member(event, R.ORGANIZER, event.organizer), role=R.EXHIBITOR,
                             organization=seller)
    client.force_login(organizer(event))
    url = reverse("agreements:new", args=[event.slug])
    html = client.get(url, {"buyer": buyer.pk, "seller": seller.pk, "products": f"{product.pk}"}).content.decode()
    assert f'value="{seller.pk}" selected' in html and f'value="{buyer.pk}" selected' in html
    assert f'value="{product.pk}" selected' in html and "Khô cá dứa" in html
    # junk parameters are ignored, not a 500
    assert client.get(url, {"buyer": "x", "seller": "999999", "products": "a,b", "signed_at": "hôm qua"}
                      ).status_code == 200


def test_bad_input_is_a_translated_error_not_a_500(client, event):
    client.force_login(organizer(event))
    response = client.post(reverse("agreements:new", args=[event.slug]),
                           {"kind": "bogus", "title": "", "signed_at": "nope", "estimated_value": "-5",
                            **party_rows([party("abc"), party("")])}, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    assert Agreement.objects.count() == 0


def test_list_query_count_does_not_grow(client, event, django_assert_max_num_queries):
    client.force_login(organizer(event))
    for _ in range(3):
        agreement(event)
    url = reverse("agreements:list", args=[event.slug])
    with django_assert_max_num_queries(15) as small:
        client.get(url)
    for _ in range(30):
        agreement(event)
    with django_assert_max_num_queries(15) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_nav_and_organizer_stat(client, event):
    from eventsite.apps import collect_nav

    names = {i.url_name for i in collect_nav(frozenset({R.BUYER}))}
    assert {"agreements:list", "agreements:dashboard"} <= names
    names = {i.url_name for i in collect_nav(frozenset({R.SPEAKER}))}
    assert "agreements:dashboard" in names and "agreements:list" not in names
    agreement(event)
    client.force_login(organizer(event))
    html = client.get(reverse("organizer_home", args=[event.slug])).content.decode()
    assert reverse("agreements:dashboard", args=[event.slug]) in html


def test_history_on_the_page_comes_from_the_activity_log_and_keeps_call_notes_for_organizers(client, event):
    """The agreement's page lists its record's changes from the one activity log; the organizers' follow-through
    call notes are there for organizers only, never for the parties."""
    from eventsite.activity import log_action

    buyer_org = retailer()
    boss = organizer(event)
    a = agreement(event, buyer=buyer_org, title="Cung ứng mắm", actor=boss)
    log_action(action="agreements.followup_called", obj=a, actor=boss, note="Gọi chị Ba: chưa có đơn hàng")
    client.force_login(member(event, R.BUYER, buyer_org))
    page = client.get(a.get_absolute_url()).content.decode()
    history = page[page.index('class="audit"'):]
    assert "Tạo mới" in history and str(boss) in history
    assert "chị Ba" not in page
    client.force_login(boss)
    history = client.get(a.get_absolute_url()).content.decode().split('class="audit"', 1)[1]
    assert "Tạo mới" in history and "chị Ba" in history
