"""Agenda rules: drafts vs releases, versions, control actions, change log, broadcasts after commit."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import translation

from agenda import services
from agenda.models import Agenda, AgendaChange, AgendaRelease, Session
from eventsite.live import group_name
from tests.agenda.factories import DAY1, RoomFactory, SessionFactory, programme
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db
S = Session.Status


@pytest.fixture
def event():
    return EventFactory()


def published_session(release, session_id):
    return next(s for s in release.snapshot["sessions"] if s["id"] == session_id)


def test_publish_freezes_the_draft_and_bumps_the_version(event):
    sessions = programme(event, sessions=4)
    agenda = Agenda.objects.get(event=event)
    assert agenda.version == 1
    assert agenda.current_release.version == 1
    assert len(agenda.current_release.snapshot["sessions"]) == 4
    assert agenda.current_release.snapshot["sessions"][0]["speakers"][0]["role"] == "moderator"
    with pytest.raises(services.NothingToPublish) as error:
        services.publish(event=event)
    assert error.value.code == "nothing_to_publish"
    Session.objects.filter(pk=sessions[0].pk).update(title="Khai mạc (đổi tên)")
    release = services.publish(event=event)
    assert release.version == 2
    assert [c.kind for c in release.changes.all()] == [AgendaChange.Kind.DETAILS]


def test_draft_edits_stay_private_until_published(event):
    first = programme(event, sessions=3, rooms=3)[0]
    result = services.shift_session(event=event, session_id=first.pk, minutes=30)
    assert result.release is None
    version, release = services.current_release(event)
    assert version == 1
    assert published_session(release, first.pk)["starts_at"].startswith(f"{DAY1:%Y-%m-%d}T01:00")
    pending = services.pending_changes(event)
    assert [c.kind for c in pending] == [AgendaChange.Kind.MOVED]
    with translation.override("en"):
        assert pending[0].describe() == "moved to 08:30"
    with translation.override("vi"):
        assert pending[0].describe() == "dời sang 08:30"
    release = services.publish(event=event)
    assert release.version == 2
    assert published_session(release, first.pk)["starts_at"].startswith(f"{DAY1:%Y-%m-%d}T01:30")


def test_live_control_publishes_each_action_at_once(event):
    first = programme(event, sessions=3, rooms=3)[0]
    services.set_live_control(event=event, enabled=True)
    result = services.shift_session(event=event, session_id=first.pk, minutes=15)
    assert result.release is not None and result.release.version == 2
    assert services.current_release(event)[0] == 2
    assert published_session(result.release, first.pk)["starts_at"].startswith(f"{DAY1:%Y-%m-%d}T01:15")


def test_shift_cascades_to_later_sessions_in_the_same_room_that_day_only(event):
    room, other_room = RoomFactory(event=event), RoomFactory(event=event)
    a = SessionFactory(event=event, room=room, starts_at=DAY1)
    b = SessionFactory(event=event, room=room, starts_at=DAY1 + timedelta(hours=1))
    c = SessionFactory(event=event, room=room, starts_at=DAY1 + timedelta(hours=2), status=S.CANCELLED)
    next_day = SessionFactory(event=event, room=room, starts_at=DAY1 + timedelta(days=1))
    elsewhere = SessionFactory(event=event, room=other_room, starts_at=DAY1 + timedelta(hours=1))
    with pytest.raises(services.RoomBusy) as error:  # would overlap b
        services.shift_session(event=event, session_id=a.pk, minutes=30)
    assert error.value.code == "room_busy"
    result = services.shift_session(event=event, session_id=a.pk, minutes=30, cascade=True)
    assert {s.pk for s in result.sessions} == {a.pk, b.pk}
    for obj, expected in [(a, DAY1 + timedelta(minutes=30)), (b, DAY1 + timedelta(minutes=90)),
                          (c, DAY1 + timedelta(hours=2)), (next_day, DAY1 + timedelta(days=1)),
                          (elsewhere, DAY1 + timedelta(hours=1))]:
        obj.refresh_from_db()
        assert obj.starts_at == expected


@pytest.mark.parametrize("minutes", [0, 721, -721, "15", None])
def test_shift_rejects_bad_minutes(event, minutes):
    s = SessionFactory(event=event)
    with pytest.raises(services.AgendaError) as error:
        services.shift_session(event=event, session_id=s.pk, minutes=minutes)
    assert error.value.code == "bad_minutes"


def test_status_actions_follow_the_session_lifecycle(event):
    room = RoomFactory(event=event)
    a = SessionFactory(event=event, room=room)
    b = SessionFactory(event=event, room=room, starts_at=DAY1 + timedelta(hours=1))
    with pytest.raises(services.AgendaError) as error:
        services.end_session(event=event, session_id=a.pk)
    assert error.value.code == "not_live"
    services.start_session(event=event, session_id=a.pk)
    result = services.start_session(event=event, session_id=b.pk)  # one live session per room
    assert {s.pk for s in result.sessions} == {a.pk, b.pk}
    a.refresh_from_db()
    assert a.status == S.ENDED
    services.end_session(event=event, session_id=b.pk)
    with pytest.raises(services.AgendaError) as error:
        services.cancel_session(event=event, session_id=b.pk)
    assert error.value.code == "not_cancellable"
    with pytest.raises(services.AgendaError) as error:
        services.shift_session(event=event, session_id=b.pk, minutes=10)
    assert error.value.code == "not_movable"
    c = SessionFactory(event=event, room=room, starts_at=DAY1 + timedelta(hours=3))
    services.cancel_session(event=event, session_id=c.pk)
    services.restore_session(event=event, session_id=c.pk)
    c.refresh_from_db()
    assert c.status == S.SCHEDULED


def test_actions_refuse_sessions_of_other_events(event):
    foreign = SessionFactory()
    with pytest.raises(services.AgendaError) as error:
        services.cancel_session(event=event, session_id=foreign.pk)
    assert error.value.code == "no_session"


def test_change_room_checks_the_event_and_clashes(event):
    a = SessionFactory(event=event)
    busy = RoomFactory(event=event)
    SessionFactory(event=event, room=busy, starts_at=DAY1 + timedelta(minutes=30), title="Ký kết MoU")
    assert services.publish(event=event).changes.count() == 0  # the first release has no change log
    with pytest.raises(services.RoomBusy) as error:
        services.change_room(event=event, session_id=a.pk, room_id=busy.pk)
    assert "Ký kết MoU" in error.value.message
    with pytest.raises(services.AgendaError) as error:
        services.change_room(event=event, session_id=a.pk, room_id=RoomFactory().pk)
    assert error.value.code == "no_room"
    free = RoomFactory(event=event, name="Khu B2B")
    services.change_room(event=event, session_id=a.pk, room_id=free.pk)
    release = services.publish(event=event)
    change = release.changes.get()
    with translation.override("en"):
        assert change.describe() == "room changed to Khu B2B"


def test_change_log_records_moves_rooms_cancellations_in_words(event):
    a, b = programme(event, sessions=2, rooms=2)
    services.shift_session(event=event, session_id=a.pk, minutes=6 * 60 + 30)
    services.cancel_session(event=event, session_id=b.pk)
    release = services.publish(event=event)
    with translation.override("en"):
        assert sorted(c.describe() for c in release.changes.all()) == ["cancelled", "moved to 14:30"]
    with translation.override("vi"):
        assert sorted(c.describe() for c in release.changes.all()) == ["dời sang 14:30", "đã hủy"]


def test_announcements_publish_without_releasing_the_draft(event):
    first = programme(event, sessions=2, rooms=2)[0]
    services.shift_session(event=event, session_id=first.pk, minutes=30)  # draft only
    release = services.post_announcement(event=event, text="  Phiên 2 chuyển sang Phòng hội thảo 2  ")
    assert release.version == 2
    assert release.snapshot["announcements"][0]["text"] == "Phiên 2 chuyển sang Phòng hội thảo 2"
    assert published_session(release, first.pk)["starts_at"].startswith(f"{DAY1:%Y-%m-%d}T01:00")  # not the draft
    for text, code in [("  ", "empty_announcement"), ("x" * 281, "long_announcement")]:
        with pytest.raises(services.AgendaError) as error:
            services.post_announcement(event=event, text=text)
        assert error.value.code == code
    hidden = services.hide_announcement(event=event, announcement_id=release.snapshot["announcements"][0]["id"])
    assert hidden.version == 3 and hidden.snapshot["announcements"] == []


def test_broadcast_leaves_only_after_commit(event, django_capture_on_commit_callbacks, monkeypatch):
    first = programme(event, sessions=2, rooms=2)[0]
    sent = []
    monkeypatch.setattr("eventsite.live.async_to_sync", lambda fn: lambda group, msg: sent.append((group, msg)))
    services.set_live_control(event=event, enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.shift_session(event=event, session_id=first.pk, minutes=15)
    published = [m for g, m in sent if g == group_name(event.id, "agenda")]
    release = services.current_release(event)[1]
    assert published == [{"type": "agenda.published", "version": 2, "published_at": release.published_at.isoformat(),
                          "changes": [{"kind": "moved", "session": first.pk}]}]
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(services.RoomBusy):
        SessionFactory(event=event, room=first.room, starts_at=DAY1 + timedelta(hours=2))
        services.shift_session(event=event, session_id=first.pk, minutes=60)
    assert callbacks == [] and sent == []
    assert services.current_release(event)[0] == 2


def test_toggle_star_only_for_published_sessions(event):
    from tests.factories import UserFactory

    user = UserFactory()
    first = programme(event, sessions=2, rooms=2)[0]
    draft_only = SessionFactory(event=event, starts_at=DAY1 + timedelta(days=1))
    assert services.toggle_star(user=user, event=event, session_id=first.pk) is True
    assert services.starred_ids(user, event) == {first.pk}
    assert services.toggle_star(user=user, event=event, session_id=first.pk) is False
    for bad in (draft_only.pk, "abc", 999999):
        with pytest.raises(services.AgendaError):
            services.toggle_star(user=user, event=event, session_id=bad)
    second = Session.objects.filter(event=event, room__isnull=False).exclude(pk=first.pk).first()
    second.delete()  # deleted in the admin after publishing: still in the release, no longer starrable
    with pytest.raises(services.AgendaError) as error:
        services.toggle_star(user=user, event=event, session_id=second.pk)
    assert error.value.code == "no_session"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_live_actions_get_distinct_versions():
    """Two organizers act at the same instant on PostgreSQL: the row lock serialises the versions."""
    event = EventFactory()
    sessions = programme(event, sessions=6, rooms=6)
    services.set_live_control(event=event, enabled=True)
    barrier = threading.Barrier(4)
    errors = []

    def act(session):
        try:
            barrier.wait()
            services.shift_session(event=event, session_id=session.pk, minutes=5)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(s,)) for s in sessions[:4]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    versions = sorted(AgendaRelease.objects.filter(agenda__event=event).values_list("version", flat=True))
    assert versions == [1, 2, 3, 4, 5]
    final = Agenda.objects.get(event=event).current_release.snapshot
    assert all(s["starts_at"].endswith(":05:00+00:00") for s in final["sessions"] if s["id"] in
               {x.pk for x in sessions[:4]})


def test_switching_live_control_on_publishes_waiting_edits(event):
    first = programme(event, sessions=2, rooms=2)[0]
    services.cancel_session(event=event, session_id=first.pk)
    assert services.current_release(event)[0] == 1
    services.set_live_control(event=event, enabled=True)
    version, release = services.current_release(event)
    assert version == 2 and [c.kind for c in release.changes.all()] == [AgendaChange.Kind.CANCELLED]
    services.set_live_control(event=event, enabled=False)
    services.set_live_control(event=event, enabled=True)  # nothing waiting: no empty release
    assert services.current_release(event)[0] == 2
