"""Agenda pages over HTTP: public programme, filters, now/next, my agenda, feeds, control panel rights."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from agenda import services
from agenda.models import FeedToken, Session, Star
from eventsite.apps import collect_nav, collect_stats
from eventsite.models import Event, EventRole
from tests.agenda.factories import RoomFactory, SessionFactory, programme
from tests.factories import DAY1, EventFactory, user_with_role

pytestmark = pytest.mark.django_db
Role = EventRole.Role


@pytest.fixture
def event():
    return EventFactory()


def url(name, event, **kwargs):
    return reverse(f"agenda:{name}", kwargs={"event_slug": event.slug, **kwargs})


def test_public_agenda_shows_the_release_not_the_draft(client, event):
    sessions = programme(event, sessions=4, rooms=2)
    Session.objects.filter(pk=sessions[0].pk).update(title="Tiêu đề nháp chưa công bố")
    page = client.get(url("agenda", event)).content.decode()
    assert "Phiên 1" in page and "Tiêu đề nháp chưa công bố" not in page
    assert f'data-ws-path="/ws/e/{event.slug}/agenda/"' in page
    assert "Chương trình phiên bản 1." in page  # Vietnamese by default


def test_agenda_filters_by_type_and_room_and_ignores_bad_values(client, event):
    programme(event, sessions=4, rooms=2)
    room = RoomFactory(event=event, name="Khu B2B")
    SessionFactory(event=event, room=room, type=Session.Type.B2B, title="Gặp gỡ B2B – phiên 1")
    services.publish(event=event)
    page = client.get(url("agenda", event), {"type": "b2b"}).content.decode()
    assert "Gặp gỡ B2B – phiên 1" in page and "Phiên 1<" not in page
    page = client.get(url("agenda", event), {"room": str(room.pk)}).content.decode()
    assert "Gặp gỡ B2B" in page and "Phiên 2" not in page
    response = client.get(url("agenda", event), {"type": "<script>", "room": "999999"})
    assert response.status_code == 200 and "Phiên 2" in response.content.decode()


def test_now_and_next_are_said_in_words(client, event):
    room = RoomFactory(event=event)
    now = timezone.now().replace(second=0, microsecond=0)
    SessionFactory(event=event, room=room, title="Đang họp", starts_at=now - timedelta(minutes=10),
                   ends_at=now + timedelta(minutes=20))
    SessionFactory(event=event, room=room, title="Sắp tới", starts_at=now + timedelta(minutes=30))
    SessionFactory(event=event, room=room, title="Buổi sau", starts_at=now + timedelta(hours=2))
    services.publish(event=event)
    page = client.get(url("agenda", event)).content.decode()
    current = page[page.index("Đang họp") - 700:page.index("Đang họp")]
    upcoming = page[page.index("Sắp tới") - 700:page.index("Sắp tới")]
    later = page[page.index("Buổi sau") - 700:page.index("Buổi sau")]
    assert 'tag-now">Đang diễn ra' in current
    assert 'tag-next">Tiếp theo' in upcoming and "tag-now" not in upcoming.split("Đang họp")[-1]
    assert "tag-next" not in later.split("Sắp tới")[-1]
    screen = client.get(url("screen", event)).content.decode()
    assert "Đang họp" in screen and "Sắp tới" in screen and "Buổi sau" not in screen


def test_cancelled_sessions_are_marked_in_words(client, event):
    first = programme(event, sessions=2, rooms=2)[0]
    services.cancel_session(event=event, session_id=first.pk)
    services.publish(event=event)
    page = client.get(url("agenda", event)).content.decode()
    assert 'tag-cancelled">Đã hủy' in page and "<del>Phiên 1</del>" in page
    log = client.get(url("changes", event)).content.decode()
    assert "Phiên 1</strong>: đã hủy" in log


@pytest.mark.parametrize("view", ["agenda", "screen"])
def test_public_page_query_count_is_constant(client, django_assert_max_num_queries, view):
    small, large = EventFactory(), EventFactory()
    programme(small, sessions=20, rooms=5)
    programme(large, sessions=200, rooms=5)
    # event, current release (+ the layout's own site-wide query on pages that extend base.html)
    with django_assert_max_num_queries(3) as small_queries:
        assert client.get(url(view, small)).status_code == 200
    with django_assert_max_num_queries(3) as large_queries:
        assert client.get(url(view, large)).status_code == 200
    assert len(small_queries) == len(large_queries)


def test_signed_in_agenda_query_count_is_constant(client, django_assert_max_num_queries):
    small, large = EventFactory(), EventFactory()
    user = user_with_role(small, Role.BUYER)
    programme(small, sessions=20, rooms=5)
    programme(large, sessions=200, rooms=5)
    client.force_login(user)
    counts = []
    for event in (small, large):
        with django_assert_max_num_queries(7) as queries:
            assert client.get(url("agenda", event)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_stars_make_my_agenda(client, event):
    sessions = programme(event, sessions=3, rooms=3)
    page = client.get(url("mine", event)).content.decode()  # public page that invites to log in
    assert "Đăng nhập để đánh dấu các phiên" in page and "/accounts/login/?next=" in page
    response = client.post(url("star", event, session_id=sessions[1].pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    user = user_with_role(event, Role.BUYER)
    client.force_login(user)
    response = client.post(url("star", event, session_id=sessions[1].pk), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'aria-pressed="true"' in response.content.decode()
    page = client.get(url("mine", event)).content.decode()
    assert "Phiên 2" in page and "Phiên 1<" not in page and "Phiên 3" not in page
    response = client.post(url("star", event, session_id=999999), follow=True)
    assert "Phiên này không có trong chương trình." in response.content.decode()
    client.post(url("star", event, session_id=sessions[1].pk))
    assert not Star.objects.filter(user=user).exists()


def read_calendar(body: bytes) -> Calendar:
    text = body.decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    return Calendar.from_ical(text)


def test_ical_feed_is_valid_and_escaped(client, event):
    first = programme(event, sessions=3, rooms=3)[0]
    Session.objects.filter(pk=first.pk).update(
        title="Khai mạc; phát biểu, chào mừng \\ “OCOP” " + "rất dài " * 12, description="Dòng 1\nDòng 2")
    services.cancel_session(event=event, session_id=first.pk + 1)
    services.publish(event=event)
    response = client.get(url("feed", event))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = read_calendar(response.content)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert len(events) == 3
    opening = events[f"session-{first.pk}@{event.slug}.ketnoi"]
    assert str(opening["SUMMARY"]).startswith("Khai mạc; phát biểu, chào mừng \\ “OCOP” rất dài")
    assert "Dòng 1\nDòng 2" in str(opening["DESCRIPTION"])
    assert opening.decoded("DTSTART") == first.starts_at
    assert str(events[f"session-{first.pk + 1}@{event.slug}.ketnoi"]["STATUS"]) == "CANCELLED"
    assert int(opening["SEQUENCE"]) == 2


def test_personal_feed_uses_a_secret_token(client, event):
    sessions = programme(event, sessions=3, rooms=3)
    user = user_with_role(event, Role.BUYER)
    client.force_login(user)
    client.post(url("star", event, session_id=sessions[2].pk))
    page = client.get(url("mine", event)).content.decode()
    token = FeedToken.objects.get(user=user, event=event).token
    assert token in page
    client.logout()
    cal = read_calendar(client.get(url("personal_feed", event, token=token)).content)
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["Phiên 3"]
    assert client.get(url("personal_feed", event, token="doan-bua")).status_code == 404
    assert client.get(url("personal_feed", EventFactory(), token=token)).status_code == 404
    client.force_login(user)
    client.post(url("reset_feed", event))
    assert client.get(url("personal_feed", event, token=token)).status_code == 404


def test_live_fragment_endpoint(client, event):
    programme(event, sessions=2, rooms=2)
    response = client.get(url("live", event), {"view": "screen", "v": "0"})
    assert response.status_code == 200 and response["X-Agenda-Version"] == "1"
    assert client.get(url("live", event), {"view": "mine"}).status_code == 403
    assert client.get(url("live", event), {"view": "nope"}).status_code == 404


def test_draft_events_hide_their_agenda(client):
    event = EventFactory(status=Event.Status.DRAFT)
    programme(event, sessions=2, rooms=2)
    for name in ("agenda", "screen", "feed", "changes"):
        assert client.get(url(name, event)).status_code == 404


CONTROL_POSTS = [
    ("publish", {}), ("live_control", {}), ("announce", {}),
    ("session_action", {"action": "start"}), ("session_action", {"action": "shift"}),
    ("session_action", {"action": "cancel"}), ("session_action", {"action": "room"}),
]


@pytest.mark.parametrize("name,extra", CONTROL_POSTS)
def test_control_actions_are_for_organizers_only(client, event, name, extra):
    first = programme(event, sessions=2, rooms=2)[0]
    kwargs = dict(extra, session_id=first.pk) if name == "session_action" else {}
    target = url(name, event, **kwargs)
    response = client.post(target, {"minutes": "15", "text": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for role in (Role.BUYER, Role.SPEAKER, Role.DESK_STAFF):
        client.force_login(user_with_role(event, role))
        assert client.post(target, {"minutes": "15", "text": "x"}).status_code == 403
    assert services.current_release(event)[0] == 1
    assert client.get(url("control", event)).status_code == 403


def test_organizer_controls_with_one_click_or_one_short_form(client, event):
    first, second = programme(event, sessions=2, rooms=2)
    organizer = user_with_role(event, Role.ORGANIZER)
    client.force_login(organizer)
    page = client.get(url("control", event)).content.decode()
    assert "Phiên 1" in page and "Điều hành trực tiếp: TẮT" in page
    # Only cancelling asks "are you sure?": the other actions of a card post at once.
    forms = [f.split(">", 1)[0] for f in page.split("<form")[1:] if "/control/sessions/" in f.split(">", 1)[0]]
    asking = [f for f in forms if "hx-confirm" in f]
    assert len(asking) == 2 and all("/cancel/" in f for f in asking), asking
    hx = {"HTTP_HX_REQUEST": "true"}
    response = client.post(url("session_action", event, session_id=first.pk, action="shift"),
                           {"minutes": "15", "day": f"{DAY1:%Y-%m-%d}"}, **hx)
    body = response.content.decode()
    assert response.status_code == 200 and 'id="control-panel"' in body
    assert "Đã lưu vào bản nháp" in body and "dời sang 08:15" in body
    assert services.current_release(event)[0] == 1
    client.post(url("publish", event), **hx)
    assert services.current_release(event)[0] == 2
    client.post(url("live_control", event), {"enabled": "1"}, **hx)
    response = client.post(url("session_action", event, session_id=second.pk, action="start"), **hx)
    assert "Đã công bố thành phiên bản 3" in response.content.decode()
    response = client.post(url("session_action", event, session_id=second.pk, action="shift"),
                           {"minutes": "abc"}, **hx)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode() and "Nhập số phút" in response.content.decode()
    response = client.post(url("session_action", event, session_id=first.pk, action="fly"), **hx)
    assert response.status_code == 404
    # Without JavaScript: the same forms post and redirect back with a message.
    response = client.post(url("announce", event), {"text": "Mời đại biểu về Hội trường A"}, follow=True)
    assert "Đã hiển thị thông báo (phiên bản 4)" in response.content.decode()
    assert "Mời đại biểu về Hội trường A" in client.get(url("screen", event)).content.decode()


def test_nav_and_stats_hooks(event):
    programme(event, sessions=3, rooms=3)
    assert "agenda:agenda" in [i.url_name for i in collect_nav(frozenset())]
    assert "agenda:control" not in [i.url_name for i in collect_nav(frozenset({Role.BUYER}))]
    assert "agenda:control" in [i.url_name for i in collect_nav(frozenset({Role.ORGANIZER}))]
    stat = next(s for s in collect_stats(event) if s.url.endswith("/agenda/control/"))
    assert stat.value == 3


def test_control_panel_query_count_is_constant(client, django_assert_max_num_queries):
    counts = []
    for size in (20, 200):
        event = EventFactory()
        programme(event, sessions=size, rooms=5)
        client.force_login(user_with_role(event, Role.ORGANIZER))
        with django_assert_max_num_queries(20) as queries:
            assert client.get(url("control", event), {"day": f"{DAY1:%Y-%m-%d}"}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
