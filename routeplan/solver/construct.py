"""First solutions: balanced, compact territories, then regret insertion of every task.

For consistent instances, the tasks that share a set of interchangeable owners are first split
into compact territories of about equal workload (a capacitated k-medoids on travel time); each
task is then inserted, with its pattern, into its territory owner's routes. The search later moves
tasks across territory borders when that pays. Without consistency, tasks are regret-inserted
directly.
"""

from __future__ import annotations

import logging

import numpy as np

from .insertion import Recreate
from .instance import Instance
from .objective import Objective
from .state import Solution

logger = logging.getLogger(__name__)


def initial_solution(inst: Instance, objective: Objective, rng: np.random.Generator) -> Solution:
    """A complete (as far as possible) first solution."""
    sol = Solution(inst)
    tasks = np.arange(inst.num_tasks)
    if not inst.consistent:
        Recreate(sol, objective, tasks).run(mode="regret")
        return sol
    territory = territories(inst, rng)
    targets = expected_targets(inst, objective, territory)
    Recreate(sol, objective, tasks, balance_targets=targets, owner_override=territory).run(mode="regret")
    left = sol.unassigned()
    if len(left):
        # Territories can be too tight for some tasks; let them go to any eligible owner.
        Recreate(sol, objective, left, balance_targets=targets).run(mode="regret")
    return sol


def expected_targets(inst: Instance, objective: Objective, territory: np.ndarray) -> np.ndarray:
    """Balance targets while building: each group's estimated total work shared evenly."""
    work = np.zeros(inst.num_owners)
    estimate = task_workload(inst)
    for t, owner in enumerate(territory):
        if owner >= 0:
            work[owner] += estimate[t]
    return objective.targets(work)


def task_workload(inst: Instance) -> np.ndarray:
    """Estimated work of each task per cycle: visits x (service + travel to a near neighbour)."""
    nodes = np.array([t.node for t in inst.tasks], dtype=np.int64)
    if len(nodes) == 0:
        return np.zeros(0)
    service = np.array([t.service for t in inst.tasks])
    visits = np.array([t.visits for t in inst.tasks])
    sub = inst.time[np.ix_(nodes, nodes)].copy()
    np.fill_diagonal(sub, np.inf)
    near = min(3, len(nodes) - 1)
    if near >= 1:
        travel = np.sort(sub, axis=1)[:, :near].mean(axis=1)
        travel = np.where(np.isfinite(travel), travel, 0.0)
    else:
        travel = np.zeros(len(nodes))
    return visits * (service + travel)


def territories(inst: Instance, rng: np.random.Generator, *, rounds: int = 8) -> np.ndarray:
    """An owner per task: compact territories of about equal estimated work.

    Tasks with a single allowed owner get it. Tasks sharing the same set of several allowed
    owners are split among those owners by capacitated k-medoids on travel time, each owner's
    capacity being the group's work shared in proportion to its working time (plus 3%).
    """
    owner = np.full(inst.num_tasks, -1, dtype=np.int64)
    work = task_workload(inst)
    groups: dict[tuple[int, ...], list[int]] = {}
    all_owners = tuple(range(inst.num_owners))
    working = {v.owner for v in inst.vehicles}
    hours = np.zeros(inst.num_owners)
    for v in inst.vehicles:
        hours[v.owner] += v.latest - v.earliest if np.isfinite(v.latest - v.earliest) else 1.0
    for t, task in enumerate(inst.tasks):
        allowed = tuple(o for o in (task.owners or all_owners) if o in working)
        if len(allowed) == 1:
            owner[t] = allowed[0]
        elif allowed:
            groups.setdefault(allowed, []).append(t)
    for allowed, members in groups.items():
        shares = hours[list(allowed)] / hours[list(allowed)].sum()
        owner[members] = np.asarray(allowed)[_capacitated_medoids(inst, np.array(members), work, shares, rng,
                                                                  rounds)]
    return owner


def _capacitated_medoids(inst: Instance, members: np.ndarray, work: np.ndarray, shares: np.ndarray,
                         rng: np.random.Generator, rounds: int) -> np.ndarray:
    """Cluster index (0..k-1) per member: compact clusters whose work follows ``shares``."""
    n = len(members)
    k = len(shares)
    if n <= k:
        return np.arange(n) % k
    nodes = np.array([inst.tasks[t].node for t in members], dtype=np.int64)
    dist = inst.time[np.ix_(nodes, nodes)]
    dist = (dist + dist.T) / 2.0
    w = work[members]
    capacity = w.sum() * shares * 1.03
    # k-medoids++ seeding
    medoids = [int(rng.integers(n))]
    for _ in range(1, k):
        d2 = np.min(dist[:, medoids], axis=1) ** 2
        medoids.append(int(rng.choice(n, p=d2 / d2.sum())) if d2.sum() > 0 else int(rng.integers(n)))
    assign = np.zeros(n, dtype=np.int64)
    for _ in range(rounds):
        assign = _assign_with_capacity(dist[:, medoids], w, capacity)
        new = []
        for c in range(k):
            idx = np.flatnonzero(assign == c)
            if len(idx) == 0:
                new.append(medoids[c])
                continue
            within = (dist[np.ix_(idx, idx)] * w[idx][None, :]).sum(axis=1)
            new.append(int(idx[np.argmin(within)]))
        if new == medoids:
            break
        medoids = new
    return assign


def _assign_with_capacity(dist: np.ndarray, w: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Assign points to the nearest centre with room, most constrained (largest regret) first."""
    n, k = dist.shape
    order_by_centre = np.argsort(dist, axis=1)
    sorted_d = np.take_along_axis(dist, order_by_centre, axis=1)
    regret = sorted_d[:, 1] - sorted_d[:, 0] if k > 1 else np.zeros(n)
    load = np.zeros(k)
    assign = np.full(n, -1, dtype=np.int64)
    for i in np.argsort(-regret, kind="stable"):
        for c in order_by_centre[i]:
            if load[c] + w[i] <= capacity[c]:
                assign[i] = c
                load[c] += w[i]
                break
        else:
            c = int(np.argmin(load / capacity))
            assign[i] = c
            load[c] += w[i]
    return assign
