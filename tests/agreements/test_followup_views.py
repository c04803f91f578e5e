"""Follow-through pages: the report link (tampered, expired, used twice), the member's form, the organizer's
dashboard figures and its query count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import (
    Agreement,
    ChannelListing,
    CheckPoint,
    FollowupLink,
    FollowupNotice,
    FollowupReport,
    FollowupStatus,
)
from agreements.services import followup
from agreements.services.followup import ReportData
from agreements.services.followup_board import followup_board
from agreements.services.followup_job import run_followup_job
from eventsite.models import ActivityEntry, EventRole
from tests.factories import EventFactory, ProductFactory

from .factories import member, organizer
from .followup_helpers import followed, tokens

pytestmark = pytest.mark.django_db
R = EventRole.Role


@pytest.fixture
def event():
    return EventFactory()


@pytest.fixture
def asked(event, mailoutbox, django_capture_on_commit_callbacks):
    """An agreement signed 40 days ago whose two parties were emailed their links."""
    a = followed(event, days=40)
    with django_capture_on_commit_callbacks(execute=True):
        run_followup_job(site="http://testserver")
    return a, tokens(mailoutbox)


def url(event, token):
    return reverse("agreements:followup_report", kwargs={"event_slug": event.slug, "token": token})


ORDERS = {"state": "orders", "volume": "2 tấn", "value": "350000000", "listing_1_channel": "store_chain",
          "listing_1_name": "Co.opmart"}


def test_link_opens_the_form_without_login(client, event, asked):
    a, links = asked
    response = client.get(url(event, links["ban@htx.vn"]))
    assert response.status_code == 200
    assert "Biên bản này được thực hiện thế nào?" in response.text
    assert a.title in response.text


def test_report_through_link_is_attributed_logged_and_confirmed(client, event, asked, mailoutbox,
                                                                django_capture_on_commit_callbacks):
    a, links = asked
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(event, links["mua@sieuthi.vn"]), ORDERS)
    assert response.status_code == 200
    report = FollowupReport.objects.get()
    buyer = a.parties.get(role="buyer").organization
    assert (report.organization, report.state, report.value, report.via) == (buyer, "orders", 350_000_000, "link")
    assert list(report.listings.values_list("channel", "name")) == [("store_chain", "Co.opmart")]
    status = FollowupStatus.objects.get(agreement=a)
    assert (status.implemented, status.realized_value) == (True, 350_000_000)
    entry = ActivityEntry.objects.get(action="agreements.followup_reported")
    assert entry.actor_label == buyer.name and entry.after["value"] == 350_000_000
    confirmation = mailoutbox[-1]
    assert confirmation.to == ["mua@sieuthi.vn"] and "Cảm ơn" in confirmation.subject
    new_token = tokens([confirmation])["mua@sieuthi.vn"]
    assert new_token != links["mua@sieuthi.vn"]
    # the correction link: a new report, the first one kept, before/after in the activity log
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(event, new_token), {**ORDERS, "value": "400000000"})
    assert list(FollowupReport.objects.order_by("id").values_list("value", "current")) == [
        (350_000_000, False), (400_000_000, True)]
    corrected = ActivityEntry.objects.get(action="agreements.followup_corrected")
    assert (corrected.before["value"], corrected.after["value"]) == (350_000_000, 400_000_000)
    assert FollowupStatus.objects.get(agreement=a).realized_value == 400_000_000


def test_link_used_twice_is_refused(client, event, asked, django_capture_on_commit_callbacks):
    _a, links = asked
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url(event, links["ban@htx.vn"]), ORDERS).status_code == 200
        second = client.post(url(event, links["ban@htx.vn"]), {**ORDERS, "value": "1"})
    assert second.status_code == 410
    assert "Đường dẫn này đã được dùng" in second.text
    assert FollowupReport.objects.count() == 1
    assert client.get(url(event, links["ban@htx.vn"])).status_code == 410


def test_a_spent_link_cannot_be_posted_by_a_form_opened_before(event, asked):
    """Two tabs opened the form; the second post finds the link spent by the first (one conditional UPDATE)."""
    a, links = asked
    link = followup.read_link(links["ban@htx.vn"])
    stale = followup.read_link(links["ban@htx.vn"])
    followup.submit_report(agreement=a, organization=link.organization, checkpoint=link.checkpoint,
                           data=ReportData(state="in_progress"), via="link", link=link)
    with pytest.raises(followup.LinkInvalid) as error:
        followup.submit_report(agreement=a, organization=stale.organization, checkpoint=stale.checkpoint,
                               data=ReportData(state="orders"), via="link", link=stale)
    assert error.value.code == "used"
    assert FollowupReport.objects.count() == 1


@pytest.mark.parametrize("change", ["flip", "short", "long", "other"])
def test_tampered_link_is_404(client, event, asked, change):
    _a, links = asked
    token = links["ban@htx.vn"]
    tampered = {"flip": token[:-1] + ("A" if token[-1] != "A" else "B"), "short": token[:-1],
                "long": token + "x", "other": "x" * 43}[change]
    response = client.get(url(event, tampered))
    assert response.status_code == 404
    assert "Đường dẫn này không hợp lệ" in response.text
    assert client.post(url(event, tampered), ORDERS).status_code == 404
    assert FollowupReport.objects.count() == 0


def test_expired_link_is_410(client, event, asked):
    _a, links = asked
    FollowupLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(url(event, links["ban@htx.vn"]))
    assert response.status_code == 410
    assert "đã hết hạn" in response.text
    assert client.post(url(event, links["ban@htx.vn"]), ORDERS).status_code == 410
    assert FollowupReport.objects.count() == 0


def test_link_expires_when_the_next_check_point_opens(event, asked):
    a, _links = asked
    link = FollowupLink.objects.first()
    assert timezone.localtime(link.expires_at).date() == followup.add_months(a.signed_on, 3)
    assert timezone.localtime(link.expires_at).hour == 0


def test_link_of_another_event_is_404(client, event, asked):
    _a, links = asked
    assert client.get(url(EventFactory(), links["ban@htx.vn"])).status_code == 404


def test_link_of_a_party_removed_from_the_agreement_is_refused(client, event, asked):
    a, links = asked
    a.parties.filter(role="buyer").delete()
    assert client.get(url(event, links["mua@sieuthi.vn"])).status_code == 410


def test_reason_required_when_paused(client, event, asked):
    _a, links = asked
    response = client.post(url(event, links["ban@htx.vn"]), {"state": "paused"})
    assert response.status_code == 400
    assert "Hãy nêu lý do" in response.text
    assert FollowupLink.objects.filter(used_at__isnull=False).count() == 0  # the link still works


def test_value_out_of_bounds_is_a_form_error(client, event, asked):
    _a, links = asked
    response = client.post(url(event, links["ban@htx.vn"]), {"state": "orders", "value": "9" * 30})
    assert response.status_code == 400
    assert FollowupReport.objects.count() == 0


def test_member_reports_on_the_agreement_page(client, event, asked):
    a, _links = asked
    seller = a.parties.get(role="seller").organization
    product = ProductFactory(producer=seller)
    a.products.add(product)
    user = member(event, R.EXHIBITOR, seller)
    client.force_login(user)
    page = client.get(a.get_absolute_url())
    form_url = reverse("agreements:followup_member", kwargs={"event_slug": event.slug, "pk": a.pk})
    assert form_url in page.text
    response = client.post(form_url, {"state": "regular", "value": "90000000", "listing_1_channel": "ecommerce",
                                      "listing_1_name": "Shopee", "listing_1_product": product.pk})
    assert response.status_code == 302
    report = FollowupReport.objects.get()
    assert (report.organization, report.via, report.reported_by) == (seller, "account", user)
    assert ChannelListing.objects.get().product == product
    assert "Cung ứng thường xuyên" in client.get(a.get_absolute_url()).text


def test_a_member_who_is_not_a_party_cannot_report(client, event, asked):
    a, _links = asked
    client.force_login(member(event, R.BUYER))  # a buyer of another company
    form_url = reverse("agreements:followup_member", kwargs={"event_slug": event.slug, "pk": a.pk})
    assert client.get(form_url).status_code == 403
    assert client.post(form_url, {"state": "orders"}).status_code == 403
    assert FollowupReport.objects.count() == 0


def test_service_refuses_a_report_by_a_non_party(event, asked):
    from tests.factories import OrganizationFactory

    a, _links = asked
    with pytest.raises(followup.NotAParty):
        followup.submit_report(agreement=a, organization=OrganizationFactory(),
                               checkpoint=CheckPoint.objects.get(event=event, months=1),
                               data=ReportData(state="orders"), via="account")


def test_dashboard_is_for_organizers_only(client, event):
    page = reverse("agreements:followup", kwargs={"event_slug": event.slug})
    client.force_login(member(event, R.EXHIBITOR))
    assert client.get(page).status_code == 403
    client.force_login(organizer(event))
    assert client.get(page).status_code == 200


def report(a, role, state, value=None, months=1):
    org = a.parties.get(role=role).organization
    return followup.submit_report(agreement=a, organization=org, data=ReportData(state=state, value=value,
                                  reason="thiếu vốn" if state == "paused" else ""),
                                  checkpoint=CheckPoint.objects.get(event=a.event, months=months), via="organizer")


def test_dashboard_figures(client, event, asked):
    a, _links = asked  # both parties asked, nobody answered yet
    b = followed(event, days=40, title="Gạo ST25", value=500_000_000, seller_email="", buyer_email="")
    c = followed(event, days=40, title="Mật ong", kind=Agreement.Kind.BIZ_BIZ, value=200_000_000)
    followup.checkpoints_of(event)
    report(a, "seller", "orders", 120_000_000)
    report(a, "buyer", "orders", 150_000_000)
    report(b, "seller", "paused")
    board = followup_board(event)
    assert (board.total.count, board.total.implemented, board.total.announced, board.total.realized) == (
        3, 1, 100_000_000 + 500_000_000 + 200_000_000, 150_000_000)
    kinds = {r.key: (r.count, r.implemented, r.realized) for r in board.by_kind}
    assert kinds == {"biz_distributor": (2, 1, 150_000_000), "biz_biz": (1, 0, 0)}
    assert sum(r.count for r in board.by_buyer) == 3
    assert [(i.agreement.title, i.reason) for i in board.attention] == [("Gạo ST25", "Tạm dừng: thiếu vốn")]
    FollowupNotice.objects.create(agreement=c, organization=c.parties.get(role="buyer").organization,
                                  checkpoint=CheckPoint.objects.get(event=event, months=1), email="x@y.vn",
                                  status="sent", sent_at=timezone.now())
    silent = followup_board(event).attention[0]
    assert (silent.agreement, silent.email, silent.reason) == (c, "x@y.vn", "Chưa trả lời")
    year = timezone.localdate().year if a.signed_at.year == timezone.localdate().year else a.signed_on.year
    assert [(y["year"], y["business"], y["business_orders"]) for y in board.by_year] == [(year, 3, 1)]
    client.force_login(organizer(event))
    page = client.get(reverse("agreements:followup", kwargs={"event_slug": event.slug})).text
    assert "1 / 3" in page and "150.000.000" in page
    assert f"Trong 3 biên bản giữa doanh nghiệp năm {year}, 1 biên bản đã có đơn hàng." in page


def test_year_over_year_counts_the_organizations_earlier_event(event):
    earlier = EventFactory(organizer=event.organizer, starts_at=event.starts_at - timedelta(days=365),
                           ends_at=event.ends_at - timedelta(days=365))
    old = followed(earlier, days=400)
    followup.checkpoints_of(earlier)
    report(old, "buyer", "regular", 80_000_000, months=12)
    followed(event, days=10)
    rows = followup_board(event).by_year
    assert [(r["year"], r["n"], r["implemented"], r["realized"]) for r in rows] == [
        (timezone.localdate().year, 1, 0, 0), (old.signed_on.year, 1, 1, 80_000_000)] if (
        old.signed_on.year != timezone.localdate().year) else [(old.signed_on.year, 2, 1, 80_000_000)]


def test_organizer_changes_check_points_and_notes_a_call(client, event, asked):
    a, _links = asked
    client.force_login(organizer(event))
    base = {"event_slug": event.slug}
    client.post(reverse("agreements:followup_checkpoints", kwargs=base), {"months": "1, 2, 9"})
    # 1 has sent requests and stays; 3, 6, 12 go; 2 and 9 come
    assert list(CheckPoint.objects.filter(event=event).values_list("months", flat=True)) == [1, 2, 9]
    client.post(reverse("agreements:followup_checkpoints", kwargs=base), {"months": "2, 9"})
    assert list(CheckPoint.objects.filter(event=event).values_list("months", flat=True)) == [1, 2, 9]
    assert client.post(reverse("agreements:followup_checkpoints", kwargs=base), {"months": "0, 99"}).status_code == 302
    assert CheckPoint.objects.filter(event=event).count() == 3
    day = timezone.localdate().isoformat()
    client.post(reverse("agreements:followup_called", kwargs={**base, "pk": a.pk}),
                {"called_on": day, "note": "Hẹn tuần sau"})
    page = client.get(reverse("agreements:followup", kwargs=base)).text
    assert "Hẹn tuần sau" in page
    assert ActivityEntry.objects.filter(action="agreements.followup_called").count() == 1


@pytest.mark.parametrize("n", [3, 12])
def test_dashboard_query_count_is_constant(client, event, n, django_assert_max_num_queries):
    followup.checkpoints_of(event)
    for i in range(n):
        a = followed(event, days=40, title=f"Biên bản {i}", seller_email=f"s{i}@x.vn", buyer_email=f"b{i}@x.vn")
        report(a, "seller", ["orders", "paused", "not_started"][i % 3], 1000 * i)
        FollowupNotice.objects.create(agreement=a, organization=a.parties.get(role="buyer").organization,
                                      checkpoint=CheckPoint.objects.get(event=event, months=1),
                                      email=f"b{i}@x.vn", status="sent", sent_at=timezone.now())
    client.force_login(organizer(event))
    page = reverse("agreements:followup", kwargs={"event_slug": event.slug})
    client.get(page)
    with django_assert_max_num_queries(19):
        response = client.get(page)
    assert response.status_code == 200
    assert response.text.count('class="call-note"') == 2 * n - (n + 2) // 3  # silent buyers, stalled sellers


def test_entry_form_asks_for_contact_emails_and_edit_keeps_them(client, event):
    from .factories import party, producer, retailer
    from .test_views import form_post

    seller, buyer = producer(), retailer()
    client.force_login(organizer(event))
    new = reverse("agreements:new", kwargs={"event_slug": event.slug})
    assert 'name="parties-0-contact_email"' in client.get(new).text
    post = form_post(parties=[party(seller, "seller", email="ban@htx.vn"), party(buyer, "buyer", email="not an email")])
    assert client.post(new, post).status_code == 200  # the form comes back with the error
    assert not Agreement.objects.exists()
    client.post(new, {**post, "parties-1-contact_email": "mua@sieuthi.vn"})
    a = Agreement.objects.get()
    assert dict(a.parties.values_list("role", "contact_email")) == {"seller": "ban@htx.vn", "buyer": "mua@sieuthi.vn"}
    edit = reverse("agreements:edit", kwargs={"event_slug": event.slug, "pk": a.pk})
    assert 'value="mua@sieuthi.vn"' in client.get(edit).text
    from .test_views import form_post as again

    client.post(edit, again(a, title="Đổi tên", **{"parties-1-contact_email": "moi@sieuthi.vn"}))
    assert dict(a.parties.values_list("role", "contact_email")) == {"seller": "ban@htx.vn", "buyer": "moi@sieuthi.vn"}


def test_demo_seed_gives_the_year_over_year_view_real_numbers():
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    rows = followup_board(EventFactory._meta.model.objects.get(slug="ca-mau-2026")).by_year
    last_year = next(r for r in rows if r["year"] == 2025)
    assert (last_year["business"], last_year["business_orders"]) == (34, 21)
    assert last_year["realized"] > 0
