"""A hand-made decomposition: the plan a competent user writes in an afternoon, the peer that
``benchmarks/city.py`` measures routeplan against.

1. **Territories.** For each group of interchangeable managers, capacity-balanced k-means on
   the customers' positions: centres seeded by k-means++, each customer (most constrained
   first) given to the nearest of its allowed managers that still has room, room being the
   manager's share of the group's estimated work in proportion to its working time (plus 5%),
   ten rounds of moving the centres.
2. **Visit days, spread evenly.** Each manager's customers, in order of angle around the
   territory's centre, take the visit pattern whose days are least loaded on average; among
   patterns within half a visit of that, the one of the nearest customer already placed (so that
   neighbours share days).
3. **Routes.** Every manager's day is routed by OR-Tools (parallel cheapest insertion, then
   guided local search; :func:`routeplan.solver.routing_ortools.route_day`) with its time
   windows, shift and visit cap, sharing the time limit equally. A customer with a visit
   OR-Tools drops loses all its visits (its pattern would be broken) and is reported unserved.

The result is priced and timed by the engine's rules (:func:`routeplan.solver.search.evaluate_routes`)
and becomes a plan like any other, checked by the validator.
"""

from __future__ import annotations

import logging
import time

import numpy as np

from ..model.travel import local_xy_km
from ..solver.instance import Instance, Vehicle
from ..solver.result import EngineResult
from ..solver.routing_ortools import Shift, Sites, route_cycle, route_day
from ..solver.search import evaluate_routes
from ..solver.workload import task_ride_share, task_workload
from .formulate import Formulation
from .strategies import manager_capacity

logger = logging.getLogger(__name__)

ROOM = 1.05
"""A manager's room in the territories: its fair share of the work, plus 5%."""
ROUNDS = 10
"""Rounds of moving the territory centres."""


def decomposition_routes(form: Formulation, *, time_limit: float, seed: int = 0) -> EngineResult:
    """Plan ``form`` by the hand-made decomposition (see the module docstring) within about
    ``time_limit`` seconds (the routing steps share what the first two leave)."""
    started = time.perf_counter()
    inst = form.instance
    problem = form.problem
    rng = np.random.default_rng(seed)
    xy = local_xy_km(form.node_lon[:inst.num_tasks], form.node_lat[:inst.num_tasks])
    work = task_workload(inst)
    available = manager_capacity(problem)
    owner = territories(form, xy, work, available, rng)
    vehicle_of = {(v.owner, v.day): k for k, v in enumerate(inst.vehicles)}
    day_of = visit_days(form, xy, work, owner, vehicle_of)
    sequences: list[list[int]] = [[] for _ in inst.vehicles]
    members: dict[int, list[int]] = {}
    for t, days in enumerate(day_of):
        for day in days:
            members.setdefault(vehicle_of[int(owner[t]), day], []).append(t)
    left = max(0.0, time_limit - (time.perf_counter() - started))
    per_route = max(0.05, left / max(1, len(members)))
    dropped: set[int] = set()
    for k, tasks in sorted(members.items()):
        veh = inst.vehicles[k]
        order, lost = route_day(inst.time, Sites.of([inst.tasks[t] for t in tasks]),
                                Shift(start=veh.start, end=veh.end, earliest=veh.earliest, latest=veh.latest,
                                      max_stops=veh.max_stops), time_limit=per_route)
        sequences[k] = [tasks[i] for i in order]
        dropped.update(tasks[i] for i in lost)
    if dropped:
        logger.info("decomposition: OR-Tools dropped visits of %d customers; they are left unserved", len(dropped))
        sequences = [[t for t in seq if t not in dropped] for seq in sequences]
    return evaluate_routes(inst, sequences)


def territories(form: Formulation, xy: np.ndarray, work: np.ndarray, available: np.ndarray,
                rng: np.random.Generator) -> np.ndarray:
    """Each task's manager: capacity-balanced k-means per group of interchangeable managers."""
    inst = form.instance
    owner = np.full(inst.num_tasks, -1, dtype=np.int64)
    grouped = {o for g in inst.balance_groups for o in g}
    groups = [tuple(g) for g in inst.balance_groups] + [(o,) for o in range(inst.num_owners) if o not in grouped]
    for group in groups:
        tasks = np.array([t for t, task in enumerate(inst.tasks) if task.owners and set(task.owners) <= set(group)],
                         dtype=np.int64)
        if len(tasks) == 0:
            continue
        managers = np.array(group, dtype=np.int64)
        room = ROOM * work[tasks].sum() * available[managers] / max(available[managers].sum(), 1e-9)
        centres = _seed_centres(xy[tasks], work[tasks], len(managers), rng)
        for _ in range(ROUNDS):
            chosen = _assign(inst, tasks, managers, xy, work, centres, room)
            for k in range(len(managers)):
                mine = tasks[chosen == k]
                if len(mine):
                    centres[k] = np.average(xy[mine], axis=0, weights=np.maximum(work[mine], 1e-9))
        owner[tasks] = managers[chosen]
    return owner


def _seed_centres(points: np.ndarray, weights: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeding, weighted by work."""
    first = rng.choice(len(points), p=weights / weights.sum()) if weights.sum() > 0 else 0
    centres = [points[first]]
    for _ in range(1, k):
        d2 = np.min([((points - c) ** 2).sum(axis=1) for c in centres], axis=0) * np.maximum(weights, 1e-9)
        centres.append(points[rng.choice(len(points), p=d2 / d2.sum())] if d2.sum() > 0 else points[0])
    return np.array(centres, dtype=float)


def _assign(inst: Instance, tasks: np.ndarray, managers: np.ndarray, xy: np.ndarray, work: np.ndarray,
            centres: np.ndarray, room: np.ndarray) -> np.ndarray:
    """Each task to the nearest allowed manager with room, the most constrained tasks first
    (fewest allowed managers, then largest regret between their two nearest)."""
    index = {int(m): k for k, m in enumerate(managers)}
    distance = np.sqrt(((xy[tasks][:, None, :] - centres[None, :, :]) ** 2).sum(axis=2))
    allowed = np.zeros_like(distance, dtype=bool)
    for i, t in enumerate(tasks):
        for o in inst.tasks[t].owners:
            allowed[i, index[o]] = True
    masked = np.where(allowed, distance, np.inf)
    near = np.sort(masked, axis=1)
    regret = np.where(np.isfinite(near[:, 1]), near[:, 1] - near[:, 0], np.inf) if masked.shape[1] > 1 \
        else np.full(len(tasks), np.inf)
    order = np.lexsort((-regret, allowed.sum(axis=1)))
    load = np.zeros(len(managers))
    chosen = np.zeros(len(tasks), dtype=np.int64)
    for i in order:
        candidates = np.argsort(masked[i], kind="stable")
        pick = next((int(k) for k in candidates if allowed[i, k] and load[k] + work[tasks[i]] <= room[k]),
                    int(candidates[0]))
        chosen[i] = pick
        load[pick] += work[tasks[i]]
    return chosen


def visit_days(form: Formulation, xy: np.ndarray, work: np.ndarray, owner: np.ndarray,
               vehicle_of: dict[tuple[int, int], int]) -> list[tuple[int, ...]]:
    """Each task's visit days: patterns spread evenly over its manager's days, neighbours
    sharing days where that is as even."""
    inst = form.instance
    days: list[tuple[int, ...]] = [() for _ in inst.tasks]
    for o in range(inst.num_owners):
        mine = np.flatnonzero(owner == o)
        if len(mine) == 0:
            continue
        centre = xy[mine].mean(axis=0)
        angle = np.arctan2(xy[mine, 1] - centre[1], xy[mine, 0] - centre[0])
        load = np.zeros(inst.num_days)
        placed: list[int] = []
        for t in mine[np.argsort(angle, kind="stable")]:
            task = inst.tasks[t]
            patterns = [p for p in task.patterns if all((o, d) in vehicle_of for d in p)]
            if not patterns:  # its manager does not work the days it needs: unserved
                continue
            per_visit = work[t] / max(task.visits, 1)
            filled = [sum(load[d] for d in p) / len(p) for p in patterns]  # how full its days are
            best = min(filled)
            even = [p for p, f in zip(patterns, filled, strict=True) if f <= best + 0.5 * per_visit]
            if placed:
                nearest = placed[int(np.argmin(((xy[placed] - xy[t]) ** 2).sum(axis=1)))]
                pick = days[nearest] if days[nearest] in even else even[0]
            else:
                pick = even[0]
            for d in pick:
                load[d] += per_visit
            days[t] = tuple(pick)
            placed.append(int(t))
    return days


# ----------------------------------------------------------------------------------------------
# The strong peer: territories filled to one utilisation, days along a sweep, each manager's
# whole cycle as one OR-Tools model
# ----------------------------------------------------------------------------------------------

FILL_SLACK = 1.02
"""A manager's room in the filled territories: the group's common utilisation of its working
time, plus 2%."""


def strong_decomposition_routes(form: Formulation, *, time_limit: float, seed: int = 0) -> EngineResult:
    """Plan ``form`` by the strong hand-made decomposition within about ``time_limit`` seconds.

    1. **Territories filled to one utilisation** (:func:`filled_territories`): per group of
       interchangeable managers, capacity-balanced k-means whose every manager's room is the
       group's common utilisation of its working time (work estimated from the neighbours and
       each shop's share of the day's ride from the manager's start); the customers of one role
       are placed first, then those several roles may serve, so that a manager who may serve
       only some tiers fills up on them; visit caps bound a territory's visits.
    2. **Visit days along a sweep** (:func:`sweep_days`): each manager's customers in order of
       angle around the territory's centre, their visits spaced evenly over the manager's
       working days by their place in the sweep, so that each day is a wedge of the territory.
    3. **Each manager's whole cycle as one OR-Tools model**
       (:func:`routeplan.solver.routing_ortools.route_cycle`): a vehicle per working day, the
       visits of a customer free to move between days wherever the gap rules still hold, from a
       greedy feasible start (cheapest feasible insertion on the sweep's days, another pattern
       where a day is full), then guided local search, the time shared by visits.

    A customer OR-Tools drops is reported unserved (all its visits).
    """
    started = time.perf_counter()
    inst = form.instance
    rng = np.random.default_rng(seed)
    xy = local_xy_km(form.node_lon, form.node_lat)
    work = task_workload(inst)
    work = work + task_ride_share(inst, work)
    available = manager_capacity(form.problem)
    owner = filled_territories(form, xy[:inst.num_tasks], work, available, rng)
    vehicle_of = {(v.owner, v.day): k for k, v in enumerate(inst.vehicles)}
    days = sweep_days(form, xy[:inst.num_tasks], work, owner)
    sequences: list[list[int]] = [[] for _ in inst.vehicles]
    mine_of = {o: np.flatnonzero(owner == o) for o in range(inst.num_owners)}
    visits = {o: sum(inst.tasks[t].visits for t in mine) for o, mine in mine_of.items()}
    left_visits = sum(visits.values())
    dropped: list[int] = []
    for o in range(inst.num_owners):
        mine = [int(t) for t in mine_of[o]]
        routes = sorted(k for (owner_k, _), k in vehicle_of.items() if owner_k == o)
        if not mine or not routes:
            dropped.extend(mine)
            continue
        left = max(0.0, time_limit - (time.perf_counter() - started))
        share = left * visits[o] / max(left_visits, 1)
        left_visits -= visits[o]
        cycle = _route_manager_cycle(form, o, mine, routes, days, share)
        for k, route in zip(routes, cycle, strict=True):
            sequences[k] = route
        served = {t for route in cycle for t in route}
        dropped.extend(t for t in mine if t not in served)
    if dropped:
        logger.info("strong decomposition: %d customers left unserved", len(dropped))
    return evaluate_routes(inst, sequences)


def filled_territories(form: Formulation, xy: np.ndarray, work: np.ndarray, available: np.ndarray,
                       rng: np.random.Generator) -> np.ndarray:
    """Each task's manager: capacity-balanced k-means per group, every manager filled to the
    group's common utilisation (customers of fewer allowed managers placed first)."""
    inst = form.instance
    owner = np.full(inst.num_tasks, -1, dtype=np.int64)
    grouped = {o for g in inst.balance_groups for o in g}
    groups = [tuple(g) for g in inst.balance_groups] + [(o,) for o in range(inst.num_owners) if o not in grouped]
    max_visits = np.full(inst.num_owners, np.inf)
    for v in inst.vehicles:
        if v.max_stops < 1_000_000:
            max_visits[v.owner] = (0.0 if not np.isfinite(max_visits[v.owner]) else max_visits[v.owner]) + v.max_stops
    visits = np.array([task.visits for task in inst.tasks], dtype=float)
    for group in groups:
        members = set(group)
        tasks = np.array([t for t, task in enumerate(inst.tasks) if task.owners and set(task.owners) <= members],
                         dtype=np.int64)
        if len(tasks) == 0:
            continue
        managers = np.array(group, dtype=np.int64)
        index = {int(m): k for k, m in enumerate(managers)}
        allowed = np.zeros((len(tasks), len(managers)), dtype=bool)
        for i, t in enumerate(tasks):
            for o in inst.tasks[t].owners:
                allowed[i, index[o]] = True
        common = work[tasks].sum() / max(available[managers].sum(), 1e-9)
        room = FILL_SLACK * common * available[managers]
        room_visits = max_visits[managers]
        centres = _seed_centres(xy[tasks], work[tasks], len(managers), rng)
        chosen = np.zeros(len(tasks), dtype=np.int64)
        for _ in range(ROUNDS):
            chosen = _fill(xy[tasks], work[tasks], visits[tasks], allowed, centres, room, room_visits)
            for k in range(len(managers)):
                mine = chosen == k
                if mine.any():
                    centres[k] = np.average(xy[tasks][mine], axis=0, weights=np.maximum(work[tasks][mine], 1e-9))
        owner[tasks] = managers[chosen]
    return owner


def _fill(xy: np.ndarray, work: np.ndarray, visits: np.ndarray, allowed: np.ndarray, centres: np.ndarray,
          room: np.ndarray, room_visits: np.ndarray) -> np.ndarray:
    """Each task to the nearest allowed centre with room: tasks of fewer allowed managers first,
    then the largest regret between their two nearest allowed centres."""
    distance = np.sqrt(((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2))
    masked = np.where(allowed, distance, np.inf)
    near = np.sort(masked, axis=1)
    regret = (np.where(np.isfinite(near[:, 1]), near[:, 1] - near[:, 0], 1e9) if masked.shape[1] > 1
              else np.zeros(len(xy)))
    order = np.lexsort((-regret, allowed.sum(axis=1)))
    load = np.zeros(len(centres))
    count = np.zeros(len(centres))
    chosen = np.zeros(len(xy), dtype=np.int64)
    for i in order:
        candidates = np.argsort(masked[i], kind="stable")
        pick = next((int(k) for k in candidates if allowed[i, k] and load[k] + work[i] <= room[k]
                     and count[k] + visits[i] <= room_visits[k]), -1)
        if pick < 0:  # nobody allowed has room left: the least loaded of those allowed
            options = np.flatnonzero(allowed[i])
            pick = int(options[np.argmin(load[options] / np.maximum(room[options], 1e-9))])
        chosen[i] = pick
        load[pick] += work[i]
        count[pick] += visits[i]
    return chosen


def sweep_days(form: Formulation, xy: np.ndarray, work: np.ndarray, owner: np.ndarray) -> list[tuple[int, ...]]:
    """Each task's visit days: its manager's customers in order of angle around the territory's
    centre, each taking the pattern (on days its manager works) nearest to visits spaced evenly
    from its place in the sweep (the cumulative work before it), least loaded days first among
    equals."""
    inst = form.instance
    days: list[tuple[int, ...]] = [() for _ in inst.tasks]
    worked: dict[int, list[int]] = {}
    for v in inst.vehicles:
        worked.setdefault(v.owner, []).append(v.day)
    for o in range(inst.num_owners):
        mine = np.flatnonzero(owner == o)
        routes = sorted(worked.get(o, []))
        if len(mine) == 0 or not routes:
            continue
        position = {d: r for r, d in enumerate(routes)}
        centre = np.average(xy[mine], axis=0, weights=np.maximum(work[mine], 1e-9))
        angle = np.arctan2(xy[mine, 1] - centre[1], xy[mine, 0] - centre[0])
        order = mine[np.argsort(angle, kind="stable")]
        cumulative = np.cumsum(work[order]) - work[order] / 2.0
        total = max(float(work[order].sum()), 1e-9)
        load = np.zeros(len(routes))
        n = len(routes)
        for t, place in zip(order, cumulative / total, strict=True):
            task = inst.tasks[t]
            options = [tuple(position[d] for d in p) for p in task.patterns if all(d in position for d in p)]
            if not options:
                continue
            k = len(options[0])
            ideal = [(place * n / k + j * n / k) % n for j in range(k)]

            def off(p: tuple[int, ...], ideal: list[float] = ideal, n: int = n) -> float:
                return sum(min(abs(r - x), n - abs(r - x)) for r, x in zip(p, ideal, strict=True))

            best = min(options, key=lambda p: (round(off(p), 6), sum(load[r] for r in p)))
            for r in best:
                load[r] += work[t] / k
            days[t] = tuple(routes[r] for r in best)
    return days


def _route_manager_cycle(form: Formulation, o: int, tasks: list[int], routes: list[int],
                         days: list[tuple[int, ...]], seconds: float) -> list[list[int]]:
    """Manager ``o``'s routes (task sequences per vehicle in ``routes``, its working days in order)
    over ``tasks``: a greedy feasible start on the sweep's days, then OR-Tools on the cycle."""
    inst = form.instance
    vehicles = [inst.vehicles[k] for k in routes]
    position = {v.day: r for r, v in enumerate(vehicles)}
    first = vehicles[0]
    shift = (first.earliest, first.latest)
    max_stops = min(v.max_stops for v in vehicles)
    patterns = []
    for t in tasks:
        task = inst.tasks[t]
        patterns.append([tuple(position[d] for d in p) for p in task.patterns if all(d in position for d in p)])
    start = _greedy_cycle(inst, tasks, patterns, first, len(routes),
                          [tuple(position[d] for d in days[t]) if days[t] else () for t in tasks], max_stops)
    cycle = route_cycle(inst.time, Sites.of([inst.tasks[t] for t in tasks]),
                        Shift(start=first.start, end=first.end, earliest=shift[0], latest=shift[1],
                              max_stops=max_stops), patterns=patterns, num_routes=len(routes), initial=start,
                        time_limit=max(0.05, seconds))
    # Only customers with every visit on a route of one of their patterns count as served.
    placed: dict[int, list[int]] = {}
    for r, route in enumerate(cycle):
        for i, _ in route:
            placed.setdefault(i, []).append(r)
    served = {i for i, rs in placed.items() if tuple(sorted(rs)) in patterns[i]}
    return [[tasks[i] for i, _ in route if i in served] for route in cycle]


def _greedy_cycle(inst: Instance, tasks: list[int], patterns: list[list[tuple[int, ...]]], vehicle: Vehicle,
                  num_routes: int, wanted: list[tuple[int, ...]], max_stops: int) -> list[list[tuple[int, int]]]:
    """A feasible first cycle: each customer's visits by cheapest feasible insertion on the days
    the sweep gave it (tight windows first), another of its patterns where those days are full,
    left out where none fits."""
    routes: list[list[tuple[int, int]]] = [[] for _ in range(num_routes)]
    time = inst.time

    def fits(route: list[tuple[int, int]]) -> bool:
        if len(route) > max_stops:
            return False
        clock = vehicle.earliest
        here = vehicle.start
        for i, _ in route:
            task = inst.tasks[tasks[i]]
            clock = max(clock + time[here, task.node], task.earliest)
            if clock > task.latest:
                return False
            clock += task.service
            here = task.node
        return clock + time[here, vehicle.end] <= vehicle.latest

    def cheapest(route: list[tuple[int, int]], visit: tuple[int, int]) -> tuple[float, int]:
        node = inst.tasks[tasks[visit[0]]].node
        places = [vehicle.start] + [inst.tasks[tasks[i]].node for i, _ in route] + [vehicle.end]
        best = (np.inf, -1)
        for k in range(len(places) - 1):
            added = time[places[k], node] + time[node, places[k + 1]] - time[places[k], places[k + 1]]
            if added < best[0] and fits([*route[:k], visit, *route[k:]]):
                best = (float(added), k)
        return best

    order = sorted(range(len(tasks)), key=lambda i: (inst.tasks[tasks[i]].latest - inst.tasks[tasks[i]].earliest, i))
    for i in order:
        options = ([wanted[i]] if wanted[i] in patterns[i] else []) + [p for p in patterns[i] if p != wanted[i]]
        for pattern in options:
            spots = []
            for j, r in enumerate(pattern):
                _, k = cheapest(routes[r], (i, j))
                if k < 0:
                    break
                spots.append((r, k, (i, j)))
            else:
                for r, k, visit in spots:
                    routes[r].insert(k, visit)
                break
    return routes
