"""Route timing: the one place where the clock of a route is written down.

A vehicle leaves its start node at its earliest time; the manager arrives at each visit after
the leg's travel time, starts it at the arrival or at the window's start, whichever is later,
and must start it by the window's end; each visit takes its service time; the vehicle must be
back at its end node by its latest time; the load stays within capacity, travel plus service
within the maximum duration and the number of visits within the maximum stops.

A vehicle with a break (``vehicle_break_length`` > 0) takes it once, starting between
``vehicle_break_early`` and ``vehicle_break_late``: at its start node before leaving, at a stop
before driving on, or at its end node after the return (the break then ends by the vehicle's
latest time); never during a visit or a leg. Which of these fits is decided by following two
clocks along the route, the earliest time with the break still ahead and with it behind
(:func:`forward_rest`, :func:`latest_starts_rest`): times only ever push later, so the earliest
of each is all that matters, and a gap is still checked in constant time.

Everything else uses these functions: cached schedules for constant-time insertion checks
(:func:`schedule`), candidate routes of the local search (:func:`evaluate`), the timetable the
plan is written from (:func:`timetable`) and the diagnosis of customers no route can reach.
"""

from __future__ import annotations

import numpy as np
from numba import njit

EPS = 1e-9
"""Slack on every time comparison: times are sums of floats."""
BIG = 1e15
"""Cost of an impossible route or insertion (finite, so that sums stay comparable)."""
IMPOSSIBLE = 1e14
"""Any cost at or above this is impossible."""
NO_BREAK = -1
"""The place of the break in :func:`timed` for a route without one."""


@njit(cache=True)
def visit_start(arrival, early):
    """When a visit starts: on arrival, or when its window opens."""
    return max(arrival, early)


@njit(cache=True)
def rest_end(clock, early, late, length):
    """When a break taken at ``clock`` (or as soon as its window opens) ends; BIG when its window
    has closed."""
    start = max(clock, early)
    return start + length if start <= late + EPS else BIG


@njit(cache=True)
def forward(d, v, seq, n, departure, bail):
    """Walk ``seq[:n]`` with vehicle ``v`` from its earliest time.

    Writes the departure from each position into ``departure[:n + 1]`` (0 = the start node) and
    returns ``(feasible, cost, travel, service, load, back)``; ``back`` is the earliest return.
    With ``bail``, stops at the first visit that starts after its window (figures partial). A
    vehicle with a break is walked by :func:`forward_rest`.
    """
    if d.vehicle_break_length[v] > 0.0:
        return forward_rest(d, v, seq, n, departure, departure, False, bail)
    node_prev = d.vehicle_start[v]
    t = d.vehicle_early[v]
    feasible = n <= d.vehicle_max_stops[v]
    cost = 0.0
    travel = 0.0
    service = 0.0
    load = 0.0
    departure[0] = t
    for i in range(n):
        task = seq[i]
        node = d.task_node[task]
        leg = d.time[node_prev, node]
        cost += d.cost[node_prev, node]
        travel += leg
        t = visit_start(t + leg, d.task_early[task])
        if t > d.task_late[task] + EPS:
            feasible = False
            if bail:
                return False, cost, travel, service, load, t
        t += d.task_service[task]
        service += d.task_service[task]
        load += d.task_demand[task]
        departure[i + 1] = t
        node_prev = node
    end = d.vehicle_end[v]
    leg = d.time[node_prev, end]
    cost += d.cost[node_prev, end]
    travel += leg
    t += leg
    if (t > d.vehicle_late[v] + EPS or load > d.vehicle_capacity[v] + EPS
            or travel + service > d.vehicle_max_duration[v] + EPS):
        feasible = False
    return feasible, cost, travel, service, load, t


@njit(cache=True)
def forward_rest(d, v, seq, n, departure, rested, keep_rested, bail):
    """:func:`forward` for a vehicle with a break: ``departure[i]`` is the earliest departure
    from position ``i`` with the break still ahead and, with ``keep_rested``, ``rested[i]`` the
    earliest with it behind (BIG where impossible). ``back`` is the earliest time the day can
    end: the return, or the end of a break taken after it."""
    early = d.vehicle_break_early[v]
    late = d.vehicle_break_late[v]
    length = d.vehicle_break_length[v]
    node_prev = d.vehicle_start[v]
    t = d.vehicle_early[v]  # the break still ahead
    r = rest_end(t, early, late, length)  # the break behind (taken before leaving)
    feasible = n <= d.vehicle_max_stops[v]
    cost = 0.0
    travel = 0.0
    service = 0.0
    load = 0.0
    departure[0] = t
    if keep_rested:
        rested[0] = r
    for i in range(n):
        task = seq[i]
        node = d.task_node[task]
        leg = d.time[node_prev, node]
        cost += d.cost[node_prev, node]
        travel += leg
        if t < BIG:
            t = visit_start(t + leg, d.task_early[task])
            t = t + d.task_service[task] if t <= d.task_late[task] + EPS else BIG
        if r < BIG:
            r = visit_start(r + leg, d.task_early[task])
            r = r + d.task_service[task] if r <= d.task_late[task] + EPS else BIG
        if t < BIG:
            r = min(r, rest_end(t, early, late, length))
            if t > late + EPS:
                t = BIG  # too late for the break: only the clock with it behind goes on
        if t >= BIG and r >= BIG:
            feasible = False
            if bail:
                return False, cost, travel, service, load, BIG
        service += d.task_service[task]
        load += d.task_demand[task]
        departure[i + 1] = t
        if keep_rested:
            rested[i + 1] = r
        node_prev = node
    end = d.vehicle_end[v]
    leg = d.time[node_prev, end]
    cost += d.cost[node_prev, end]
    travel += leg
    back = r + leg if r < BIG else BIG
    if t < BIG:
        back = min(back, rest_end(t + leg, early, late, length))
    if (back > d.vehicle_late[v] + EPS or load > d.vehicle_capacity[v] + EPS
            or travel + service > d.vehicle_max_duration[v] + EPS):
        feasible = False
    return feasible, cost, travel, service, load, back


@njit(cache=True)
def latest_starts(d, v, seq, n, latest):
    """Latest start at each position of ``seq[:n]`` that keeps the rest of the route in time:
    ``latest[i]`` for the visit at position ``i``, ``latest[n]`` the vehicle's deadline."""
    bound = d.vehicle_late[v]
    latest[n] = bound
    node_next = d.vehicle_end[v]
    for i in range(n - 1, -1, -1):
        task = seq[i]
        node = d.task_node[task]
        bound = min(d.task_late[task], bound - d.time[node, node_next] - d.task_service[task])
        latest[i] = bound
        node_next = node


@njit(cache=True)
def latest_starts_rest(d, v, seq, n, latest, unrested):
    """:func:`latest_starts` for a vehicle with a break: ``latest[i]`` with the break behind
    before position ``i``, ``unrested[i]`` with it still ahead (``-BIG`` where nothing keeps the
    rest of the route in time)."""
    early = d.vehicle_break_early[v]
    late = d.vehicle_break_late[v]
    length = d.vehicle_break_length[v]
    bound = d.vehicle_late[v]
    latest[n] = bound
    cap = min(late, bound - length)  # the break at the end node, after the return
    ahead = cap if early <= cap + EPS else -BIG
    unrested[n] = ahead
    node_next = d.vehicle_end[v]
    for i in range(n - 1, -1, -1):
        task = seq[i]
        node = d.task_node[task]
        leg = d.time[node, node_next]
        service = d.task_service[task]
        # The break after this visit, before driving on: it starts by ``cap``.
        cap = min(late, bound - leg - length)
        finish = cap if early <= cap + EPS else -BIG
        finish = max(finish, ahead - leg)  # or later on
        ahead = min(d.task_late[task], finish - service)
        if ahead < d.task_early[task] - EPS:
            ahead = -BIG
        bound = min(d.task_late[task], bound - leg - service)
        if bound < d.task_early[task] - EPS:
            bound = -BIG
        latest[i] = bound
        unrested[i] = ahead
        node_next = node


@njit(cache=True)
def schedule(d, s, v):
    """Recompute route ``v``'s cached times and figures in state ``s`` after it changed, and
    record each visit's position; True when the route is feasible."""
    n = s.length[v]
    seq = s.route[v]
    for i in range(n):
        task = seq[i]
        for j in range(s.vehicle.shape[1]):
            if s.vehicle[task, j] == v:
                s.position[task, j] = i
    if d.vehicle_break_length[v] > 0.0:
        feasible, cost, travel, service, load, _ = forward_rest(d, v, seq, n, s.departure[v], s.rested[v], True,
                                                                False)
        latest_starts_rest(d, v, seq, n, s.latest[v], s.unrested[v])
    else:
        feasible, cost, travel, service, load, _ = forward(d, v, seq, n, s.departure[v], False)
        latest_starts(d, v, seq, n, s.latest[v])
    s.owner_work[d.vehicle_owner[v]] += travel + service - (s.travel[v] + s.service[v])
    s.cost[v] = cost
    s.travel[v] = travel
    s.service[v] = service
    s.load[v] = load
    return feasible


@njit(cache=True)
def evaluate(d, v, seq, n, scratch):
    """Feasibility and routing cost of visiting ``seq[:n]`` with vehicle ``v`` (no state
    changes; ``scratch`` holds at least ``n + 1`` times)."""
    if n > d.vehicle_max_stops[v]:
        return False, BIG
    feasible, cost, _, _, _, _ = forward(d, v, seq, n, scratch, True)
    return feasible, cost


@njit(cache=True)
def timetable(d, v, seq, n, arrival, start, end):
    """The times a plan gives route ``seq[:n]`` of vehicle ``v``: visits start as early as
    their windows allow, and the departure is delayed as far as that costs no later return, so
    that no working time is spent waiting at the first shops. Fills ``arrival``, ``start`` and
    ``end`` per visit and returns ``(feasible, depart, back)``.

    Delaying the departure by ``delta`` is absorbed by the waits met along the route: the
    return stays put while ``delta`` is at most the total wait, and the visit at ``i`` moves by
    ``max(0, delta - waits up to i)``, which must keep it inside its window. The delay is
    whole seconds (times are in seconds).
    """
    departure = np.empty(n + 1)
    feasible, _, _, _, _, _ = forward(d, v, seq, n, departure, False)
    _, depart, back, _ = timed(d, v, seq, n, NO_BREAK, arrival, start, end)
    return feasible, depart, back


@njit(cache=True)
def timed(d, v, seq, n, place, arrival, start, end):
    """The times of :func:`timetable` with the vehicle's break taken at ``place``
    (:data:`NO_BREAK`: none; 0: at the start before leaving; ``k`` in 1..n: after the ``k``-th
    visit; n + 1: at the end after the return). The break, when mid-route, is a stop of its own
    whose window is the break's; one before leaving starts as late as its window allows before the
    departure, one after the return right at the return. Fills ``arrival``, ``start`` and ``end``
    and returns ``(fits, depart, back, break_start)``, ``fits`` telling whether the windows, the
    break's and the shift's end all hold (the times are filled either way).
    """
    early = d.vehicle_break_early[v]
    late = d.vehicle_break_late[v]
    length = d.vehicle_break_length[v]
    clock = d.vehicle_early[v]
    feasible = True
    if place == 0:
        begin = max(clock, early)
        feasible = begin <= late + EPS
        clock = begin + length
    first = clock
    waited = 0.0
    room = np.inf
    node_prev = d.vehicle_start[v]
    for i in range(n):
        task = seq[i]
        node = d.task_node[task]
        arrive = clock + d.time[node_prev, node]
        begin = visit_start(arrive, d.task_early[task])
        feasible = feasible and begin <= d.task_late[task] + EPS
        waited += begin - arrive
        room = min(room, d.task_late[task] - begin + waited)
        clock = begin + d.task_service[task]
        if i + 1 == place:
            begin = max(clock, early)
            feasible = feasible and begin <= late + EPS
            waited += begin - clock
            room = min(room, late - begin + waited)
            clock = begin + length
        node_prev = node
    back = clock + d.time[node_prev, d.vehicle_end[v]]
    if place == n + 1:
        feasible = feasible and max(back, early) <= late + EPS and max(back, early) + length <= d.vehicle_late[v] + EPS
    else:
        feasible = feasible and back <= d.vehicle_late[v] + EPS
    depart = first + np.floor(max(0.0, min(waited, room)))
    rest = min(late, depart - length) if place == 0 else 0.0
    clock = depart
    node_prev = d.vehicle_start[v]
    for i in range(n):
        task = seq[i]
        node = d.task_node[task]
        arrival[i] = clock + d.time[node_prev, node]
        start[i] = visit_start(arrival[i], d.task_early[task])
        end[i] = start[i] + d.task_service[task]
        clock = end[i]
        if i + 1 == place:
            rest = max(clock, early)
            clock = rest + length
        node_prev = node
    back = clock + d.time[node_prev, d.vehicle_end[v]]
    if place == n + 1:
        rest = max(back, early)
    return feasible, depart, back, rest


@njit(cache=True)
def timetable_rest(d, v, seq, n, arrival, start, end):
    """:func:`timetable` of a vehicle with a break: of the places the break fits, the one that
    brings the manager back first (a day that is over before lunch takes it after the return;
    one that runs through lunch takes it on the way, not idling before leaving), then the one
    whose break starts nearest the middle of its window. Returns ``(feasible, depart, back,
    break_start)``."""
    middle = 0.5 * (d.vehicle_break_early[v] + d.vehicle_break_late[v])
    best = -1
    best_home = np.inf
    best_off = np.inf
    for place in range(n + 2):
        ok, depart, back, rest = timed(d, v, seq, n, place, arrival, start, end)
        if ok:
            home = np.round(back)
            off = abs(rest - middle)
            if home < best_home or (home == best_home and off < best_off):
                best, best_home, best_off = place, home, off
    if best < 0:
        _, depart, back, _ = timed(d, v, seq, n, NO_BREAK, arrival, start, end)
        return False, depart, back, -1.0
    return timed(d, v, seq, n, best, arrival, start, end)


@njit(cache=True)
def reachable_owners(d, task, out):
    """Which owners could visit ``task`` on a route of its own, on some day (``out[o]`` True):
    the window reachable within the shift, travel included, and nothing else in the way."""
    seq = np.empty(1, dtype=np.int64)
    seq[0] = task
    scratch = np.empty(2)
    out[:] = False
    for v in range(d.vehicle_day.shape[0]):
        o = d.vehicle_owner[v]
        if d.task_eligible[task, o] and not out[o]:
            feasible, _ = evaluate(d, v, seq, 1, scratch)
            out[o] = feasible


@njit(cache=True)
def schedule_all(d, s):
    """Schedule every route of ``s`` (e.g. a new, empty state); True when all are feasible."""
    ok = True
    for v in range(s.length.shape[0]):
        ok = schedule(d, s, v) and ok
    return ok
