"""The improvement loop of one instance, driven from Python: runs the compiled
ruin-and-recreate chunks of :mod:`routeplan.solver.kernels.anneal` until the stopping
criterion says so, polishes routes with PyVRP a few times a run, and moves territory centres
with the territories.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import ArgumentError
from .arrays import (
    Data,
    DataRef,
    State,
    StateRef,
    copy_state,
    data_ref,
    freeze,
    owner_costs,
    state_ref,
    territory_centres,
)
from .construct import initial_solution
from .instance import Instance, Task, Vehicle
from .kernels.anneal import Chunk, Settings, run_chunk, seed_random
from .kernels.edits import copy_changes, copy_everything, route_costs, set_routes
from .kernels.objective import missing_visits, objective
from .routing_pyvrp import polish_routes
from .stop import MaxIterations, Status, StoppingCriterion, stopped_by
from .work import WEIGHTS

logger = logging.getLogger(__name__)

CHUNK = 25
"""Steps per kernel call: the stopping criterion is asked between calls, at fixed points, so
that where a repeatable search stops does not depend on timing."""
PACE_ITERATIONS = 100_000
"""When no stopping criterion can tell how far along a run is (only :class:`NoImprovement`),
the temperature falls as if the run were this many steps long."""
MIN_POLISH_ITERATIONS = 50
COUNTED = ("scanned", "positions", "pairs", "built", "copied", "swept", "saved")
"""The work counts of a chunk that cost time (see :class:`routeplan.solver.kernels.anneal.Chunk`)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchParams:
    """Tuning of the improvement loop.

    ``mean_removed`` and ``max_string`` size the string removals; the annealing temperature
    falls from ``start_temperature`` to ``end_temperature`` times the mean cost of a visit;
    ``blink`` is the chance to skip a position during insertion; ``repair`` the chance that the
    days a step changed are improved by local search (relocate, swap, 2-opt* and 2-opt with
    each visit's ``granularity`` nearest neighbours); ``polish_share`` the share of the work
    spent in ``polish_rounds`` rounds of PyVRP polishing; ``chain`` the chance that a step, when
    an owner lies below its balance band, removes a chain of up to ``chain_links`` tasks along
    which work can flow to it instead of strings around a random task
    (:func:`routeplan.solver.kernels.ruin.remove_chain`); ``day_repair`` the chance that a step,
    when a route lies outside its day band, removes a string off it (or off its owner's fullest
    day) instead (:func:`routeplan.solver.kernels.ruin.remove_day_excess`); with
    ``territory_rides`` the first territories weigh each visit's share of the ride from the
    office, as the parts of a large problem do (their searches have few steps per customer, and
    a far territory must start with fewer customers to end in its band).
    """

    mean_removed: float = 10.0
    max_string: int = 10
    start_temperature: float = 1.0
    end_temperature: float = 0.01
    blink: float = 0.01
    repair: float = 0.2
    granularity: int = 30
    polish_share: float = 0.15
    polish_rounds: int = 4
    chain: float = 0.05
    chain_links: int = 4
    day_repair: float = 0.0
    territory_rides: bool = False

    def __post_init__(self) -> None:
        if not 0.0 <= self.polish_share < 1.0:
            raise ArgumentError("polish_share", f"{self.polish_share} is not in [0, 1)")
        for name in ("mean_removed", "max_string", "granularity", "start_temperature", "end_temperature"):
            if not getattr(self, name) > 0:
                raise ArgumentError(name, f"{getattr(self, name)} is not a positive number")

    def settings(self) -> Settings:
        """The kernel's view of these parameters."""
        return Settings(mean_removed=float(self.mean_removed), max_string=int(self.max_string),
                        blink=float(self.blink), repair=float(self.repair), granularity=int(self.granularity),
                        chain=float(self.chain), chain_links=int(self.chain_links),
                        day_repair=float(self.day_repair))


@dataclass(frozen=True, slots=True, kw_only=True)
class Progress:
    """What a progress callback is told, about once a second."""

    seconds: float
    iterations: int
    best_cost: float
    missing_visits: int
    parts_done: int = 0  # of a problem planned in parts (see routeplan.planning.partition)
    parts: int = 1


@dataclass(slots=True, kw_only=True)
class Outcome:
    """What one search run did; ``best`` is the best state found."""

    best: State
    objective: float
    iterations: int
    work: float
    seconds: float
    stopped_by: str
    history: list[tuple[float, float]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # the kernels' work counts, summed over chunks


class _Kernels:
    """Whether this process has compiled (or loaded) the kernels yet."""

    ready = False



def kernels_compiled() -> bool:
    """Whether the kernels are ready in this process or compiled on disk already (numba's cache
    of the search's main kernel is there), so that :func:`warm_up` only loads them; False
    tells the first run after an installation, which compiles them (about half a minute)."""
    if _Kernels.ready:
        return True
    try:
        folder = Path(run_chunk._cache.cache_path)  # type: ignore[attr-defined]  # numba's dispatcher
        return any(folder.glob("anneal.run_chunk-*.nbi"))
    except (AttributeError, OSError):  # another numba's cache layout: say nothing rather than guess
        return True


def warm_up() -> float:
    """Compile the kernels (or load them from numba's on-disk cache) on a tiny instance, so
    that compilation never eats into a search's limit. Returns the seconds it took; only the
    first call in a process does any work."""
    if _Kernels.ready:
        return 0.0
    started = time.perf_counter()
    dist = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 1.0], [2.0, 1.0, 0.0]])
    for consistent in (True, False):
        tiny = Instance(num_days=2, num_owners=2, dist=dist, time=dist.copy(),
                        vehicles=(Vehicle(day=0, owner=0, start=0, end=0), Vehicle(day=1, owner=1, start=0, end=0)),
                        tasks=(Task(node=1, patterns=((0,), (1,))), Task(node=2, patterns=((0, 1),))),
                        consistent=consistent, balance_groups=((0, 1),), balance_weight=1.0, day_balance_weight=1.0)
        search = from_scratch(tiny, seed=0)
        outcome = search.run(MaxIterations(3), polish=False)
        # What the progress report counts, once a search has run a second.
        missing_visits(data_ref(search.data), state_ref(outcome.best))
    _Kernels.ready = True
    seconds = time.perf_counter() - started
    logger.info("search kernels ready in %.1f s", seconds)
    return seconds


class Search:
    """The compiled ruin-and-recreate search on one instance, from a given first solution.

    Parameters
    ----------
    inst
        The instance.
    data
        Its frozen arrays (see :func:`routeplan.solver.arrays.freeze`).
    state
        The first solution (changed by the search).
    seed
        Seed of the kernels' random choices and of the polishing order.
    params
        Tuning.
    work
        Work units already spent on this instance (building the first solution): they count
        against a work budget.
    clock
        The ``time.perf_counter()`` reading the stopping criterion's seconds count from
        (default: when the search object is made).
    """

    def __init__(self, inst: Instance, data: Data, state: State, *, seed: int = 0,
                 params: SearchParams = SearchParams(), work: float = 0.0, clock: float | None = None):
        self.inst = inst
        self.data = data
        self.state = state
        self.seed = seed
        self.params = params
        self.work = work
        self.rng = np.random.default_rng(seed)
        self.centres: np.ndarray | None = None
        self.clock = time.perf_counter() if clock is None else clock
        self.cut_short = False  # the clock cut a polishing round short: the run may not repeat
        self.polish_counts = [0, 0, 0]  # PyVRP calls, their iterations, iterations x visits (calibration)

    def run(self, stop: StoppingCriterion, *, progress: Callable[[Progress], None] | None = None,
            polish: bool = True) -> Outcome:
        """Improve the first solution until ``stop`` says so; return the best found."""
        started = self.clock
        began = time.perf_counter()
        p = self.params
        settings = p.settings()
        seed_random(self.seed)
        cur = self.state
        self._move_centres(cur)
        targets = np.zeros(len(self.data.owner_group))
        best = copy_state(cur)
        trial = copy_state(cur)
        d, cur_ref, best_ref, trial_ref = data_ref(self.data), state_ref(cur), state_ref(best), state_ref(trial)
        current = best_value = float(objective(d, cur_ref, targets))
        history = [(0.0, best_value)]
        per_visit = max(float(cur.cost.sum()) / max(1, int(self.data.task_visits.sum())), 1e-6)
        t_high = p.start_temperature * per_visit
        t_low = p.end_temperature * per_visit
        polishing = polish and p.polish_share > 0 and self.inst.num_tasks > 0
        marks = [(k + 1) / (p.polish_rounds + 1) for k in range(p.polish_rounds)] if polishing else []
        iterations = 0
        since = 0
        work = self.work
        counts = dict.fromkeys(COUNTED, 0)
        step_fraction = 0.0  # how far the last chunk took the run
        last_report = started

        def status() -> Status:
            return Status(iterations=iterations, work=work, seconds=time.perf_counter() - started,
                          best_cost=best_value, since_improvement=since)

        now = status()
        while not stop(now):
            fraction = stop.fraction(now)
            if fraction is None:
                fraction = min(1.0, iterations / PACE_ITERATIONS)
            if marks and fraction >= marks[0]:
                marks.pop(0)
                total = work / max(fraction, 1e-9)
                work += self._polish(d, cur_ref, trial_ref, cur, p.polish_share * total / p.polish_rounds,
                                     stop.seconds_left(now))
                # Territory centres follow the territories; objective values are re-based on them.
                self._move_centres(cur)
                copy_everything(cur_ref, trial_ref)
                current = float(objective(d, cur_ref, targets))
                best_value = float(objective(d, best_ref, targets))
                if current < best_value - 1e-9:
                    best_value = current
                    since = 0
                    copy_everything(cur_ref, best_ref)
                    history.append((time.perf_counter() - started, best_value))
                now = status()
                continue
            t0 = t_high * (t_low / t_high) ** fraction
            t1 = t_high * (t_low / t_high) ** min(1.0, fraction + step_fraction)
            before = best_value
            chunk = Chunk(*run_chunk(d, cur_ref, best_ref, trial_ref, steps=CHUNK, temperature_start=float(t0),
                                     temperature_end=float(t1), settings=settings, current=float(current),
                                     best_value=float(best_value), since_improvement=int(since)))
            current, best_value, since = chunk.current, chunk.best, chunk.since_improvement
            iterations += CHUNK
            work += WEIGHTS.chunk(chunk)
            for name in COUNTED:
                counts[name] += getattr(chunk, name)
            if best_value < before - 1e-9:
                history.append((time.perf_counter() - started, best_value))
            now = status()
            after = stop.fraction(now)
            step_fraction = (min(1.0, iterations / PACE_ITERATIONS) if after is None else after) - fraction
            if progress is not None and now.seconds - (last_report - started) >= 1.0:
                last_report = time.perf_counter()
                progress(Progress(seconds=now.seconds, iterations=iterations, best_cost=best_value,
                                  missing_visits=int(missing_visits(d, best_ref))))
        reason = stopped_by(stop, now)
        if self.cut_short and reason != "clock":
            logger.info("the clock cut a polishing round short: the search counts as stopped by the clock")
            reason = "clock"
        logger.info("search: %d iterations, %.3g work units, stopped by %s, objective %.2f", iterations, work,
                    reason, best_value)
        return Outcome(best=best, objective=best_value, iterations=iterations, work=work,
                       seconds=time.perf_counter() - began, stopped_by=reason, history=history,
                       counts={**counts, "polish_calls": self.polish_counts[0],
                               "polish_iterations": self.polish_counts[1],
                               "polish_iteration_visits": self.polish_counts[2]})

    def _move_centres(self, state: State) -> None:
        """Move each owner's territory centre to the medoid of its tasks (and the owner costs
        with it); nothing to do without a compactness weight."""
        if not self.inst.consistent or self.inst.compactness_weight <= 0:
            return
        self.centres = territory_centres(self.inst, state.owner, self.centres)
        self.data.task_owner_cost[:, :] = owner_costs(self.inst, self.centres)

    def _polish(self, d: DataRef, cur_ref: StateRef, trial_ref: StateRef, cur: State, units: float,
                seconds: float) -> float:
        """PyVRP on every day (with owner consistency: every route of 4 visits or more), for
        about ``units`` work units in all; returns the units spent.

        Groups come in a seeded random order and get PyVRP iterations in proportion to their
        visits; when the units do not stretch to MIN_POLISH_ITERATIONS for all, only the first
        ones are polished. Every figure follows from ``units``, never from the clock, so
        polishing is repeatable; ``seconds`` (the criterion's clock) only cuts it short.
        """
        data = self.data
        lengths = cur.length
        if self.inst.consistent or not data.task_eligible.all():
            groups = [[v] for v in range(len(lengths)) if lengths[v] >= 4]
        else:
            groups = [[int(v) for v in data.by_day[data.day_first[k]:data.day_first[k + 1]]]
                      for k in range(len(data.day_first) - 1)]
            groups = [g for g in groups if sum(int(lengths[v]) for v in g) > 0]
        if not groups:
            return 0.0
        order = [groups[i] for i in self.rng.permutation(len(groups))]
        sizes = np.array([max(1, sum(int(lengths[v]) for v in g)) for g in order], dtype=float)
        per_iteration = WEIGHTS.pyvrp_iteration + WEIGHTS.pyvrp_iteration_visit * sizes
        available = units - WEIGHTS.pyvrp_call * len(order)
        counts = available * (sizes / sizes.sum()) / per_iteration if available > 0 else np.zeros(len(order))
        if counts.min() < MIN_POLISH_ITERATIONS:
            cost = MIN_POLISH_ITERATIONS * per_iteration + WEIGHTS.pyvrp_call
            keep = int(np.searchsorted(np.cumsum(cost), units, side="right"))
            order = order[:keep]
            counts = np.full(keep, MIN_POLISH_ITERATIONS)
        started = time.perf_counter()
        spent = 0.0
        for position, (group, count) in enumerate(zip(order, counts, strict=True)):
            left = seconds - (time.perf_counter() - started)
            if left <= 0.005:
                self.cut_short = True
                break
            vehicles = np.array(group, dtype=np.int64)
            routes = [cur.route[v, :cur.length[v]].tolist() for v in group]
            visits = int(sum(len(r) for r in routes))
            spent += WEIGHTS.polish(int(count), visits)
            self.polish_counts[0] += 1
            self.polish_counts[1] += int(count)
            self.polish_counts[2] += int(count) * visits
            polished = polish_routes(data, group, routes, iterations=int(count), seconds=left,
                                     seed=self.seed + position)
            self.cut_short |= polished.cut_short
            new = polished.routes
            if new is None or any(len(r) > cur.route.shape[1] - 1 for r in new):
                continue
            offsets = np.cumsum([0] + [len(r) for r in new]).astype(np.int64)
            flat = np.array([t for r in new for t in r], dtype=np.int64)
            before = float(cur.cost[vehicles].sum())
            feasible = set_routes(d, trial_ref, vehicles, flat, offsets)
            empty = np.empty(0, dtype=np.int64)
            if feasible and route_costs(trial_ref, vehicles) < before - 1e-9:
                copy_changes(trial_ref, cur_ref, vehicles, len(vehicles), empty, 0)
            else:
                copy_changes(cur_ref, trial_ref, vehicles, len(vehicles), empty, 0)
        return spent


def from_scratch(inst: Instance, *, seed: int = 0, params: SearchParams = SearchParams(),
                 clock: float | None = None) -> Search:
    """A search on ``inst`` from a first solution built by
    :func:`routeplan.solver.construct.initial_solution` (its work counts against the budget,
    and its time against the clock that starts at ``clock``, default now)."""
    clock = time.perf_counter() if clock is None else clock
    data = freeze(inst)
    built = initial_solution(inst, data, np.random.default_rng(seed), rides=params.territory_rides)
    return Search(inst, data, built.state, seed=seed, params=params,
                  work=WEIGHTS.construction(built.positions, built.options), clock=clock)
