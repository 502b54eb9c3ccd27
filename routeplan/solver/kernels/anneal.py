"""The ruin-and-recreate loop with simulated annealing, run in chunks of steps from
:mod:`routeplan.solver.lns`.

One step: remove strings of visits near a random task (:mod:`.ruin`), re-insert every
unassigned task in a random order of one of five kinds, with the cheapest pattern, owner and
gaps (:mod:`.insertion`), now and then improve the days that received visits by local search
(:mod:`.moves`), and accept the result if it is better, or worse by an amount the temperature
makes likely enough; the best solution seen is kept aside.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from .edits import copy_changes, copy_everything
from .insertion import insert_task
from .moves import local_search_day
from .objective import group_targets, is_moved, moved_tasks, objective
from .ruin import day_out_of_band, remove_chain, remove_day_excess, remove_strings, under_band_owner


class Settings(NamedTuple):
    """How a step ruins and recreates (see :class:`routeplan.solver.lns.SearchParams`)."""

    mean_removed: float
    max_string: int
    blink: float
    repair: float
    granularity: int
    chain: float
    chain_links: int
    day_repair: float


class Chunk(NamedTuple):
    """What a chunk of steps did, and the work it took, counted independently of the clock
    (:func:`run_chunk` returns these fields as a plain tuple)."""

    current: float
    best: float
    accepted: int
    improved: int
    since_improvement: int  # steps since the best improved, at the end of the chunk
    scanned: int  # owners weighed by the insertions (every owner, per task inserted)
    positions: int  # route gaps priced by insertions
    pairs: int  # neighbour pairs the local search examined
    built: int  # visits of candidate routes built and timed by the local search
    copied: int  # route and task entries copied to accept or undo a step
    swept: int  # tasks and routes a step's objective and bookkeeping run over (the whole state, in order)
    saved: int  # entries of the whole state copied to keep a new best solution


@njit(cache=True)
def seed_random(seed):
    """Seed the kernels' random numbers (numba keeps its own generator)."""
    np.random.seed(seed)


@njit(cache=True)
def _order(d, removed, count, scratch):
    """The order in which to re-insert: random, largest demand, farthest or closest first, or
    the most constrained (fewest patterns) first."""
    r = np.random.random()
    for k in range(count):
        t = removed[k]
        if r < 0.35:
            scratch[k] = np.random.random()
        elif r < 0.6:
            scratch[k] = -d.task_demand[t] - 1e-6 * np.random.random()
        elif r < 0.8:
            scratch[k] = -d.task_depot_cost[t] - 1e-6 * np.random.random()
        elif r < 0.9:
            scratch[k] = d.task_depot_cost[t] + 1e-6 * np.random.random()
        else:
            scratch[k] = d.task_num_patterns[t] + 1e-3 * np.random.random()
    order = np.argsort(scratch[:count])
    out = removed[:count].copy()
    for k in range(count):
        out[k] = removed[order[k]]
    return out


@njit(cache=True)
def _mark(v, marks, listed, n):
    """Add route ``v`` to a list of marked routes (once); returns the new length."""
    if not marks[v]:
        marks[v] = True
        listed[n] = v
        n += 1
    return n


@njit(cache=True)
def run_chunk(d, cur, best, trial, steps, temperature_start, temperature_end, settings, current, best_value,
              since_improvement):
    """Run ``steps`` steps from ``cur`` (``trial`` equal to it on entry; ``best`` updated in place).

    The temperature falls geometrically from ``temperature_start`` to ``temperature_end`` over
    the chunk. ``current`` and ``best_value`` are the objectives of ``cur`` and ``best``.
    """
    n_tasks = cur.pattern.shape[0]
    n_veh = cur.length.shape[0]
    n_days = d.day_first.shape[0] - 1
    removed = np.empty(n_tasks, dtype=np.int64)
    route_hit = np.zeros(n_veh, dtype=np.bool_)
    touched_v = np.empty(n_veh, dtype=np.int64)
    touched_t = np.empty(n_tasks, dtype=np.int64)
    v_mark = np.zeros(n_veh, dtype=np.bool_)
    t_mark = np.zeros(n_tasks, dtype=np.bool_)
    scratch = np.empty(n_tasks)
    route_cost = np.empty(n_veh)
    route_gap = np.empty(n_veh, dtype=np.int64)
    route_work = np.empty(n_veh)
    targets = np.zeros(d.owner_group.shape[0])
    considered = np.zeros(d.owner_group.shape[0], dtype=np.bool_)
    width = trial.route.shape[1]
    buf_a = np.empty(width, dtype=np.int64)
    buf_b = np.empty(width, dtype=np.int64)
    times = np.empty(width)
    worklist = np.empty(n_tasks, dtype=np.int64)
    queued = np.zeros(n_tasks, dtype=np.bool_)
    ls_touched = np.zeros(n_veh, dtype=np.bool_)
    day_hit = np.zeros(n_days, dtype=np.bool_)
    accepted = 0
    improved = 0
    scanned = 0
    swept = 0
    saved = 0
    positions = 0
    pairs = 0
    built = 0
    copied = 0
    whole = n_veh * width + n_tasks * trial.vehicle.shape[1]
    ratio = temperature_end / temperature_start if temperature_start > 0 else 1.0
    used = np.zeros(d.owner_group.shape[0], dtype=np.bool_)
    chain = np.empty(max(settings.chain_links, 1), dtype=np.int64)
    for it in range(steps):
        temperature = temperature_start * ratio ** (it / max(steps, 1))
        receiver = -1
        if d.balance_weight > 0 and settings.chain > 0 and np.random.random() < settings.chain:
            # Now and then, when an owner lies below its band, a chain of tasks towards it.
            group_targets(d, trial.owner_work, targets)
            scanned += targets.shape[0]
            receiver = under_band_owner(d, trial, targets)
        day = -1
        if (receiver < 0 and d.day_balance_weight > 0 and settings.day_repair > 0
                and np.random.random() < settings.day_repair):
            # Now and then, a string off a day outside its band (or off its owner's fullest day).
            swept += n_veh
            day = day_out_of_band(d, trial)
        n_chain = 0
        if receiver >= 0:
            n_chain, looked = remove_chain(d, trial, targets, receiver, settings.chain_links, chain, route_hit, used)
            scanned += looked
        elif day < 0 or remove_day_excess(d, trial, day, removed, route_hit) == 0:
            remove_strings(d, trial, settings.mean_removed, settings.max_string, removed, route_hit)
        # Re-insert the removed tasks and any that were unassigned already.
        count = 0
        for t in range(n_tasks):
            if trial.pattern[t] < 0:
                removed[count] = t
                count += 1
        # The routes and tasks that change, to accept or undo the step.
        n_tv = 0
        n_tt = 0
        for v in range(n_veh):
            if route_hit[v]:
                n_tv = _mark(v, v_mark, touched_v, n_tv)
        for k in range(count):
            t = removed[k]
            if not t_mark[t]:
                t_mark[t] = True
                touched_t[n_tt] = t
                n_tt += 1
            for j in range(cur.vehicle.shape[1]):
                v = cur.vehicle[t, j]
                if v >= 0:
                    n_tv = _mark(v, v_mark, touched_v, n_tv)
        if d.balance_weight > 0 and receiver < 0:
            # (A chain keeps the targets of the whole state: its tasks are to even the work out
            # among owners, not to fill the gap their own removal left.)
            group_targets(d, trial.owner_work, targets)
        order = _order(d, removed, count, scratch)
        if n_chain > 0:
            # A chain's tasks go back first, the last link first: the busiest owner's task fills the
            # gap of the one before it, and so on to the owner short of work.
            k = 0
            for c in range(n_chain - 1, -1, -1):
                scratch[k] = chain[c]
                k += 1
            for c in range(count):
                t = order[c]
                inside = False
                for q in range(n_chain):
                    if chain[q] == t:
                        inside = True
                        break
                if not inside:
                    scratch[k] = t
                    k += 1
            for c in range(count):
                order[c] = np.int64(scratch[c])
        scanned += count * considered.shape[0]  # each insertion weighs every owner
        # Under a limit on moved tasks, once it is reached a task goes back to its preferred owner.
        moved = moved_tasks(d, trial) if d.max_moved >= 0 else 0
        for k in range(count):
            t = order[k]
            only = d.task_preferred[t] if d.max_moved >= 0 and moved >= d.max_moved else -1
            placed, p, _ = insert_task(d, trial, t, settings.blink, targets, considered, route_cost, route_gap,
                                       route_work, only)
            positions += p
            if placed and d.max_moved >= 0 and is_moved(d, trial, t):
                moved += 1
            if placed:
                for j in range(trial.vehicle.shape[1]):
                    v = trial.vehicle[t, j]
                    if v >= 0:
                        n_tv = _mark(v, v_mark, touched_v, n_tv)
        if settings.repair > 0 and np.random.random() < settings.repair:
            # Local search on the days that received visits, starting from the re-inserted tasks.
            day_hit[:] = False
            for k in range(count):
                t = removed[k]
                for j in range(trial.vehicle.shape[1]):
                    v = trial.vehicle[t, j]
                    if v >= 0:
                        day_hit[d.vehicle_day[v]] = True
            for day in range(n_days):
                if day_hit[day]:
                    for k in range(count):
                        worklist[k] = removed[k]
                    _, p, b = local_search_day(d, trial, day, worklist, count, settings.granularity, buf_a, buf_b,
                                               times, queued, ls_touched)
                    pairs += p
                    built += b
            for v in range(n_veh):
                if ls_touched[v]:
                    ls_touched[v] = False
                    n_tv = _mark(v, v_mark, touched_v, n_tv)
        swept += n_tasks + n_veh
        value = objective(d, trial, targets)
        for k in range(n_tv):
            copied += trial.length[touched_v[k]] + 1
        copied += n_tt
        if value < current - 1e-9 or (temperature > 0 and
                                       np.random.random() < np.exp(-(value - current) / temperature)):
            current = value
            accepted += 1
            copy_changes(trial, cur, touched_v, n_tv, touched_t, n_tt)
            if value < best_value - 1e-9:
                best_value = value
                improved += 1
                since_improvement = 0
                copy_everything(trial, best)
                saved += whole
            else:
                since_improvement += 1
        else:
            since_improvement += 1
            copy_changes(cur, trial, touched_v, n_tv, touched_t, n_tt)
        for k in range(n_tv):
            v_mark[touched_v[k]] = False
        for k in range(n_tt):
            t_mark[touched_t[k]] = False
    # A plain tuple (see Chunk): boxing a named tuple runs Python code, where a pending Ctrl-C
    # would be raised half-way through and crash the process.
    return (current, best_value, accepted, improved, since_improvement, scanned, positions, pairs,
            built, copied, swept, saved)
