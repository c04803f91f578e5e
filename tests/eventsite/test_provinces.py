from vietnam_provinces import Province

from eventsite.provinces import FORMER_TO_CURRENT, current_choices, current_code_for, fold


def test_provinces_current_units_are_34():
    assert len(current_choices()) == 34


def test_provinces_former_names_cover_all_63_and_map_to_current_units():
    assert len(FORMER_TO_CURRENT) == 63
    current = {int(p.code) for p in Province.iter_all()}
    assert set(FORMER_TO_CURRENT.values()) == current


def test_provinces_mergers_from_domain_notes():
    assert current_code_for("Bạc Liêu") == 96  # into Cà Mau
    assert current_code_for("Sóc Trăng") == 92  # into Cần Thơ city
    assert current_code_for("Hậu Giang") == 92
    assert current_code_for("tỉnh Sóc Trăng") == 92
    assert current_code_for("Thành phố Cần Thơ") == 92


def test_provinces_lookup_ignores_tone_marks_and_case():
    assert current_code_for("soc trang") == 92
    assert current_code_for("CA MAU") == 96
    assert current_code_for("Ba Ria - Vung Tau") == 79
    assert current_code_for("Atlantis") is None


def test_fold_strips_tone_marks_and_d_stroke():
    assert fold("Nguyễn Thị Xa, Đầm Dơi") == "nguyen thi xa, dam doi"


# --- Event.province_at_event is checked against the known names --------------------------------------------------

import pytest  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import translation  # noqa: E402

from eventsite.models import Event  # noqa: E402
from tests.factories import EventFactory, OrganizationFactory, UserFactory  # noqa: E402


@pytest.mark.parametrize("name,code", [
    ("Cà Mau", 96),  # unchanged name
    ("Bạc Liêu", 96),  # merged into Cà Mau
    ("Sóc Trăng", 92), ("tỉnh Sóc Trăng", 92), ("soc trang", 92), ("SÓC TRĂNG", 92),  # into Cần Thơ city
    ("Thành phố Cần Thơ", 92), ("Bà Rịa - Vũng Tàu", 79), ("Thừa Thiên Huế", 46),
])
def test_event_province_at_event_accepts_current_and_former_names(name, code):
    EventFactory.build(province_at_event=name, province_code=code).clean()


def test_event_province_at_event_blank_is_left_to_the_required_check():
    EventFactory.build(province_at_event="  ", province_code=96).clean()


def test_event_province_at_event_only_checks_the_name_when_today_s_province_is_missing():
    EventFactory.build(province_at_event="Hậu Giang", province_code=None).clean()
    with pytest.raises(ValidationError):
        EventFactory.build(province_at_event="Hau Giang xyz", province_code=None).clean()


@pytest.mark.parametrize("language,fragment", [
    ("en", "is not a province of Vietnam"),
    ("vi", "không phải là tỉnh, thành phố của Việt Nam"),
])
def test_event_province_at_event_rejects_unknown_names_in_the_reader_s_language(language, fragment):
    event = EventFactory.build(province_at_event="Atlantis", province_code=96)
    with translation.override(language), pytest.raises(ValidationError) as caught:
        event.clean()
    with translation.override(language):
        [message] = caught.value.message_dict["province_at_event"]
    assert fragment in message and "Atlantis" in message


@pytest.mark.parametrize("language,expected", [
    ("en", "Sóc Trăng is part of Thành phố Cần Thơ today, not of Cà Mau"),
    ("vi", "Sóc Trăng nay thuộc Thành phố Cần Thơ, không phải Cà Mau"),
])
def test_event_former_province_must_lie_in_today_s_province(language, expected):
    event = EventFactory.build(province_at_event="Sóc Trăng", province_code=96)
    with translation.override(language), pytest.raises(ValidationError) as caught:
        event.clean()
    with translation.override(language):
        [message] = caught.value.message_dict["province_code"]
    assert message.startswith(expected)


@pytest.mark.django_db
def test_event_admin_form_shows_the_province_error_and_keeps_the_input(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    organizer = OrganizationFactory()
    data = {
        "name": "Hội nghị kết nối cung cầu Sóc Trăng 2020", "slug": "soc-trang-2020", "organizer": organizer.pk,
        "province_at_event": "Soc Trang", "province_code": 96, "venue": "Nhà văn hóa",
        "starts_at_0": "20/11/2020", "starts_at_1": "08:00", "ends_at_0": "21/11/2020", "ends_at_1": "17:00",
        "status": "archived", "roles-TOTAL_FORMS": 0, "roles-INITIAL_FORMS": 0,
    }
    with translation.override("vi"):
        response = client.post(reverse("admin:eventsite_event_add"), data, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200, response.content[:500]
    assert response.context["adminform"].form.errors["province_code"]
    assert "Soc Trang nay thuộc Thành phố Cần Thơ" in response.content.decode()
    assert 'value="Soc Trang"' in response.content.decode()
    assert not Event.objects.exists()
    response = client.post(reverse("admin:eventsite_event_add"), {**data, "province_code": 92})
    assert response.status_code == 302
    assert Event.objects.get().province_at_event == "Soc Trang"
