"""The instance frozen into flat arrays for the compiled kernels, and the one mutable solution
state they work on.

:func:`freeze` turns an :class:`~routeplan.solver.instance.Instance` into :class:`Data`, one
record of named NumPy arrays and weights (named fields, never positions in a list).
:func:`empty_state` allocates a :class:`State`, the only representation of a
solution in the engine: construction, search, polishing and the final timetable all read and
change it through :mod:`routeplan.solver.kernels`, which take both as struct references
(:func:`data_ref`, :func:`state_ref`) sharing the arrays.

Conventions (shared by every kernel):

- route ``v`` is ``state.route[v, :state.length[v]]``; *gap* ``i`` of a route is the place
  before its ``i``-th visit (gap ``length[v]`` is before the end node);
- ``state.departure[v, i]`` is the earliest departure from the node before gap ``i`` and
  ``state.latest[v, i]`` the latest start at the node after it (the vehicle's deadline for the
  end node), so a visit fits a gap in constant time; for a vehicle with a break these are the
  times with the break behind, and ``state.rested[v, i]`` / ``state.unrested[v, i]`` give the
  earliest departure with the break taken (at or before that node) and the latest start with
  the break still ahead (only vehicles with a break use these two);
- a task's visits are ``state.vehicle[t, :]`` (``-1`` padded) at ``state.position[t, :]``;
  ``state.pattern[t]`` is a global pattern id (a row of ``data.pattern_days``) or ``-1`` while
  the task is unassigned; ``state.owner[t]`` its owner (``-1`` without owner consistency).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numba import types
from numba.experimental import structref

from .instance import Instance

NEIGHBOURS = 100
MAX_GROUP_DAYS = 62
"""Longest cycle whose task groups the kernels keep apart (a pattern's days are bits of an int64)."""
"""Nearest tasks kept per task: the ruin's strings and the local search's moves look no further."""


class Data(NamedTuple):
    """Everything the kernels read: the instance, never changed during a search except
    ``task_owner_cost`` when territory centres move. One flat record (the kernels get it as
    :class:`DataRef`, which shares these arrays)."""

    cost: np.ndarray  # (nodes, nodes): the cost of a leg
    time: np.ndarray  # (nodes, nodes): travel time of a leg
    # Per task (index t).
    task_node: np.ndarray
    task_service: np.ndarray
    task_early: np.ndarray
    task_late: np.ndarray
    task_demand: np.ndarray
    task_visits: np.ndarray
    task_first_pattern: np.ndarray  # global id of the task's first pattern
    task_num_patterns: np.ndarray
    task_eligible: np.ndarray  # (tasks, owners) bool: may this owner serve the task
    task_owner_cost: np.ndarray  # (tasks, owners): stability and compactness cost of that owner
    task_preferred: np.ndarray  # the owner that keeps the task without moving it (-1: none)
    task_group: np.ndarray  # tasks of one group never share a day (-1: none)
    group_first: np.ndarray  # the tasks of group g: group_tasks[group_first[g]:group_first[g + 1]]
    group_tasks: np.ndarray
    task_depot_cost: np.ndarray  # cost from the first vehicle's start (orders re-insertions)
    task_neighbours: np.ndarray  # (tasks, k): nearest tasks first
    # The allowed visit-day sets of every task, one row per pattern (-1 padded).
    pattern_days: np.ndarray
    pattern_size: np.ndarray
    pattern_cost: np.ndarray  # what choosing the pattern costs: visits on days the task was not visited before
    pattern_mask: np.ndarray  # the pattern's days as bits (day k: 1 << k)
    # Per vehicle (one route slot: an owner's day).
    vehicle_day: np.ndarray
    vehicle_owner: np.ndarray
    vehicle_start: np.ndarray
    vehicle_end: np.ndarray
    vehicle_early: np.ndarray
    vehicle_late: np.ndarray
    vehicle_capacity: np.ndarray
    vehicle_max_duration: np.ndarray
    vehicle_max_stops: np.ndarray
    vehicle_break_early: np.ndarray  # the break starts in [early, late] ...
    vehicle_break_late: np.ndarray
    vehicle_break_length: np.ndarray  # ... and lasts this long (0: no break)
    vehicle_owner_routes: np.ndarray  # routes of the vehicle's owner over the cycle (float)
    # Vehicles by day (day k: by_day[day_first[k]:day_first[k + 1]]) and by owner-day (key
    # owner * num_days + day).
    day_first: np.ndarray
    by_day: np.ndarray
    owner_day_first: np.ndarray
    by_owner_day: np.ndarray
    # Per owner, and the balance groups of interchangeable owners.
    owner_group: np.ndarray  # balance group, -1 when not balanced
    owner_working_time: np.ndarray  # shift time over the cycle
    group_working_time: np.ndarray
    group_utilisation: np.ndarray  # the utilisation a group's targets aim at (0: the group's own mean)
    # The objective's switches and weights (see routeplan.solver.kernels.objective).
    consistent: bool
    balance_weight: float
    balance_tolerance: float  # relative band around an owner's target that costs nothing
    balance_floor: float  # the band's smallest half-width (time units)
    day_balance_weight: float
    day_balance_tolerance: float
    day_balance_floor: float
    missing_cost: float  # per missing visit: more than any routing saving it could bring
    max_moved: int  # at most this many tasks served by another than their preferred owner (-1: no limit)
    symmetric: bool  # symmetric costs: 2-opt within a route may reverse a segment


class State(NamedTuple):
    """A solution (see the module docstring); every array is changed in place by the kernels,
    which get it as :class:`StateRef`, sharing these arrays."""

    length: np.ndarray
    route: np.ndarray
    departure: np.ndarray
    latest: np.ndarray
    rested: np.ndarray
    unrested: np.ndarray
    load: np.ndarray
    cost: np.ndarray
    travel: np.ndarray
    service: np.ndarray
    pattern: np.ndarray
    owner: np.ndarray
    vehicle: np.ndarray
    position: np.ndarray
    owner_work: np.ndarray


# The kernels' records. A named tuple of arrays would do as well, but numba passes a tuple to
# every call as all its members, each reference-counted: a struct reference is one pointer.
class _Record(types.StructRef):
    def preprocess_fields(self, fields: Sequence[tuple[str, types.Type]]) -> tuple[tuple[str, types.Type], ...]:
        # Fields are typed by their values' types, never by literal values (one compilation).
        return tuple((name, types.unliteral(typ)) for name, typ in fields)


@structref.register
class _DataRefType(_Record):
    pass


@structref.register
class _StateRefType(_Record):
    pass


class DataRef(structref.StructRefProxy):
    """:class:`Data` as the kernels take it (the same arrays)."""


class StateRef(structref.StructRefProxy):
    """:class:`State` as the kernels take it (the same arrays)."""


structref.define_proxy(DataRef, _DataRefType, list(Data._fields))
structref.define_proxy(StateRef, _StateRefType, list(State._fields))


def data_ref(data: Data) -> DataRef:
    """The kernels' record of ``data``."""
    return DataRef(*data)


def state_ref(state: State) -> StateRef:
    """The kernels' record of ``state`` (changes through it show in ``state``'s arrays)."""
    return StateRef(*state)


def freeze(inst: Instance, *, neighbours: int = NEIGHBOURS) -> Data:
    """The kernel arrays of ``inst`` (``neighbours`` nearest tasks per task; 0 for none, e.g.
    when only route timing is needed)."""
    tasks = inst.tasks
    vehicles = inst.vehicles
    n_tasks = len(tasks)
    n_days = inst.num_days
    cost = leg_costs(inst)
    nodes = np.array([t.node for t in tasks], dtype=np.int64)

    max_visits = max((len(p) for t in tasks for p in t.patterns), default=1)
    first = np.zeros(n_tasks, dtype=np.int64)
    count = np.zeros(n_tasks, dtype=np.int64)
    rows: list[list[int]] = []
    for i, task in enumerate(tasks):
        first[i] = len(rows)
        count[i] = len(task.patterns)
        rows.extend(list(days) + [-1] * (max_visits - len(days)) for days in task.patterns)
    pattern_days = np.array(rows, dtype=np.int64).reshape(-1, max_visits)
    pattern_size = (pattern_days >= 0).sum(axis=1).astype(np.int64)
    pattern_cost = np.zeros(len(rows))
    if n_days > MAX_GROUP_DAYS and any(t.group >= 0 for t in tasks):
        raise ValueError(f"task groups need a cycle of at most {MAX_GROUP_DAYS} days, not {n_days}")
    pattern_mask = np.zeros(len(rows), dtype=np.int64)
    if n_days <= MAX_GROUP_DAYS:  # one vectorised pass: every freeze pays it, groups or not
        bits = np.left_shift(np.int64(1), np.maximum(pattern_days, 0))
        pattern_mask = np.where(pattern_days >= 0, bits, 0).sum(axis=1).astype(np.int64)
    task_groups = np.array([t.group for t in tasks], dtype=np.int64)
    by_group = np.argsort(task_groups, kind="stable")
    group_tasks = by_group[task_groups[by_group] >= 0].astype(np.int64)
    group_first = np.searchsorted(task_groups[group_tasks], np.arange((task_groups.max() + 2) if n_tasks else 1))
    if inst.day_change_cost > 0:
        for i, task in enumerate(tasks):
            if task.kept_days:
                before = set(task.kept_days)
                for k, days in enumerate(task.patterns):
                    pattern_cost[first[i] + k] = inst.day_change_cost * sum(1 for day in days if day not in before)

    eligible = np.ones((n_tasks, inst.num_owners), dtype=np.bool_)
    for t, task in enumerate(tasks):
        if task.owners is not None:
            eligible[t] = False
            eligible[t, list(task.owners)] = True

    max_len = max_route_length(inst)
    veh_day = np.array([v.day for v in vehicles], dtype=np.int64)
    veh_owner = np.array([v.owner for v in vehicles], dtype=np.int64)
    routes_of_owner = np.bincount(veh_owner, minlength=inst.num_owners).astype(float)
    by_day = np.argsort(veh_day, kind="stable").astype(np.int64)
    day_first = np.searchsorted(veh_day[by_day], np.arange(n_days + 1)).astype(np.int64)
    owner_day = veh_owner * n_days + veh_day
    by_owner_day = np.argsort(owner_day, kind="stable").astype(np.int64)
    owner_day_first = np.searchsorted(owner_day[by_owner_day],
                                      np.arange(inst.num_owners * n_days + 1)).astype(np.int64)

    working = working_time(inst)
    group = np.full(inst.num_owners, -1, dtype=np.int64)
    kept = [k for k, g in enumerate(inst.balance_groups) if len(g) > 1] if inst.balance_weight > 0 else []
    groups = [inst.balance_groups[k] for k in kept]
    for k, members in enumerate(groups):
        group[list(members)] = k
    group_working = np.array([working[list(m)].sum() for m in groups], dtype=float)
    aims = inst.balance_utilisation
    group_utilisation = np.array([aims[k] if k < len(aims) else 0.0 for k in kept], dtype=float)

    first_start = vehicles[0].start if vehicles else 0
    scale = float(np.max(cost)) if cost.size else 1.0
    missing = (10.0 * (2.0 * scale + 1.0)
               + 10.0 * max((t.service for t in tasks), default=0.0) * (inst.time_cost + 1.0))
    return Data(
        cost=cost, time=np.ascontiguousarray(inst.time, dtype=float),
        task_node=nodes, task_service=np.array([t.service for t in tasks], dtype=float),
        task_early=np.array([t.earliest for t in tasks], dtype=float),
        task_late=np.array([t.latest for t in tasks], dtype=float),
        task_demand=np.array([t.demand for t in tasks], dtype=float),
        task_visits=np.array([t.visits for t in tasks], dtype=np.int64),
        task_first_pattern=first, task_num_patterns=count, task_eligible=eligible,
        task_owner_cost=stability_costs(inst),
        task_preferred=np.array([t.preferred_owner for t in tasks], dtype=np.int64),
        task_group=task_groups, group_first=group_first.astype(np.int64), group_tasks=group_tasks,
        task_depot_cost=np.ascontiguousarray(cost[first_start, nodes], dtype=float),
        task_neighbours=nearest_tasks(cost, nodes, neighbours, owners=[t.owners or () for t in tasks]),
        pattern_days=pattern_days, pattern_size=pattern_size, pattern_cost=pattern_cost, pattern_mask=pattern_mask,
        vehicle_day=veh_day, vehicle_owner=veh_owner,
        vehicle_start=np.array([v.start for v in vehicles], dtype=np.int64),
        vehicle_end=np.array([v.end for v in vehicles], dtype=np.int64),
        vehicle_early=np.array([v.earliest for v in vehicles], dtype=float),
        vehicle_late=np.array([v.latest for v in vehicles], dtype=float),
        vehicle_capacity=np.array([v.capacity for v in vehicles], dtype=float),
        vehicle_max_duration=np.array([v.max_duration for v in vehicles], dtype=float),
        vehicle_max_stops=np.array([min(v.max_stops, n_tasks, max_len) for v in vehicles], dtype=np.int64),
        vehicle_break_early=np.array([v.break_earliest for v in vehicles], dtype=float),
        vehicle_break_late=np.array([v.break_latest for v in vehicles], dtype=float),
        vehicle_break_length=np.array([v.break_length for v in vehicles], dtype=float),
        vehicle_owner_routes=routes_of_owner[veh_owner] if len(vehicles) else np.zeros(0),
        day_first=day_first, by_day=by_day, owner_day_first=owner_day_first, by_owner_day=by_owner_day,
        owner_group=group, owner_working_time=working, group_working_time=group_working,
        group_utilisation=group_utilisation,
        consistent=bool(inst.consistent), balance_weight=float(inst.balance_weight),
        balance_tolerance=float(inst.balance_tolerance), balance_floor=float(inst.balance_floor),
        day_balance_weight=float(inst.day_balance_weight), day_balance_tolerance=float(inst.day_balance_tolerance),
        day_balance_floor=float(inst.day_balance_floor), missing_cost=float(missing),
        max_moved=int(inst.max_moved) if inst.consistent else -1,
        symmetric=bool(inst.symmetric))


def empty_state(data: Data, *, max_length: int) -> State:
    """A state with every task unassigned; routes hold at most ``max_length`` visits."""
    n_v = len(data.vehicle_day)
    n_t = len(data.task_node)
    width = max_length + 1
    visits = data.pattern_days.shape[1]
    return State(length=np.zeros(n_v, np.int64), route=np.full((n_v, width), -1, np.int64),
                 departure=np.zeros((n_v, width)), latest=np.zeros((n_v, width)),
                 rested=np.zeros((n_v, width)), unrested=np.zeros((n_v, width)), load=np.zeros(n_v),
                 cost=np.zeros(n_v), travel=np.zeros(n_v), service=np.zeros(n_v),
                 pattern=np.full(n_t, -1, np.int64), owner=np.full(n_t, -1, np.int64),
                 vehicle=np.full((n_t, visits), -1, np.int64), position=np.zeros((n_t, visits), np.int64),
                 owner_work=np.zeros(len(data.owner_group)))


def copy_state(state: State) -> State:
    """An independent copy of ``state``."""
    return State(*(field.copy() for field in state))


def leg_costs(inst: Instance) -> np.ndarray:
    """The cost of every leg: ``distance_cost * dist + time_cost * time`` (the time matrix
    itself, not a copy, when the cost is travel time alone)."""
    if inst.distance_cost == 0.0 and inst.time_cost == 1.0:
        return np.ascontiguousarray(inst.time, dtype=float)
    if inst.distance_cost == 1.0 and inst.time_cost == 0.0:
        return np.ascontiguousarray(inst.dist, dtype=float)
    return np.ascontiguousarray(inst.distance_cost * inst.dist + inst.time_cost * inst.time, dtype=float)


def working_time(inst: Instance) -> np.ndarray:
    """Shift time of each owner over the cycle, breaks left out (1 per route whose shift is
    unbounded)."""
    hours = np.zeros(inst.num_owners)
    for v in inst.vehicles:
        span = v.latest - v.earliest
        hours[v.owner] += span - v.break_length if math.isfinite(span) else 1.0
    return hours


def max_route_length(inst: Instance) -> int:
    """An upper bound on the visits of any route (sizes the route arrays)."""
    n = inst.num_tasks
    least_service = min((t.service for t in inst.tasks), default=0.0)
    least_demand = min((t.demand for t in inst.tasks), default=0.0)
    bound = 0
    for v in inst.vehicles:
        b = min(v.max_stops, n)
        span = v.latest - v.earliest
        if least_service > 0 and math.isfinite(span):
            b = min(b, int(span / least_service) + 1)
        if least_demand > 0 and math.isfinite(v.capacity):
            b = min(b, int(v.capacity / least_demand) + 1)
        bound = max(bound, b)
    return max(bound, 1)


def nearest_tasks(cost: np.ndarray, nodes: np.ndarray, k: int, *, block: int = 512,
                  owners: Sequence[tuple[int, ...]] | None = None) -> np.ndarray:
    """For each task, the ``k`` other tasks nearest to it by the symmetric cost
    ``cost[a, b] + cost[b, a]``, nearest first (ties by task index). With ``owners`` (each
    task's allowed owners, empty: any), tasks that share no owner with it come after all that
    do: they can never be in one route, so the moves and owner choices that look at
    neighbours would only waste their look on them. Works in blocks of rows, so memory stays
    at ``block x tasks`` however many tasks there are."""
    n = len(nodes)
    k = min(k, n - 1) if n > 1 else 0
    out = np.zeros((n, k), dtype=np.int64)
    if k == 0:
        return out
    apart = _apart(owners) if owners is not None else None
    columns = np.arange(n)
    for first in range(0, n, block):
        rows = np.arange(first, min(n, first + block))
        sym = cost[np.ix_(nodes[rows], nodes)] + cost[np.ix_(nodes, nodes[rows])].T
        if apart is not None:
            kinds, table = apart
            sym[table[np.ix_(kinds[rows], kinds)]] += APART_PENALTY
        sym[np.arange(len(rows)), rows] = np.inf  # a task is not its own neighbour
        part = np.argpartition(sym, k - 1, axis=1)[:, :k] if k < n - 1 else np.tile(columns, (len(rows), 1))
        values = np.take_along_axis(sym, part, axis=1)
        # Sort the k chosen by (cost, index) so that the order never depends on argpartition.
        order = np.lexsort((part, values), axis=1)
        chosen = np.take_along_axis(part, order, axis=1)
        if k >= n - 1:
            chosen = chosen[chosen != rows[:, None]].reshape(len(rows), -1)[:, :k]
        out[rows] = chosen
    return out


APART_PENALTY = 1e15
"""Added to the cost between tasks without a common owner when neighbours are chosen: after any
real cost, so that they come last."""


def _apart(owners: Sequence[tuple[int, ...]]) -> tuple[np.ndarray, np.ndarray] | None:
    """Each task's kind (its distinct owner set) and, kind by kind, whether two kinds share no
    owner; None when every pair of tasks shares one (the classic PVRP: no owners given)."""
    kinds: dict[tuple[int, ...], int] = {}
    kind = np.array([kinds.setdefault(tuple(o), len(kinds)) for o in owners], dtype=np.int64)
    sets = [set(o) for o in kinds]
    table = np.array([[bool(a) and bool(b) and not (a & b) for b in sets] for a in sets], dtype=np.bool_)
    if not table.any():
        return None
    return kind, table


def stability_costs(inst: Instance) -> np.ndarray:
    """What serving each task by each owner costs before territories exist: ``stability_cost``
    unless the owner is the task's preferred one (consistent instances only); (tasks, owners)."""
    cost = np.zeros((inst.num_tasks, inst.num_owners))
    if not inst.consistent or inst.stability_cost <= 0:
        return cost
    preferred = np.array([t.preferred_owner for t in inst.tasks], dtype=np.int64)
    has = preferred >= 0
    cost[has] = inst.stability_cost
    cost[np.flatnonzero(has), preferred[has]] = 0.0
    return cost


def territory_centres(inst: Instance, owner: np.ndarray, previous: np.ndarray | None = None) -> np.ndarray:
    """Territory centre of each owner: the medoid (by travel time both ways, weighted by visits)
    of the tasks it serves; the previous centre, or -1, for owners without tasks."""
    centres = np.full(inst.num_owners, -1, dtype=np.int64) if previous is None else previous.copy()
    nodes = np.array([t.node for t in inst.tasks], dtype=np.int64)
    visits = np.array([t.visits for t in inst.tasks], dtype=float)
    for o in range(inst.num_owners):
        mine = np.flatnonzero(owner == o)
        if len(mine) == 0:
            continue
        sub = inst.time[np.ix_(nodes[mine], nodes[mine])]
        spread = ((sub + sub.T) * visits[mine][None, :]).sum(axis=1)
        centres[o] = nodes[mine[int(np.argmin(spread))]]
    return centres


def owner_costs(inst: Instance, centres: np.ndarray) -> np.ndarray:
    """What serving each task by each owner costs beyond travel, (tasks, owners): stability
    (:func:`stability_costs`) plus ``compactness_weight`` x visits x the travel time between the
    task and the owner's territory centre, which keeps territories in one piece."""
    cost = stability_costs(inst)
    if not inst.consistent or inst.compactness_weight <= 0:
        return cost
    nodes = np.array([t.node for t in inst.tasks], dtype=np.int64)
    visits = np.array([t.visits for t in inst.tasks], dtype=float)
    for o, centre in enumerate(centres):
        if centre >= 0:
            travel = (inst.time[nodes, centre] + inst.time[centre, nodes]) / 2.0
            cost[:, o] += inst.compactness_weight * visits * travel
    return cost
