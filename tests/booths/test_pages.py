"""Booth pages as each role sees them, and the answers to booking actions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from booths.models import ApplicationStatus, Booking, BookingStatus, ExhibitorApplication
from booths.services import booking as svc
from eventsite.activity import history_of
from eventsite.models import EventRole
from tests.factories import EventFactory, ProductFactory, UserFactory, user_with_role

from .factories import BoothFactory, HallFactory, ZoneFactory, exhibitor

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return EventFactory(slug="hoi-cho")


@pytest.fixture
def booths(event):
    hall = HallFactory(event=event, name="Nhà A")
    zone = ZoneFactory(hall=hall, name="Khu thực phẩm", theme_group="food")
    return [BoothFactory(hall=hall, zone=zone, code=f"A-{i:02d}", x=i * 3, y=2) for i in range(1, 7)]


def url(name, event, **kw):
    return reverse(f"booths:{name}", kwargs={"event_slug": event.slug, **kw})


def test_public_plan_shows_status_text_and_list(client, event, booths):
    app = exhibitor(event, organization__name="Hợp tác xã Tôm khô Rạch Gốc")
    svc.assign_booth(booth_id=booths[0].pk, application_id=app.pk, event_id=event.pk)
    svc.block_booth(booth_id=booths[1].pk, event_id=event.pk)
    response = client.get(url("floor_plan", event))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-code="') == 6
    assert 'class="booth st-confirmed"' in html
    assert 'class="booth st-blocked"' in html
    assert "Hợp tác xã Tôm khô Rạch Gốc" in html
    assert f'data-row-for="{booths[0].pk}"' in html
    assert "Hold this booth" not in html and "Giữ gian hàng này" not in html


@pytest.mark.parametrize("size", [10, 60])
def test_plan_query_count_is_constant(client, event, django_assert_max_num_queries, size):
    hall = HallFactory(event=event)
    for i in range(size):
        booth = BoothFactory(hall=hall, code=f"Q-{i:03d}")
        if i % 2:
            svc.assign_booth(booth_id=booth.pk, application_id=exhibitor(event).pk, event_id=event.pk)
    with django_assert_max_num_queries(8):
        assert client.get(url("floor_plan", event)).status_code == 200


def test_state_json_lists_every_booth(client, event, booths):
    data = client.get(url("plan_state", event)).json()
    assert [b["code"] for b in data["booths"]] == [b.code for b in booths]
    assert {b["status"] for b in data["booths"]} == {"free"}


def test_exhibitor_hold_json_then_loser_gets_409(client, event, booths):
    first, second = exhibitor(event), exhibitor(event)
    client.force_login(first.applicant)
    r = client.post(url("hold", event), {"booth": booths[2].pk}, HTTP_ACCEPT="application/json")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    client.force_login(second.applicant)
    r = client.post(url("hold", event), {"booth": booths[2].pk}, HTTP_ACCEPT="application/json")
    assert r.status_code == 409
    assert r.json()["reason"] == "booth_taken"


def test_exhibitor_hold_form_post_redirects_with_message(client, event, booths):
    app = exhibitor(event)
    client.force_login(app.applicant)
    r = client.post(url("hold", event), {"booth": booths[0].pk}, follow=True)
    assert r.status_code == 200
    booking = Booking.objects.get()
    assert booking.status == BookingStatus.HELD
    assert "A-01" in r.content.decode()
    r = client.post(url("reserve", event), {"booking": booking.pk}, follow=True)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.RESERVED


def test_bad_booth_id_is_404_not_500(client, event, booths):
    app = exhibitor(event)
    client.force_login(app.applicant)
    assert client.post(url("hold", event), {"booth": "abc"}).status_code == 404
    assert client.post(url("hold", event), {"booth": 999999}).status_code == 404


def test_buyer_cannot_book_and_anonymous_goes_to_login(client, event, booths):
    r = client.post(url("hold", event), {"booth": booths[0].pk})
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    client.force_login(user_with_role(event, EventRole.Role.BUYER))
    assert client.post(url("hold", event), {"booth": booths[0].pk}).status_code == 403


def test_organizer_pages_and_forbidden_for_exhibitors(client, event, booths):
    organizer = user_with_role(event, EventRole.Role.ORGANIZER)
    app = exhibitor(event)
    client.force_login(app.applicant)
    for name in ("manage", "applications", "allocation", "import"):
        assert client.get(url(name, event)).status_code == 403
    client.force_login(organizer)
    for name in ("manage", "applications", "allocation", "import"):
        assert client.get(url(name, event)).status_code == 200
    assert client.get(url("manage_booth", event, code="A-01")).status_code == 200


def test_organizer_assign_move_swap_block_through_actions(client, event, booths):
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    a, b = exhibitor(event), exhibitor(event)
    client.post(url("booth_action", event, code="A-01", action="assign"), {"application": a.pk})
    client.post(url("booth_action", event, code="A-02", action="assign"), {"application": b.pk})
    ka = Booking.objects.get(application=a)
    kb = Booking.objects.get(application=b)
    client.post(url("booth_action", event, code="A-01", action="move"), {"booking": ka.pk, "to_booth": booths[3].pk})
    ka.refresh_from_db()
    assert ka.booth == booths[3]
    client.post(url("booth_action", event, code="A-04", action="swap"), {"booking": ka.pk, "other": kb.pk})
    assert Booking.objects.get(pk=ka.pk).application == b
    r = client.post(url("booth_action", event, code="A-04", action="block"), HTTP_ACCEPT="application/json")
    assert r.status_code == 409
    r = client.post(url("booth_action", event, code="A-06", action="nonsense"))
    assert r.status_code == 404

    # Every change left a trail on the booths it touched, with who did it, shown on the booth's page.
    trail = [(e.action, e.before, {k: v for k, v in e.after.items() if k != "booking"})
             for e in history_of(booths[0])]
    assert trail == [("booths.assign", None, {"status": "confirmed", "booth": "A-01",
                                              "exhibitor": a.organization.name}),
                     ("booths.move", {"booth": "A-01"}, {"booth": "A-04"})]
    assert [e.action for e in history_of(booths[3])] == ["booths.move", "booths.swap"]
    assert {e.actor_id for e in history_of(booths[3])} == {int(client.session["_auth_user_id"])}
    page = client.get(url("manage_booth", event, code="A-04")).content.decode()
    assert "Lịch sử thay đổi" in page and "Đã chuyển đơn vị trưng bày" in page and "Đã hoán đổi gian hàng" in page


def test_application_flow_submit_add_product_approve(client, event, booths):
    user = UserFactory()
    client.force_login(user)
    data = {"org_name": "Hợp tác xã Mật ong U Minh", "org_kind": "cooperative", "tax_code": "1900123456",
            "province_code": 96, "contact_name": "Lê Thị Bé Tư", "contact_phone": "0290 3831 234",
            "contact_email": "betu@example.vn", "booths_wanted": 1, "pref_1": f"b:{booths[0].pk}",
            "pref_2": "k:corner", "pref_3": ""}
    r = client.post(url("apply", event), data)
    assert r.status_code == 302
    application = ExhibitorApplication.objects.get()
    assert application.status == ApplicationStatus.SUBMITTED
    assert [p.label for p in application.preferences.all()] == ["A-01", "Góc"] or \
        [p.booth_id or p.kind for p in application.preferences.all()] == [booths[0].pk, "corner"]
    product = {"name": "Mật ong rừng U Minh", "group": "food", "subgroup": "raw", "stars": 4,
               "certificate_number": "2025/OCOP-CM-001", "certifying_authority": "province",
               "certificate_issued_on": "2025-01-10", "certificate_expires_on": "2028-01-10",
               "price_min": 280000, "price_max": 350000}
    r = client.post(url("product_add", event), {**product, "subgroup": "tea", "group": "handicraft"})
    assert r.status_code == 200  # sub-group does not belong to the group
    r = client.post(url("product_add", event), product)
    assert r.status_code == 302
    assert application.products.get().name == "Mật ong rừng U Minh"
    organizer = user_with_role(event, EventRole.Role.ORGANIZER)
    client.force_login(organizer)
    client.post(reverse("booths:decide", kwargs={"event_slug": event.slug, "application_id": application.pk,
                                                 "decision": "approve"}))
    application.refresh_from_db()
    assert application.is_approved
    assert EventRole.objects.filter(event=event, user=user, role="exhibitor").exists()


def test_application_refuses_someone_elses_tax_code(client, event, booths):
    ProductFactory(producer__tax_code="1900999999")
    client.force_login(UserFactory())
    data = {"org_name": "Giả mạo", "org_kind": "enterprise", "tax_code": "1900999999", "province_code": 96,
            "contact_name": "A", "contact_phone": "0290 3831 234", "contact_email": "a@example.vn",
            "booths_wanted": 1}
    r = client.post(url("apply", event), data)
    assert r.status_code == 200
    assert not ExhibitorApplication.objects.exists()


def test_allocation_propose_and_commit(client, event, booths):
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    apps = [exhibitor(event) for _ in range(3)]
    for app in apps:
        ProductFactory(producer=app.organization)
        app.products.set(app.organization.products.all())
    r = client.post(url("allocation", event), {"avoid_neighbours": "on"})
    assert r.status_code == 302
    page = client.get(url("allocation", event)).content.decode()
    assert page.count("proposed") >= 3
    from booths.models import AllocationRun

    run = AllocationRun.objects.get()
    client.post(reverse("booths:allocation_commit", kwargs={"event_slug": event.slug, "run_id": run.pk}))
    assert Booking.objects.filter(status="confirmed").count() == 3


def test_booth_page_and_sign_pdf(client, event, booths):
    app = exhibitor(event, organization__name="Cơ sở Khô cá Đầm Dơi")
    ProductFactory(producer=app.organization, name="Khô cá khoai Đầm Dơi")
    assert client.get(url("booth_sign", event, code="A-01")).status_code == 404
    svc.assign_booth(booth_id=booths[0].pk, application_id=app.pk, event_id=event.pk)
    page = client.get(url("booth_page", event, code="A-01")).content.decode()
    assert "Khô cá khoai Đầm Dơi" in page
    r = client.get(url("booth_sign", event, code="A-01"))
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
