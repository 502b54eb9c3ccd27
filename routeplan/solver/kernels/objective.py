"""The objective, written once: routing cost, workload balance between interchangeable owners,
balance between one owner's days, what each task's owner costs (stability, compactness), and
missing visits.

- Routing: the sum of every route's leg costs.
- Balance between owners: for each group of interchangeable owners, ``weights.balance`` times
  the sum over its owners of :func:`band_penalty` of its work (travel plus service time: the
  plan's work, :attr:`routeplan.model.routes.DayRoute.work_min`, but for waits, which are known
  only once a route is timed; the timing starts each route late enough to wait at none of its
  first shops, and the benchmark plans wait nowhere) against
  its target, its share of the group's work in proportion to its working time (a part-timer
  working half the days gets half the work; or, where the instance gives the group a
  utilisation, its working time times that), with the band ``weights.balance_tolerance``: work
  within ``max(tolerance x target, balance_floor)`` of the target costs nothing, beyond it
  every second of excess ``e`` costs ``e + e^2 / target``.
- Balance between days: ``weights.day_balance`` times, for every route, :func:`band_penalty` of
  its work against its owner's mean route, with the band ``day_balance_tolerance`` (at least
  ``day_balance_floor``) and the target (at least 60 s) as scale.
- Owners: ``d.task_owner_cost[t, owner]`` for every assigned task (consistent instances).
- Days: ``d.pattern_cost[pattern]`` for every assigned task (visits on days it was not
  visited on before).
- Moves beyond the limit: with ``d.max_moved`` of 0 or more, ``d.missing_cost`` per task
  beyond that many served by another than their preferred owner (the search never accepts
  such a state when it has a way back: the limit is hard; see :func:`moved_tasks`).
- Missing visits: ``weights.missing`` per visit of an unassigned task.

The insertion kernels price a change with :func:`balance_delta`, the exact change of one such
term, so that insertion and objective never disagree.
"""

from __future__ import annotations

from numba import njit

DAY_TARGET_FLOOR = 60.0
"""Smallest target (seconds) a day's balance term divides by, so empty owners cost little."""


@njit(cache=True)
def band_penalty(work, target, scale, tolerance, floor):
    """One balance term: nothing while ``work`` is within ``max(tolerance x target, floor)`` of
    ``target``; beyond, the excess ``e`` (seconds outside the band) as ``e + e^2 / scale``, steep
    from the first second so that a plan leaves the band only where it must."""
    excess = abs(work - target) - max(tolerance * target, floor)
    if excess <= 0.0:
        return 0.0
    return excess + excess * excess / scale


@njit(cache=True)
def balance_delta(work, target, scale, tolerance, floor, added):
    """How much one balance term grows when ``added`` is added to ``work`` (target fixed)."""
    return (band_penalty(work + added, target, scale, tolerance, floor)
            - band_penalty(work, target, scale, tolerance, floor))


@njit(cache=True)
def group_targets(d, owner_work, out):
    """Each balanced owner's fair share of its group's work (``owner_work`` summed over the
    group, shared in proportion to working time, or its working time times the group's given
    utilisation) into ``out`` (0 when not balanced)."""
    totals = d.group_working_time * 0.0
    for o in range(d.owner_group.shape[0]):
        g = d.owner_group[o]
        if g >= 0:
            totals[g] += owner_work[o]
    for o in range(d.owner_group.shape[0]):
        g = d.owner_group[o]
        if g >= 0 and d.group_utilisation[g] > 0:
            out[o] = d.group_utilisation[g] * d.owner_working_time[o]
        elif g >= 0 and d.group_working_time[g] > 0:
            out[o] = totals[g] * d.owner_working_time[o] / d.group_working_time[g]
        else:
            out[o] = 0.0


@njit(cache=True)
def day_target(d, s, v):
    """The day-balance target of route ``v``: its owner's mean route."""
    return s.owner_work[d.vehicle_owner[v]] / d.vehicle_owner_routes[v]


@njit(cache=True)
def day_scale(target):
    return max(target, DAY_TARGET_FLOOR)


@njit(cache=True)
def missing_visits(d, s):
    """Visits of the tasks that are not assigned."""
    missing = 0
    for t in range(s.pattern.shape[0]):
        if s.pattern[t] < 0:
            missing += d.task_visits[t]
    return missing


@njit(cache=True)
def is_moved(d, s, t):
    """Whether assigned task ``t`` is served by another than its preferred owner."""
    return d.task_preferred[t] >= 0 and s.pattern[t] >= 0 and s.owner[t] != d.task_preferred[t]


@njit(cache=True)
def moved_tasks(d, s):
    """Tasks served by another than their preferred owner."""
    moved = 0
    for t in range(s.pattern.shape[0]):
        if is_moved(d, s, t):
            moved += 1
    return moved


@njit(cache=True)
def objective(d, s, targets):
    """The objective of state ``s`` (see the module docstring); ``targets`` is scratch space of
    one entry per owner."""
    total = 0.0
    for v in range(s.length.shape[0]):
        total += s.cost[v]
    if d.balance_weight > 0:
        group_targets(d, s.owner_work, targets)
        for o in range(targets.shape[0]):
            if targets[o] > 0:
                total += d.balance_weight * band_penalty(s.owner_work[o], targets[o], targets[o],
                                                         d.balance_tolerance, d.balance_floor)
    if d.day_balance_weight > 0:
        for v in range(s.length.shape[0]):
            target = day_target(d, s, v)
            total += d.day_balance_weight * band_penalty(s.travel[v] + s.service[v], target, day_scale(target),
                                                         d.day_balance_tolerance, d.day_balance_floor)
    missing = 0
    for t in range(s.pattern.shape[0]):
        if s.pattern[t] < 0:
            missing += d.task_visits[t]
            continue
        total += d.pattern_cost[s.pattern[t]]
        if s.owner[t] >= 0:
            total += d.task_owner_cost[t, s.owner[t]]
    if d.max_moved >= 0:
        missing += max(0, moved_tasks(d, s) - d.max_moved)
    return total + d.missing_cost * missing
