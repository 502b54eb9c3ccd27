"""Changes to a state that keep its bookkeeping right: visits into and out of routes, whole
routes replaced, and copies of routes between states (accepting or undoing a search step)."""

from __future__ import annotations

from numba import njit

from .timing import schedule


@njit(cache=True)
def insert_at(d, s, v, gap, task):
    """Put ``task`` into route ``v`` at ``gap`` and reschedule the route."""
    n = s.length[v]
    for i in range(n, gap, -1):
        s.route[v, i] = s.route[v, i - 1]
    s.route[v, gap] = task
    s.length[v] = n + 1
    schedule(d, s, v)


@njit(cache=True)
def remove_from(d, s, v, task):
    """Take ``task`` out of route ``v`` and reschedule the route."""
    n = s.length[v]
    j = -1
    for i in range(n):
        if s.route[v, i] == task:
            j = i
            break
    if j < 0:
        return
    for i in range(j, n - 1):
        s.route[v, i] = s.route[v, i + 1]
    s.length[v] = n - 1
    schedule(d, s, v)


@njit(cache=True)
def remove_task(d, s, task):
    """Take every visit of ``task`` out of its routes; the task becomes unassigned."""
    for j in range(s.vehicle.shape[1]):
        v = s.vehicle[task, j]
        if v >= 0:
            s.vehicle[task, j] = -1
            remove_from(d, s, v, task)
    s.pattern[task] = -1
    s.owner[task] = -1


@njit(cache=True)
def visit_on_day(d, s, task, day):
    """Which of ``task``'s visits falls on ``day`` (-1 if none)."""
    for j in range(s.vehicle.shape[1]):
        v = s.vehicle[task, j]
        if v >= 0 and d.vehicle_day[v] == day:
            return j
    return -1


@njit(cache=True)
def _rehome(d, s, v):
    """Record route ``v`` as the vehicle of every visit on it (after visits moved between
    routes of one day)."""
    day = d.vehicle_day[v]
    for q in range(s.length[v]):
        t = s.route[v, q]
        s.vehicle[t, visit_on_day(d, s, t, day)] = v


@njit(cache=True)
def replace_routes(d, s, a, seq_a, n_a, b, seq_b, n_b):
    """Replace route ``a`` by ``seq_a[:n_a]`` and, unless ``b`` is -1, route ``b`` (of the same
    day) by ``seq_b[:n_b]``; visits that moved between the two are re-homed. True when both new
    routes are feasible."""
    for q in range(n_a):
        s.route[a, q] = seq_a[q]
    s.length[a] = n_a
    ok = True
    if b >= 0:
        for q in range(n_b):
            s.route[b, q] = seq_b[q]
        s.length[b] = n_b
        _rehome(d, s, a)
        _rehome(d, s, b)
        ok = schedule(d, s, b)
    return schedule(d, s, a) and ok


@njit(cache=True)
def set_routes(d, s, vehicles, flat, offsets):
    """Replace the routes of ``vehicles`` (all of one day): route ``vehicles[k]`` becomes
    ``flat[offsets[k]:offsets[k + 1]]``; visits that moved between them are re-homed. True
    when every new route is feasible."""
    for k in range(vehicles.shape[0]):
        v = vehicles[k]
        n = offsets[k + 1] - offsets[k]
        for q in range(n):
            s.route[v, q] = flat[offsets[k] + q]
        s.length[v] = n
    for k in range(vehicles.shape[0]):
        _rehome(d, s, vehicles[k])
    ok = True
    for k in range(vehicles.shape[0]):
        ok = schedule(d, s, vehicles[k]) and ok
    return ok


@njit(cache=True)
def copy_everything(src, dst):
    """Make ``dst`` equal to ``src``."""
    dst.length[:] = src.length
    dst.route[:, :] = src.route
    dst.departure[:, :] = src.departure
    dst.rested[:, :] = src.rested
    dst.unrested[:, :] = src.unrested
    dst.latest[:, :] = src.latest
    dst.load[:] = src.load
    dst.cost[:] = src.cost
    dst.travel[:] = src.travel
    dst.service[:] = src.service
    dst.pattern[:] = src.pattern
    dst.owner[:] = src.owner
    dst.vehicle[:, :] = src.vehicle
    dst.position[:, :] = src.position
    dst.owner_work[:] = src.owner_work


@njit(cache=True)
def copy_changes(src, dst, vehicles, n_vehicles, tasks, n_tasks):
    """Copy the given routes, the given tasks and every task on those routes from ``src`` to
    ``dst``: enough to make ``dst`` equal to ``src`` when they differed only there."""
    for k in range(n_vehicles):
        v = vehicles[k]
        n = src.length[v]
        dst.length[v] = n
        dst.route[v, :n + 1] = src.route[v, :n + 1]
        dst.departure[v, :n + 1] = src.departure[v, :n + 1]
        dst.rested[v, :n + 1] = src.rested[v, :n + 1]
        dst.unrested[v, :n + 1] = src.unrested[v, :n + 1]
        dst.latest[v, :n + 1] = src.latest[v, :n + 1]
        dst.load[v] = src.load[v]
        dst.cost[v] = src.cost[v]
        dst.travel[v] = src.travel[v]
        dst.service[v] = src.service[v]
        for i in range(n):
            t = src.route[v, i]
            dst.pattern[t] = src.pattern[t]
            dst.owner[t] = src.owner[t]
            dst.vehicle[t, :] = src.vehicle[t, :]
            dst.position[t, :] = src.position[t, :]
    for k in range(n_tasks):
        t = tasks[k]
        dst.pattern[t] = src.pattern[t]
        dst.owner[t] = src.owner[t]
        dst.vehicle[t, :] = src.vehicle[t, :]
        dst.position[t, :] = src.position[t, :]
    dst.owner_work[:] = src.owner_work


@njit(cache=True)
def route_costs(s, vehicles):
    """The summed routing cost of ``vehicles``' routes."""
    total = 0.0
    for k in range(vehicles.shape[0]):
        total += s.cost[vehicles[k]]
    return total
