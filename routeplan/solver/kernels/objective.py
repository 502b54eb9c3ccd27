"""The objective, written once: routing cost, workload balance between interchangeable owners,
balance between one owner's days, what each task's owner costs (stability, compactness), and
missing visits.

- Routing: the sum of every route's leg costs.
- Balance between owners: for each group of interchangeable owners, ``weights.balance`` times
  the sum over its owners of ``(work - target)^2 / target``, where work is travel plus service
  time and an owner's target its share of the group's work in proportion to its working time (a
  part-timer working half the days gets half the work).
- Balance between days: ``weights.day_balance`` times, for every route,
  ``(work - target)^2 / max(target, 60)`` with the owner's mean route as target.
- Owners: ``d.task_owner_cost[t, owner]`` for every assigned task (consistent instances).
- Missing visits: ``weights.missing`` per visit of an unassigned task.

The insertion kernels price a change with :func:`balance_delta`, the exact change of one such
squared term, so that insertion and objective never disagree.
"""

from __future__ import annotations

from numba import njit

DAY_TARGET_FLOOR = 60.0
"""Smallest target (seconds) a day's balance term divides by, so empty owners cost little."""


@njit(cache=True)
def squared_deviation(work, target, scale):
    """One balance term: ``(work - target)^2 / scale``."""
    dev = work - target
    return dev * dev / scale


@njit(cache=True)
def balance_delta(work, target, scale, added):
    """How much one balance term grows when ``added`` is added to ``work`` (target fixed)."""
    return added * (2.0 * (work - target) + added) / scale


@njit(cache=True)
def group_targets(d, owner_work, out):
    """Each balanced owner's fair share of its group's work (``owner_work`` summed over the
    group, shared in proportion to working time) into ``out`` (0 when not balanced)."""
    totals = d.group_working_time * 0.0
    for o in range(d.owner_group.shape[0]):
        g = d.owner_group[o]
        if g >= 0:
            totals[g] += owner_work[o]
    for o in range(d.owner_group.shape[0]):
        g = d.owner_group[o]
        if g >= 0 and d.group_working_time[g] > 0:
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
                total += d.balance_weight * squared_deviation(s.owner_work[o], targets[o], targets[o])
    if d.day_balance_weight > 0:
        for v in range(s.length.shape[0]):
            target = day_target(d, s, v)
            total += d.day_balance_weight * squared_deviation(s.travel[v] + s.service[v], target, day_scale(target))
    missing = 0
    for t in range(s.pattern.shape[0]):
        if s.pattern[t] < 0:
            missing += d.task_visits[t]
        elif s.owner[t] >= 0:
            total += d.task_owner_cost[t, s.owner[t]]
    return total + d.missing_cost * missing
