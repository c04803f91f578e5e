"""Issue #15 in a browser: the operator creates a department and invites its organizer, who signs up from the
email, creates an event, copies a template's floor plan, rooms and registration settings, adds a speaker and two
sessions (one a signing ceremony), invites a desk user, adds a scanner and publishes; a buyer registers on a phone,
is approved, sees "Thẻ của tôi" and downloads the badge; the desk user, on a phone, checks the buyer in; the
organizer home counts one buyer checked in. Every new page is checked with axe-core at desktop size and at
390×844, no page links to /admin/ for anyone but the operator, and the organizer's part from the invitation email
to the published event takes at most 40 page loads and form posts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from agenda.models import Room, Session, Speaker
from booths.models import Booth
from checkin.models import CheckIn
from eventsite.models import Event, EventRole, Invitation
from registration.models import Registration, RegistrationQuestion, RegistrationSettings, RegistrationStatus
from registration.services import badges
from tests.agenda.factories import RoomFactory
from tests.booths.factories import BoothFactory, HallFactory
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import DAY1, PASSWORD, EventFactory, UserFactory

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _link_from(live_app, email: str) -> str:
    mails = [m for m in live_app.emails() if email in m and "/invitations/" in m]
    assert mails, f"no invitation email to {email}"
    return "/invitations/" + re.search(r"/invitations/([A-Za-z0-9_-]+)/", mails[-1]).group(1) + "/"


def _no_admin_links(page) -> None:
    assert page.locator("a[href*='/admin/']").count() == 0, f"{page.url} links to /admin/"


class Clicks:
    """Page loads and form posts (HTMX ones included) a person makes; the checks' own reloads are not counted."""

    def __init__(self, page):
        self.n, self.on = 0, True
        page.on("request", self._seen)

    def _seen(self, request) -> None:
        if self.on and (request.resource_type == "document" or request.method == "POST"):
            self.n += 1


def _check_both_sizes(page, name: str, clicks: Clicks | None = None) -> None:
    if clicks:
        clicks.on = False
    _check_sizes(page, name)
    if clicks:
        clicks.on = True


def _check_sizes(page, name: str) -> None:
    assert_accessible(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(el => el.getBoundingClientRect().right > innerWidth + 1)
        .slice(-3).map(el => el.tagName + '.' + el.className + ': ' + (el.textContent || '').trim().slice(0, 60))""")
    assert width <= PHONE["width"], f"{name} scrolls sideways on a phone ({width}px): {wide}"
    assert_accessible(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def _phone_page(context, live_app):
    ctx = context.browser.new_context(base_url=live_app.url, viewport=PHONE, locale="vi-VN")
    ctx.set_default_timeout(30_000)
    return ctx.new_page()


def _phone_checks(page, name: str) -> None:
    """At 390×844: axe-clean, no sideways scroll, no link to /admin/."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} scrolls sideways on a phone ({width}px)"
    _no_admin_links(page)
    assert_accessible(page, name)


def _confirm_link(live_app, email: str) -> str:
    mails = [m for m in live_app.emails() if email in m and "/accounts/confirm-email/" in m]
    assert mails, f"no verification email to {email}"
    return "/accounts/confirm-email/" + re.search(r"/accounts/confirm-email/(\S+?)/", mails[-1]).group(1) + "/"


def test_operator_to_published_event(page, context, live_app):
    template = EventFactory(name="Hội nghị mẫu Cà Mau", slug="mau-ca-mau", is_template=True)
    hall = HallFactory(event=template, name="Nhà A")
    for i in range(12):
        BoothFactory(hall=hall, code=f"A-{i:02d}")
    RoomFactory(event=template, name="Hội trường chính", position=0)
    RoomFactory(event=template, name="Phòng ký kết", position=1)
    settings = RegistrationSettings.objects.create(event=template, approval_required=True, buyer_capacity=200)
    RegistrationQuestion.objects.create(settings=settings, label="Quý vị muốn gặp hợp tác xã nào?",
                                        kind=RegistrationQuestion.Kind.TEXT, required=False, order=1)
    operator = UserFactory(is_superuser=True, is_staff=True, full_name="Nguyễn Thị Phương Thảo",
                           email="quantri.nentang.ketnoi-2026@socongthuong.camau.gov.vn")
    page.set_default_timeout(30_000)  # a long journey on a shared, busy machine

    log_in(page, operator.email, PASSWORD)
    page.goto("/operator/")
    page.fill("input[name=name]", "Sở Công Thương thành phố Cần Thơ")
    page.select_option("select[name=province_code]", "92")
    page.fill("input[name=organizer_email]", "giamdoc@soct.cantho.gov.vn")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "Sở Công Thương thành phố Cần Thơ" in page.content()
    _check_both_sizes(page, "setup-operator")

    # From here on the organizer's page loads and posts are counted, up to the published event.
    page.context.clear_cookies()
    clicks = Clicks(page)
    page.goto(_link_from(live_app, "giamdoc@soct.cantho.gov.vn"))
    _check_both_sizes(page, "setup-invitation", clicks)
    page.get_by_role("button", name="Tạo tài khoản").click()
    page.wait_for_url(re.compile(r"/accounts/signup/"))
    assert page.input_value("input[name=email]") == "giamdoc@soct.cantho.gov.vn"
    page.fill("input[name=full_name]", "Lâm Thị Hạnh")
    page.fill("input[name=password1]", "Can-Tho-2027-ocop!")
    page.fill("input[name=password2]", "Can-Tho-2027-ocop!")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/invitations/"))
    page.get_by_role("button", name="Nhận lời mời").click()
    page.wait_for_url(re.compile(r"/events/new/"))
    _no_admin_links(page)
    _check_both_sizes(page, "setup-new-event", clicks)

    # The event runs from today, so the desk's check-in below is inside the event's dates.
    page.fill("input[name=name]", "Hội nghị kết nối cung cầu Sóc Trăng 2027")
    page.fill("input[name=starts_at]", f"{DAY1:%Y-%m-%d}T08:00")
    page.fill("input[name=ends_at]", f"{DAY1 + timedelta(days=1):%Y-%m-%d}T17:00")
    page.fill("input[name=venue]", "Nhà văn hóa Sóc Trăng")
    page.fill("input[name=province_at_event]", "Sóc Trăng")
    page.select_option("select[name=province_code]", "92")
    page.get_by_role("button", name="Tạo bản nháp và tiếp tục").click()
    page.wait_for_url(re.compile(r"/e/hoi-nghi-ket-noi-cung-cau-soc-trang-2027/setup/copy/"))
    _no_admin_links(page)
    _check_both_sizes(page, "setup-copy", clicks)

    page.select_option("select[name=source]", str(template.pk))
    page.get_by_role("button", name="Sao chép", exact=True).click()
    page.wait_for_url(re.compile(r"/setup/$"))
    assert "Đã sao chép từ Hội nghị mẫu Cà Mau" in page.content()
    summary = page.locator("main").inner_text()
    assert "12 gian hàng" in summary and "2 phòng" in summary and "0 phiên" in summary, summary
    event = Event.objects.get(slug="hoi-nghi-ket-noi-cung-cau-soc-trang-2027")
    assert Booth.objects.filter(event=event).count() == 12
    assert list(Room.objects.filter(event=event).order_by("position").values_list("name", flat=True)) == [
        "Hội trường chính", "Phòng ký kết"]
    copied = RegistrationSettings.objects.get(event=event)
    assert (copied.approval_required, copied.buyer_capacity, copied.questions.count()) == (True, 200, 1)
    _no_admin_links(page)
    _check_both_sizes(page, "setup-checklist", clicks)

    # A speaker, then two sessions: a panel and the signing ceremony.
    page.goto(f"/e/{event.slug}/agenda/edit/speakers/new/")
    page.fill("input[name=name]", "Trần Văn Hiếu")
    page.fill("input[name=title]", "Phó Giám đốc")
    page.fill("input[name=organization]", "Sở Công Thương thành phố Cần Thơ")
    page.fill("textarea[name=bio]", "Phụ trách xúc tiến thương mại và chương trình OCOP.")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    _no_admin_links(page)
    for title, kind, start, end, room in (
            ("Kết nối tiêu thụ sản phẩm OCOP với hệ thống phân phối", "panel", "09:00", "10:30", "Hội trường chính"),
            ("Lễ ký kết biên bản ghi nhớ hợp tác", "signing", "15:00", "16:00", "Phòng ký kết")):
        page.goto(f"/e/{event.slug}/agenda/edit/sessions/new/")
        page.fill("input[name=title]", title)
        page.select_option("select[name=type]", kind)
        page.fill("input[name=starts_at]", f"{DAY1:%Y-%m-%d}T{start}")
        page.fill("input[name=ends_at]", f"{DAY1:%Y-%m-%d}T{end}")
        page.select_option("select[name=room]", label=room)
        page.locator("select[name='speakers-0-speaker']").select_option(label="Trần Văn Hiếu")
        page.locator("main button[type=submit]", has_text="Lưu").click()
        page.wait_for_load_state()
        assert f"Đã lưu phiên “{title}”" in page.content()
    assert set(Session.objects.filter(event=event).values_list("type", flat=True)) == {"panel", "signing"}
    assert Speaker.objects.filter(event=event, name="Trần Văn Hiếu").exists()
    _no_admin_links(page)

    page.goto(f"/e/{event.slug}/team/")
    page.fill("input[name=email]", "quay@soct.cantho.gov.vn")
    page.select_option("select[name=role]", "desk_staff")
    page.get_by_role("button", name="Gửi lời mời").click()
    page.wait_for_load_state()
    assert Invitation.objects.filter(event=event, email="quay@soct.cantho.gov.vn").exists()
    _no_admin_links(page)
    _check_both_sizes(page, "setup-team", clicks)

    page.goto(f"/e/{event.slug}/devices/")
    page.fill("input[name=name]", "Máy quét cổng A")
    page.get_by_role("button", name="Thêm thiết bị").click()
    page.wait_for_load_state()
    assert page.input_value("#device-token").startswith("kn_")
    _no_admin_links(page)
    clicks.on = False
    assert_accessible(page, "setup-devices-token-desktop")
    page.goto(f"/e/{event.slug}/devices/")
    _check_sizes(page, "setup-devices")
    page.goto(f"/e/{event.slug}/organizer/")
    _no_admin_links(page)
    _check_sizes(page, "setup-organizer-home")
    page.goto(f"/e/{event.slug}/")
    assert "bản nháp" in page.content()
    _no_admin_links(page)
    clicks.on = True

    page.goto(f"/e/{event.slug}/setup/")
    page.get_by_role("button", name="Công bố sự kiện").click()
    page.wait_for_load_state()
    _no_admin_links(page)
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    assert EventRole.objects.filter(event=event, user__email="giamdoc@soct.cantho.gov.vn",
                                    role=EventRole.Role.ORGANIZER).exists()
    assert clicks.n <= 40, f"{clicks.n} page loads and posts from the invitation to the published event"
    print(f"organizer: {clicks.n} page loads and form posts from the invitation email to the published event")

    # A buyer, on a phone: an account, then the registration.
    buyer = _phone_page(context, live_app)
    buyer.goto("/accounts/signup/")
    buyer.fill("input[name=full_name]", "Huỳnh Thị Mỹ Linh")
    buyer.fill("input[name=email]", "mylinh@coopmart-cantho.vn")
    buyer.fill("input[name=password1]", "Co-op-Mart-2027!")
    buyer.fill("input[name=password2]", "Co-op-Mart-2027!")
    buyer.locator("main button[type=submit]").click()
    buyer.wait_for_url(re.compile(r"/accounts/confirm-email/"))
    buyer.goto(_confirm_link(live_app, "mylinh@coopmart-cantho.vn"))
    buyer.locator("main button[type=submit]").click()
    buyer.wait_for_load_state()
    buyer.goto(f"/e/{event.slug}/register/")
    _phone_checks(buyer, "setup-buyer-register-phone")
    assert buyer.input_value("input[name=email]") == "mylinh@coopmart-cantho.vn"
    buyer.fill("input[name=company]", "Saigon Co.op Cần Thơ")
    buyer.select_option("select[name=buyer_type]", "supermarket")
    buyer.fill("input[name=phone]", "0292 3812 345")
    buyer.select_option("select[name=province_code]", "92")
    buyer.locator("input[name=product_groups]").first.check()
    buyer.locator("main button[type=submit]").click()
    buyer.wait_for_url(re.compile(r"/register/done/$"))
    assert "Chờ duyệt" in buyer.locator("main").inner_text()
    _phone_checks(buyer, "setup-buyer-pending-phone")
    assert buyer.locator("a", has_text="Thẻ của tôi").count() == 0
    registration = Registration.objects.get(event=event, email="mylinh@coopmart-cantho.vn")

    # The organizer approves her.
    page.goto(f"/e/{event.slug}/registrations/")
    page.get_by_label("Chọn Huỳnh Thị Mỹ Linh").check()
    page.get_by_label("Với các đăng ký đã chọn").select_option("approve")
    page.get_by_role("button", name="Thực hiện").click()
    page.wait_for_load_state()
    _no_admin_links(page)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.APPROVED

    # She now has "Thẻ của tôi" and downloads her badge.
    buyer.goto(f"/e/{event.slug}/")
    badge_link = buyer.locator("a", has_text="Thẻ của tôi").first
    href = badge_link.get_attribute("href")
    assert href, "no 'Thẻ của tôi' link for the approved buyer"
    _phone_checks(buyer, "setup-buyer-approved-phone")
    pdf = buyer.request.get(href)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:4] == b"%PDF"
    buyer.goto(f"/e/{event.slug}/me/")
    assert "Đã duyệt" in buyer.locator("main").inner_text()
    _phone_checks(buyer, "setup-buyer-my-page-phone")
    code = badges.token_for(badges.ensure_badge(registration))

    # The desk user accepts on a phone, then checks the buyer in.
    desk = _phone_page(context, live_app)
    desk.goto(_link_from(live_app, "quay@soct.cantho.gov.vn"))
    assert "nhân viên quầy" in desk.content().lower()
    _phone_checks(desk, "setup-invitation-desk-phone")
    desk.get_by_role("button", name="Tạo tài khoản").click()
    desk.wait_for_url(re.compile(r"/accounts/signup/"))
    desk.fill("input[name=full_name]", "Phạm Quốc Bảo")
    desk.fill("input[name=password1]", "Quay-Sóc-Trăng-27")
    desk.fill("input[name=password2]", "Quay-Sóc-Trăng-27")
    desk.locator("main button[type=submit]").click()
    desk.wait_for_url(re.compile(r"/invitations/"))
    desk.get_by_role("button", name="Nhận lời mời").click()
    desk.wait_for_load_state()
    assert EventRole.objects.filter(event=event, user__email="quay@soct.cantho.gov.vn",
                                    role=EventRole.Role.DESK_STAFF).exists()
    desk.goto(f"/e/{event.slug}/desk/?gate=Cổng A")
    _phone_checks(desk, "setup-desk-phone")
    desk.locator("#scan-code").fill(code)
    desk.locator("#scan-code").press("Enter")
    desk.locator("#scan-result .scan-word", has_text="OK").wait_for()
    assert "Huỳnh Thị Mỹ Linh" in desk.locator("#scan-result").inner_text()
    _phone_checks(desk, "setup-desk-ok-phone")
    assert CheckIn.objects.get(event=event).timing == ""

    # The organizer home counts one buyer, checked in.
    page.goto(f"/e/{event.slug}/organizer/")
    _no_admin_links(page)
    figures = [" ".join(stat.inner_text().split()) for stat in page.locator(".stats .stat").all()]
    assert "1 người mua" in figures, figures
    assert "1 / 1 đã check-in" in figures, figures  # checked in / approved
    for other in (buyer, desk):
        other.context.close()
