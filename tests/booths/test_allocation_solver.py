"""The pure allocation model: never outside the acceptable set, optimal against brute force."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from booths.services.allocation import (
    Applicant,
    Pref,
    Slot,
    count_conflicts,
    preference_depth,
    rank_of,
    solve,
    value,
)

KINDS = ["standard", "corner", "outdoor"]
GROUPS = ["food", "beverage", "handicraft"]


@st.composite
def problems(draw, max_apps=4, max_slots=5):
    n_slots = draw(st.integers(1, max_slots))
    slots = [Slot(id=100 + j, zone=draw(st.sampled_from([1, 2, None])), kind=draw(st.sampled_from(KINDS)),
                  theme=draw(st.sampled_from(["", "", "food", "handicraft"]))) for j in range(n_slots)]
    pref = st.one_of(
        st.builds(Pref, booth=st.sampled_from([s.id for s in slots] + [999])),
        st.builds(Pref, zone=st.sampled_from([1, 2])),
        st.builds(Pref, kind=st.sampled_from(KINDS)),
    )
    n_apps = draw(st.integers(1, max_apps))
    apps = [Applicant(id=i + 1, priority=draw(st.integers(1, 200)), prefs=tuple(draw(st.lists(pref, max_size=3))),
                      groups=frozenset(draw(st.sets(st.sampled_from(GROUPS), max_size=2))),
                      subgroup=draw(st.sampled_from(["tea", "condiment", ""]))) for i in range(n_apps)]
    return apps, slots


def brute_force_best(apps, slots) -> int:
    depth = preference_depth(apps)
    options = []
    for a in apps:
        choices = [(None, 0)]
        for s in slots:
            r = rank_of(a, s)
            if r is not None:
                choices.append((s.id, value(a, r, depth)))
        options.append(choices)
    best = 0
    for combo in itertools.product(*options):
        used = [c[0] for c in combo if c[0] is not None]
        if len(used) == len(set(used)):
            best = max(best, sum(c[1] for c in combo))
    return best


@settings(max_examples=100, deadline=None)
@given(problems())
def test_allocation_never_assigns_outside_acceptable_set(problem):
    apps, slots = problem
    result = solve(apps, slots)
    by_id = {s.id: s for s in slots}
    for a in apps:
        if a.id in result.assigned:
            assert rank_of(a, by_id[result.assigned[a.id]]) is not None
    assert len(set(result.assigned.values())) == len(result.assigned)


@settings(max_examples=80, deadline=None)
@given(problems())
def test_allocation_is_optimal_against_brute_force(problem):
    apps, slots = problem
    result = solve(apps, slots)
    assert result.objective == brute_force_best(apps, slots)


@settings(max_examples=60, deadline=None)
@given(problems(max_apps=5, max_slots=5))
def test_neighbour_post_pass_keeps_optimum_and_never_adds_conflicts(problem):
    apps, slots = problem
    ids = [s.id for s in slots]
    neighbours = {sid: {ids[k] for k in (j - 1, j + 1) if 0 <= k < len(ids)} for j, sid in enumerate(ids)}
    plain = solve(apps, slots, neighbours=neighbours)
    avoided = solve(apps, slots, neighbours=neighbours, avoid_same_subgroup=True)
    assert avoided.objective == plain.objective == brute_force_best(apps, slots)
    assert avoided.conflicts <= plain.conflicts
    assert avoided.conflicts == count_conflicts(avoided.assigned, apps, neighbours)
    by_id = {s.id: s for s in slots}
    for a in apps:
        if a.id in avoided.assigned:
            assert rank_of(a, by_id[avoided.assigned[a.id]]) == avoided.ranks[a.id]


def test_higher_priority_gets_the_contested_first_choice():
    slots = [Slot(id=1), Slot(id=2)]
    low = Applicant(id=10, priority=100, prefs=(Pref(booth=1), Pref(booth=2)))
    high = Applicant(id=20, priority=180, prefs=(Pref(booth=1), Pref(booth=2)))
    result = solve([low, high], slots)
    assert result.assigned == {20: 1, 10: 2}
    assert result.ranks == {20: 0, 10: 1}


def test_themed_zone_refuses_other_groups_unless_booth_named():
    themed = Slot(id=1, zone=5, theme="food")
    craft = Applicant(id=1, priority=100, prefs=(Pref(zone=5),), groups=frozenset({"handicraft"}))
    named = Applicant(id=2, priority=100, prefs=(Pref(booth=1),), groups=frozenset({"handicraft"}))
    assert solve([craft], [themed]).assigned == {}
    assert solve([named], [themed]).assigned == {2: 1}


def test_swap_post_pass_separates_same_subgroup_neighbours():
    slots = [Slot(id=i) for i in range(1, 5)]
    neighbours = {1: {2}, 2: {1, 3}, 3: {2, 4}, 4: {3}}
    apps = [Applicant(id=10 + i, priority=100, subgroup=sub) for i, sub in enumerate(["tea", "tea", "fish", "fish"])]
    result = solve(apps, slots, neighbours=neighbours, avoid_same_subgroup=True)
    assert result.conflicts == 0
    assert len(result.assigned) == 4
