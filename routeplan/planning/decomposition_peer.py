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
from ..solver.instance import Instance
from ..solver.result import EngineResult
from ..solver.routing_ortools import route_day
from ..solver.search import evaluate_routes
from ..solver.workload import task_workload
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
        order, lost = route_day(inst.time, start=veh.start, end=veh.end, visits=[inst.tasks[t].node for t in tasks],
                                service=[inst.tasks[t].service for t in tasks],
                                windows=[(inst.tasks[t].earliest, inst.tasks[t].latest) for t in tasks],
                                shift=(veh.earliest, veh.latest), max_stops=veh.max_stops, time_limit=per_route)
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
