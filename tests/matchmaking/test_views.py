import subprocess
from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.ocop import SubGroup
from eventsite.models import EventRole
from matchmaking.models import Meeting, MeetingOutcome, MeetingRequest, MeetingSession, MeetingTable, Side
from matchmaking.services import day, profiles, scheduling
from matchmaking.services.participants import settings_for
from matchmaking.services.reports import tally_meetings
from tests.factories import DAY2
from tests.matchmaking.factories import accepted_request, generous_quotas, grid, party

pytestmark = pytest.mark.django_db


def url(f, name, *args):
    return reverse(f"matchmaking:{name}", args=[f.event.slug, *args])


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout


def pdf_pages(content: bytes, tmp_path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_buyer_sees_ranked_producers_with_reasons(client, fair):
    profiles.save_buyer_profile(event=fair.event, organization=fair.buyers[0].org, needs="nước mắm",
                                subgroups=[SubGroup.CONDIMENT])
    client.force_login(fair.buyers[0].user)
    page = client.get(url(fair, "recommendations")).content.decode()
    assert fair.producers[0].org.name in page
    assert "matches “nước mắm”" in page or "khớp “nước mắm”" in page
    assert "10.000 lít" in page


def test_buyer_profile_form_saves(client, fair):
    client.force_login(fair.buyers[0].user)
    response = client.post(url(fair, "profile"), {"subgroups": ["tea", "coffee"], "min_stars": "4",
                                                  "needs": "trà, cà phê", "channels": ["ecommerce"]})
    assert response.status_code == 302
    p = fair.buyers[0].org.buyer_profiles.get()
    assert (p.subgroups, p.min_stars, p.needs, p.channels) == (["tea", "coffee"], 4, "trà, cà phê", ["ecommerce"])


def test_producer_profile_offers_only_own_products(client, fair):
    client.force_login(fair.producers[0].user)
    page = client.get(url(fair, "profile")).content.decode()
    own = fair.producers[0].org.products.get()
    foreign = fair.producers[1].org.products.get()
    assert f'value="{own.pk}"' in page and f'value="{foreign.pk}"' not in page
    response = client.post(url(fair, "profile"), {"products": [foreign.pk], "capacity": "2 tấn"})
    assert response.status_code == 200  # not a choice: the form says so
    assert not fair.producers[0].org.producer_profiles.exists()


def test_request_form_sends_and_errors_are_messages(client, fair):
    client.force_login(fair.buyers[0].user)
    target = url(fair, "request_new", fair.producers[0].org.pk)
    assert client.post(target, {"message": "", "party_size": "2"}).status_code == 200
    response = client.post(target, {"message": "Xin gặp", "party_size": "2"}, follow=True)
    assert MeetingRequest.objects.filter(buyer=fair.buyers[0].org).count() == 1
    assert response.redirect_chain[-1][0] == url(fair, "requests")
    again = client.post(target, {"message": "Lần nữa", "party_size": "2"}, follow=True)
    assert [m.level_tag for m in again.context["messages"]] == ["error"]


def test_buyer_never_sees_other_buyers_requests(client, fair):
    accepted_request(fair, fair.buyers[1], fair.producers[0])
    accepted_request(fair, fair.buyers[0], fair.producers[1])
    client.force_login(fair.buyers[0].user)
    page = client.get(url(fair, "requests")).content.decode()
    assert fair.producers[1].org.name in page
    assert fair.buyers[1].org.name not in page and fair.producers[0].org.name not in page


def test_answer_and_cancel_through_the_pages(client, fair):
    from matchmaking.services import requests
    r = requests.create_request(event=fair.event, sender=fair.buyers[0].org, side=Side.BUYER,
                                counterpart=fair.producers[0].org, user=fair.buyers[0].user, message="Gặp")
    client.force_login(fair.buyers[1].user)
    client.post(url(fair, "request_answer", r.pk), {"action": "accept"})
    assert MeetingRequest.objects.get(pk=r.pk).status == "pending"
    client.force_login(fair.producers[0].user)
    assert f"request-{r.pk}" in client.get(url(fair, "requests")).content.decode()
    client.post(url(fair, "request_answer", r.pk), {"action": "accept", "answer": "Đồng ý"})
    assert MeetingRequest.objects.get(pk=r.pk).status == "accepted"
    client.post(url(fair, "request_cancel", r.pk))
    assert MeetingRequest.objects.get(pk=r.pk).status == "cancelled"


@pytest.mark.parametrize("n", [10, 200])
def test_request_list_queries_do_not_grow(client, fair, django_assert_max_num_queries, n):
    buyer = fair.buyers[0]
    producers = [party(fair.event, EventRole.Role.EXHIBITOR) for _ in range(n)]
    now = timezone.now()
    made = MeetingRequest.objects.bulk_create([
        MeetingRequest(event=fair.event, buyer=buyer.org, producer=p.org, from_side=Side.BUYER, message="Gặp",
                       status="pending", expires_at=now + timedelta(days=1), product_group="food")
        for p in producers])
    product = fair.producers[0].org.products.get()
    MeetingRequest.products.through.objects.bulk_create(
        [MeetingRequest.products.through(meetingrequest_id=r.pk, product_id=product.pk) for r in made])
    grid(fair)
    client.force_login(buyer.user)
    with django_assert_max_num_queries(16):
        response = client.get(url(fair, "requests"))
    assert response.status_code == 200
    assert response.content.decode().count('class="mm-request"') == min(n, 50)


@pytest.fixture
def scheduled(fair):
    slots, tables = grid(fair, slots=3, tables=2, start=timezone.now() - timedelta(minutes=5))
    product = fair.producers[0].org.products.get()
    r = accepted_request(fair, fair.buyers[0], fair.producers[0], product_ids=[product.pk])
    accepted_request(fair, fair.buyers[1], fair.producers[1])
    scheduling.schedule_all(event=fair.event, time_limit=3)
    return Meeting.objects.get(request=r)


def test_schedule_page_hidden_until_published(client, fair):
    grid(fair)
    r = accepted_request(fair, fair.buyers[0], fair.producers[0])
    scheduling.schedule_all(event=fair.event, publish=False, time_limit=3)
    assert Meeting.objects.filter(request=r).exists()
    client.force_login(fair.buyers[0].user)
    page = client.get(url(fair, "schedule")).content.decode()
    assert fair.producers[0].org.name not in page


def test_schedule_page_pdf_and_ical(client, fair, scheduled, tmp_path):
    client.force_login(fair.buyers[0].user)
    page = client.get(url(fair, "schedule")).content.decode()
    assert fair.producers[0].org.name in page and str(scheduled.table) in page
    assert fair.producers[1].org.name not in page
    pdf = client.get(url(fair, "schedule_pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content, tmp_path)
    assert fair.producers[0].org.name in text and "Nước mắm cá cơm" in text
    ics = client.get(url(fair, "schedule_ics")).content.decode()
    assert ics.count("BEGIN:VEVENT") == 1
    assert f"DTSTART:{scheduled.slot.starts_at.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}" in ics
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))


def test_table_sheets_one_page_per_table(client, fair, scheduled, tmp_path):
    client.force_login(fair.desk)
    pdf = client.get(url(fair, "table_sheets")).content
    assert pdf_pages(pdf, tmp_path) == MeetingTable.objects.filter(event=fair.event).count() == 2
    assert fair.buyers[0].org.name in pdf_text(pdf, tmp_path)


def test_board_shows_the_current_slot(client, fair, scheduled):
    client.force_login(fair.desk)
    page = client.get(url(fair, "board")).content.decode()
    assert scheduled.buyer.name in page and 'hx-trigger="every 15s, board-changed"' in page
    assert f'data-board-socket="/ws/e/{fair.event.slug}/matchmaking/board/"' in page
    rows = client.get(url(fair, "board_rows")).content.decode()
    assert rows.lstrip().startswith("<tbody") and scheduled.producer.name in rows
    client.force_login(fair.buyers[0].user)
    assert client.get(url(fair, "board")).status_code == 403


def test_meeting_page_check_in_outcome_and_agreement_data(client, fair, scheduled):
    client.force_login(fair.buyers[1].user)
    assert client.get(url(fair, "meeting", scheduled.pk)).status_code == 404
    client.force_login(fair.producers[0].user)
    client.post(url(fair, "meeting_check_in", scheduled.pk))
    client.post(url(fair, "meeting_outcome", scheduled.pk), {"result": "mou", "note": "Ký tại hội nghị"})
    page = client.get(url(fair, "meeting", scheduled.pk)).content.decode()
    product = fair.producers[0].org.products.get()
    assert f'data-buyer="{fair.buyers[0].org.pk}"' in page
    assert f'data-seller="{fair.producers[0].org.pk}"' in page and f'data-products="{product.pk}"' in page


def test_no_show_from_the_page(client, fair, scheduled):
    client.force_login(fair.buyers[0].user)
    client.post(url(fair, "meeting_no_show", scheduled.pk))
    assert Meeting.objects.get(pk=scheduled.pk).absent_side == Side.PRODUCER


def test_organizer_builds_grid_places_and_schedules(client, fair):
    client.force_login(fair.organizer)
    client.post(url(fair, "session_add"), {"name": "Sáng", "day": f"{DAY2:%Y-%m-%d}", "starts": "08:00",
                                           "ends": "09:00", "slot_minutes": "20"})
    client.post(url(fair, "tables_add"), {"count": "3", "seats": "4", "booth_codes": "A01, A02"})
    assert MeetingSession.objects.get(event=fair.event).slots.count() == 3
    assert list(MeetingTable.objects.values_list("booth_code", flat=True)) == ["A01", "A02", ""]
    r1 = accepted_request(fair, fair.buyers[0], fair.producers[0])
    accepted_request(fair, fair.buyers[1], fair.producers[1])
    slot = MeetingSession.objects.get().slots.first()
    table = MeetingTable.objects.first()
    page = client.get(url(fair, "organize")).content.decode()
    assert fair.buyers[1].org.name in page
    client.post(url(fair, "place"), {"request": r1.pk, "slot": slot.pk, "table": table.pk})
    assert Meeting.objects.get(request=r1).table == table
    response = client.post(url(fair, "schedule_all"), follow=True)
    assert Meeting.objects.count() == 2 and settings_for(fair.event).published_at is not None
    assert [m.level_tag for m in response.context["messages"]] == ["success", "success"]  # placed, scheduled
    bad = client.post(url(fair, "place"), {"request": r1.pk, "slot": "x", "table": table.pk}, follow=True)
    assert [m.level_tag for m in bad.context["messages"]] == ["error"]


def test_report_counts_by_buyer_type_and_group(client, fair, scheduled):
    day.check_in_meeting(event=fair.event, meeting_id=scheduled.pk, user=fair.desk)
    day.record_outcome(event=fair.event, meeting_id=scheduled.pk, user=fair.buyers[0].user, result="mou")
    day.record_outcome(event=fair.event, meeting_id=scheduled.pk, user=fair.producers[0].user, result="mou")
    rows, total = tally_meetings(event=fair.event, by="kind")
    assert [(r.key, r.requests, r.accepted, r.scheduled, r.held, r.converted) for r in rows] == [
        ("ecommerce", 1, 1, 1, 0, 0), ("retail_chain", 1, 1, 1, 1, 1)]
    assert (total.requests, total.held, total.converted) == (2, 1, 1)
    assert MeetingOutcome.objects.count() == 2  # two outcomes, one conversion
    group_rows, _ = tally_meetings(event=fair.event, by="group")
    assert [(r.key, r.requests) for r in group_rows] == [("food", 2)]
    client.force_login(fair.organizer)
    assert client.get(url(fair, "report")).status_code == 200


def test_report_counts_no_shows_by_buyer_type_and_group(client, fair, scheduled):
    other = Meeting.objects.select_related("slot").exclude(pk=scheduled.pk).get()
    day.report_no_show(event=fair.event, meeting_id=other.pk, user=fair.buyers[1].user,
                       now=other.slot.starts_at + timedelta(minutes=5))
    day.check_in_meeting(event=fair.event, meeting_id=scheduled.pk, user=fair.desk)
    rows, total = tally_meetings(event=fair.event, by="kind")
    assert [(r.key, r.scheduled, r.held, r.no_shows) for r in rows] == [
        ("ecommerce", 1, 0, 1), ("retail_chain", 1, 1, 0)]
    assert (total.held, total.no_shows) == (1, 1)
    group_rows, _ = tally_meetings(event=fair.event, by="group")
    assert [(r.key, r.no_shows) for r in group_rows] == [("food", 1)]
    client.force_login(fair.organizer)
    page = client.get(url(fair, "report")).content.decode()
    assert "<td>1</td><td>1</td><td>0</td><td>0</td></tr></tfoot>" in page  # held, no-shows, MoUs, agreements


def test_nav_and_stats_plug_in(client, fair):
    generous_quotas(fair.event)
    client.force_login(fair.buyers[0].user)
    page = client.get(reverse("event_home", args=[fair.event.slug])).content.decode()
    assert url(fair, "recommendations") in page and url(fair, "organize") not in page
    client.force_login(fair.organizer)
    home = client.get(reverse("organizer_home", args=[fair.event.slug])).content.decode()
    assert url(fair, "organize") in home and url(fair, "report") in home


def test_one_table_sheet_on_request(client, fair, scheduled, tmp_path):
    client.force_login(fair.organizer)
    pdf = client.get(url(fair, "table_sheets") + f"?table={scheduled.table.number}")
    assert pdf_pages(pdf.content, tmp_path) == 1
    assert scheduled.buyer.name in pdf_text(pdf.content, tmp_path)
    assert client.get(url(fair, "table_sheets") + "?table=99").status_code == 404


def test_waiting_requests_come_first(client, fair):
    from matchmaking.services import requests
    old = requests.create_request(event=fair.event, sender=fair.buyers[0].org, side=Side.BUYER,
                                  counterpart=fair.producers[0].org, user=fair.buyers[0].user, message="Gặp")
    done = accepted_request(fair, fair.buyers[0], fair.producers[1])
    client.force_login(fair.buyers[0].user)
    page = client.get(url(fair, "requests")).content.decode()
    assert page.index(f"request-{old.pk}") < page.index(f"request-{done.pk}")


@pytest.mark.parametrize("n", [5, 60])
def test_recommendations_queries_do_not_grow(client, fair, django_assert_max_num_queries, n):
    from tests.factories import ProductFactory
    for _ in range(n):
        p = party(fair.event, EventRole.Role.EXHIBITOR)
        ProductFactory(producer=p.org, name="Nước mắm Sông Đốc", subgroup=SubGroup.CONDIMENT)
    profiles.save_buyer_profile(event=fair.event, organization=fair.buyers[0].org, needs="nước mắm")
    client.force_login(fair.buyers[0].user)
    with django_assert_max_num_queries(14):
        response = client.get(url(fair, "recommendations"))
    assert response.content.decode().count('class="mm-match"') == min(n + 2, 20)  # the top twenty at most


def test_expire_command(fair):
    from io import StringIO

    from django.core.management import call_command

    from matchmaking.services import requests
    requests.create_request(event=fair.event, sender=fair.buyers[0].org, side=Side.BUYER,
                            counterpart=fair.producers[0].org, user=fair.buyers[0].user, message="Gặp",
                            now=timezone.now() - timedelta(days=5))
    out = StringIO()
    call_command("expire_meeting_requests", stdout=out)
    assert out.getvalue().strip() == "1 meeting requests expired"
