from datetime import timedelta

import pytest

from matchmaking.models import MatchmakingSettings, Meeting, MeetingSlot
from matchmaking.services import optimizer, scheduling
from matchmaking.services.errors import InvalidRequest, NotAParticipant, PlacementError, ScheduleError
from tests.factories import DAY2
from tests.matchmaking.factories import VN, accepted_request, generous_quotas, grid
from tests.matchmaking.factories import fair as make_fair

pytestmark = pytest.mark.django_db
START = DAY2


def test_create_session_cuts_whole_slots(fair):
    s = scheduling.create_session(event=fair.event, name="Sáng", starts_at=START,
                                  ends_at=START + timedelta(minutes=70), slot_minutes=20)
    assert [(x.starts_at.astimezone(VN).strftime("%H:%M"), x.ends_at.astimezone(VN).strftime("%H:%M"))
            for x in s.slots.all()] == [("08:00", "08:20"), ("08:20", "08:40"), ("08:40", "09:00")]


@pytest.mark.parametrize("kwargs,code", [
    ({"name": " "}, "no_name"), ({"slot_minutes": 3}, "bad_slot_length"),
    ({"ends_at": START + timedelta(minutes=10)}, "too_short"),
    ({"starts_at": START + timedelta(minutes=30)}, "overlap"),
])
def test_create_session_failures(fair, kwargs, code):
    scheduling.create_session(event=fair.event, name="Sáng", starts_at=START, ends_at=START + timedelta(hours=1),
                              slot_minutes=20)
    args = {"name": "Chiều", "starts_at": START + timedelta(hours=5), "ends_at": START + timedelta(hours=6),
            "slot_minutes": 20, **kwargs}
    with pytest.raises(InvalidRequest) as e:
        scheduling.create_session(event=fair.event, **args)
    assert e.value.code == code


def test_add_tables_numbers_after_the_last_and_keeps_booth_codes(fair):
    scheduling.add_tables(event=fair.event, count=2)
    made = scheduling.add_tables(event=fair.event, count=2, seats=6, booth_codes=["A01"])
    assert [(t.number, t.booth_code, t.seats) for t in made] == [(3, "A01", 6), (4, "", 6)]
    with pytest.raises(InvalidRequest):
        scheduling.add_tables(event=fair.event, count=0)
    with pytest.raises(InvalidRequest):
        scheduling.add_tables(event=fair.event, count=1, seats=1)


@pytest.fixture
def placed(fair):
    slots, tables = grid(fair, slots=3, tables=2)
    r1 = accepted_request(fair, fair.buyers[0], fair.producers[0])
    r2 = accepted_request(fair, fair.buyers[1], fair.producers[1])
    r3 = accepted_request(fair, fair.buyers[0], fair.producers[1])
    m1 = scheduling.place_meeting(event=fair.event, request_id=r1.pk, slot_id=slots[0].pk, table_id=tables[0].pk)
    return fair, slots, tables, (r1, r2, r3), m1


def test_place_meeting_refuses_a_taken_table(placed):
    f, slots, tables, (_r1, r2, _r3), _m1 = placed
    with pytest.raises(PlacementError) as e:
        scheduling.place_meeting(event=f.event, request_id=r2.pk, slot_id=slots[0].pk, table_id=tables[0].pk)
    assert e.value.code == "table_taken"


def test_place_meeting_refuses_double_booking(placed):
    f, slots, tables, (_r1, _r2, r3), _m1 = placed
    with pytest.raises(PlacementError) as e:
        scheduling.place_meeting(event=f.event, request_id=r3.pk, slot_id=slots[0].pk, table_id=tables[1].pk)
    assert e.value.code == "double_booked"


def test_place_meeting_refuses_blocked_time(placed):
    f, slots, tables, (_r1, _r2, r3), _m1 = placed
    scheduling.block_time(event=f.event, organization=f.producers[1].org, user=f.producers[1].user,
                          starts_at=slots[1].starts_at + timedelta(minutes=5),
                          ends_at=slots[1].starts_at + timedelta(minutes=10))
    with pytest.raises(PlacementError) as e:
        scheduling.place_meeting(event=f.event, request_id=r3.pk, slot_id=slots[1].pk, table_id=tables[1].pk)
    assert e.value.code == "blocked_time"


def test_place_meeting_refuses_a_small_table(fair):
    slots, tables = grid(fair, seats=2)
    r = accepted_request(fair, fair.buyers[0], fair.producers[0], party_size=3)
    with pytest.raises(PlacementError) as e:
        scheduling.place_meeting(event=fair.event, request_id=r.pk, slot_id=slots[0].pk, table_id=tables[0].pk)
    assert e.value.code == "table_too_small"


def test_place_meeting_keeps_the_agreed_slot(fair):
    from matchmaking.services import requests
    slots, tables = grid(fair)
    r = requests.create_request(event=fair.event, sender=fair.buyers[0].org, side="buyer",
                                counterpart=fair.producers[0].org, user=fair.buyers[0].user, message="Gặp nhé")
    requests.respond_to_request(event=fair.event, request_id=r.pk, user=fair.producers[0].user, action="propose",
                                slot_id=slots[2].pk)
    requests.respond_to_request(event=fair.event, request_id=r.pk, user=fair.buyers[0].user, action="accept")
    with pytest.raises(PlacementError) as e:
        scheduling.place_meeting(event=fair.event, request_id=r.pk, slot_id=slots[0].pk, table_id=tables[0].pk)
    assert e.value.code == "agreed_slot"
    m = scheduling.place_meeting(event=fair.event, request_id=r.pk, slot_id=slots[2].pk, table_id=tables[0].pk)
    assert m.slot == slots[2]


def test_place_meeting_refuses_unaccepted_and_foreign_places(placed):
    f, slots, tables, (r1, _r2, _r3), _m1 = placed
    other = make_fair(buyers=0, producers=0)
    other_slots, other_tables = grid(other)
    with pytest.raises(PlacementError) as e:
        scheduling.place_meeting(event=f.event, request_id=r1.pk, slot_id=other_slots[0].pk, table_id=tables[0].pk)
    assert e.value.code == "bad_place"
    r1.status = "declined"
    r1.save()
    with pytest.raises(PlacementError) as e:
        scheduling.place_meeting(event=f.event, request_id=r1.pk, slot_id=slots[1].pk, table_id=tables[0].pk)
    assert e.value.code == "not_accepted"


def test_place_meeting_moves_an_existing_meeting(placed):
    f, slots, tables, (r1, _r2, _r3), m1 = placed
    moved = scheduling.place_meeting(event=f.event, request_id=r1.pk, slot_id=slots[2].pk, table_id=tables[1].pk)
    assert moved.pk == m1.pk and (moved.slot, moved.table) == (slots[2], tables[1])
    assert Meeting.objects.count() == 1


def test_block_time_refuses_when_a_meeting_is_placed_then(placed):
    f, slots, _tables, _r, _m1 = placed
    with pytest.raises(PlacementError) as e:
        scheduling.block_time(event=f.event, organization=f.buyers[0].org, user=f.buyers[0].user,
                              starts_at=slots[0].starts_at, ends_at=slots[0].ends_at)
    assert e.value.code == "meeting_in_blocked_time"
    with pytest.raises(NotAParticipant):
        scheduling.block_time(event=f.event, organization=f.buyers[0].org, user=f.buyers[1].user,
                              starts_at=slots[1].starts_at, ends_at=slots[1].ends_at)
    with pytest.raises(InvalidRequest):
        scheduling.block_time(event=f.event, organization=f.buyers[0].org, user=f.buyers[0].user,
                              starts_at=slots[1].ends_at, ends_at=slots[1].starts_at)


def test_unblock_only_own(placed):
    f, slots, _tables, _r, _m1 = placed
    b = scheduling.block_time(event=f.event, organization=f.buyers[1].org, user=f.buyers[1].user,
                              starts_at=slots[2].starts_at, ends_at=slots[2].ends_at)
    with pytest.raises(NotAParticipant):
        scheduling.unblock_time(event=f.event, blocked_id=b.pk, user=f.buyers[0].user)
    scheduling.unblock_time(event=f.event, blocked_id=b.pk, user=f.buyers[1].user)


def test_schedule_all_places_everything_it_can_and_publishes(placed):
    f, slots, _tables, (r1, r2, r3), m1 = placed
    result = scheduling.schedule_all(event=f.event, time_limit=5)
    assert (result.placed, result.unplaced, result.already) == (2, 0, 1)
    assert Meeting.objects.get(request=r1) == m1  # placed meetings stay where they are
    config = MatchmakingSettings.objects.get(event=f.event)
    assert config.published_at is not None and config.schedule_version == 1
    # buyer 0 meets twice, never in the same slot
    slots_of_b0 = list(Meeting.objects.filter(buyer=f.buyers[0].org).values_list("slot", flat=True))
    assert len(set(slots_of_b0)) == 2
    assert Meeting.objects.get(request=r3).placed_by == Meeting.Placement.OPTIMIZER


def test_schedule_all_needs_slots_and_tables(fair):
    with pytest.raises(ScheduleError) as e:
        scheduling.schedule_all(event=fair.event)
    assert e.value.code == "no_slots"
    scheduling.create_session(event=fair.event, name="S", starts_at=START, ends_at=START + timedelta(hours=1),
                              slot_minutes=20)
    with pytest.raises(ScheduleError) as e:
        scheduling.schedule_all(event=fair.event)
    assert e.value.code == "no_tables"


def test_schedule_all_reports_what_does_not_fit(db):
    f = make_fair(buyers=3, producers=1)
    generous_quotas(f.event)
    grid(f, slots=2, tables=5)
    for b in f.buyers:
        accepted_request(f, b, f.producers[0])
    result = scheduling.schedule_all(event=f.event, time_limit=5)
    # one producer, two slots: two meetings at most
    assert (result.placed, result.unplaced, result.upper_bound) == (2, 1, 2)


def test_optimizer_prefers_priority_when_count_ties():
    problem = optimizer.Problem(
        requests=[optimizer.Req(1, 10, 20, priority=1), optimizer.Req(2, 11, 20, priority=3)],
        slots=[100], tables={7: 4})
    solution = optimizer.solve(problem, time_limit=5)
    assert solution.placements == {2: (100, 7)}
    assert solution.status == "OPTIMAL"


def test_optimizer_respects_fixed_slot_and_seats():
    problem = optimizer.Problem(
        requests=[optimizer.Req(1, 10, 20, fixed_slot=101, party_size=5), optimizer.Req(2, 11, 21, party_size=3)],
        slots=[100, 101], tables={7: 4, 8: 6}, taken_tables={100: {7}})
    solution = optimizer.solve(problem, time_limit=5)
    assert solution.placements[1] == (101, 8)
    assert solution.placements[2][1] in (7, 8)
    assert solution.placements[2] != (100, 7)


def test_slots_are_ordered_by_time(fair):
    grid(fair, slots=3)
    starts = list(MeetingSlot.objects.values_list("starts_at", flat=True))
    assert starts == sorted(starts)
