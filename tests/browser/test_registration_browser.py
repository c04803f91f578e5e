"""Journey: a visitor registers as a buyer; the organizer finds them in the list and approves them."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from eventsite.models import EventRole
from registration.models import Registration, RegistrationQuestion, RegistrationStatus
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.factories import EventFactory, user_with_role
from tests.registration.factories import QuestionFactory, RegistrationFactory, RegistrationSettingsFactory

pytestmark = pytest.mark.browser
PASSWORD = "Ca-Mau-2026-ocop!"


def organizer_for(event):
    user = user_with_role(event, EventRole.Role.ORGANIZER, full_name="Nguyễn Thị Xa")
    # The server process runs the production hashers; the test settings' MD5 hash would not verify there.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "browsersalt", iterations=1000)
    user.save(update_fields=["password"])
    return user


def wait_for_claim_link(live_app, address: str, attempts: int = 200) -> str:
    """The confirmation link sent to ``address``, once the background task has written the email."""
    import time

    for _ in range(attempts):
        for message in live_app.emails():
            found = re.search(r"https?://\S+/register/confirm/\S+/", message)
            if address in message and found:
                return found.group(0)
        time.sleep(0.1)
    raise AssertionError(f"no confirmation email to {address}")


def test_visitor_registers_and_organizer_approves(page, context, live_app):
    event = EventFactory(slug="ca-mau-dang-ky", name="Hội nghị kết nối cung cầu Cà Mau")
    settings = RegistrationSettingsFactory(event=event, approval_required=True, buyer_capacity=10)
    QuestionFactory(settings=settings, label="Tham gia phiên B2B?", kind=RegistrationQuestion.Kind.YES_NO,
                    required=True)
    RegistrationFactory(event=event, full_name="Lê Hoàng Phúc", company="Saigon Co.op")
    organizer = organizer_for(event)

    page.goto(f"/e/{event.slug}/register/")
    assert page.locator("h1").inner_text() == "Đăng ký nhà mua hàng"
    assert_accessible(page, "registration-signup")
    page.get_by_label("Họ và tên").fill("Võ Thị Kim Ngân")
    page.get_by_label("Công ty").fill("Công ty CP Thực phẩm Sạch An Khang")
    page.get_by_label("Loại hình nhà mua").select_option("distributor")
    page.get_by_label("Số điện thoại").fill("0903 456 789")
    page.get_by_label("Email").fill("ngan@ankhang.vn")
    page.get_by_label("Tỉnh/thành phố").select_option(label="Cà Mau")
    page.get_by_label("I. Thực phẩm").check()
    page.get_by_role("group", name=re.compile("Tham gia phiên B2B")).get_by_label("Có").check()
    page.get_by_label("Quý vị đang tìm kiếm sản phẩm gì?").fill("Khô cá khoai, mật ong U Minh")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/register/done/$"))
    assert "Kiểm tra email" in page.locator("main").inner_text()  # the same for any address: nothing revealed
    assert_accessible(page, "registration-check-email")

    # She confirms the address from the email (the link opens a page; only its button confirms).
    link = wait_for_claim_link(live_app, "ngan@ankhang.vn")
    page.goto(link)
    assert "Võ Thị Kim Ngân" in page.locator("main").inner_text()
    assert_accessible(page, "registration-claim")
    page.get_by_role("button", name="Xác nhận đăng ký của tôi").click()
    page.wait_for_url(re.compile(r"/register/done/$"))
    assert "Chờ duyệt" in page.locator("main").inner_text()
    screenshot(page, "registration-done")

    registration = Registration.objects.get(email="ngan@ankhang.vn")
    assert (registration.status, registration.province_code, registration.product_groups,
            registration.email_claimed) == (RegistrationStatus.PENDING, 96, ["food"], True)
    assert not any("Võ Thị Kim Ngân" in m for m in live_app.emails())  # typed text never rides in emails

    organizer_page = context.browser.new_context(base_url=live_app.url, locale="vi-VN").new_page()
    log_in(organizer_page, organizer.email, PASSWORD)
    organizer_page.goto(f"/e/{event.slug}/registrations/?q=ngan")  # without tone marks
    rows = organizer_page.locator("tbody tr")
    assert rows.count() == 1
    assert_accessible(organizer_page, "registration-list")
    organizer_page.get_by_label("Chọn Võ Thị Kim Ngân").check()
    organizer_page.get_by_label("Với các đăng ký đã chọn").select_option("approve")
    organizer_page.get_by_role("button", name="Thực hiện").click()
    organizer_page.wait_for_load_state()
    assert "Đã xong. Đã duyệt: 1" in organizer_page.locator(".messages").inner_text()
    assert "Đã duyệt" in organizer_page.locator("tbody tr").first.inner_text()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.APPROVED
    assert registration.decided_by == organizer

    organizer_page.set_viewport_size({"width": 375, "height": 800})
    organizer_page.goto(f"/e/{event.slug}/registrations/")
    screenshot(organizer_page, "registration-list-phone")
    # The person's page, from the list: details and the history of the registration (signed up, approved).
    organizer_page.get_by_role("link", name="Võ Thị Kim Ngân").click()
    organizer_page.wait_for_load_state()
    history = organizer_page.locator(".activity-history").inner_text()
    assert "Đã đăng ký" in organizer_page.inner_text("main") and organizer.full_name in history
    assert_accessible(organizer_page, "registration-detail-phone")
    assert organizer_page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(organizer_page, "registration-detail-phone")

    # The organizer's other pages: settings, import with a row error in the preview.
    organizer_page.set_viewport_size({"width": 1280, "height": 900})
    organizer_page.goto(f"/e/{event.slug}/registrations/settings/")
    assert_accessible(organizer_page, "registration-settings")
    organizer_page.goto(f"/e/{event.slug}/registrations/import/")
    assert_accessible(organizer_page, "registration-import")
    organizer_page.get_by_label("Bảng tính").set_input_files(files=[{
        "name": "bao-chi.csv", "mimeType": "text/csv",
        "buffer": "Họ và tên,Email,Công ty,Vai trò\nĐặng Thị Hồng Nhung,nhung@baocamau.vn,Báo Cà Mau,Báo chí\n"
                  "Phan Văn Tèo,sai-email,Đài PT-TH Cà Mau,Báo chí\n".encode(),
    }])
    organizer_page.get_by_role("button", name="Kiểm tra tệp").click()
    organizer_page.wait_for_url(re.compile(r"/registrations/import/\d+/$"))
    # The file is checked in the background; the page polls, then reloads into the preview.
    organizer_page.locator("main [role=alert]", has_text="1 dòng có lỗi.").wait_for(timeout=30_000)
    assert_accessible(organizer_page, "registration-import-preview")
    assert not Registration.objects.filter(email="nhung@baocamau.vn").exists()
    organizer_page.context.close()


def test_signup_page_on_phone(page, live_app):
    event = EventFactory(slug="ca-mau-dien-thoai")
    RegistrationSettingsFactory(event=event)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"/e/{event.slug}/register/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"sign-up page scrolls sideways on a phone ({width}px)"
    assert_accessible(page, "registration-signup-phone")
