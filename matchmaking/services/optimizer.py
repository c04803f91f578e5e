"""Place accepted requests into slot × table with OR-Tools CP-SAT; plain data in, plain data out.

Model: one boolean per (request, allowed slot). A slot is allowed when neither party is busy then
(blocked time or an existing meeting), it is the agreed slot if one was agreed, and some free table
seats the party. Constraints: a request at most once; a person at most once per slot; per slot and
per party size ``k``, the meetings needing ≥ k seats do not outnumber the free tables with ≥ k seats
(Hall's condition for these nested sets, so tables can then be dealt out largest-first). Objective:
meetings placed weighted by priority (``BASE_WEIGHT + priority``), so the count comes first and
priority breaks ties.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

BASE_WEIGHT = 10


@dataclass(frozen=True)
class Req:
    id: int
    buyer: int
    producer: int
    priority: int = 2
    party_size: int = 2
    fixed_slot: int | None = None


@dataclass
class Problem:
    requests: list[Req]
    slots: list[int]
    tables: dict[int, int]  # table id -> seats
    busy: dict[int, set[int]] = field(default_factory=dict)  # organization id -> slots it cannot use
    taken_tables: dict[int, set[int]] = field(default_factory=dict)  # slot -> tables already used


@dataclass
class Solution:
    placements: dict[int, tuple[int, int]]  # request id -> (slot, table)
    status: str
    upper_bound: int
    seconds: float
    first_fit: int = 0  # meetings the first-fit hint placed, to show what the solver added


def upper_bound(problem: Problem) -> int:
    """A cheap bound on meetings placeable: requests, free tables, and each person's free slots."""
    free_tables = sum(len(problem.tables) - len(problem.taken_tables.get(s, ())) for s in problem.slots)
    bounds = [len(problem.requests), free_tables]
    for role in ("buyer", "producer"):
        degree: dict[int, int] = defaultdict(int)
        for r in problem.requests:
            degree[getattr(r, role)] += 1
        bounds.append(sum(min(d, len([s for s in problem.slots if s not in problem.busy.get(p, ())]))
                          for p, d in degree.items()))
    return min(bounds)


def _greedy(problem: Problem, reqs: dict[int, Req], x: dict, free_tables: dict[int, list[int]]) -> set:
    """A quick first-fit placement (high priority first) handed to CP-SAT as a starting hint."""
    used_people: set[tuple[int, int]] = set()
    room: dict[int, list[int]] = {s: sorted(problem.tables[t] for t in free_tables[s]) for s in problem.slots}
    chosen: set[tuple[int, int]] = set()
    for r in sorted(reqs.values(), key=lambda r: (-r.priority, -r.party_size, r.id)):
        for s in problem.slots:
            if (r.id, s) not in x or (r.buyer, s) in used_people or (r.producer, s) in used_people:
                continue
            fitting = [i for i, seats in enumerate(room[s]) if seats >= r.party_size]
            if not fitting:
                continue
            room[s].pop(fitting[0])  # the smallest table that seats the party
            used_people.update({(r.buyer, s), (r.producer, s)})
            chosen.add((r.id, s))
            break
    return chosen


def solve(problem: Problem, *, time_limit: float = 8.0, workers: int = 2) -> Solution:
    started = time.perf_counter()
    free_tables = {s: sorted((t for t in problem.tables if t not in problem.taken_tables.get(s, set())),
                             key=lambda t: (-problem.tables[t], t)) for s in problem.slots}
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    for r in problem.requests:
        if r.buyer == r.producer:
            continue
        busy = problem.busy.get(r.buyer, set()) | problem.busy.get(r.producer, set())
        for s in problem.slots:
            if s in busy or (r.fixed_slot is not None and s != r.fixed_slot):
                continue
            if not any(problem.tables[t] >= r.party_size for t in free_tables[s]):
                continue
            x[r.id, s] = model.new_bool_var(f"x_{r.id}_{s}")
    by_request: dict[int, list] = defaultdict(list)
    by_person_slot: dict[tuple[int, int], list] = defaultdict(list)
    by_slot: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    reqs = {r.id: r for r in problem.requests}
    for (rid, s), var in x.items():
        r = reqs[rid]
        by_request[rid].append(var)
        by_person_slot[r.buyer, s].append(var)
        by_person_slot[r.producer, s].append(var)
        by_slot[s].append((r.party_size, var))
    for vars_ in by_request.values():
        model.add_at_most_one(vars_)
    for vars_ in by_person_slot.values():
        if len(vars_) > 1:
            model.add_at_most_one(vars_)
    for s, sized in by_slot.items():
        for k in sorted({size for size, _ in sized}):
            room = sum(1 for t in free_tables[s] if problem.tables[t] >= k)
            needing = [v for size, v in sized if size >= k]
            if len(needing) > room:
                model.add(sum(needing) <= room)
    greedy = _greedy(problem, reqs, x, free_tables)
    for key, var in x.items():
        model.add_hint(var, 1 if key in greedy else 0)
    model.maximize(sum((BASE_WEIGHT + reqs[rid].priority) * v for (rid, _s), v in x.items()))
    solver = cp_model.CpSolver()
    # The limit covers the whole call: building the model and the first-fit hint count against it.
    solver.parameters.max_time_in_seconds = max(0.5, time_limit - (time.perf_counter() - started))
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 0
    # A light presolve: the complete first-fit hint becomes the first solution within a second, so a busy
    # machine hitting the time limit still returns at least the first-fit placement, then improves on it.
    solver.parameters.max_presolve_iterations = 1
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.symmetry_level = 0
    status = solver.solve(model)
    placements: dict[int, tuple[int, int]] = {}
    chosen: dict[int, list[Req]] = defaultdict(list)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        picked = [key for key, var in x.items() if solver.boolean_value(var)]
        status_name = solver.status_name(status)
    else:  # no solution within the time limit: keep the (valid) first-fit placement
        picked, status_name = sorted(greedy), "GREEDY"
    for rid, s in picked:
        chosen[s].append(reqs[rid])
    for s, placed in chosen.items():
        placed.sort(key=lambda r: (-r.party_size, -r.priority, r.id))
        for r, t in zip(placed, free_tables[s], strict=False):
            placements[r.id] = (s, t)
    return Solution(placements=placements, status=status_name, upper_bound=upper_bound(problem),
                    first_fit=len(greedy),
                    seconds=time.perf_counter() - started)
