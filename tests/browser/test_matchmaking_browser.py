"""B2B matchmaking journey: a buyer asks, the producer accepts, the organizer schedules, both see their table;
after the meeting "MoU signed" hands the parties and products to the agreement entry."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.utils import timezone, translation

from agreements.models import Agreement
from catalog.ocop import SubGroup
from matchmaking.models import Meeting, MeetingRequest
from matchmaking.services import profiles, scheduling
from tests.booths.factories import BoothFactory
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.factories import PASSWORD
from tests.matchmaking.factories import accepted_request, fair, grid

pytestmark = pytest.mark.browser


def as_user(page, user):
    # The server runs the real settings, whose hashers do not include the tests' fast MD5.
    if not user.password.startswith("pbkdf2_sha256$"):
        user.password = PBKDF2PasswordHasher().encode(PASSWORD, "matchmaking", iterations=1000)
        user.save(update_fields=["password"])
    page.context.clear_cookies()
    log_in(page, user.email, PASSWORD)


def test_request_accept_schedule_meet_and_sign(page, live_app):
    f = fair(buyers=2, producers=2)
    buyer, producer = f.buyers[0], f.producers[0]
    product = producer.org.products.get()
    profiles.save_buyer_profile(event=f.event, organization=buyer.org, subgroups=[SubGroup.CONDIMENT],
                                needs="nước mắm", volume="5.000 lít")
    slots, tables = grid(f, slots=3, tables=2, start=timezone.now() - timedelta(minutes=5))
    for n, table in enumerate(tables, start=1):  # the tables stand at booths: their labels carry the code
        table.booth = BoothFactory(hall__event=f.event, code=f"B{n:02d}")
        table.save()
    base = f"/e/{f.event.slug}/matchmaking"

    # The buyer finds the producer among the recommendations, with the reasons, and asks for a meeting.
    as_user(page, buyer.user)
    page.goto(f"{base}/")
    assert "10.000 lít" in page.locator("main").inner_text()
    assert_accessible(page, "matchmaking-recommendations")
    page.locator(f"a[href='{base}/request/{producer.org.pk}/']").click()
    page.fill("textarea[name=message]", "Chúng tôi muốn đưa nước mắm vào hệ thống siêu thị.")
    page.check(f"input[name=products][value='{product.pk}']")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{base}/requests/")
    request = MeetingRequest.objects.get(buyer=buyer.org, producer=producer.org)
    assert page.locator(f"#request-{request.pk}").is_visible()
    assert_accessible(page, "matchmaking-requests-buyer")

    # The producer accepts.
    as_user(page, producer.user)
    page.goto(f"{base}/requests/")
    page.locator(f"#request-{request.pk} button[name=action][value=accept]").click()
    page.wait_for_load_state()
    request.refresh_from_db()
    assert request.status == "accepted"

    # The organizer schedules everything and publishes.
    as_user(page, f.organizer)
    page.goto(f"{base}/organize/")
    assert_accessible(page, "matchmaking-organize")
    page.locator(f"form[action='{base}/organize/schedule-all/'] button").click()
    page.wait_for_load_state()
    meeting = Meeting.objects.select_related("slot", "table").get(request=request)
    with translation.override("vi"):
        table_label = str(meeting.table)  # "Bàn 1 (B01)": the pages are in Vietnamese
    assert table_label == f"Bàn {meeting.table.number} (B{meeting.table.number:02d})"
    page.goto(f"{base}/board/")
    assert producer.org.name in page.locator("table").inner_text()
    # The board follows the live updates socket (served by the same Daphne process).
    page.locator("[data-board-socket][data-live='on']").wait_for()  # not wait_for_function: CSP forbids its eval
    assert_accessible(page, "matchmaking-board")

    # Both sides see the slot and the table.
    for who, other in ((buyer, producer), (producer, buyer)):
        as_user(page, who.user)
        page.goto(f"{base}/schedule/")
        row = page.locator("main table tbody tr", has_text=other.org.name)
        assert row.locator(".mm-table-cell").inner_text().strip() == table_label
        assert timezone.localtime(meeting.slot.starts_at).strftime("%H:%M") in row.inner_text()
    assert_accessible(page, "matchmaking-schedule")

    # At the table: the buyer checks in, then records "MoU signed".
    as_user(page, buyer.user)
    page.goto(f"{base}/meetings/{meeting.pk}/")
    page.locator(f"form[action='{base}/meetings/{meeting.pk}/check-in/'] button").click()
    page.wait_for_load_state()
    page.check("input[name=result][value=mou]")
    page.locator(f"form[action='{base}/meetings/{meeting.pk}/outcome/'] button").click()
    page.wait_for_load_state()
    screenshot(page, "matchmaking-meeting-mou")
    box = page.locator(".mm-agreement")
    link = page.locator("#agreement-link")
    query = parse_qs(urlparse(link.get_attribute("href")).query)
    assert query == {"buyer": [str(buyer.org.pk)], "seller": [str(producer.org.pk)], "products": [str(product.pk)],
                     "meeting": [str(meeting.pk)]}
    assert (box.get_attribute("data-buyer"), box.get_attribute("data-seller"), box.get_attribute("data-products")) \
        == (str(buyer.org.pk), str(producer.org.pk), str(product.pk))
    # The link opens the agreement entry with both parties already chosen.
    link.click()
    page.wait_for_load_state()
    chosen = {page.locator(f"#id_parties-{i}-organization").input_value() for i in (0, 1)}
    assert chosen == {str(buyer.org.pk), str(producer.org.pk)}
    screenshot(page, "matchmaking-mou-prefilled-agreement")
    # Saved as prefilled: the agreement exists, linked to the meeting, with both parties and the product.
    page.locator("main form button[name=save]").click()
    page.wait_for_url(re.compile(r".*/agreements/\d+/$"))
    agreement = Agreement.objects.get(event=f.event)
    assert agreement.meeting_id == meeting.pk
    assert {(p.organization_id, p.role) for p in agreement.parties.all()} == {
        (producer.org.pk, "seller"), (buyer.org.pk, "buyer")}
    assert list(agreement.products.values_list("pk", flat=True)) == [product.pk]
    assert page.url.endswith(f"/agreements/{agreement.pk}/")
    screenshot(page, "matchmaking-mou-agreement-saved")
    # The meeting page now lists it.
    page.goto(f"{base}/meetings/{meeting.pk}/")
    assert page.locator(f"main a[href='/e/{f.event.slug}/agreements/{agreement.pk}/']").is_visible()
    assert_accessible(page, "matchmaking-meeting-with-agreement")


def test_requests_page_on_a_phone(page, live_app):
    f = fair()
    page.set_viewport_size({"width": 375, "height": 800})
    as_user(page, f.producers[0].user)
    page.goto(f"/e/{f.event.slug}/matchmaking/requests/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page, "matchmaking-requests-phone")


def test_table_check_in_by_badge_scan(page, live_app):
    """A desk volunteer at a table: a scanner types the badge code and Enter; the answer is a word, not a colour."""
    from registration.services import badges, tokens
    from tests.registration.factories_checkin import CheckinRegistrationFactory

    f = fair(buyers=2, producers=1)
    slots, tables = grid(f, slots=2, tables=2, start=timezone.now() - timedelta(minutes=5))
    request = accepted_request(f, f.buyers[0], f.producers[0])
    meeting = scheduling.place_meeting(event=f.event, request_id=request.pk, slot_id=slots[0].pk,
                                       table_id=tables[1].pk)
    code = badges.token_for(badges.ensure_badge(CheckinRegistrationFactory(
        event=f.event, user=f.buyers[0].user, organization=f.buyers[0].org, full_name="Lê Thị Thu Hà")))
    raw = bytearray(tokens.decode(code))
    raw[-1] ^= 0x01
    forged = tokens.encode(bytes(raw))

    as_user(page, f.desk)
    page.goto(f"/e/{f.event.slug}/matchmaking/table-check-in/")
    result = page.locator("#table-scan-result")
    # At the wrong table first: it says where the meeting is.
    page.fill("#tc-code", code)
    page.press("#tc-code", "Enter")
    result.locator("[data-status='elsewhere']").wait_for()
    with translation.override("vi"):
        label = str(tables[1])
    assert label in result.inner_text()
    screenshot(page, "matchmaking-table-checkin-elsewhere")
    # A forged code.
    page.fill("#tc-code", forged)
    page.press("#tc-code", "Enter")
    result.locator("[data-status='forged']").wait_for()
    assert "GIẢ" in result.inner_text().upper()
    screenshot(page, "matchmaking-table-checkin-forged")
    # At the right table.
    page.select_option("#tc-table", str(tables[1].pk))
    page.locator("form[method=get] button[type=submit]").click()
    page.wait_for_load_state()
    page.fill("#tc-code", code)
    page.press("#tc-code", "Enter")
    result.locator("[data-status='checked_in']").wait_for()
    assert f.producers[0].org.name in result.inner_text()
    assert page.evaluate("document.activeElement.id") == "tc-code"  # ready for the next scan
    page.locator("#tc-meetings .mm-status-held").wait_for()  # the table's list follows
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    screenshot(page, "matchmaking-table-checkin-ok")
    assert_accessible(page, "matchmaking-table-checkin")
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "matchmaking-table-checkin-phone")
