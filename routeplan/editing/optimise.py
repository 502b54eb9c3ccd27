"""Re-planning some managers of a plan being edited: their assignment and routes, from their
routes as they are, every other manager's left alone.

The managers and the customers whose visits they make (and the customers missing visits they may
make) form a sub-problem (:meth:`routeplan.planning.context.PlanningContext.part`), planned by
the engine from the managers' current routes (:func:`routeplan.planning.fan_out.sequences_of`)
as a part of a large problem is in its border phase: its balance bands lie around the mean of
each whole group of interchangeable managers, not the sub-problem's own. A customer of the
sub-problem may have visits of another level with a manager outside it (a market manager's): those
visits stay as they are, so the sub-problem leaves them out (no owner) and keeps the customer's
visits it plans off their days.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..model.routes import DayRoute, Unserved
from ..phases import Size
from ..planner import default_params, settled_iterations
from ..planning.context import PlanningContext
from ..planning.diagnose import unserved
from ..planning.fan_out import sequences_of
from ..planning.formulate import Formulation, formulation_of
from ..solver.instance import Task
from ..solver.lns import Progress
from ..solver.search import solve
from ..solver.stop import MaxRuntime, MultipleCriteria, NoImprovement, StoppingCriterion
from .engine import EditEngine

logger = logging.getLogger(__name__)

#: The least search a re-plan gets, whatever is left of its time limit after formulating.
MIN_SEARCH_SECONDS = 0.05
#: The search's clock gets this share of what is left of the time limit after formulating, less
#: :data:`AFTER_SECONDS`: around the clock's search the engine freezes the sub-problem, sets its
#: state and times its routes, the clock is read between chunks of steps, and the routes are read
#: back after it (measured on the Kuiwen sample, 3 of 12 managers with 370 customers: 0.12 s).
SEARCH_SHARE = 0.9
AFTER_SECONDS = 0.15


@dataclass(frozen=True, slots=True, kw_only=True)
class Replanned:
    """The new routes of the re-planned managers, in the whole problem's numbering.

    Attributes
    ----------
    sequences
        The task sequence of every vehicle of those managers (empty for a day without visits).
    unserved
        Per task of the sub-problem left unassigned, its entry with the engine's reason.
    iterations
        Steps the search made.
    """

    sequences: dict[int, list[int]]
    unserved: dict[int, Unserved]
    iterations: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplanSearch:
    """How a re-plan searches.

    Attributes
    ----------
    time_limit
        Seconds for the whole re-plan, formulating included.
    stop
        A further criterion (the first one met stops the search), e.g.
        :class:`routeplan.MaxIterations` for a repeatable re-plan.
    seed
        Seed of the search.
    progress
        Called about once a second.
    """

    time_limit: float
    stop: StoppingCriterion | None = None
    seed: int = 0
    progress: Callable[[Progress], None] | None = None


def replan_managers(context: PlanningContext, engine: EditEngine, owners: Sequence[int],
                    routes: Mapping[int, DayRoute], search: ReplanSearch) -> Replanned:
    """Plan ``owners`` (manager positions) again with the customers they serve and those missing
    visits they may make, starting from their ``routes`` (by vehicle; the session's).

    Parameters
    ----------
    context
        The whole problem's context (with the session's locks in its hand-out).
    engine
        The session's engine state (read, not changed).
    owners
        The managers to plan again.
    routes
        The session's routes by vehicle.
    search
        The time limit and the search's settings.
    """
    began = time.perf_counter()
    form = engine.form
    scope = set(owners)
    vehicles = [v for o in sorted(scope) for v in engine.owner_vehicles(o)]
    inside = {t for v in vehicles for t in engine.route(v)}
    eligible = engine.data.task_eligible[:, sorted(scope)].any(axis=1)
    inside |= {int(t) for t in np.flatnonzero((engine.state.pattern < 0) & eligible)}
    if not inside:  # managers without visits, and nobody missing visits they could make
        return Replanned(sequences={}, unserved={}, iterations=0)
    customers = np.array(sorted({form.customer_of(t) for t in inside}), dtype=np.int64)
    managers = np.array(sorted(scope), dtype=np.int64)
    part = context.part(customers, managers, name=f"{context.problem.name} re-planned")
    sub = formulation_of(part)
    sub = _fixed_apart(sub, engine, inside, customers)
    sub = _aimed(sub, context, routes, managers)
    current = [routes[v] for v in vehicles if v in routes]
    remaining = search.time_limit - (time.perf_counter() - began)
    seconds = max(MIN_SEARCH_SECONDS, SEARCH_SHARE * remaining - AFTER_SECONDS)
    criteria: list[StoppingCriterion] = [MaxRuntime(seconds),
                                         NoImprovement(settled_iterations(Size.of(part.problem)))]
    if search.stop is not None:
        criteria.append(search.stop)
    result = solve(sub.instance, MultipleCriteria(criteria), seed=search.seed, params=default_params(context.strategy),
                   progress=search.progress, initial=sequences_of(sub, current), complete=True)
    whole = {t: engine.task_of[part.problem.customers[sub.customer_of(t)].customer_id, sub.level_of(t)]
             for t in range(sub.instance.num_tasks)}
    sequences: dict[int, list[int]] = {v: [] for v in vehicles}
    for timed in result.routes:
        manager = int(managers[int(sub.vehicle_manager[timed.vehicle])])
        v = engine.vehicle_of[manager, int(sub.vehicle_day[timed.vehicle])]
        sequences[v] = [whole[t] for t in timed.tasks]
    left: dict[int, Unserved] = {}
    for entry in unserved(sub, result):
        t = engine.task_of[entry.customer_id, entry.level]
        if t in inside:
            left[t] = entry
    logger.info("re-planned %d managers with %d customers in %.2f s (%d steps, stopped by %s)", len(managers),
                len(customers), time.perf_counter() - began, result.iterations, result.stopped_by)
    return Replanned(sequences=sequences, unserved=left, iterations=result.iterations)


def _fixed_apart(sub: Formulation, engine: EditEngine, inside: set[int], customers: np.ndarray) -> Formulation:
    """``sub`` with the tasks of its customers that lie outside the re-plan (visits of another
    level by a manager outside it) given no owner, and its own tasks kept off their days."""
    form = engine.form
    tasks = list(sub.instance.tasks)
    changed = False
    blocked: dict[int, set[int]] = {}  # the sub-problem's customer position -> days taken outside
    outside: list[int] = []
    for t in range(sub.instance.num_tasks):
        whole = engine.task_of[form.problem.customers[int(customers[sub.customer_of(t)])].customer_id, sub.level_of(t)]
        if whole in inside:
            continue
        outside.append(t)
        days = {int(form.vehicle_day[v]) for v in engine.vehicles(whole)}
        blocked.setdefault(sub.customer_of(t), set()).update(days)
    for t in outside:
        tasks[t] = replace(tasks[t], owners=())
        changed = True
    for t in range(sub.instance.num_tasks):
        taken = blocked.get(sub.customer_of(t))
        if taken and t not in outside:
            tasks[t] = _off_days(tasks[t], taken)
            changed = True
    if not changed:
        return sub
    return replace(sub, instance=replace(sub.instance, tasks=tuple(tasks)))


def _off_days(task: Task, taken: set[int]) -> Task:
    """``task`` with only the patterns that keep off ``taken`` days."""
    return replace(task, patterns=tuple(p for p in task.patterns if not taken.intersection(p)))


def _aimed(sub: Formulation, context: PlanningContext, routes: Mapping[int, DayRoute],
           managers: np.ndarray) -> Formulation:
    """``sub`` whose balance bands lie around the utilisation of each whole group of
    interchangeable managers where the re-plan holds only some of a group (else each part would
    even its managers out around its own mean, drifting from the rest of the group)."""
    groups = sub.instance.balance_groups
    if not groups:
        return sub
    problem = context.problem
    work: dict[str, float] = {}
    for route in routes.values():
        work[route.manager_id] = work.get(route.manager_id, 0.0) + route.work_min
    group_of = context.group_of_manager()
    aims = []
    for group in groups:
        whole = context.groups[int(group_of[int(managers[group[0]])])]
        if len(whole) == len(group):
            aims.append(0.0)  # the whole group is re-planned: its own mean
            continue
        available = sum(problem.managers[m].available_min for m in whole)
        done = sum(work.get(problem.managers[m].manager_id, 0.0) for m in whole)
        aims.append(done / available if available > 0 else 0.0)
    return replace(sub, instance=replace(sub.instance, balance_utilisation=tuple(aims)))
