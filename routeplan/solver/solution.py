"""Python's window onto the engine's one solution state: a read-only view of a
:class:`~routeplan.solver.arrays.State`, a state built from given routes, and the timetabled
routes the engine hands back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .arrays import Data, State, data_ref, empty_state, freeze, max_route_length, state_ref
from .instance import Instance
from .kernels.objective import missing_visits, objective
from .kernels.timing import evaluate, schedule, schedule_all, timetable, timetable_rest
from .result import TimedRoute


class SolutionView:
    """Read-only view of a solution state (the state is not copied: look, don't keep)."""

    __slots__ = ("_data", "_refs", "_state")

    def __init__(self, data: Data, state: State):
        self._data = data
        self._state = state
        self._refs = (data_ref(data), state_ref(state))

    @property
    def num_vehicles(self) -> int:
        return len(self._state.length)

    @property
    def num_tasks(self) -> int:
        return len(self._state.pattern)

    def route(self, v: int) -> tuple[int, ...]:
        """The tasks of vehicle ``v``'s route, in order."""
        return tuple(int(t) for t in self._state.route[v, :self._state.length[v]])

    @property
    def routes(self) -> list[tuple[int, ...]]:
        """Every vehicle's route (empty tuples for idle vehicles)."""
        return [self.route(v) for v in range(self.num_vehicles)]

    def vehicles(self, t: int) -> tuple[int, ...]:
        """The vehicles visiting task ``t`` (empty when it is unassigned)."""
        return tuple(int(v) for v in self._state.vehicle[t] if v >= 0)

    def days(self, t: int) -> tuple[int, ...]:
        """The days task ``t`` is visited on, in order (empty when unassigned)."""
        return tuple(sorted(int(self._data.vehicle_day[v]) for v in self.vehicles(t)))

    def owner(self, t: int) -> int:
        """Task ``t``'s owner (-1 when unassigned or without owner consistency)."""
        return int(self._state.owner[t])

    def unassigned(self) -> list[int]:
        return [int(t) for t in np.flatnonzero(self._state.pattern < 0)]

    def missing_visits(self) -> int:
        return int(missing_visits(*self._refs))

    def routing_cost(self) -> float:
        return float(self._state.cost.sum())

    def objective(self) -> float:
        return float(objective(*self._refs, np.zeros(len(self._data.owner_group))))

    def owner_work(self) -> np.ndarray:
        return self._state.owner_work.copy()

    def timed_routes(self) -> tuple[TimedRoute, ...]:
        """Every non-empty route with its timetable (see
        :func:`routeplan.solver.kernels.timing.timetable`)."""
        return tuple(r for r in (self.timed_route(v) for v in range(self.num_vehicles)) if r is not None)

    def timed_route(self, v: int) -> TimedRoute | None:
        """Vehicle ``v``'s route with its timetable (None when it has no visits): what
        :meth:`timed_routes` gives for it, for one route that changed."""
        n = int(self._state.length[v])
        if n == 0:
            return None
        seq = self._state.route[v]
        arrival, start, end = np.empty(n), np.empty(n), np.empty(n)
        rest = None
        if self._data.vehicle_break_length[v] > 0:
            _, depart, back, at = timetable_rest(self._refs[0], v, seq, n, arrival, start, end)
            rest = float(at) if at >= 0 else None
        else:
            _, depart, back = timetable(self._refs[0], v, seq, n, arrival, start, end)
        return TimedRoute(vehicle=v, tasks=self.route(v), depart=float(depart), arrival=tuple(arrival.tolist()),
                          start=tuple(start.tolist()), end=tuple(end.tolist()), back=float(back), break_start=rest)

    def check(self) -> list[str]:
        """Every inconsistency or broken rule of the state (an empty list for a sound one):
        route timing, capacity, stops and duration, each task's bookkeeping, days, owners."""
        d, s = self._data, self._state
        problems = []
        seen: dict[int, list[int]] = {}
        scratch = State(*(a.copy() for a in s))
        refs = (self._refs[0], state_ref(scratch))
        for v in range(self.num_vehicles):
            if not schedule(*refs, v):
                problems.append(f"vehicle {v}: windows, deadline, capacity, duration or stops broken")
            if abs(scratch.cost[v] - s.cost[v]) > 1e-6 or abs(scratch.travel[v] - s.travel[v]) > 1e-6:
                problems.append(f"vehicle {v}: cached figures are stale")
            for t in self.route(v):
                seen.setdefault(t, []).append(v)
        for t in range(len(s.pattern)):
            vehicles = sorted(seen.get(t, []))
            if sorted(self.vehicles(t)) != vehicles:
                problems.append(f"task {t}: bookkeeping mismatch")
            for j, v in enumerate(s.vehicle[t]):
                if v >= 0 and s.route[v, s.position[t, j]] != t:
                    problems.append(f"task {t}: position of its visit on vehicle {v} is stale")
            p = int(s.pattern[t])
            if p >= 0:
                days = self.days(t)
                size = int(d.pattern_size[p])
                if days != tuple(int(x) for x in d.pattern_days[p, :size]):
                    problems.append(f"task {t}: days {days} differ from its pattern")
                owners = {int(d.vehicle_owner[v]) for v in vehicles}
                if d.consistent and (len(owners) > 1 or owners != {int(s.owner[t])}):
                    problems.append(f"task {t}: served by several owners, or not by its own")
                if not all(d.task_eligible[t, o] for o in owners):
                    problems.append(f"task {t}: served by an owner it may not have")
            elif vehicles:
                problems.append(f"task {t}: unassigned but routed")
        group_days: dict[int, list[int]] = {}
        for t in range(len(s.pattern)):
            if d.task_group[t] >= 0 and s.pattern[t] >= 0:
                group_days.setdefault(int(d.task_group[t]), []).extend(self.days(t))
        for g, visited in group_days.items():
            if len(visited) != len(set(visited)):
                problems.append(f"group {g}: two of its tasks visited on one day")
        work = np.zeros(len(s.owner_work))
        np.add.at(work, d.vehicle_owner, s.travel + s.service)
        if not np.allclose(work, s.owner_work, atol=1e-6):
            problems.append("owner work is stale")
        return problems


def new_state(data: Data, *, max_length: int) -> State:
    """A state with every task unassigned and every (empty) route scheduled."""
    state = empty_state(data, max_length=max_length)
    schedule_all(data_ref(data), state_ref(state))
    return state


def state_from_routes(data: Data, inst: Instance, sequences: Sequence[Sequence[int]], *,
                      max_length: int) -> State:
    """A state holding the given task sequence per vehicle: each routed task gets the pattern
    its visit days form (``ValueError`` when they form none of its patterns) and, with owner
    consistency, its vehicles' owner."""
    state = empty_state(data, max_length=max_length)
    where: dict[int, list[int]] = {}
    for v, seq in enumerate(sequences):
        if len(seq) > max_length:
            raise ValueError(f"vehicle {v}: {len(seq)} visits, more than the {max_length} a route may hold")
        for t in seq:
            where.setdefault(int(t), []).append(v)
    place_visits(data, inst, state, where)
    refs = (data_ref(data), state_ref(state))
    for v, seq in enumerate(sequences):
        state.length[v] = len(seq)
        state.route[v, :len(seq)] = seq
        schedule(*refs, v)
    return state


def place_visits(data: Data, inst: Instance, state: State, where: Mapping[int, Sequence[int]]) -> None:
    """Give each task of ``where`` (task -> the vehicles its visits are on) the pattern its visit
    days form and, with owner consistency, its vehicles' owner (``ValueError`` when the days form
    none of its patterns). The routes themselves are the caller's to set."""
    for t, vehicles in where.items():
        by_day = sorted(vehicles, key=lambda v: inst.vehicles[v].day)
        days = tuple(inst.vehicles[v].day for v in by_day)
        patterns = inst.tasks[t].patterns
        if days not in patterns:
            raise ValueError(f"task {t}: visited on days {days}, none of its patterns")
        state.pattern[t] = data.task_first_pattern[t] + patterns.index(days)
        state.owner[t] = inst.vehicles[by_day[0]].owner if inst.consistent else -1
        state.vehicle[t, :len(by_day)] = by_day


def kept_routes(inst: Instance, sequences: Sequence[Sequence[int]]) -> list[list[int]]:
    """``sequences`` (one task sequence per vehicle, such as a previous plan's) with every task
    left out that keeps them from being a first solution: visits whose days form none of the
    task's patterns, owners it may not have or several owners (with consistency), days another
    task of its group has (the one of lower index keeps them), and then, route by route in
    order, each visit after which the route would break a rule (all of that task's visits go: it
    is inserted again by the search)."""
    data = freeze(inst, neighbours=0)
    d = data_ref(data)
    width = max_route_length(inst)
    routes = [[int(t) for t in seq] for seq in sequences]
    where: dict[int, list[int]] = {}
    for v, seq in enumerate(routes):
        for t in seq:
            where.setdefault(t, []).append(v)
    dropped = set()
    group_days: dict[int, set[int]] = {}
    for t, vehicles in sorted(where.items()):
        task = inst.tasks[t]
        days = tuple(sorted(inst.vehicles[v].day for v in vehicles))
        owners = {inst.vehicles[v].owner for v in vehicles}
        taken = group_days.setdefault(task.group, set()) if task.group >= 0 else set()
        if (days not in task.patterns or (task.owners is not None and not owners <= set(task.owners))
                or (inst.consistent and len(owners) > 1) or taken & set(days)):
            dropped.add(t)
        else:
            taken.update(days)
    scratch = np.empty(width + 2)
    changed = True
    while changed:  # leaving a visit out could, without the triangle inequality, break a route before it
        changed = False
        for v, seq in enumerate(routes):
            seq[:] = [t for t in seq if t not in dropped]
            if not seq or (len(seq) <= width and evaluate(d, v, np.array(seq, dtype=np.int64), len(seq), scratch)[0]):
                continue
            kept: list[int] = []
            for t in seq:
                trial = np.array([*kept, t], dtype=np.int64)
                if len(trial) <= width and evaluate(d, v, trial, len(trial), scratch)[0]:
                    kept.append(t)
                else:
                    dropped.add(t)
                    changed = True
            seq[:] = kept
    return [[t for t in seq if t not in dropped] for seq in routes]
