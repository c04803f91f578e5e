"""Races on PostgreSQL with real parallel connections: the database decides, losers get a clean error."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from eventsite.errors import DomainError
from matchmaking.models import Meeting, MeetingRequest, Side
from matchmaking.services import requests, scheduling
from matchmaking.services.participants import settings_for
from tests.matchmaking.factories import accepted_request, fair, grid

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*calls) -> list[str]:
    barrier = threading.Barrier(len(calls))
    results: list[str] = []

    def run(call):
        try:
            barrier.wait()
            call()
            results.append("ok")
        except DomainError as e:
            results.append(e.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(results)


def test_two_placements_on_one_table_one_wins():
    f = fair()
    slots, tables = grid(f)
    r1 = accepted_request(f, f.buyers[0], f.producers[0])
    r2 = accepted_request(f, f.buyers[1], f.producers[1])
    results = race(
        lambda: scheduling.place_meeting(event=f.event, request_id=r1.pk, slot_id=slots[0].pk, table_id=tables[0].pk),
        lambda: scheduling.place_meeting(event=f.event, request_id=r2.pk, slot_id=slots[0].pk, table_id=tables[0].pk),
    )
    assert results.count("ok") == 1
    assert set(results) - {"ok"} <= {"table_taken", "taken"}
    assert Meeting.objects.filter(slot=slots[0], table=tables[0]).count() == 1


def test_one_person_at_two_tables_in_one_slot_one_wins():
    f = fair()
    slots, tables = grid(f)
    r1 = accepted_request(f, f.buyers[0], f.producers[0])
    r2 = accepted_request(f, f.buyers[0], f.producers[1])
    results = race(
        lambda: scheduling.place_meeting(event=f.event, request_id=r1.pk, slot_id=slots[0].pk, table_id=tables[0].pk),
        lambda: scheduling.place_meeting(event=f.event, request_id=r2.pk, slot_id=slots[0].pk, table_id=tables[1].pk),
    )
    # results are sorted, and "double_booked" sorts before "ok": check membership, not position
    assert results.count("ok") == 1
    assert set(results) - {"ok"} <= {"double_booked", "taken"}
    assert Meeting.objects.filter(slot=slots[0], buyer=f.buyers[0].org).count() == 1


def test_open_request_quota_holds_under_parallel_sends():
    f = fair(buyers=1, producers=3)
    config = settings_for(f.event)
    config.max_open_requests = 1
    config.save()
    b = f.buyers[0]
    results = race(*[
        (lambda p=p: requests.create_request(event=f.event, sender=b.org, side=Side.BUYER, counterpart=p.org,
                                             user=b.user, message="Gặp"))
        for p in f.producers
    ])
    assert results == ["ok", "open_quota", "open_quota"]
    assert MeetingRequest.objects.count() == 1


def test_parallel_answers_accept_once():
    f = fair()
    r = requests.create_request(event=f.event, sender=f.buyers[0].org, side=Side.BUYER,
                                counterpart=f.producers[0].org, user=f.buyers[0].user, message="Gặp")
    results = race(*[
        (lambda a=a: requests.respond_to_request(event=f.event, request_id=r.pk, user=f.producers[0].user,
                                                 action=a))
        for a in ("accept", "decline")
    ])
    assert results == ["ok", "request_not_open"]
    assert MeetingRequest.objects.get(pk=r.pk).status in ("accepted", "declined")


def test_schedule_all_twice_in_parallel_places_each_meeting_once():
    f = fair(buyers=2, producers=2)
    grid(f, slots=3, tables=2)
    for b in f.buyers:
        for p in f.producers:
            accepted_request(f, b, p)
    results = race(lambda: scheduling.schedule_all(event=f.event, time_limit=3),
                   lambda: scheduling.schedule_all(event=f.event, time_limit=3))
    assert results == ["ok", "ok"]
    assert Meeting.objects.count() == 4


def test_meeting_quota_holds_under_parallel_accepts():
    f = fair(buyers=2, producers=1)
    config = settings_for(f.event)
    config.max_meetings = 1
    config.save()
    p = f.producers[0]
    sent = [requests.create_request(event=f.event, sender=b.org, side=Side.BUYER, counterpart=p.org, user=b.user,
                                    message="Gặp") for b in f.buyers]
    results = race(*[
        (lambda r=r: requests.respond_to_request(event=f.event, request_id=r.pk, user=p.user, action="accept"))
        for r in sent
    ])
    assert results == ["meeting_quota", "ok"]
    assert MeetingRequest.objects.filter(status="accepted").count() == 1
