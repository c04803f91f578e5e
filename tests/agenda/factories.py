"""Agenda factories and a helper that builds a published programme of any size."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import factory

from agenda import services
from agenda.models import Room, Session, SessionSpeaker, Speaker
from tests.factories import DAY1, EventFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Phòng hội thảo {n}")
    capacity = 100
    position = factory.Sequence(lambda n: n)


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Trần Thị Ngọc {n}")
    title = "Giám đốc"
    organization = "Sở Công Thương tỉnh Cà Mau"


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"Phiên thảo luận {n}")
    type = Session.Type.PANEL
    starts_at = DAY1
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1))
    room = factory.SubFactory(RoomFactory, event=factory.SelfAttribute("..event"))


def programme(event, *, sessions: int = 6, rooms: int = 3, start: datetime = DAY1, speakers: bool = True,
              publish: bool = True, actor=None) -> list[Session]:
    """``sessions`` one-hour sessions every 90 minutes, spread over ``rooms`` rooms (and days, 8 a day per room)."""
    room_objs = [RoomFactory(event=event, name=f"Phòng {i + 1}", position=i) for i in range(rooms)]
    people = [SpeakerFactory(event=event) for _ in range(3)] if speakers else []
    created = []
    for i in range(sessions):
        room = room_objs[i % rooms]
        slot = i // rooms
        day, hour = divmod(slot, 8)
        starts = start + timedelta(days=day, minutes=90 * hour)
        s = SessionFactory(event=event, room=room, starts_at=starts, ends_at=starts + timedelta(hours=1),
                           title=f"Phiên {i + 1}")
        for j, person in enumerate(people[: 1 + i % 3]):
            role = SessionSpeaker.Role.MODERATOR if j == 0 else SessionSpeaker.Role.PANELIST
            SessionSpeaker.objects.create(session=s, speaker=person, position=j, role=role)
        created.append(s)
    if publish:
        services.publish(event=event, actor=actor)
    return created
