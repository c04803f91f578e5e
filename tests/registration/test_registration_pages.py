"""Registration pages as each role sees them."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventsite.models import Event, EventRole
from registration.models import Registration, RegistrationQuestion, RegistrationRole, RegistrationStatus
from tests.factories import EventFactory, UserFactory, user_with_role

from .factories import QuestionFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
Role = EventRole.Role
S = RegistrationStatus


def url(name, event, **kwargs):
    return reverse(f"registration:{name}", kwargs={"event_slug": event.slug, **kwargs})


def form_data(**overrides):
    data = {
        "full_name": "Phạm Ngọc Diễm", "company": "Công ty CP VinaGreenCo", "buyer_type": "distributor",
        "job_title": "Trưởng phòng thu mua", "phone": "0903 123 456", "email": "diem@vinagreenco.vn",
        "province_code": "79", "product_groups": ["food", "beverage"], "needs": "Mật ong, khô cá",
    }
    data.update(overrides)
    return data


# --- Public sign-up --------------------------------------------------------------------------


def test_account_sign_up_and_buyer_registration_have_different_names(client, reg_settings):
    """Both links are on the buyer registration page for a visitor: one makes an account, the other registers
    for the event; they must not both read "Đăng ký"."""
    import re

    html = client.get(url("signup", reg_settings.event)).content.decode()
    names = [re.sub(r"<[^>]+>|\s+", " ", m).strip() for m in re.findall(r"<a [^>]*>(.*?)</a>", html, re.S)]
    assert "Tạo tài khoản" in names and "Đăng ký tham dự" in names
    assert "Đăng ký" not in names


def test_anonymous_sees_signup_form_in_vietnamese(client, reg_settings):
    QuestionFactory(settings=reg_settings, label="Bạn có tham dự buổi B2B?", kind=RegistrationQuestion.Kind.YES_NO,
                    required=True)
    response = client.get(url("signup", reg_settings.event))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đăng ký nhà mua hàng" in html
    assert "Bạn có tham dự buổi B2B?" in html
    assert 'name="product_groups"' in html
    assert "Cà Mau" in html  # the 34 current units


def test_anonymous_registers_and_sees_status(client, reg_settings, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("signup", reg_settings.event), form_data())
    assert response.status_code == 302
    assert response["Location"] == url("signup_done", reg_settings.event)
    registration = Registration.objects.get()
    assert (registration.email, registration.province_code, registration.product_groups, registration.language) == (
        "diem@vinagreenco.vn", 79, ["beverage", "food"], "vi")
    assert (registration.user, registration.email_claimed) == (None, False)
    done = client.get(response["Location"]).content.decode()
    assert "Kiểm tra email" in done and "Chờ duyệt" not in done
    (message,) = mailoutbox
    link = next(line for line in message.body.splitlines() if "/register/confirm/" in line).strip()
    assert link.startswith("http://testserver/")
    page = client.get(link.removeprefix("http://testserver")).content.decode()
    assert "Phạm Ngọc Diễm" in page and "Xác nhận đăng ký của tôi" in page
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(link.removeprefix("http://testserver"))
    assert confirmed["Location"] == url("signup_done", reg_settings.event)
    assert "Chờ duyệt" in client.get(confirmed["Location"]).content.decode()
    registration.refresh_from_db()
    assert registration.email_claimed
    assert len(mailoutbox) == 2  # then the "we received your registration" email


def test_double_submit_by_the_signed_in_owner_makes_one_registration_with_clear_message(client, reg_settings):
    client.force_login(UserFactory(email="diem@vinagreenco.vn"))
    client.post(url("signup", reg_settings.event), form_data())
    response = client.post(url("signup", reg_settings.event), form_data(email="DIEM@vinagreenco.vn"))
    assert response.status_code == 200
    assert "đã được dùng để đăng ký sự kiện này" in response.content.decode()
    assert Registration.objects.count() == 1


def test_signup_errors_shown_and_nothing_saved(client, reg_settings):
    question = QuestionFactory(settings=reg_settings, kind=RegistrationQuestion.Kind.TEXT, required=True)
    response = client.post(url("signup", reg_settings.event),
                           form_data(email="not-an-email", phone="abc", province_code="999"))
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"email", "phone", "province_code", f"q_{question.pk}"}
    assert Registration.objects.count() == 0


def test_signed_in_user_is_linked_and_sees_own_registration(client, reg_settings):
    user = UserFactory(full_name="Hồ Minh Trí", email="tri@example.vn")
    client.force_login(user)
    assert client.get(url("signup", reg_settings.event)).context["form"].initial["email"] == "tri@example.vn"
    client.post(url("signup", reg_settings.event), form_data(email="tri@example.vn"))
    assert Registration.objects.get().user == user
    page = client.get(url("signup", reg_settings.event)).content.decode()
    assert "Bạn đã đăng ký với tri@example.vn" in page


def test_closed_registration_shows_notice_and_refuses(client, reg_settings):
    reg_settings.is_open = False
    reg_settings.save()
    page = client.get(url("signup", reg_settings.event)).content.decode()
    assert "Sự kiện này đã ngừng nhận đăng ký." in page
    assert 'name="full_name"' not in page
    client.post(url("signup", reg_settings.event), form_data())
    assert Registration.objects.count() == 0


def test_draft_event_signup_hidden(client):
    event = EventFactory(status=Event.Status.DRAFT)
    assert client.get(url("signup", event)).status_code == 404


def test_done_page_without_registration_goes_back_to_form(client, reg_settings):
    response = client.get(url("signup_done", reg_settings.event))
    assert response["Location"] == url("signup", reg_settings.event)


# --- Organizer list --------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["list", "import", "settings"])
def test_organizer_pages_refused_to_others(client, event, page):
    target = url(page, event)
    assert client.get(target).status_code == 302  # anonymous: to login
    for role in (Role.BUYER, Role.EXHIBITOR, Role.DESK_STAFF):
        client.force_login(user_with_role(event, role))
        assert client.get(target).status_code == 403, role


def test_bulk_refused_to_buyer(client, event):
    registration = RegistrationFactory(event=event)
    client.force_login(user_with_role(event, Role.BUYER))
    response = client.post(url("bulk", event), {"action": "approve", "ids": [registration.pk]})
    assert response.status_code == 403
    registration.refresh_from_db()
    assert registration.status == S.PENDING


def test_list_counts_per_status(organizer_client, event):
    RegistrationFactory.create_batch(3, event=event)
    RegistrationFactory(event=event, status=S.APPROVED)
    response = organizer_client.get(url("list", event))
    assert response.status_code == 200
    counts = {value: n for value, _label, n in response.context["status_counts"]}
    assert counts == {S.PENDING: 3, S.APPROVED: 1, S.WAITLISTED: 0, S.REJECTED: 0, S.CANCELLED: 0}
    assert response.context["total"] == 4


@pytest.mark.parametrize("q", ["nguyễn văn đức", "nguyen van duc", "NGUYEN Van Đức", "đức saigon"])
def test_search_with_or_without_tone_marks(organizer_client, event, q):
    wanted = RegistrationFactory(event=event, full_name="Nguyễn Văn Đức", company="Saigon Co.op")
    RegistrationFactory(event=event, full_name="Nguyễn Văn Dũng", company="Lazada")
    response = organizer_client.get(url("list", event), {"q": q})
    assert list(response.context["page"].object_list) == [wanted]


@pytest.mark.parametrize(("params", "expected"), [
    ({"status": "approved"}, ["b"]),
    ({"role": "press"}, ["c"]),
    ({"buyer_type": "exporter"}, ["b"]),
    ({"province": "92"}, ["a"]),
    ({"status": "approved", "province": "92"}, []),
])
def test_filters(organizer_client, event, params, expected):
    RegistrationFactory(event=event, full_name="a", province_code=92)
    RegistrationFactory(event=event, full_name="b", status=S.APPROVED, buyer_type="exporter")
    RegistrationFactory(event=event, full_name="c", role=RegistrationRole.PRESS, buyer_type="")
    response = organizer_client.get(url("list", event), params)
    assert [r.full_name for r in response.context["page"].object_list] == expected


def test_bad_filter_values_do_not_break_the_page(organizer_client, event):
    RegistrationFactory(event=event)
    response = organizer_client.get(url("list", event), {"province": "abc", "status": "nope", "page": "x"})
    assert response.status_code == 200


def test_bulk_approve_and_reject(organizer_client, event, organizer):
    regs = RegistrationFactory.create_batch(3, event=event)
    back = url("list", event) + "?status=pending"
    response = organizer_client.post(url("bulk", event), {
        "action": "approve", "ids": [regs[0].pk, regs[1].pk], "next": back,
    })
    assert response["Location"] == back
    organizer_client.post(url("bulk", event), {"action": "reject", "ids": [regs[2].pk]})
    assert [r.status for r in Registration.objects.order_by("id")] == [S.APPROVED, S.APPROVED, S.REJECTED]
    assert Registration.objects.filter(decided_by=organizer).count() == 3


def test_bulk_without_selection_says_so(organizer_client, event):
    response = organizer_client.post(url("bulk", event), {"action": "approve", "next": "https://evil.example/"},
                                     follow=True)
    assert response.redirect_chain[-1][0] == url("list", event)
    assert "Hãy chọn ít nhất một đăng ký." in response.content.decode()


@pytest.mark.parametrize("size", [10, 200])
def test_list_query_count_constant(organizer_client, reg_settings, event, size):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    RegistrationFactory.create_batch(size, event=event)
    with CaptureQueriesContext(connection) as queries:
        response = organizer_client.get(url("list", event), {"q": "thu"})
    assert len(response.context["page"].object_list) == min(size, 50)
    ours = [q["sql"] for q in queries if '"registration_' in q["sql"]]
    # page count, counts by status, settings, the page's rows; the rest is session, user, roles, layout.
    assert len(ours) == 4, ours
    assert len(queries) <= 10


@pytest.mark.parametrize("params,expected", [({}, 120), ({"status": "approved"}, 40), ({"page": "3"}, 120)])
def test_list_without_search_takes_its_size_from_the_status_counts(organizer_client, reg_settings, event,
                                                                   params, expected):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    RegistrationFactory.create_batch(80, event=event)
    RegistrationFactory.create_batch(40, event=event, status=RegistrationStatus.APPROVED)
    with CaptureQueriesContext(connection) as queries:
        response = organizer_client.get(url("list", event), params)
    page = response.context["page"]
    assert page.paginator.count == expected and page.paginator.num_pages == -(-expected // 50)
    assert len(page.object_list) == min(50, expected - (page.number - 1) * 50)
    ours = [q["sql"] for q in queries if '"registration_' in q["sql"]]
    assert not any("COUNT(*)" in sql for sql in ours), ours  # counts by status, settings, the page's rows
    assert len(ours) == 3, ours
    # The list reads only the columns it shows, not the answers, needs or search text.
    rows_sql = next(sql for sql in ours if "LIMIT" in sql)
    assert '"answers"' not in rows_sql and '"search_text"' not in rows_sql


def test_settings_page_saves_capacity_and_questions(organizer_client, event):
    data = {
        "is_open": "on", "approval_required": "on", "buyer_capacity": "150",
        "questions-TOTAL_FORMS": "1", "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0", "questions-MAX_NUM_FORMS": "20",
        "questions-0-label": "Bạn quan tâm phiên nào?", "questions-0-kind": "choice",
        "questions-0-choices_text": "Hội thảo\nKết nối B2B", "questions-0-required": "on", "questions-0-order": "1",
    }
    response = organizer_client.post(url("settings", event), data)
    assert response.status_code == 302
    settings = event.registration_settings
    assert (settings.buyer_capacity, settings.approval_required) == (150, True)
    assert [(q.label, q.choice_list, q.required) for q in settings.questions.all()] == [
        ("Bạn quan tâm phiên nào?", ["Hội thảo", "Kết nối B2B"], True)]
    signup = organizer_client.get(url("signup", event)).content.decode()
    assert "Kết nối B2B" in signup


def test_settings_choice_question_needs_two_choices(organizer_client, event):
    data = {
        "buyer_capacity": "", "questions-TOTAL_FORMS": "1", "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0", "questions-MAX_NUM_FORMS": "20",
        "questions-0-label": "Ngày?", "questions-0-kind": "choice", "questions-0-choices_text": "Một",
        "questions-0-order": "0",
    }
    response = organizer_client.post(url("settings", event), data)
    assert response.status_code == 200
    assert "cần ít nhất hai lựa chọn" in response.content.decode()


def test_organizer_home_shows_registration_figures(organizer_client, event):
    RegistrationFactory.create_batch(2, event=event)
    RegistrationFactory(event=event, status=S.WAITLISTED)
    RegistrationFactory(event=event, status=S.APPROVED)
    html = organizer_client.get(reverse("organizer_home", kwargs={"event_slug": event.slug})).content.decode()
    # Each figure with its number, linked to the filtered list: a figure stuck at zero or a lost link fails.
    figures = {label.strip(): int(value) for value, label in re.findall(
        r'<p class="stat"><a href="[^"]*"><span class="value">(\d+)</span>([^<]+)</a></p>', html)}
    assert figures["đăng ký chờ duyệt"] == 2
    assert figures["đăng ký đã duyệt"] == 1
    assert figures["trong danh sách chờ"] == 1
    assert '<span class="value">0 / 1</span> đã check-in' in html
    for status in ("pending", "approved", "waitlisted"):
        assert f'href="{url("list", event)}?status={status}"' in html


def test_nav_shows_register_to_all_and_list_to_organizer(client, organizer_client, event):
    page = organizer_client.get(reverse("event_home", kwargs={"event_slug": event.slug})).content.decode()
    assert url("list", event) in page and url("signup", event) in page
    client.logout()
    page = client.get(reverse("event_home", kwargs={"event_slug": event.slug})).content.decode()
    assert url("signup", event) in page and url("list", event) not in page


FIELDS = ["full_name", "company", "buyer_type", "job_title", "phone", "email", "province_code", "product_groups",
          "needs", "q_1"]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(st.sampled_from(FIELDS), st.one_of(st.text(max_size=300), st.sampled_from(
    ["supermarket", "96", "food", "a@b.vn", "0903123456", "yes", "Có", "9" * 30]))))
def test_any_signup_post_answers_without_error(client, reg_settings, data):
    response = client.post(url("signup", reg_settings.event), {**form_data(), **data})
    assert response.status_code in (200, 302)
