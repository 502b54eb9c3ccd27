"""Planning a large problem part by part, in this process or on an executor.

The parts (:mod:`routeplan.planning.partition`) are planned independently, each by the engine
on its own dense travel matrices; then a border phase plans neighbouring parts of one group of
managers again as pairs, starting from their routes, so that customers near a cut can change
side and the managers on both sides even out their work. Pairs of a round share no part, so they
too are planned side by side.

Each task's share of the work budget follows its visits, never the number of workers, and seeds
follow the tasks' order: the same seed gives the same plan with one worker or many.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

import numpy as np

from ..errors import ArgumentError
from ..model.problem import Problem
from ..model.routes import DayRoute, Unserved
from ..notices import collected, unique
from ..phases import PhaseEstimates, Size
from ..roads.resolve import road_size, travel_model
from ..solver.lns import Progress, SearchParams
from ..solver.search import solve
from ..solver.solution import kept_routes
from ..solver.stop import MaxRuntime, MultipleCriteria, StoppingCriterion
from .context import PlanningContext
from .diagnose import diagnose, unserved
from .formulate import Formulation, Weights, formulation_of
from .partition import Part
from .replan import previous_routes
from .schedule import build_routes
from .warm_up import warm_up_planner

logger = logging.getLogger(__name__)

BORDER_SHARE = 0.3
"""Share of the work budget spent on the border phase (the rest on the parts themselves)."""
BORDER_ROUNDS = 3
"""Rounds of the border phase: each plans a matching of neighbouring parts as pairs (then one
more share of the phase polishes parts still out of balance)."""
POLISH_BAND = 0.8
"""A part is polished where one of its managers strays from the group's mean by more than this
share of the balance tolerance."""
NEIGHBOURS = 6
"""Nearest customers looked at when judging which parts are neighbours."""
#: The least search a task gets from the clock.
MIN_TASK_SECONDS = 0.2


@dataclass(frozen=True, slots=True, kw_only=True)
class BorderParams:
    """How the border phase plans neighbouring parts again (defaults: this module's constants).

    Attributes
    ----------
    share
        Share of the work budget the border phase spends (:data:`BORDER_SHARE`), in [0, 1).
    rounds
        Rounds of pairs at most (:data:`BORDER_ROUNDS`; the planner runs fewer where a time
        limit leaves too little for their travel tables).
    polish_band
        A part is polished once more where a manager strays from its group's mean by more than
        this share of the balance tolerance (:data:`POLISH_BAND`).
    neighbours
        Nearest customers looked at when judging which parts are neighbours (:data:`NEIGHBOURS`).
    """

    share: float = BORDER_SHARE
    rounds: int = BORDER_ROUNDS
    polish_band: float = POLISH_BAND
    neighbours: int = NEIGHBOURS

    def __post_init__(self) -> None:
        if not (isinstance(self.share, (int, float)) and 0.0 <= self.share < 1.0):
            raise ArgumentError("border.share", f"{self.share!r} is not a share in [0, 1)")
        if not (isinstance(self.rounds, int) and self.rounds >= 0):
            raise ArgumentError("border.rounds", f"{self.rounds!r} is not a whole number of 0 or more")
        if not (isinstance(self.polish_band, (int, float)) and math.isfinite(self.polish_band)
                and self.polish_band >= 0):
            raise ArgumentError("border.polish_band", f"{self.polish_band!r} is not a number of 0 or more")
        if not (isinstance(self.neighbours, int) and self.neighbours >= 1):
            raise ArgumentError("border.neighbours", f"{self.neighbours!r} is not a whole number of 1 or more")


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchSetup:
    """What the searches of a run are given.

    Attributes
    ----------
    budget
        The stop of the run's searches together (each task gets its share: ``budget.part``).
    clock
        The ``time.time()`` reading by which every search must have ended (``inf``: none).
    seed
        The first seed; tasks take the next ones in their order.
    params
        The search's tuning.
    weights
        Balance and compactness against travel in every formulation.
    progress
        Called about once a second with a :class:`~routeplan.Progress`.
    """

    budget: StoppingCriterion
    clock: float = math.inf
    seed: int = 0
    params: SearchParams = field(default_factory=SearchParams)
    weights: Weights = field(default_factory=Weights)
    progress: Callable[[Progress], None] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PartTask:
    """What a worker needs to plan one part: the part's context (its problem and hand-out, in
    the numbering of the part's managers), the routes to start from (none: from scratch), the
    utilisation its managers' work aims at (the whole group's, in the border phase; 0: the part's
    own mean) and the stop with its clock: ``end``, the ``time.time()`` reading where every search
    must have ended; ``deadline``, the end of the task's share in the queue of the worker it will
    likely run on; ``seconds``, its own share of the search's wall time. A task's search may run
    to the later of ``deadline`` (moved on by the worker's own start-up) and ``seconds`` from the
    start of its search (so that the transfer of the task and the preparation of its matrices are
    not counted against it), never past ``end``; all None: no clock."""

    context: PlanningContext
    stop: StoppingCriterion
    deadline: float | None
    seconds: float | None = None
    end: float | None = None
    seed: int
    params: SearchParams
    weights: Weights = field(default_factory=Weights)
    start_from: tuple[DayRoute, ...] = ()
    aim_utilisation: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Planned:
    """Routes and unserved customers, and what the search that made them did."""

    routes: tuple[DayRoute, ...]
    unserved: tuple[Unserved, ...]
    iterations: int
    work: float
    stopped_by: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PartOutcome(Planned):
    """What a worker hands back for one part: its plan, how long loading the kernels took, the
    task's seconds and the warnings it logged (in the worker's process, whose log nobody sees)."""

    startup: float
    seconds: float
    warnings: tuple[str, ...] = ()


def solve_part(task: PartTask, progress: Callable[[Progress], None] | None = None) -> PartOutcome:
    """Plan one part (run in a worker process, or in this one, then with ``progress``)."""
    with collected() as found:
        outcome = _solve_part(task, progress)
    return replace(outcome, warnings=unique(found))


def _solve_part(task: PartTask, progress: Callable[[Progress], None] | None) -> PartOutcome:
    startup = warm_up_planner()
    began = time.perf_counter()
    form = formulation_of(task.context, weights=task.weights)
    if task.aim_utilisation > 0:
        # Balance is judged over the whole group: a pair of parts evens its managers around
        # the group's mean, not its own (else each part's band adds to the drift between parts).
        form = replace(form, instance=replace(
            form.instance, balance_utilisation=(task.aim_utilisation,) * len(form.instance.balance_groups)))
    if not task.start_from:
        diagnose(form).log(logger)
    stop = task.stop
    if task.deadline is not None:
        now = time.time()
        allowed = max(task.deadline + startup - now, task.seconds or 0.0)
        if task.end is not None:
            allowed = min(allowed, task.end - now)
        # The task's clock depends on the lanes (how many workers share the run): it may stop the
        # search but never pace it, so that a task its budget ends plans the same on any executor.
        stop = MultipleCriteria([stop, MaxRuntime(max(MIN_TASK_SECONDS, allowed), pace=False)])
    initial = sequences_of(form, task.start_from) if task.start_from else previous_sequences(form)
    result = solve(form.instance, stop, seed=task.seed, params=task.params, progress=progress, initial=initial,
                   complete=bool(task.start_from))
    return PartOutcome(routes=build_routes(form, result), unserved=unserved(form, result),
                       iterations=result.iterations, work=result.work, stopped_by=result.stopped_by, startup=startup,
                       seconds=time.perf_counter() - began)


def previous_sequences(form: Formulation) -> list[list[int]] | None:
    """A re-plan's first solution: the current routes that still hold (see
    :func:`routeplan.planning.replan.previous_routes`), one task sequence per vehicle; None for
    a plan from scratch, or when nothing of the current routes is left."""
    terms = form.context.terms
    if terms is None:
        return None
    routes = previous_routes(form.problem, terms, form.eligible)
    if not routes:
        return None
    vehicle_of = {(int(m), int(d)): v for v, (m, d) in enumerate(zip(form.vehicle_manager, form.vehicle_day,
                                                                       strict=True))}
    sequences: list[list[int]] = [[] for _ in range(form.instance.num_vehicles)]
    for (manager, day), customers in routes.items():
        if (manager, day) in vehicle_of:
            sequences[vehicle_of[(manager, day)]] = customers
    kept = kept_routes(form.instance, sequences)
    return kept if any(kept) else None


def sequences_of(form: Formulation, routes: Sequence[DayRoute]) -> list[list[int]]:
    """The task sequence of every vehicle of ``form`` that ``routes`` give."""
    task_of = {(form.problem.customers[form.customer_of(t)].customer_id, form.level_of(t)): t
               for t in range(form.instance.num_tasks)}
    manager_of = {m.manager_id: i for i, m in enumerate(form.problem.managers)}
    vehicle_of = {(int(m), int(d)): v for v, (m, d) in enumerate(zip(form.vehicle_manager, form.vehicle_day,
                                                                       strict=True))}
    sequences: list[list[int]] = [[] for _ in range(form.instance.num_vehicles)]
    for route in routes:
        sequences[vehicle_of[(manager_of[route.manager_id], route.day_index)]] = [task_of[s.customer_id, s.level]
                                                                                 for s in route.stops]
    return sequences


@dataclass(frozen=True, slots=True, kw_only=True)
class FannedOut(Planned):
    """The joined result of all parts (the searches' figures summed over its tasks)."""

    tasks: int
    worker_startup: float  # the longest kernel loading of a task (compiling would take half a minute)
    warnings: tuple[str, ...] = ()  # what the tasks warned of, each once


def plan_parts(context: PlanningContext, parts: Sequence[Part], search: SearchSetup, *,
               executor: Pool | None = None, border: BorderParams | None = None,
               phases: PhaseEstimates | None = None) -> FannedOut:
    """Plan every part, then the border pairs, and join the routes (see :class:`FanOut`)."""
    return FanOut(context, parts, search, executor=executor, border=border, phases=phases).run()


class FanOut:
    """One run of a partitioned problem: every part, then border pairs, then a polish.

    ``search.budget`` is shared out by visits (the border phase takes ``border.share`` of it);
    ``search.clock`` is the searches' end on the wall clock (``inf``: none), shared out the same
    way: each task may run to the end of its share in the queue of the worker it will likely run
    on (a :class:`Pool`'s lanes on an executor, one here). ``border.rounds`` is how many border
    rounds to run at most; ``phases`` estimates the preparation of a round's tasks (a round the
    clock leaves no time to prepare is not run).
    """

    def __init__(self, context: PlanningContext, parts: Sequence[Part], search: SearchSetup, *,
                 executor: Pool | None = None, border: BorderParams | None = None,
                 phases: PhaseEstimates | None = None):
        self.context = context
        self.problem = problem = context.problem
        self.parts = parts
        self.search = search
        self.executor = executor
        self.border = border or BorderParams()
        self.phases = phases or PhaseEstimates()
        self.group_of_manager = context.group_of_manager()
        self.manager_part = np.empty(problem.num_managers, dtype=np.int64)
        for k, part in enumerate(parts):
            self.manager_part[part.managers] = k
        self.part_group = [int(self.group_of_manager[p.managers[0]]) if len(p.managers) else -1 for p in parts]
        self.contacts = (border_contacts(problem, parts, self.part_group, neighbours=self.border.neighbours)
                         if len(parts) > 1 else {})
        self.rounds = self.border.rounds if self.contacts else 0
        self.state = _Joined(problem, parts)
        self.tally = _Tally(planned=len(parts) + self.rounds * _matching_size(self.contacts))
        self.lanes = 1 if executor is None else executor.lanes
        _, self.junctions = road_size(problem.travel)
        # A part's search has few steps per customer: its first territories weigh the ride from
        # the office, so that managers of far territories start with fewer customers (at 10,000
        # customers this took the managers outside their band from 2 to 0).
        self.part_params = replace(search.params, territory_rides=True)
        self.began, self.start_epoch = time.perf_counter(), time.time()
        self.search_seconds = search.clock - self.start_epoch  # every search together, on one worker

    def run(self) -> FannedOut:
        """Plan the parts, the border rounds and the polish; the joined result."""
        problem, parts, state, tally = self.problem, self.parts, self.state, self.tally
        part_size = 1.0 - self.border.share if self.rounds else 1.0
        logger.info("planning %d parts of up to %d customers%s", len(parts),
                    max(p.problem.num_customers for p in parts), "" if self.executor is None else " on the executor")
        members = [_Member(p.customers, p.managers, p.problem.name, ()) for p in parts]
        for part, outcome in zip(parts, self._phase(members, 0.0, part_size, self.search.seed), strict=True):
            state.take(part.customers, part.managers, outcome)
        # Border phase: pairs of neighbouring parts again, from their routes, the most unevenly
        # loaded neighbours first.
        round_size = self.border.share / (self.rounds + 1) if self.rounds else 0.0  # the last share: the polish
        first_seed = self.search.seed + len(parts)
        used: set[tuple[int, int]] = set()
        for number in range(self.rounds):
            load = [state.utilisation(p.managers) for p in parts]
            # Neighbours not paired yet first; with few parts (a city cut in two) every pair has had
            # its round, and the most uneven pairs go again from their routes rather than leave the
            # round's share of the budget unspent.
            round_pairs = _matching(self.contacts, used, load) or _matching(self.contacts, set(), load)
            if not round_pairs:
                break
            used.update(round_pairs)
            tally.planned = tally.done + len(round_pairs) * (self.rounds - number)
            members, aims = [], []
            for a, b in round_pairs:
                aims.append(state.utilisation(np.flatnonzero(self.group_of_manager == self.part_group[a])))
                managers = np.sort(np.concatenate([parts[a].managers, parts[b].managers]))
                members.append(_Member(np.flatnonzero(np.isin(state.customer_part, (a, b))), managers,
                                       f"{problem.name} border {a + 1}+{b + 1}", state.routes_of(managers)))
            if self._too_late(members, f"border round {number + 1}"):
                break
            outcomes = self._phase(members, part_size + number * round_size, round_size, first_seed, aims)
            first_seed += len(members)
            for (customers, managers, _, _), outcome in zip(members, outcomes, strict=True):
                state.take(customers, managers, outcome, manager_part=self.manager_part)
            logger.info("border round %d: %d pairs of neighbouring parts planned again", number + 1,
                        len(round_pairs))
        if self.rounds:
            self._polish(part_size + self.rounds * round_size, round_size, first_seed)
        tally.planned = tally.done
        reasons = sorted(set(tally.stops))
        order = {c.customer_id: i for i, c in enumerate(problem.customers)}
        return FannedOut(routes=state.all_routes(),
                         unserved=tuple(sorted(state.unserved.values(), key=lambda u: order[u.customer_id])),
                         iterations=tally.iterations, work=tally.work,
                         stopped_by="clock" if any("clock" in r for r in reasons) else "/".join(reasons),
                         tasks=tally.done, worker_startup=tally.startup, warnings=unique(tally.warnings))

    def _polish(self, start: float, size: float, first_seed: int) -> None:
        """A part whose managers still stray from their group's band (say a part no pair took)
        is planned once more on its own, around the group's mean."""
        state, parts, part_group = self.state, self.parts, self.part_group
        aim = {g: state.utilisation(np.flatnonzero(self.group_of_manager == g)) for g in set(part_group) if g >= 0}
        band = self.border.polish_band * self.problem.balance.tolerance
        astray = [k for k, part in enumerate(parts) if part_group[k] >= 0 and aim[part_group[k]] > 0
                  and any(abs(state.utilisation(np.array([m])) / aim[part_group[k]] - 1.0) > band
                          for m in part.managers)]
        if not astray:
            return
        self.tally.planned = self.tally.done + len(astray)
        members = [_Member(np.flatnonzero(state.customer_part == k), parts[k].managers,
                           f"{self.problem.name} part {k + 1} polished", state.routes_of(parts[k].managers))
                   for k in astray]
        if self._too_late(members, "polish"):
            return
        outcomes = self._phase(members, start, size, first_seed, [aim[part_group[k]] for k in astray])
        for member, outcome in zip(members, outcomes, strict=True):
            state.take(member.customers, member.managers, outcome, manager_part=self.manager_part)
        logger.info("polish: %d parts with managers beyond %.0f%% of their group's mean planned again",
                    len(astray), 100 * band)

    def _deadline(self, upto: float) -> float | None:
        """The wall-clock end of the budget's first ``upto`` share."""
        if not math.isfinite(self.search.clock):
            return None
        return self.start_epoch + self.search_seconds * min(1.0, upto)

    def _report(self, iterations: int, best: float, missing: int) -> None:
        if self.search.progress is not None:
            self.search.progress(Progress(seconds=time.perf_counter() - self.began, iterations=iterations,
                                          best_cost=best, missing_visits=missing, parts_done=self.tally.done,
                                          parts=self.tally.planned))

    def _note(self, outcome: PartOutcome) -> None:
        self.tally.add(outcome)
        self._report(self.tally.iterations, self.state.travel_min(), self.state.missing_visits())

    def _execute(self, tasks: list[PartTask]) -> list[PartOutcome]:
        outcomes = []
        if self.executor is None:
            for task in tasks:
                outcomes.append(solve_part(task, lambda p: self._report(self.tally.iterations + p.iterations,
                                                                        p.best_cost, p.missing_visits)))
                self._note(outcomes[-1])
            return outcomes
        for future in [self.executor.submit(solve_part, task) for task in tasks]:
            outcomes.append(future.result())
            self._note(outcomes[-1])
        return outcomes

    def _phase(self, members: list[_Member], start: float, size: float, first_seed: int,
               aims: Sequence[float] | None = None) -> list[PartOutcome]:
        """Plan ``members`` (customers, managers, name, routes to start from) with ``size`` of
        the budget from ``start`` on, shared by visits, each aiming at its ``aims`` utilisation."""
        problem, search = self.problem, self.search
        visits = np.array([max(1, sum(problem.customers[int(c)].visits for c in customers))
                           for customers, _, _, _ in members], dtype=float)
        shares = size * visits / visits.sum()
        tasks = []
        # The clock of each task: the end of its share in the lane (worker) it will likely run in,
        # tasks going in order to the least loaded of the workers' lanes (one lane here); at least
        # its own share from the start of its search; never past the end of all searches.
        lanes = np.full(self.lanes, start)
        timed = math.isfinite(search.clock)
        for k, ((customers, managers, name, routes), share) in enumerate(zip(members, shares, strict=True)):
            lane = int(np.argmin(lanes))
            lanes[lane] += float(share)
            tasks.append(PartTask(context=self.context.part(customers, managers, name=name),
                                  stop=search.budget.part(float(share), 0.0), seed=first_seed + k,
                                  params=self.part_params, weights=search.weights, start_from=routes,
                                  deadline=self._deadline(float(lanes[lane])),
                                  seconds=float(share) * self.search_seconds if timed else None,
                                  end=search.clock if timed else None,
                                  aim_utilisation=0.0 if aims is None else float(aims[k])))
        return self._execute(tasks)

    def _too_late(self, members: list[_Member], what: str) -> bool:
        """Whether the clock ends before ``members`` could even be prepared (their travel
        tables built): then they are left as they are."""
        clock = self.search.clock
        if not math.isfinite(clock):
            return False
        problem = self.problem
        need = sum(self.phases.prepare(Size(customers=len(m.customers), managers=len(m.managers), days=problem.num_days,
                                        visits=sum(problem.customers[int(c)].visits for c in m.customers),
                                        junctions=self.junctions)) for m in members) / self.lanes
        if time.time() + need <= clock:
            return False
        logger.info("%s left out: about %.0f s to prepare, %.0f s left on the clock", what, need,
                    max(0.0, clock - time.time()))
        return True


class _Member(NamedTuple):
    """A task of a phase: its customers and managers (indices in the whole), its name and the
    routes it starts from."""

    customers: np.ndarray
    managers: np.ndarray
    name: str
    routes: tuple[DayRoute, ...]


@dataclass(slots=True)
class _Tally:
    """What the tasks so far did, and how many the run expects in all (``planned``: the parts and
    the border pairs still to come, revised as rounds are cut short)."""

    planned: int = 0
    done: int = 0
    iterations: int = 0
    work: float = 0.0
    startup: float = 0.0
    stops: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, outcome: PartOutcome) -> None:
        self.done += 1
        self.startup = max(self.startup, outcome.startup)
        self.iterations += outcome.iterations
        self.work += outcome.work
        self.stops.append(outcome.stopped_by)
        self.warnings.extend(outcome.warnings)


@dataclass(frozen=True, slots=True)
class Pool:
    """An executor and how many tasks it runs at once (``lanes``), among which the clock of a
    phase is shared."""

    executor: Executor
    lanes: int

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return self.executor.submit(fn, *args, **kwargs)


def as_pool(executor: Pool | Executor | Any | None) -> Pool | None:
    """``executor`` as a :class:`Pool`: a Dask ``Client`` gives its own executor
    (``Client.get_executor()``) with its workers' threads as lanes (``Client.nthreads()``); a
    :class:`concurrent.futures.Executor` is taken to run as many tasks at once as this machine
    has cores (an executor does not say how many it runs; give a :class:`Pool` to say so)."""
    if executor is None or isinstance(executor, Pool):
        return executor
    if isinstance(executor, Executor):
        return Pool(executor, os.cpu_count() or 1)
    if callable(getattr(executor, "get_executor", None)):
        threads = sum(executor.nthreads().values()) if callable(getattr(executor, "nthreads", None)) else 0
        return Pool(executor.get_executor(), int(threads) or os.cpu_count() or 1)
    raise ArgumentError("executor", f"expected a concurrent.futures.Executor or a dask.distributed.Client, "
                                    f"got {type(executor).__name__}")


class _Joined:
    """The routes and unserved customers of the whole so far, and which part holds each customer."""

    def __init__(self, problem: Problem, parts: Sequence[Part]):
        self.problem = problem
        self.customer_part = np.empty(problem.num_customers, dtype=np.int64)
        for k, part in enumerate(parts):
            self.customer_part[part.customers] = k
        self.routes: dict[str, tuple[DayRoute, ...]] = {}
        self.unserved: dict[str, Unserved] = {}
        self.index = {c.customer_id: i for i, c in enumerate(problem.customers)}

    def take(self, customers: np.ndarray, managers: np.ndarray, outcome: PartOutcome, *,
             manager_part: np.ndarray | None = None) -> None:
        """Replace what ``customers`` and ``managers`` had with ``outcome``; customers served move to
        their manager's part."""
        for c in customers:
            self.unserved.pop(self.problem.customers[int(c)].customer_id, None)
        by_manager: dict[str, list[DayRoute]] = {self.problem.managers[int(m)].manager_id: [] for m in managers}
        for route in outcome.routes:
            by_manager[route.manager_id].append(route)
        for manager_id, routes in by_manager.items():
            self.routes[manager_id] = tuple(routes)
        for u in outcome.unserved:
            self.unserved[u.customer_id] = u
        if manager_part is not None:
            part_of = {self.problem.managers[int(m)].manager_id: int(manager_part[m]) for m in managers}
            for route in outcome.routes:
                for stop in route.stops:
                    self.customer_part[self.index[stop.customer_id]] = part_of[route.manager_id]

    def utilisation(self, managers: np.ndarray) -> float:
        """Work (:attr:`~routeplan.model.routes.DayRoute.work_min`) over working time of
        ``managers`` together."""
        available = sum(self.problem.managers[int(m)].available_min for m in managers)
        work = sum(r.work_min for r in self.routes_of(managers))
        return work / available if available > 0 else 0.0

    def routes_of(self, managers: np.ndarray) -> tuple[DayRoute, ...]:
        return tuple(r for m in managers for r in self.routes.get(self.problem.managers[int(m)].manager_id, ()))

    def all_routes(self) -> tuple[DayRoute, ...]:
        return tuple(r for m in self.problem.managers for r in sorted(self.routes.get(m.manager_id, ()),
                                                                       key=lambda r: r.day_index))

    def travel_min(self) -> float:
        return float(sum(r.travel_min for routes in self.routes.values() for r in routes))

    def missing_visits(self) -> int:
        return sum(u.visits_missing for u in self.unserved.values())


def border_contacts(problem: Problem, parts: Sequence[Part], part_group: Sequence[int], *,
                    neighbours: int = NEIGHBOURS) -> dict[tuple[int, int], int]:
    """Neighbouring parts of one group of interchangeable managers: for each pair, how many
    customers of one have one of their ``neighbours`` nearest customers in the other."""
    customer_part = np.empty(problem.num_customers, dtype=np.int64)
    for k, part in enumerate(parts):
        customer_part[part.customers] = k
    lon = np.array([c.lon for c in problem.customers], dtype=float)
    lat = np.array([c.lat for c in problem.customers], dtype=float)
    index, _, _ = travel_model(problem.travel).nearest(lon, lat, neighbours)
    contact: dict[tuple[int, int], int] = {}
    for i, near in enumerate(index):
        a = int(customer_part[i])
        for j in near:
            b = int(customer_part[int(j)])
            if a != b and part_group[a] == part_group[b] >= 0:
                key = (min(a, b), max(a, b))
                contact[key] = contact.get(key, 0) + 1
    return contact


def _matching(contacts: dict[tuple[int, int], int], used: set[tuple[int, int]],
              load: Sequence[float]) -> list[tuple[int, int]]:
    """Disjoint pairs of neighbours not planned together yet: the largest difference in
    utilisation first (the border phase evens them out), then the most contact."""
    ranked = sorted((pair for pair in contacts if pair not in used),
                    key=lambda pair: (-round(abs(load[pair[0]] - load[pair[1]]), 4), -contacts[pair], pair))
    busy: set[int] = set()
    chosen = []
    for a, b in ranked:
        if a not in busy and b not in busy:
            chosen.append((a, b))
            busy.update((a, b))
    return chosen


def _matching_size(contacts: dict[tuple[int, int], int]) -> int:
    return len(_matching(contacts, set(), [0.0] * (1 + max((b for _, b in contacts), default=0))))
