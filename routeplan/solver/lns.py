"""The improvement loop, driven from Python: packs a solution into the arrays of
:mod:`routeplan.solver.kernels`, runs the compiled ruin-and-recreate loop in chunks until the
time limit, polishes routes with PyVRP from time to time, and unpacks the best solution.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import kernels as K
from .instance import Instance, Task, Vehicle
from .objective import Objective
from .routing_pyvrp import integer_scale, polish
from .state import Solution

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchParams:
    """Tuning of the improvement loop.

    ``mean_removed`` and ``max_string`` size the string removals; the annealing temperature
    falls from ``start_temperature`` to ``end_temperature`` times the mean cost of a visit;
    ``blink`` is the chance to skip a position during insertion; ``repair`` the chance that the
    days an iteration changed are improved by local search (relocate, swap, 2-opt* and 2-opt
    with each visit's ``granularity`` nearest neighbours); ``polish_share`` the share of the
    time spent in PyVRP polishing.
    """

    mean_removed: float = 10.0
    max_string: int = 10
    start_temperature: float = 0.5
    end_temperature: float = 0.005
    blink: float = 0.01
    repair: float = 0.2
    granularity: int = 30
    polish_share: float = 0.15
    polish_rounds: int = 4
    polish_iterations: int = 5000


#: Work units of the kernels' counts (steps, insertion positions, per-step scans, pattern
#: options, local-search pairs, visits of candidate routes, visits of changed routes, visits
#: removed, visits of routes rescheduled by insertions; see
#: :func:`routeplan.solver.kernels.lns`): nanoseconds each took on the reference machine, fitted
#: over many instances by ``benchmarks/calibrate.py``.
#: The fit is good to about 15% on most instances (fitted over measured time 0.82 to 1.29 on 51
#: of 52 instances, median 1.00; one large random scenario part at 0.64).
WORK_WEIGHTS = np.array([11886.0, 32.6, 0.0, 20.3, 818.0, 100.7, 0.0, 0.0, 0.0])
#: Work units per second: turns a time limit into the repeatable budget. A unit is a nanosecond
#: of the reference machine, so 1e9 would spend the whole limit on an instance the fit gets
#: right; the rate is set lower, below the largest underestimate but one of the fit, so that the
#: budget ends before the clock. ``ROUTEPLAN_UNITS_PER_SECOND`` overrides it for a slower or
#: busier machine (lower) or a faster one (higher).
UNITS_PER_SECOND = float(os.environ.get("ROUTEPLAN_UNITS_PER_SECOND", 7.8e8))
#: Seconds a PyVRP iteration takes: a fixed part and a part per visit of the routes polished,
#: measured on the reference machine with a 15% margin (``benchmarks/calibrate.py``);
#: ``ROUTEPLAN_PYVRP_SLOWDOWN`` scales both for another machine.
_SLOWDOWN = float(os.environ.get("ROUTEPLAN_PYVRP_SLOWDOWN", 1.0))
POLISH_ITERATION_SECONDS = 2.3e-4 * _SLOWDOWN
POLISH_CLIENT_SECONDS = 4.1e-6 * _SLOWDOWN
#: Seconds one PyVRP call costs beyond its iterations (building the model).
POLISH_CALL_SECONDS = 0.0015 * _SLOWDOWN
MIN_POLISH_ITERATIONS = 50
#: Ruin-and-recreate steps per kernel call: the search looks at its budget and the clock between
#: calls, at fixed points, so that where it stops does not depend on timing.
CHUNK = 25


@dataclass(slots=True, kw_only=True)
class RunInfo:
    """What one search run did."""

    solution: Solution
    iterations: int
    history: list[tuple[float, float]]
    stopped_by: str  # "budget" (repeatable) or "clock"
    units: float
    seconds: float
    work: np.ndarray  # the kernels' work counts (see WORK_WEIGHTS)


@dataclass(slots=True, kw_only=True)
class Progress:
    """What a progress callback is told."""

    seconds: float
    iterations: int
    best_cost: float
    missing_visits: int


class Packed:
    """An instance as kernel arrays, and conversions between :class:`Solution` and kernel states."""

    def __init__(self, inst: Instance, params: SearchParams):
        self.inst = inst
        tasks = inst.tasks
        vehicles = inst.vehicles
        n_t = len(tasks)
        cost = inst.distance_cost * inst.dist + inst.time_cost * inst.time
        # Global pattern table.
        max_visits = max((len(p) for t in tasks for p in t.patterns), default=1)
        pat_days, pat_len, pat_start, pat_count = [], [], np.zeros(n_t, np.int64), np.zeros(n_t, np.int64)
        for i, task in enumerate(tasks):
            pat_start[i] = len(pat_days)
            pat_count[i] = len(task.patterns)
            for days in task.patterns:
                pat_days.append(list(days) + [-1] * (max_visits - len(days)))
                pat_len.append(len(days))
        self.max_visits = max_visits
        # Route arrays hold this many visits at most; no route may grow beyond it.
        max_len = _max_route_length(inst)
        self.max_len = max_len
        objective = Objective.of(inst)
        owner_group = objective.owner_group
        group_cap = np.array([objective.capacity[m].sum() for m in objective.group_members]) \
            if objective.group_members else np.zeros(0)
        order = np.argsort([v.day for v in vehicles], kind="stable")
        day_veh_start = np.searchsorted(np.array([vehicles[v].day for v in order]), np.arange(inst.num_days + 1))
        nodes = np.array([t.node for t in tasks], dtype=np.int64)
        sym = cost[np.ix_(nodes, nodes)] + cost[np.ix_(nodes, nodes)].T
        neigh = np.argsort(sym, axis=1, kind="stable")[:, 1:min(n_t, 101)] if n_t > 1 \
            else np.zeros((n_t, 0), np.int64)
        first_start = vehicles[0].start if vehicles else 0
        self.data = K.Data(
            cost=np.ascontiguousarray(cost, dtype=float), time=np.ascontiguousarray(inst.time, dtype=float),
            t_node=nodes, t_service=np.array([t.service for t in tasks], float),
            t_early=np.array([t.earliest for t in tasks], float), t_late=np.array([t.latest for t in tasks], float),
            t_demand=np.array([t.demand for t in tasks], float),
            t_owner_cost=np.ascontiguousarray(objective.owner_costs(None)),
            t_visits=np.array([t.visits for t in tasks], np.int64),
            t_pat_start=pat_start, t_pat_count=pat_count,
            pat_days=np.array(pat_days, np.int64).reshape(-1, max_visits),
            pat_len=np.array(pat_len, np.int64),
            elig=np.ascontiguousarray(_eligible(inst)),
            v_day=np.array([v.day for v in vehicles], np.int64), v_owner=np.array([v.owner for v in vehicles], np.int64),
            v_start=np.array([v.start for v in vehicles], np.int64), v_end=np.array([v.end for v in vehicles], np.int64),
            v_early=np.array([v.earliest for v in vehicles], float), v_late=np.array([v.latest for v in vehicles], float),
            v_cap=np.array([v.capacity for v in vehicles], float),
            v_maxdur=np.array([v.max_duration for v in vehicles], float),
            v_maxstops=np.array([min(v.max_stops, n_t, max_len) for v in vehicles], np.int64),
            v_owner_count=np.array([sum(1 for w in vehicles if w.owner == v.owner) for v in vehicles], float),
            day_veh_start=day_veh_start.astype(np.int64), day_veh=order.astype(np.int64),
            owner_group=owner_group.astype(np.int64), owner_cap=objective.capacity.astype(float),
            group_cap=group_cap.astype(float), neigh=np.ascontiguousarray(neigh, dtype=np.int64),
            depot_cost=np.ascontiguousarray(cost[first_start, nodes], dtype=float),
            params=np.array([1.0 if inst.consistent else 0.0, inst.balance_weight, inst.day_balance_weight,
                             objective.missing_cost, params.blink, 1.0 if inst.symmetric else 0.0]))
        self.objective = objective
        self.centres: np.ndarray | None = None

    def empty_state(self) -> K.State:
        n_v = self.inst.num_vehicles
        n_t = self.inst.num_tasks
        width = self.max_len + 1
        return K.State(r_len=np.zeros(n_v, np.int64), r_tasks=np.full((n_v, width), -1, np.int64),
                       r_dep=np.zeros((n_v, width)), r_latest=np.zeros((n_v, width)), r_load=np.zeros(n_v),
                       r_cost=np.zeros(n_v), r_time=np.zeros(n_v), r_serv=np.zeros(n_v),
                       t_pat=np.full(n_t, -1, np.int64), t_owner=np.full(n_t, -1, np.int64),
                       t_veh=np.full((n_t, self.max_visits), -1, np.int64),
                       t_pos=np.zeros((n_t, self.max_visits), np.int64),
                       owner_work=np.zeros(self.inst.num_owners))

    def pack(self, sol: Solution) -> K.State:
        """A kernel state holding ``sol``."""
        state = self.empty_state()
        d = self.data
        for t in range(self.inst.num_tasks):
            if sol.pattern[t] >= 0:
                state.t_pat[t] = d.t_pat_start[t] + sol.pattern[t]
                state.t_owner[t] = sol.owner[t]
                days = self.inst.tasks[t].patterns[sol.pattern[t]]
                by_day = {int(self.inst.vehicles[v].day): v for v in sol.task_vehicles[t]}
                state.t_veh[t, :len(days)] = [by_day[day] for day in days]
        for v, seq in enumerate(sol.routes):
            state.r_len[v] = len(seq)
            state.r_tasks[v, :len(seq)] = seq
            K.schedule(d, state, v)  # also records each visit's position
        return state

    def unpack(self, state: K.State) -> Solution:
        """The :class:`Solution` held by a kernel state."""
        sol = Solution(self.inst)
        d = self.data
        for v in range(self.inst.num_vehicles):
            sol.routes[v] = [int(t) for t in state.r_tasks[v, :state.r_len[v]]]
        for t in range(self.inst.num_tasks):
            if state.t_pat[t] >= 0:
                sol.pattern[t] = state.t_pat[t] - d.t_pat_start[t]
                sol.owner[t] = state.t_owner[t]
                sol.task_vehicles[t] = [int(v) for v in state.t_veh[t] if v >= 0]
        for v in range(self.inst.num_vehicles):
            sol.refresh(v)
        return sol

    def update_centres(self, state: K.State) -> None:
        """Move each owner's territory centre to the medoid of its tasks in ``state`` (and the
        owner costs with it); nothing to do without a compactness weight."""
        if not self.inst.consistent or self.inst.compactness_weight <= 0:
            return
        self.centres = self.objective.centres(state.t_owner, self.centres)
        self.data.t_owner_cost[:, :] = self.objective.owner_costs(self.centres)

    def copy(self, state: K.State) -> K.State:
        other = self.empty_state()
        K.copy_state(state, other)
        return other


def _eligible(inst: Instance) -> np.ndarray:
    eligible = np.ones((inst.num_tasks, inst.num_owners), dtype=bool)
    for t, task in enumerate(inst.tasks):
        if task.owners:
            eligible[t] = False
            eligible[t, list(task.owners)] = True
    return eligible


def _max_route_length(inst: Instance) -> int:
    """An upper bound on the visits of any route (sizes the route arrays)."""
    n = inst.num_tasks
    services = [t.service for t in inst.tasks]
    demands = [t.demand for t in inst.tasks]
    bound = 0
    for v in inst.vehicles:
        b = min(v.max_stops, n)
        span = v.latest - v.earliest
        if services and min(services) > 0 and math.isfinite(span):
            b = min(b, int(span / min(services)) + 1)
        if demands and min(demands) > 0 and math.isfinite(v.capacity):
            b = min(b, int(v.capacity / min(demands)) + 1)
        bound = max(bound, b)
    return max(bound, 1)


_WARM = False


def warm_up() -> float:
    """Compile the kernels (or load them from numba's on-disk cache) on a tiny instance, so
    that compilation never eats into a search's time limit. Returns the seconds it took; only
    the first call in a process does any work."""
    global _WARM
    if _WARM:
        return 0.0
    started = time.perf_counter()
    dist = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 1.0], [2.0, 1.0, 0.0]])
    tiny = Instance(num_days=2, num_owners=2, dist=dist, time=dist.copy(),
                    vehicles=(Vehicle(day=0, owner=0, start=0, end=0), Vehicle(day=1, owner=1, start=0, end=0)),
                    tasks=(Task(node=1, patterns=((0,), (1,))), Task(node=2, patterns=((0, 1),))),
                    consistent=True, balance_groups=((0, 1),), balance_weight=1.0, day_balance_weight=1.0)
    packed = Packed(tiny, SearchParams())
    sol = packed.unpack(packed.empty_state())
    state = packed.pack(sol)
    K.seed_random(0)
    K.lns(packed.data, state, packed.copy(state), packed.copy(state), 3, 1.0, 0.5, 2.0, 2, 1.0, 5,
          np.zeros(K.WORK + K.NUM_WORK))
    _WARM = True
    seconds = time.perf_counter() - started
    logger.info("search kernels ready in %.1f s", seconds)
    return seconds


class LNS:
    """Compiled ruin-and-recreate search on one instance."""

    def __init__(self, inst: Instance, *, seed: int = 0, params: SearchParams = SearchParams()):
        self.inst = inst
        self.seed = seed
        self.params = params
        self.packed = Packed(inst, params)
        self.rng = np.random.default_rng(seed)

    def run(self, initial: Solution, time_limit: float, *, deadline: float | None = None,
            progress: Callable[[Progress], None] | None = None) -> RunInfo:
        """Improve ``initial`` for ``time_limit`` seconds' worth of work; return the best solution.

        The search spends a budget of work units (see :func:`routeplan.solver.kernels.lns`) set
        from the time limit by :data:`UNITS_PER_SECOND`, so the same instance, seed and limit
        give the same solution; the clock (``deadline``, a ``time.perf_counter()`` value, by
        default ``time_limit`` from the start) only cuts the search short when the machine is
        slower than that rate (``RunInfo.stopped_by == "clock"``). The kernels are compiled or
        loaded before the clock starts (see :func:`warm_up`).
        """
        warm_up()
        started = time.perf_counter()
        deadline = started + time_limit if deadline is None else deadline
        packed = self.packed
        d = packed.data
        p = self.params
        K.seed_random(self.seed)
        cur = packed.pack(initial)
        packed.update_centres(cur)
        best = packed.copy(cur)
        trial = packed.copy(cur)
        value = float(K.objective(d, cur))
        stats = np.zeros(K.WORK + K.NUM_WORK)
        stats[0] = stats[1] = value
        history = [(0.0, value)]
        visits = max(1, self.inst.visits_required())
        per_visit = max(float(cur.r_cost.sum()) / visits, 1e-6)
        t_high = p.start_temperature * per_visit
        t_low = p.end_temperature * per_visit
        polishing = p.polish_share > 0 and self.inst.num_tasks > 0
        budget = max(1.0, time_limit * (1.0 - (p.polish_share if polishing else 0.0)) * UNITS_PER_SECOND)
        polish_marks = [budget * (k + 1) / (p.polish_rounds + 1) for k in range(p.polish_rounds)] if polishing else []
        polish_seconds = time_limit * p.polish_share / max(len(polish_marks), 1)
        scale = None
        iterations = 0
        units = 0.0  # the work counts weighed by WORK_WEIGHTS
        chunk_units = 0.0
        stopped_by = "budget"
        last_report = started
        while units < budget:
            now = time.perf_counter()
            if now >= deadline:
                stopped_by = "clock"
                break
            if polish_marks and units >= polish_marks[0]:
                polish_marks.pop(0)
                if scale is None:
                    scale = integer_scale(packed.unpack(cur))
                cur = self._polish(cur, polish_seconds, scale, deadline)
                # Territory centres follow the territories; objective values are re-based on them.
                packed.update_centres(cur)
                K.copy_state(cur, trial)
                stats[0] = float(K.objective(d, cur))
                stats[1] = float(K.objective(d, best))
                if stats[0] < stats[1] - 1e-9:
                    stats[1] = stats[0]
                    K.copy_state(cur, best)
                    history.append((time.perf_counter() - started, stats[1]))
                continue
            before_best = stats[1]
            frac0 = units / budget
            t0 = t_high * (t_low / t_high) ** frac0
            t1 = t_high * (t_low / t_high) ** min(1.0, frac0 + chunk_units / budget)
            # Fixed argument types: a different type would compile the kernel again.
            K.lns(d, cur, best, trial, CHUNK, float(t0), float(t1), float(p.mean_removed), int(p.max_string),
                  float(p.repair), int(p.granularity), stats)
            iterations += CHUNK
            before_units, units = units, float(stats[K.WORK:] @ WORK_WEIGHTS)
            chunk_units = units - before_units
            if stats[1] < before_best - 1e-9:
                history.append((time.perf_counter() - started, stats[1]))
            if progress is not None and now - last_report >= 1.0:
                last_report = now
                progress(Progress(seconds=now - started, iterations=iterations, best_cost=stats[1],
                                  missing_visits=int(sum(d.t_visits[t] for t in np.flatnonzero(best.t_pat < 0)))))
        sol = packed.unpack(best)
        logger.info("lns: %d iterations, %d accepted, %d improvements, %.3g of %.3g work units, stopped by the %s, "
                    "objective %.2f", iterations, stats[2], stats[3], units, budget, stopped_by, stats[1])
        return RunInfo(solution=sol, iterations=iterations, history=history, stopped_by=stopped_by,
                       units=units, seconds=time.perf_counter() - started, work=stats[K.WORK:].copy())

    def _polish(self, state: K.State, seconds: float, scale: float, deadline: float) -> K.State:
        """PyVRP on every day (consistent owners: every route).

        The groups get PyVRP iterations that take about ``seconds`` in all on the reference
        machine (fixed numbers, so polishing is repeatable); ``deadline`` cuts it short on a
        slower one.
        """
        sol = self.packed.unpack(state)
        data = sol.data
        if self.inst.consistent or not data.eligible.all():
            groups = [[v] for v in range(self.inst.num_vehicles) if sol.r_stops[v] >= 4]
        else:
            groups = [[int(v) for v in vs] for vs in data.day_vehicles if sum(sol.r_stops[v] for v in vs) > 0]
        if not groups:
            return state
        # Each group gets iterations for a share of ``seconds`` in proportion to its visits; an
        # iteration costs POLISH_ITERATION_SECONDS plus POLISH_CLIENT_SECONDS per visit, each call
        # POLISH_CALL_SECONDS more. Groups come in a seeded random order and, when the time does
        # not stretch to MIN_POLISH_ITERATIONS for all, only the first ones are polished. Every
        # figure follows from ``seconds``, never from the clock, so polishing is repeatable.
        order = [groups[i] for i in self.rng.permutation(len(groups))]
        sizes = np.array([max(1, sum(len(sol.routes[v]) for v in group)) for group in order], dtype=float)
        per_iteration = POLISH_ITERATION_SECONDS + POLISH_CLIENT_SECONDS * sizes
        available = seconds - POLISH_CALL_SECONDS * len(order)
        counts = available * (sizes / sizes.sum()) / per_iteration if available > 0 else np.zeros(len(order))
        if counts.min() < MIN_POLISH_ITERATIONS:
            cost = MIN_POLISH_ITERATIONS * per_iteration + POLISH_CALL_SECONDS
            keep = int(np.searchsorted(np.cumsum(cost), seconds, side="right"))
            order = order[:keep]
            counts = np.full(keep, MIN_POLISH_ITERATIONS)
        iterations = [int(c) for c in counts]
        for position, (group, count) in enumerate(zip(order, iterations)):
            left = deadline - time.perf_counter()
            if left <= 0.005:
                break
            polish(sol, group, iterations=count, seconds=left, seed=self.seed + position, scale=scale)
        return self.packed.pack(sol)
