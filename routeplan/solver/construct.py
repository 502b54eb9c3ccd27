"""First solutions: balanced, compact territories, then regret insertion of every task.

With owner consistency, the tasks that share a set of interchangeable owners are first split
into compact territories of about equal workload (a capacitated k-medoids on travel time); each
task is then regret-inserted, with its pattern, into its territory owner's routes, and what
does not fit there goes to any owner allowed. The search later moves tasks across territory
borders when that pays. Without consistency, tasks are regret-inserted directly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..model.problem import interchangeable_groups
from .arrays import Data, State, data_ref, max_route_length, state_ref, working_time
from .instance import Instance
from .kernels.insertion import regret_insert
from .kernels.objective import group_targets
from .solution import new_state
from .workload import task_ride_share, task_workload

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Construction:
    """A first solution and the work that built it."""

    state: State
    positions: int  # route gaps priced
    options: int  # (pattern, owner, day) combinations weighed


def initial_solution(inst: Instance, data: Data, rng: np.random.Generator, *, rides: bool = False) -> Construction:
    """A complete (as far as possible) first solution of ``inst`` (frozen as ``data``); with
    ``rides``, the first territories weigh each visit's share of the day's ride from the nearest
    start and back too (:func:`routeplan.solver.workload.task_ride_share`), so that a territory
    far from the office starts with fewer customers."""
    state = new_state(data, max_length=max_route_length(inst))
    everyone = np.full(inst.num_tasks, -1, dtype=np.int64)
    tasks = np.arange(inst.num_tasks, dtype=np.int64)
    targets = np.zeros(inst.num_owners)
    refs = (data_ref(data), state_ref(state))
    if not inst.consistent:
        _, positions, options = regret_insert(*refs, tasks, everyone, targets)
        return Construction(state=state, positions=int(positions), options=int(options))
    work = task_workload(inst)
    if rides:
        work = work + task_ride_share(inst, work)
    territory = territories(inst, work, rng)
    estimate = np.zeros(inst.num_owners)
    np.add.at(estimate, territory[territory >= 0], work[territory >= 0])
    group_targets(refs[0], estimate, targets)
    _, positions, options = regret_insert(*refs, tasks, territory, targets)
    left = np.flatnonzero(state.pattern < 0).astype(np.int64)
    if len(left):
        # Territories can be too tight for some tasks; let them go to any eligible owner.
        _, more_positions, more_options = regret_insert(*refs, left, everyone, targets)
        positions += more_positions
        options += more_options
    return Construction(state=state, positions=int(positions), options=int(options))


def territories(inst: Instance, work: np.ndarray, rng: np.random.Generator, *, rounds: int = 8) -> np.ndarray:
    """An owner per task (-1 for none): compact territories of about equal estimated ``work``
    (per task, see :func:`routeplan.solver.workload.task_workload`).

    Tasks with a single allowed owner get it. Tasks sharing the same set of several allowed
    owners are split among those owners by capacitated k-medoids on travel time, every owner's
    room being its share of its group's work in proportion to its working time. Where owners'
    sets overlap only in part (C managers serving medium and small shops, D managers only small
    ones), all the sets of the group are clustered at once around one medoid per owner, tasks
    of the sets with fewest owners placed first: a C manager's small shops then lie around its
    medium ones and a D manager fills up on the small shops between. (Clustering each set
    apart drew a C manager's small shops as a second territory of its own, away from its first:
    on the 5,000-customer city of benchmarks/city.py the C managers' first hulls overlapped on
    65 % of their area, 39 % so.)
    """
    owner = np.full(inst.num_tasks, -1, dtype=np.int64)
    groups: dict[tuple[int, ...], list[int]] = {}
    all_owners = tuple(range(inst.num_owners))
    working = {v.owner for v in inst.vehicles}
    hours = working_time(inst)
    for t, task in enumerate(inst.tasks):
        allowed = tuple(o for o in (task.owners if task.owners is not None else all_owners) if o in working)
        if len(allowed) == 1:
            owner[t] = allowed[0]
        elif allowed:
            groups.setdefault(allowed, []).append(t)
    # Each owner's room: its share of the work of every task its sets may take, by working time.
    component = _components(list(groups), inst.num_owners)
    total = np.zeros(inst.num_owners)
    for allowed, members in groups.items():
        total[component[allowed[0]]] += work[members].sum()
    fixed = owner >= 0
    load = np.bincount(owner[fixed], weights=work[fixed], minlength=inst.num_owners)
    for c in set(component.tolist()):
        mine = component == c
        total[c] += load[mine].sum()
    room_total = np.zeros(inst.num_owners)
    for c in set(component.tolist()):
        mine = np.flatnonzero(component == c)
        room_total[mine] = total[c] * hours[mine] / max(hours[mine].sum(), 1e-9)
    sets_of: dict[int, list[tuple[int, ...]]] = {}
    for allowed in sorted(groups, key=lambda a: (len(a), a)):
        sets_of.setdefault(int(component[allowed[0]]), []).append(allowed)

    def room_of(owners: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """What room ``owners`` have left for the tasks ``idx`` (by working time if none has)."""
        room = np.maximum(room_total[owners] - load[owners], 0.0)
        if room.sum() <= 1e-9 * max(float(work[idx].sum()), 1.0):  # every owner is full: by working time
            room = hours[owners].astype(float)
        return room

    for allowed in sorted(groups, key=lambda a: (len(a), a)):
        sets = sets_of[int(component[allowed[0]])]
        if len(sets) > 1:
            # Sets that overlap in part are clustered together, once (at the first of them),
            # around one centre per owner: a C manager's small shops then lie around its medium
            # ones instead of in a territory of their own drawn apart (which interleaved the lines).
            if allowed == sets[0]:
                idx = np.array(sorted(t for a in sets for t in groups[a]), dtype=np.int64)
                owners = np.array(sorted({o for a in sets for o in a}), dtype=np.int64)
                may = np.zeros((len(idx), len(owners)), dtype=bool)
                for a in sets:
                    may[np.ix_(np.searchsorted(idx, groups[a]), np.searchsorted(owners, a))] = True
                room = room_of(owners, idx)
                owner[idx] = owners[_capacitated_medoids(inst, idx, work[idx], room / room.sum(), rng, rounds,
                                                         allowed=may)]
                np.add.at(load, owner[idx], work[idx])
            continue
        idx = np.array(groups[allowed], dtype=np.int64)
        owners = np.asarray(allowed)
        room = room_of(owners, idx)
        # Owners without room take none of this set (unless none has any).
        keep = room > 1e-9 * max(float(room.max()), 1e-12)
        owners, room = owners[keep], room[keep]
        shares = room / room.sum()
        owner[idx] = owners[_capacitated_medoids(inst, idx, work[idx], shares, rng, rounds)]
        np.add.at(load, owner[idx], work[idx])
    return owner


def _components(sets: list[tuple[int, ...]], n: int) -> np.ndarray:
    """Owners linked by sharing a set: the id (an owner of it) of each owner's component."""
    component = np.arange(n, dtype=np.int64)
    for members in interchangeable_groups(sets, n):
        component[list(members)] = members[0]
    return component


def _capacitated_medoids(inst: Instance, members: np.ndarray, work: np.ndarray, shares: np.ndarray,
                         rng: np.random.Generator, rounds: int, *, allowed: np.ndarray | None = None) -> np.ndarray:
    """Cluster index (0..k-1) per member: compact clusters whose work follows ``shares``.

    Distances are the mean of the two directions' travel times; only members x medoids and
    each cluster's own members are ever compared, never all members with all. ``allowed``
    (members x clusters), when given, says which clusters may take each member: a cluster's
    medoid is then one of its allowed members, and members with fewer clusters allowed are
    placed first.
    """
    n = len(members)
    k = len(shares)
    if allowed is None and n <= k:
        return np.arange(n) % k
    nodes = np.array([inst.tasks[t].node for t in members], dtype=np.int64)
    time = inst.time

    def to(medoid: int) -> np.ndarray:
        return (time[nodes, nodes[medoid]] + time[nodes[medoid], nodes]) / 2.0

    capacity = work.sum() * shares * 1.03
    if allowed is None:
        # k-medoids++ seeding
        medoids = [int(rng.integers(n))]
        nearest = to(medoids[0])
        for _ in range(1, k):
            d2 = nearest ** 2
            medoids.append(int(rng.choice(n, p=d2 / d2.sum())) if d2.sum() > 0 else int(rng.integers(n)))
            nearest = np.minimum(nearest, to(medoids[-1]))
    else:
        medoids = _seeded_medoids(allowed, to, rng)
    assign = np.zeros(n, dtype=np.int64)
    # With ``allowed``, a cluster whose medoid lies where few members it may take are left
    # stays short of its share; a pull (seconds taken off its distances) grows with its
    # shortfall each round, so that it draws members from its neighbours, who draw in turn.
    pull = np.zeros(k)
    target = work.sum() * shares
    may = np.ones((n, k), dtype=bool) if allowed is None else allowed
    for _ in range(rounds if allowed is None else 3 * rounds):
        dist = np.stack([to(m) for m in medoids], axis=1)
        assign = _assign_allowed(dist - pull[None, :], may, work, capacity)
        if allowed is not None:
            short = np.maximum(1.0 - np.bincount(assign, weights=work, minlength=k) / np.maximum(target, 1e-9), 0.0)
            pull += short * float(np.median(dist.min(axis=1))) * 4.0
        new = []
        for c in range(k):
            idx = np.flatnonzero(assign == c)
            if len(idx) == 0:
                new.append(medoids[c])
                continue
            sub = time[np.ix_(nodes[idx], nodes[idx])]
            within = ((sub + sub.T) / 2.0 * work[idx][None, :]).sum(axis=1)
            new.append(int(idx[np.argmin(within)]))
        if new == medoids and (allowed is None or short.max() < 0.03):
            break
        medoids = new
    return assign


def _seeded_medoids(allowed: np.ndarray, to: Callable[[int], np.ndarray], rng: np.random.Generator) -> list[int]:
    """k-medoids++ seeding where cluster ``j``'s medoid is drawn from the members it may take,
    away from the medoids drawn before it (clusters with fewest members allowed first)."""
    n, k = allowed.shape
    medoids = [0] * k
    nearest = np.full(n, np.inf)
    for j in np.argsort(allowed.sum(axis=0), kind="stable"):
        mine = np.flatnonzero(allowed[:, j])
        if len(mine) == 0:
            medoids[j] = 0
            continue
        d2 = np.where(np.isfinite(nearest[mine]), nearest[mine], 1.0) ** 2
        pick = int(mine[rng.choice(len(mine), p=d2 / d2.sum())]) if d2.sum() > 0 else int(mine[rng.integers(len(mine))])
        medoids[j] = pick
        nearest = np.minimum(nearest, to(pick))
    return medoids


def _assign_allowed(dist: np.ndarray, allowed: np.ndarray, w: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Each point to its nearest allowed centre with room: points with fewest centres allowed
    first, then the largest regret; a point no allowed centre has room for goes to the least
    loaded of those allowed."""
    n, k = dist.shape
    masked = np.where(allowed, dist, np.inf)
    order_by_centre = np.argsort(masked, axis=1, kind="stable")
    sorted_d = np.take_along_axis(masked, order_by_centre, axis=1)
    second = sorted_d[:, 1] if k > 1 else np.full(n, np.inf)
    regret = np.where(np.isfinite(second), second - sorted_d[:, 0], np.finfo(float).max)
    load = np.zeros(k)
    assign = np.full(n, -1, dtype=np.int64)
    for i in np.lexsort((-regret, allowed.sum(axis=1))):
        for c in order_by_centre[i]:
            if not allowed[i, c]:
                break
            if load[c] + w[i] <= capacity[c]:
                assign[i] = c
                load[c] += w[i]
                break
        if assign[i] < 0:
            options = np.flatnonzero(allowed[i])
            c = int(options[np.argmin(load[options] / np.maximum(capacity[options], 1e-12))])
            assign[i] = c
            load[c] += w[i]
    return assign
