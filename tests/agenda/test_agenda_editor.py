"""The agenda editor: organizers edit rooms, speakers and sessions in the app, never through /admin/.

The rule "a session never points at another event's room" is tested on every path: the editor's form, the
service, the model's clean and the Django admin's form.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agenda import editing, services
from agenda.admin import SessionAdminForm
from agenda.models import Agenda, Room, Session, SessionSpeaker, Speaker
from eventsite.models import ActivityEntry, EventRole
from tests.agenda.factories import DAY1, RoomFactory, SessionFactory, SpeakerFactory
from tests.factories import EventFactory, UserFactory, user_with_role
from tests.uploads import png_bytes

pytestmark = pytest.mark.django_db
Role = EventRole.Role


@pytest.fixture
def event():
    return EventFactory()


@pytest.fixture
def organizer(client, event):
    user = user_with_role(event, Role.ORGANIZER)
    client.force_login(user)
    return user


def url(name, event, *args):
    return reverse(f"agenda:{name}", args=[event.slug, *args])


def session_post(room, *, title="Lễ ký kết hợp tác", speakers=(), **extra):
    day = f"{DAY1:%Y-%m-%d}"
    data = {"title": title, "type": "signing", "starts_at": f"{day}T15:00", "ends_at": f"{day}T16:00",
            "room": str(room.pk) if room else "", "language": "vi", "description": "",
            "speakers-TOTAL_FORMS": str(max(len(speakers), 1)), "speakers-INITIAL_FORMS": "0",
            "speakers-MIN_NUM_FORMS": "0", "speakers-MAX_NUM_FORMS": "20"}
    for i, (speaker, role, order) in enumerate(speakers):
        data.update({f"speakers-{i}-speaker": str(speaker.pk), f"speakers-{i}-role": role,
                     f"speakers-{i}-order": str(order)})
    if not speakers:
        data.update({"speakers-0-speaker": "", "speakers-0-role": "speaker", "speakers-0-order": ""})
    data.update(extra)
    return data


def test_organizer_builds_a_session_with_ordered_speakers(client, event, organizer):
    room = RoomFactory(event=event, name="Hội trường A")
    first, second = SpeakerFactory(event=event, name="Nguyễn Văn An"), SpeakerFactory(event=event, name="Lê Thị Bé")
    response = client.post(url("session_new", event), session_post(
        room, speakers=[(first, "panelist", 2), (second, "moderator", 1)]))
    assert response.status_code == 302, response.content.decode()[:3000]
    session = Session.objects.get(event=event)
    assert (session.title, session.type, session.room) == ("Lễ ký kết hợp tác", Session.Type.SIGNING, room)
    links = list(SessionSpeaker.objects.filter(session=session).order_by("position"))
    assert [(link.speaker.name, link.role, link.position) for link in links] == [
        ("Lê Thị Bé", "moderator", 0), ("Nguyễn Văn An", "panelist", 1)]
    entry = ActivityEntry.objects.get(action="agenda.session_created")
    assert (entry.object_id, entry.actor_id) == (session.pk, organizer.pk)
    assert entry.after["speakers"] == [[second.pk, "moderator"], [first.pk, "panelist"]]
    # Draft only: nothing published yet, the control panel lists it as pending.
    assert Agenda.objects.get(event=event).version == 0
    page = client.get(url("session_edit", event, session.pk)).content.decode()
    assert "Lê Thị Bé" in page and "Thêm phiên" not in page and "/admin/" not in page


def test_edit_under_live_control_publishes_a_version(client, event, organizer):
    session = SessionFactory(event=event, title="Khai mạc")
    services.publish(event=event)
    services.set_live_control(event=event, enabled=True)
    data = session_post(session.room, title="Khai mạc hội nghị")
    response = client.post(url("session_edit", event, session.pk), data)
    assert response.status_code == 302
    agenda = Agenda.objects.get(event=event)
    assert agenda.version == 2
    assert agenda.current_release.snapshot["sessions"][0]["title"] == "Khai mạc hội nghị"
    # A speaker on no session changes nothing the public sees: saved, no empty release.
    assert client.post(url("speaker_new", event), {"name": "Trần Văn Cường"}).status_code == 302
    assert Agenda.objects.get(event=event).version == 2


def test_form_refuses_a_forged_room_of_another_event(client, event, organizer):
    foreign = RoomFactory()  # another event's room
    response = client.post(url("session_new", event), session_post(foreign))
    assert response.status_code == 400
    assert "room" in response.context["form"].errors
    assert not Session.objects.exists()


def test_form_refuses_another_events_room_on_edit(client, event, organizer):
    session = SessionFactory(event=event)
    foreign = RoomFactory()
    response = client.post(url("session_edit", event, session.pk), session_post(foreign))
    assert response.status_code == 400
    session.refresh_from_db()
    assert session.room.event_id == event.pk


def test_service_refuses_another_events_room(event):
    foreign = RoomFactory()
    values = {"title": "Phiên", "type": "panel", "starts_at": DAY1, "ends_at": DAY1 + timedelta(hours=1),
              "room": foreign, "language": "vi"}
    with pytest.raises(ValidationError) as caught:
        editing.save_session(event=event, values=values, speakers=[])
    assert caught.value.error_dict["room"][0].code == "other_event"
    assert not Session.objects.exists()
    with pytest.raises(ValidationError):
        editing.save_session(event=event, values={**values, "room": None},
                             speakers=[editing.SpeakerSlot(SpeakerFactory())])


def test_model_clean_refuses_another_events_room(event):
    session = Session(event=event, title="Phiên", type="panel", starts_at=DAY1, ends_at=DAY1 + timedelta(hours=1),
                      room=RoomFactory())
    with pytest.raises(ValidationError):
        session.full_clean()
    session.room = RoomFactory(event=event)
    session.full_clean()


def test_admin_form_refuses_another_events_room(event):
    own, foreign = RoomFactory(event=event), RoomFactory()
    data = {"event": str(event.pk), "title": "Phiên", "type": "panel", "starts_at": f"{DAY1:%Y-%m-%d} 08:00",
            "ends_at": f"{DAY1:%Y-%m-%d} 09:00", "language": "vi", "status": "scheduled", "description": ""}
    assert SessionAdminForm({**data, "room": str(own.pk)}).is_valid()
    form = SessionAdminForm({**data, "room": str(foreign.pk)})
    assert list(form.fields["room"].queryset) == [own]
    assert not form.is_valid() and "room" in form.errors
    # Even with the list widened, the model's rule refuses it.
    form = SessionAdminForm({**data, "room": str(foreign.pk)})
    form.fields["room"].queryset = Room.objects.all()
    assert not form.is_valid() and list(form.errors) == ["room"]


def test_admin_add_page_refuses_another_events_room(client, event):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    foreign = RoomFactory()
    response = client.post(reverse("admin:agenda_session_add"), {
        "event": str(event.pk), "title": "Phiên", "type": "panel", "starts_at_0": f"{DAY1:%d/%m/%Y}",
        "starts_at_1": "08:00", "ends_at_0": f"{DAY1:%d/%m/%Y}", "ends_at_1": "09:00", "language": "vi",
        "status": "scheduled", "room": str(foreign.pk), "description": "",
        "speaker_links-TOTAL_FORMS": "0", "speaker_links-INITIAL_FORMS": "0",
        "speaker_links-MIN_NUM_FORMS": "0", "speaker_links-MAX_NUM_FORMS": "1000"})
    assert response.status_code == 200  # the form again, with its error
    assert not Session.objects.exists()


@pytest.mark.parametrize("field,value", [
    ("room", "9" * 30), ("room", "-1"), ("room", "abc"),
    ("speakers-0-speaker", "9" * 40), ("speakers-0-order", "inf"), ("speakers-0-order", "1e9"),
    ("starts_at", "nan"),
])
def test_session_form_bad_input_is_a_400(client, event, organizer, field, value):
    data = session_post(RoomFactory(event=event))
    data[field] = value
    response = client.post(url("session_new", event), data)
    assert response.status_code == 400
    assert not Session.objects.exists()


@pytest.mark.parametrize("value", ["9" * 30, "nan", "inf", "-5", "1e400"])
def test_room_form_bad_numbers_are_a_400(client, event, organizer, value):
    response = client.post(url("room_new", event), {"name": "Phòng 1", "capacity": value, "position": "0"})
    assert response.status_code == 400
    assert not Room.objects.exists()


def test_room_busy_is_a_form_error(client, event, organizer):
    other = SessionFactory(event=event, starts_at=DAY1, title="Phiên sáng")
    data = session_post(other.room, starts_at=DAY1.strftime("%Y-%m-%dT%H:%M"),
                        ends_at=(DAY1 + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"))
    response = client.post(url("session_new", event), data)
    assert response.status_code == 400
    assert "Phiên sáng" in response.content.decode()


def test_speaker_photo_is_checked_and_stored(client, event, organizer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    bad = SimpleUploadedFile("a.png", b"not an image", content_type="image/png")
    response = client.post(url("speaker_new", event), {"name": "Phạm Thị Dung", "photo": bad})
    assert response.status_code == 400 and not Speaker.objects.exists()
    good = SimpleUploadedFile("dung.png", png_bytes(), content_type="image/png")
    response = client.post(url("speaker_new", event), {"name": "Phạm Thị Dung", "title": "Phó Giám đốc",
                                                       "organization": "Sở Công Thương", "bio": "Tiểu sử.",
                                                       "photo": good})
    assert response.status_code == 302
    speaker = Speaker.objects.get()
    assert speaker.photo.name.startswith("agenda/speakers/") and speaker.bio == "Tiểu sử."
    assert (tmp_path / speaker.photo.name).exists()
    assert ActivityEntry.objects.get(action="agenda.speaker_created").after["photo"] == speaker.photo.name


def test_rooms_edit_and_delete(client, event, organizer):
    response = client.post(url("room_new", event), {"name": "Phòng 1", "capacity": "80", "position": "1"})
    assert response.status_code == 302
    room = Room.objects.get(event=event)
    assert client.post(url("room_new", event), {"name": "Phòng 1", "position": "0"}).status_code == 400
    assert client.post(url("room_edit", event, room.pk), {"name": "Phòng lớn", "position": "2"}).status_code == 302
    room.refresh_from_db()
    assert (room.name, room.capacity) == ("Phòng lớn", None)
    session = SessionFactory(event=event, room=room, title="Tọa đàm")
    client.post(url("room_delete", event, room.pk))
    assert Room.objects.filter(pk=room.pk).exists()  # in use: refused
    client.post(url("session_delete", event, session.pk))
    client.post(url("room_delete", event, room.pk))
    assert not Room.objects.exists() and not Session.objects.exists()
    actions = list(ActivityEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["agenda.room_created", "agenda.room_updated", "agenda.session_deleted",
                       "agenda.room_deleted"]


def test_another_events_objects_are_404(client, event, organizer):
    other = SessionFactory()
    assert client.get(url("session_edit", event, other.pk)).status_code == 404
    assert client.post(url("room_delete", event, other.room.pk)).status_code == 404
    assert Room.objects.filter(pk=other.room.pk).exists()


@pytest.mark.parametrize("role", [None, Role.DESK_STAFF, Role.EXHIBITOR])
def test_editor_is_for_organizers_only(client, event, role):
    if role:
        client.force_login(user_with_role(event, role))
    room = RoomFactory(event=event)
    for response in (client.get(url("edit", event)), client.post(url("room_delete", event, room.pk)),
                     client.post(url("room_new", event), {"name": "X", "position": "0"})):
        assert response.status_code == (403 if role else 302)
    assert Room.objects.count() == 1


def test_control_panel_links_to_the_editor_not_the_admin(client, event, organizer):
    SessionFactory(event=event)
    page = client.get(url("control", event)).content.decode()
    assert url("edit", event) in page and "/admin/" not in page
    page = client.get(url("edit", event)).content.decode()
    assert "/admin/" not in page and "Sửa chương trình" in page


@pytest.mark.parametrize("size", [2, 20])
def test_editor_index_queries_do_not_grow(client, event, organizer, django_assert_max_num_queries, size):
    from tests.agenda.factories import programme

    programme(event, sessions=size, rooms=2, publish=False)
    with django_assert_max_num_queries(14):
        response = client.get(url("edit", event))
    assert response.content.decode().count('href="/e/' + event.slug + '/agenda/edit/sessions/') == size + 1  # and "new"
