"""Property tests: whatever the requests, blocked times, seats and manual placements, the grid holds.

Invariants: nobody in two meetings of one slot; at most one meeting per table per slot and the table
seats the party; nobody meets during a blocked time; an agreed slot is kept.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from datetime import timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventsite.models import EventRole
from matchmaking.models import BlockedTime, Meeting, Side
from matchmaking.services import optimizer, requests, scheduling
from matchmaking.services.errors import PlacementError
from tests.factories import DAY2, EventFactory
from tests.matchmaking.factories import Fair, generous_quotas, party

# ---------------------------------------------------------------- the optimizer on plain data


@st.composite
def problems(draw):
    buyers = draw(st.integers(1, 6))
    producers = draw(st.integers(1, 6))
    slots = list(range(100, 100 + draw(st.integers(1, 5))))
    tables = {200 + i: draw(st.integers(2, 6)) for i in range(draw(st.integers(1, 4)))}
    pairs = draw(st.lists(st.tuples(st.integers(0, buyers - 1), st.integers(0, producers - 1)), unique=True,
                          max_size=18))
    reqs = [optimizer.Req(i, b, 1000 + p, priority=draw(st.integers(1, 3)), party_size=draw(st.integers(2, 5)),
                          fixed_slot=draw(st.none() | st.sampled_from(slots)))
            for i, (b, p) in enumerate(pairs)]
    people = list(range(buyers)) + [1000 + p for p in range(producers)]
    busy = {p: set(draw(st.lists(st.sampled_from(slots), max_size=2))) for p in people}
    taken = {s: set(draw(st.lists(st.sampled_from(sorted(tables)), max_size=2))) for s in slots}
    return optimizer.Problem(reqs, slots, tables, busy, taken)


def check_invariants(placements, reqs, tables, busy, taken=None):
    taken = taken or {}
    people = Counter()
    cells = Counter()
    for rid, (slot, table) in placements.items():
        r = reqs[rid]
        people[r.buyer, slot] += 1
        people[r.producer, slot] += 1
        cells[slot, table] += 1
        assert tables[table] >= r.party_size, "table over capacity"
        assert slot not in busy.get(r.buyer, ()) and slot not in busy.get(r.producer, ()), "blocked time used"
        assert table not in taken.get(slot, ()), "table already taken"
        assert r.fixed_slot in (None, slot), "agreed slot not kept"
    assert max(people.values(), default=0) <= 1, "someone double-booked"
    assert max(cells.values(), default=0) <= 1, "two meetings at one table"


@settings(max_examples=50, deadline=None)
@given(problems())
def test_optimizer_never_breaks_the_grid(problem):
    solution = optimizer.solve(problem, time_limit=2, workers=1)
    check_invariants(solution.placements, {r.id: r for r in problem.requests}, problem.tables, problem.busy,
                     problem.taken_tables)
    assert len(solution.placements) <= solution.upper_bound


@settings(max_examples=25, deadline=None)
@given(problems())
def test_optimizer_is_optimal_on_count_when_it_says_so(problem):
    """On small instances CP-SAT proves optimality; then no single unplaced request could still be added."""
    solution = optimizer.solve(problem, time_limit=5, workers=1)
    if solution.status != "OPTIMAL":
        return
    used = {(r, s) for rid, (s, _t) in solution.placements.items()
            for r in (next(q for q in problem.requests if q.id == rid).buyer,
                      next(q for q in problem.requests if q.id == rid).producer)}
    used_tables = {(s, t) for s, t in solution.placements.values()}
    for r in problem.requests:
        if r.id in solution.placements:
            continue
        for s in problem.slots:
            if (r.fixed_slot not in (None, s) or s in problem.busy.get(r.buyer, ()) or s in problem.busy.get(
                    r.producer, ()) or (r.buyer, s) in used or (r.producer, s) in used):
                continue
            free = [t for t, seats in problem.tables.items() if seats >= r.party_size
                    and t not in problem.taken_tables.get(s, ()) and (s, t) not in used_tables]
            assert not free, f"request {r.id} still fits at slot {s}"


# ---------------------------------------------------------------- the services on the database

class _Rollback(Exception):
    pass


@st.composite
def scenarios(draw):
    pairs = draw(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), unique=True, min_size=1, max_size=7))
    return {
        "pairs": pairs,
        "sizes": [draw(st.integers(2, 4)) for _ in pairs],
        "seats": draw(st.lists(st.integers(2, 4), min_size=1, max_size=3)),
        "blocked": draw(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 2)), max_size=3)),
        "manual": draw(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 2), st.integers(0, 2)), max_size=6)),
        "optimize": draw(st.booleans()),
        "agreed": draw(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 2)), max_size=2)),
    }


def build(sc):
    event = EventFactory()
    generous_quotas(event)
    f = Fair(event, None, None)
    f.buyers = [party(event, EventRole.Role.BUYER) for _ in range(3)]
    f.producers = [party(event, EventRole.Role.EXHIBITOR) for _ in range(3)]
    start = DAY2
    session = scheduling.create_session(event=event, name="S", starts_at=start, ends_at=start + timedelta(hours=1),
                                        slot_minutes=20)
    slots = list(session.slots.order_by("starts_at"))
    tables = []
    for seats in sc["seats"]:
        tables += scheduling.add_tables(event=event, count=1, seats=seats)
    people = f.buyers + f.producers
    for who, slot_index in sc["blocked"]:
        p = people[who]
        scheduling.block_time(event=event, organization=p.org, user=p.user, starts_at=slots[slot_index].starts_at,
                              ends_at=slots[slot_index].ends_at)
    accepted = []
    agreed = dict(sc["agreed"])  # request index -> slot index both sides agreed on (propose, then accept)
    for i, ((b, p), size) in enumerate(zip(sc["pairs"], sc["sizes"], strict=True)):
        r = requests.create_request(event=event, sender=f.buyers[b].org, side=Side.BUYER,
                                    counterpart=f.producers[p].org, user=f.buyers[b].user, message="Gặp",
                                    party_size=size)
        if i in agreed:
            requests.respond_to_request(event=event, request_id=r.pk, user=f.producers[p].user, action="propose",
                                        slot_id=slots[agreed[i]].pk)
            r = requests.respond_to_request(event=event, request_id=r.pk, user=f.buyers[b].user, action="accept")
        else:
            r = requests.respond_to_request(event=event, request_id=r.pk, user=f.producers[p].user,
                                            action="accept")
        accepted.append(r)
    return event, slots, tables, accepted


def assert_grid_ok(event):
    meetings = list(Meeting.objects.filter(event=event).select_related("slot", "table", "request"))
    people = Counter()
    cells = Counter()
    blocked = list(BlockedTime.objects.filter(event=event))
    for m in meetings:
        people[m.buyer_id, m.slot_id] += 1
        people[m.producer_id, m.slot_id] += 1
        cells[m.slot_id, m.table_id] += 1
        assert m.table.seats >= m.request.party_size
        assert m.request.agreed_slot_id in (None, m.slot_id), "agreed slot not kept"
        for b in blocked:
            if b.organization_id in (m.buyer_id, m.producer_id):
                assert not (m.slot.starts_at < b.ends_at and m.slot.ends_at > b.starts_at), "blocked time used"
    assert max(people.values(), default=0) <= 1
    assert max(cells.values(), default=0) <= 1
    return meetings


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(sc=scenarios())
def test_manual_placement_and_schedule_all_keep_the_grid(sc):
    try:
        with transaction.atomic():
            event, slots, tables, accepted = build(sc)
            for r_index, s_index, t_index in sc["manual"]:
                if r_index >= len(accepted) or t_index >= len(tables):
                    continue
                with contextlib.suppress(PlacementError):
                    scheduling.place_meeting(event=event, request_id=accepted[r_index].pk,
                                             slot_id=slots[s_index].pk, table_id=tables[t_index].pk)
                assert_grid_ok(event)
            if sc["optimize"]:
                before = {m.request_id: (m.slot_id, m.table_id) for m in Meeting.objects.filter(event=event)}
                result = scheduling.schedule_all(event=event, time_limit=2)
                after = {m.request_id: (m.slot_id, m.table_id) for m in assert_grid_ok(event)}
                assert all(after[k] == v for k, v in before.items()), "schedule_all moved a placed meeting"
                assert result.placed + len(before) == len(after)
            raise _Rollback
    except _Rollback:
        pass
