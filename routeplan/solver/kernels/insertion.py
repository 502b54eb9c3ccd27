"""Inserting a task: the cheapest gap of each route, the cheapest (pattern, owner) given those
gaps, and the insertion itself; plus regret insertion of many tasks, which builds first
solutions.

A task's visits fall on different days, so with the best gap known for every route the price
of a pattern is the sum over its days of the best route of that day (of the chosen owner, with
owner consistency), plus the change of the owner's balance term and the owner's cost.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .edits import insert_at
from .objective import balance_delta, day_scale, day_target
from .timing import BIG, EPS, IMPOSSIBLE, visit_start

OWNER_NEIGHBOURS = 40
"""Nearest tasks whose owners a re-inserted task may go to."""


@njit(cache=True)
def fits_with_rest(d, s, v, i, there, onward, early, late, service):
    """Whether a visit fits gap ``i`` of route ``v``, whose vehicle has a break: with the break
    behind before it, taken right after it, or still ahead after it (see
    :mod:`routeplan.solver.kernels.timing`)."""
    start = visit_start(s.rested[v, i] + there, early)
    if start <= late + EPS and start + service + onward <= s.latest[v, i] + EPS:
        return True
    start = visit_start(s.departure[v, i] + there, early)
    if start > late + EPS:
        return False
    finish = start + service
    if finish + onward <= s.unrested[v, i] + EPS:
        return True
    rest = max(finish, d.vehicle_break_early[v])
    return (rest <= d.vehicle_break_late[v] + EPS
            and rest + d.vehicle_break_length[v] + onward <= s.latest[v, i] + EPS)


@njit(cache=True)
def best_gap(d, s, v, task, blink):
    """Cheapest feasible gap of route ``v`` for ``task``: (gap, cost increase, work increase,
    gaps examined).

    The cost includes the change of the day-balance term. Each gap is skipped with probability
    ``blink`` (randomised insertion). Gap -1 when none fits.
    """
    n = s.length[v]
    if n >= d.vehicle_max_stops[v] or s.load[v] + d.task_demand[task] > d.vehicle_capacity[v] + EPS:
        return -1, BIG, 0.0, 0
    x = d.task_node[task]
    service = d.task_service[task]
    early = d.task_early[task]
    late = d.task_late[task]
    work = s.travel[v] + s.service[v]
    slack = d.vehicle_max_duration[v] - work - service
    day_weight = d.day_balance_weight
    day_tolerance = d.day_balance_tolerance
    day_floor = d.day_balance_floor
    target = day_target(d, s, v) if day_weight > 0 else 1.0
    scale = day_scale(target)
    found = -1
    best = BIG
    best_work = 0.0
    rests = d.vehicle_break_length[v] > 0.0
    prev = d.vehicle_start[v]
    for i in range(n + 1):
        nxt = d.vehicle_end[v] if i == n else d.task_node[s.route[v, i]]
        if blink > 0 and np.random.random() < blink:
            prev = nxt
            continue
        there = d.time[prev, x]
        onward = d.time[x, nxt]
        if rests:
            fits = fits_with_rest(d, s, v, i, there, onward, early, late, service)
        else:
            start = visit_start(s.departure[v, i] + there, early)
            fits = start <= late + EPS and start + service + onward <= s.latest[v, i] + EPS
        if fits:
            detour = there + onward - d.time[prev, nxt]
            if detour <= slack + EPS:
                c = d.cost[prev, x] + d.cost[x, nxt] - d.cost[prev, nxt]
                added = detour + service
                if day_weight > 0:
                    c += day_weight * balance_delta(work, target, scale, day_tolerance, day_floor, added)
                if c < best:
                    best = c
                    found = i
                    best_work = added
        prev = nxt
    return found, best, best_work, n + 1


@njit(cache=True)
def price_routes(d, s, task, blink, considered, route_cost, route_gap, route_work):
    """Best gap of every route of the owners ``considered`` that may serve ``task``, into the
    per-vehicle arrays (the other routes' entries are left as they are: :func:`choose` and
    :func:`place` never read them). Returns the number of gaps examined."""
    positions = 0
    n_days = d.day_first.shape[0] - 1
    for o in range(considered.shape[0]):
        if not (considered[o] and d.task_eligible[task, o]):
            continue
        for k in range(d.owner_day_first[o * n_days], d.owner_day_first[(o + 1) * n_days]):
            v = d.by_owner_day[k]
            gap, c, w, examined = best_gap(d, s, v, task, blink)
            route_cost[v] = c
            route_gap[v] = gap
            route_work[v] = w
            positions += examined
    return positions


@njit(cache=True)
def nearby_owners(d, s, task, considered):
    """Mark in ``considered`` the owners worth pricing for ``task``: with owner consistency,
    those serving one of its :data:`OWNER_NEIGHBOURS` nearest tasks, and those without work
    yet (a new manager); every owner when none of the neighbours is assigned to an owner that
    may serve ``task``, and always
    without consistency. Far-away owners would only buy a visit across town."""
    n_owners = considered.shape[0]
    if not d.consistent:
        considered[:] = True
        return
    considered[:] = False
    found = False
    neighbours = d.task_neighbours
    for ni in range(min(OWNER_NEIGHBOURS, neighbours.shape[1])):
        o = s.owner[neighbours[task, ni]]
        # Only owners that may serve the task count: a market manager's visit next door to a
        # shop of another role would otherwise find no owner worth pricing.
        if o >= 0 and d.task_eligible[task, o]:
            considered[o] = True
            found = True
    for o in range(n_owners):
        if s.owner_work[o] <= 0.0:
            considered[o] = True
    if not found:
        considered[:] = True


@njit(cache=True)
def _best_of(d, task, considered, vehicles, first, last, route_cost):
    """The cheapest of ``vehicles[first:last]`` by ``route_cost`` among those of considered
    owners that may serve ``task``: (vehicle or -1, cost)."""
    best_v = -1
    best = BIG
    for k in range(first, last):
        v = vehicles[k]
        o = d.vehicle_owner[v]
        if considered[o] and d.task_eligible[task, o] and route_cost[v] < best:
            best = route_cost[v]
            best_v = v
    return best_v, best


@njit(cache=True)
def sibling_days(d, s, task):
    """The days (bits, day k as ``1 << k``) the other tasks of ``task``'s group are visited on."""
    g = d.task_group[task]
    if g < 0:
        return 0
    taken = 0
    for k in range(d.group_first[g], d.group_first[g + 1]):
        other = d.group_tasks[k]
        if other != task and s.pattern[other] >= 0:
            taken |= d.pattern_mask[s.pattern[other]]
    return taken


@njit(cache=True)
def choose(d, s, task, targets, considered, route_cost, route_work):
    """The cheapest (pattern, owner) for ``task`` given the best gap of each route of the
    owners ``considered`` (as :func:`price_routes` left them).

    Returns ``(cost, pattern, owner, second, options)``: the best option's price (>=
    :data:`IMPOSSIBLE` when none fits), its global pattern id and owner (-1 without owner
    consistency), the price of the second-best option (for regret) and the work of weighing:
    each (option, day) combination and each route looked at for it.
    """
    n_days = d.day_first.shape[0] - 1
    p0 = d.task_first_pattern[task]
    p1 = p0 + d.task_num_patterns[task]
    taken = sibling_days(d, s, task)
    best = BIG
    second = BIG
    best_pattern = -1
    best_owner = -1
    options = 0
    if d.consistent:
        for o in range(considered.shape[0]):
            if not (considered[o] and d.task_eligible[task, o]):
                continue
            for p in range(p0, p1):
                if taken & d.pattern_mask[p]:
                    continue  # a day another task of its group (another visit level) has
                total = 0.0
                added = 0.0
                for j in range(d.pattern_size[p]):
                    key = o * n_days + d.pattern_days[p, j]
                    first, last = d.owner_day_first[key], d.owner_day_first[key + 1]
                    v, c = _best_of(d, task, considered, d.by_owner_day, first, last, route_cost)
                    options += 1 + last - first
                    total += c
                    if total >= IMPOSSIBLE:
                        break
                    added += route_work[v]
                if total >= IMPOSSIBLE:
                    continue
                if d.balance_weight > 0 and targets[o] > 0:
                    total += d.balance_weight * balance_delta(s.owner_work[o], targets[o], targets[o],
                                                              d.balance_tolerance, d.balance_floor, added)
                total += d.task_owner_cost[task, o] + d.pattern_cost[p]
                if total < best:
                    second = best
                    best = total
                    best_pattern = p
                    best_owner = o
                elif total < second:
                    second = total
    else:
        for p in range(p0, p1):
            if taken & d.pattern_mask[p]:
                continue
            total = 0.0
            for j in range(d.pattern_size[p]):
                day = d.pattern_days[p, j]
                first, last = d.day_first[day], d.day_first[day + 1]
                _, c = _best_of(d, task, considered, d.by_day, first, last, route_cost)
                options += 1 + last - first
                total += c
                if total >= IMPOSSIBLE:
                    break
            total += d.pattern_cost[p]
            if total < best:
                second = best
                best = total
                best_pattern = p
            elif total < second:
                second = total
    return best, best_pattern, best_owner, second, options


@njit(cache=True)
def place(d, s, task, pattern, owner, considered, route_cost, route_gap):
    """Insert ``task`` with ``pattern`` (and ``owner``) at the best gap of the best route of each
    of the pattern's days, as priced by :func:`price_routes` for the owners ``considered``."""
    n_days = d.day_first.shape[0] - 1
    for j in range(d.pattern_size[pattern]):
        day = d.pattern_days[pattern, j]
        if owner >= 0:
            key = owner * n_days + day
            v, _ = _best_of(d, task, considered, d.by_owner_day, d.owner_day_first[key], d.owner_day_first[key + 1],
                            route_cost)
        else:
            v, _ = _best_of(d, task, considered, d.by_day, d.day_first[day], d.day_first[day + 1], route_cost)
        s.vehicle[task, j] = v
        insert_at(d, s, v, route_gap[v], task)
    s.pattern[task] = pattern
    s.owner[task] = owner


@njit(cache=True)
def insert_task(d, s, task, blink, targets, considered, route_cost, route_gap, route_work, only=-1):
    """Insert ``task`` where it costs least (pattern, owner among :func:`nearby_owners`, or
    ``only`` that owner when it is 0 or more, gaps). Returns ``(inserted, positions, options)``:
    whether anything fitted, and the work done (gaps examined, options weighed).
    ``considered`` is scratch space of one entry per owner."""
    if only >= 0:
        _confine(only, considered)
    else:
        nearby_owners(d, s, task, considered)
    positions = price_routes(d, s, task, blink, considered, route_cost, route_gap, route_work)
    cost, pattern, owner, _, options = choose(d, s, task, targets, considered, route_cost, route_work)
    if pattern < 0 or cost >= IMPOSSIBLE:
        return False, positions, options
    place(d, s, task, pattern, owner, considered, route_cost, route_gap)
    return True, positions, options


@njit(cache=True)
def _confine(owner, considered):
    """Consider only ``owner``, or every owner when it is -1."""
    if owner >= 0:
        considered[:] = False
        considered[owner] = True
    else:
        considered[:] = True


@njit(cache=True)
def regret_insert(d, s, tasks, only_owner, targets):
    """Insert ``tasks`` (all unassigned) one at a time, always the one that would lose most by
    waiting: the largest difference between its best and second-best option (a task with a
    single option first). ``only_owner[t]`` (or -1) confines task ``t`` to one owner, e.g. its
    territory's; ``targets`` are the owners' balance targets while building.

    After each insertion only the tasks that could use a changed route are priced again.
    Returns ``(inserted, positions, options)``: how many tasks were inserted and the work done.
    """
    n_veh = s.length.shape[0]
    k = tasks.shape[0]
    cost = np.full((k, n_veh), BIG)
    gap = np.zeros((k, n_veh), dtype=np.int64)
    work = np.zeros((k, n_veh))
    best = np.full(k, BIG)
    second = np.full(k, BIG)
    pattern = np.full(k, -1, dtype=np.int64)
    owner = np.full(k, -1, dtype=np.int64)
    active = np.ones(k, dtype=np.bool_)
    considered = np.zeros(d.owner_group.shape[0], dtype=np.bool_)
    positions = 0
    options = 0
    for i in range(k):
        t = tasks[i]
        _confine(only_owner[t], considered)
        positions += price_routes(d, s, t, 0.0, considered, cost[i], gap[i], work[i])
        best[i], pattern[i], owner[i], second[i], o = choose(d, s, t, targets, considered, cost[i], work[i])
        options += o
    changed = np.empty(s.vehicle.shape[1], dtype=np.int64)
    inserted = 0
    for _ in range(k):
        pick = -1
        score = -1.0
        for i in range(k):
            if not active[i]:
                continue
            if best[i] >= IMPOSSIBLE:
                active[i] = False  # nothing fits, now or later (routes only fill up)
                continue
            regret = min(second[i], 10.0 * IMPOSSIBLE) - best[i]
            if regret > score:
                score = regret
                pick = i
        if pick < 0:
            break
        t = tasks[pick]
        active[pick] = False
        _confine(only_owner[t], considered)
        place(d, s, t, pattern[pick], owner[pick], considered, cost[pick], gap[pick])
        inserted += 1
        n_changed = 0
        for j in range(s.vehicle.shape[1]):
            if s.vehicle[t, j] >= 0:
                changed[n_changed] = s.vehicle[t, j]
                n_changed += 1
        for i in range(k):
            if not active[i]:
                continue
            u = tasks[i]
            # A task of the placed one's group may not take its days any more: choose again.
            again = d.task_group[u] >= 0 and d.task_group[u] == d.task_group[t]
            for c in range(n_changed):
                v = changed[c]
                o = d.vehicle_owner[v]
                if d.task_eligible[u, o] and (only_owner[u] < 0 or only_owner[u] == o):
                    # The route changed, and so did its owner's work (the balance term): price again.
                    g, c_v, w_v, examined = best_gap(d, s, v, u, 0.0)
                    cost[i, v] = c_v
                    gap[i, v] = g
                    work[i, v] = w_v
                    positions += examined
                    again = True
            if again:
                _confine(only_owner[u], considered)
                best[i], pattern[i], owner[i], second[i], o = choose(d, s, u, targets, considered, cost[i], work[i])
                options += o
    return inserted, positions, options
