"""Automatic booth allocation: an optimal assignment, explained, proposed, then committed.

The model (pure, no database, so it is testable against brute force and fast to benchmark):

* Applicant ``i`` lists ranked preferences (a booth, a zone or a booth type). A booth is *acceptable*
  to ``i`` if it matches one of them (its rank is the first that matches); an applicant with no
  preference accepts every booth. A booth in a zone themed by a product group is acceptable only to
  applicants exhibiting that group, unless they named that very booth.
* Priority ``w_i`` = 100 + 40 per star above 3 (best valid certificate) + a producer-type bonus
  (the organizer's quota policy, e.g. households first) + up to 20 for applying earlier.
* Value of giving booth ``b`` to ``i`` at rank ``r`` (0 = first choice) is ``w_i * (R - r)``, where
  ``R`` = longest preference list + 1. Unassigned applicants score 0. We maximise the total value as a
  minimum-cost full matching on the sparse graph of acceptable pairs
  (``scipy.sparse.csgraph.min_weight_full_bipartite_matching``, LAPJVsp), where every applicant also has
  a private "no booth" vertex (see ``solve`` for why that is exact).
* Optional "avoid same sub-group neighbours": after the optimum, a post-pass swaps two applicants (or
  moves one to a free booth) only when each keeps exactly the same preference rank, so the total value
  stays optimal, and only when that strictly reduces the number of touching booths whose exhibitors
  share a product sub-group. Conflicts that no value-neutral swap can remove are reported, not hidden.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

NO_PREFERENCE = -1  # rank recorded for applicants that accept any booth


@dataclass(frozen=True)
class Pref:
    booth: int | None = None
    zone: int | None = None
    kind: str | None = None

    def matches(self, slot: Slot) -> bool:
        if self.booth is not None:
            return slot.id == self.booth
        if self.zone is not None:
            return slot.zone == self.zone
        return slot.kind == self.kind


@dataclass(frozen=True)
class Applicant:
    id: int
    priority: int
    prefs: tuple[Pref, ...] = ()
    groups: frozenset[str] = frozenset()
    subgroup: str = ""


@dataclass(frozen=True)
class Slot:
    id: int
    zone: int | None = None
    kind: str = "standard"
    theme: str = ""


@dataclass
class Result:
    assigned: dict[int, int]  # applicant id -> slot id
    ranks: dict[int, int]  # applicant id -> rank met (0-based; NO_PREFERENCE when it had none)
    objective: int
    conflicts: int = 0
    unassigned: list[int] = field(default_factory=list)


def rank_of(applicant: Applicant, slot: Slot) -> int | None:
    """Rank (0-based) at which ``slot`` satisfies ``applicant``, or None if it is not acceptable."""
    named = any(p.booth == slot.id for p in applicant.prefs)
    if slot.theme and slot.theme not in applicant.groups and not named:
        return None
    if not applicant.prefs:
        return NO_PREFERENCE
    for rank, pref in enumerate(applicant.prefs):
        if pref.matches(slot):
            return rank
    return None


def value(applicant: Applicant, rank: int, depth: int) -> int:
    return applicant.priority * (depth - max(rank, 0))


def preference_depth(applicants: Iterable[Applicant]) -> int:
    return max((len(a.prefs) for a in applicants), default=0) + 1


def solve(applicants: list[Applicant], slots: list[Slot], *, neighbours: dict[int, set[int]] | None = None,
          avoid_same_subgroup: bool = False) -> Result:
    """Maximise the total priority-weighted preference value; see the module docstring."""
    n, m = len(applicants), len(slots)
    if n == 0 or m == 0:
        return Result({}, {}, 0, 0, [a.id for a in applicants])
    depth = preference_depth(applicants)
    gain = value_matrix(applicants, slots, depth)
    rows, cols = _best_matching(gain)
    assigned: dict[int, int] = {}
    got: dict[int, int] = {}
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        assigned[applicants[i].id] = slots[j].id
        got[applicants[i].id] = rank_of(applicants[i], slots[j])
    result = Result(assigned, got, _objective(applicants, got, depth),
                    unassigned=[a.id for a in applicants if a.id not in assigned])
    if neighbours is not None:
        if avoid_same_subgroup:
            _reduce_conflicts(result, applicants, slots, neighbours, gain)
        result.conflicts = count_conflicts(result.assigned, applicants, neighbours)
    return result


def value_matrix(applicants: list[Applicant], slots: list[Slot], depth: int) -> np.ndarray:
    """applicants × slots: the value of each acceptable pair (``value`` at its ``rank_of``), 0 if not acceptable.

    Built one preference at a time with index arrays (no Python loop over booths): the booths a
    preference matches, minus themed booths the applicant may not take unless it named them."""
    gain = np.zeros((len(applicants), len(slots)), dtype=np.float64)
    index = _SlotIndex(slots)
    for i, applicant in enumerate(applicants):
        allowed = index.open_mask(applicant.groups)
        if not applicant.prefs:
            gain[i, allowed] = value(applicant, 0, depth)
            continue
        named = [j for p in applicant.prefs if p.booth is not None for j in index.by_booth.get(p.booth, [])]
        if named:
            allowed = allowed.copy()
            allowed[named] = True
        for rank, pref in reversed(list(enumerate(applicant.prefs))):  # better ranks overwrite worse ones
            cols = index.matching(pref)
            gain[i, cols[allowed[cols]]] = value(applicant, rank, depth)
    return gain


def _best_matching(gain: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of a maximum-value set of acceptable pairs (gain > 0), each row and column once.

    Exact: each applicant row ``i`` gets a private extra column ``m + i`` ("no booth"). Every applicant is
    then matched (to a booth or to its own extra column), so a full matching of the rows always exists;
    with cost ``C - gain`` on real pairs and ``C`` on the extra ones (``C`` above every gain, so all
    costs are positive), the total cost is ``n·C - (value of the booth pairs)``: the minimum-cost full
    matching is a maximum-value assignment that may leave applicants out, like the problem asks.
    Only acceptable pairs are edges, so the solver works on the sparse graph, not the n × m matrix."""
    n, m = gain.shape
    rows, cols = np.nonzero(gain)
    top = max(float(gain.max()), 0.0) + 1.0
    graph = csr_matrix(
        (np.concatenate([top - gain[rows, cols], np.full(n, top)]),
         (np.concatenate([rows, np.arange(n)]), np.concatenate([cols, m + np.arange(n)]))),
        shape=(n, m + n))
    matched_rows, matched_cols = min_weight_full_bipartite_matching(graph)
    booth = matched_cols < m
    return matched_rows[booth], matched_cols[booth]


class _SlotIndex:
    """Column indices of the slots each kind of preference matches, so the matrix is built without
    testing every applicant against every booth in Python."""

    def __init__(self, slots: list[Slot]):
        self.by_booth = {s.id: [j] for j, s in enumerate(slots)}
        by_zone: dict[int | None, list[int]] = {}
        by_kind: dict[str, list[int]] = {}
        self.themes = [s.theme for s in slots]
        for j, s in enumerate(slots):
            by_zone.setdefault(s.zone, []).append(j)
            by_kind.setdefault(s.kind, []).append(j)
        self.by_zone = {k: np.array(v, dtype=np.intp) for k, v in by_zone.items()}
        self.by_kind = {k: np.array(v, dtype=np.intp) for k, v in by_kind.items()}
        self._booth = {k: np.array(v, dtype=np.intp) for k, v in self.by_booth.items()}
        self._none = np.array([], dtype=np.intp)
        self._open: dict[frozenset[str], np.ndarray] = {}

    def matching(self, pref: Pref) -> np.ndarray:
        if pref.booth is not None:
            return self._booth.get(pref.booth, self._none)
        if pref.zone is not None:
            return self.by_zone.get(pref.zone, self._none)
        return self.by_kind.get(pref.kind or "", self._none)

    def open_mask(self, groups: frozenset[str]) -> np.ndarray:
        """Booleans per slot: not themed, or themed with one of ``groups``."""
        if groups not in self._open:
            self._open[groups] = np.array([not t or t in groups for t in self.themes], dtype=bool)
        return self._open[groups]


def _objective(applicants: list[Applicant], ranks: dict[int, int], depth: int) -> int:
    return sum(value(a, ranks[a.id], depth) for a in applicants if a.id in ranks)


def count_conflicts(assigned: dict[int, int], applicants: list[Applicant], neighbours: dict[int, set[int]]) -> int:
    sub = {a.id: a.subgroup for a in applicants}
    at = {slot: app for app, slot in assigned.items()}
    pairs = set()
    for slot, app in at.items():
        for other in neighbours.get(slot, ()):
            other_app = at.get(other)
            if other_app is not None and sub[app] and sub[app] == sub[other_app]:
                pairs.add((min(slot, other), max(slot, other)))
    return len(pairs)


def _reduce_conflicts(result: Result, applicants: list[Applicant], slots: list[Slot],
                      neighbours: dict[int, set[int]], gain: np.ndarray, max_rounds: int = 5) -> None:
    """``gain`` is ``value_matrix``: for one applicant, equal (non-zero) values mean the same rank, so the
    booths where an applicant keeps its rank are found with one vector comparison, not ``rank_of`` calls."""
    by_id = {a.id: a for a in applicants}
    row = {a.id: i for i, a in enumerate(applicants)}
    col = {s.id: j for j, s in enumerate(slots)}
    slot_ids = [s.id for s in slots]
    at = {slot: app for app, slot in result.assigned.items()}
    occupant = np.full(len(slots), -1, dtype=np.intp)  # applicant row on each slot column, -1 if free
    for app_id, slot_id in result.assigned.items():
        occupant[col[slot_id]] = row[app_id]

    def conflicts_touching(slot_ids: tuple[int, ...]) -> int:
        """Conflicting neighbour pairs that involve any of ``slot_ids`` (the only ones a move can change)."""
        pairs = set()
        for slot in slot_ids:
            app = at.get(slot)
            if app is None or not by_id[app].subgroup:
                continue
            for other in neighbours.get(slot, ()):
                other_app = at.get(other)
                if other_app is not None and by_id[other_app].subgroup == by_id[app].subgroup:
                    pairs.add((min(slot, other), max(slot, other)))
        return len(pairs)

    def rank_keeping_moves(app_id: int, slot_id: int) -> list[int]:
        """Slots (in slot order) where ``app_id`` keeps its rank and whose occupant, if any, would keep
        its own rank on ``slot_id``."""
        i, j = row[app_id], col[slot_id]
        candidates = np.flatnonzero(gain[i] == gain[i, j])
        candidates = candidates[candidates != j]
        others = occupant[candidates]
        held = np.maximum(others, 0)
        keep = (others < 0) | (gain[held, j] == gain[held, candidates])
        return [slot_ids[k] for k in candidates[keep].tolist()]

    for _ in range(max_rounds):
        improved = False
        for app_id, slot_id in list(result.assigned.items()):
            if result.assigned.get(app_id) != slot_id or conflicts_touching((slot_id,)) == 0:
                continue
            best = None
            for other_slot in rank_keeping_moves(app_id, slot_id):
                other_app = at.get(other_slot)
                before = conflicts_touching((slot_id, other_slot))
                _place(at, result, app_id, other_slot, other_app, slot_id)
                after = conflicts_touching((slot_id, other_slot))
                _place(at, result, app_id, slot_id, other_app, other_slot)
                if after < before and (best is None or after - before < best[0]):
                    best = (after - before, other_slot, other_app)
            if best is not None:
                _, other_slot, other_app = best
                _place(at, result, app_id, other_slot, other_app, slot_id)
                occupant[col[other_slot]] = row[app_id]
                occupant[col[slot_id]] = row[other_app] if other_app is not None else -1
                improved = True
        if not improved:
            break


def _place(at: dict[int, int], result: Result, app_id: int, slot_id: int, other_app: int | None,
           other_slot: int) -> None:
    """Put ``app_id`` on ``slot_id`` and ``other_app`` (if any) on ``other_slot``; ranks are unchanged."""
    at.pop(slot_id, None)
    at.pop(other_slot, None)
    at[slot_id] = app_id
    result.assigned[app_id] = slot_id
    if other_app is not None:
        at[other_slot] = other_app
        result.assigned[other_app] = other_slot


def main_subgroup(subgroups: Iterable[str]) -> str:
    counts = Counter(s for s in subgroups if s)
    return counts.most_common(1)[0][0] if counts else ""
