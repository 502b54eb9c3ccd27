"""Compiled (numba) kernels of the search: route schedules, insertion with pattern and owner
choice, string removal, local search within a day and the annealing loop.

Python is too slow for the hundreds of thousands of ruin-and-recreate steps a good periodic
solution needs, so the inner loop lives here, on flat arrays. The arrays come in two named
tuples: :class:`Data` (the instance, never changed) and :class:`State` (a solution, changed in
place). :mod:`routeplan.solver.lns` builds them and drives the loop from Python.

Conventions: a route ``v`` is ``r_tasks[v, :r_len[v]]``; position ``i`` of a route is the gap
before its ``i``-th task (``i = r_len[v]`` is the gap before the end node). ``r_dep[v, i]`` is
the earliest departure from the node before gap ``i`` and ``r_latest[v, i]`` the latest start at
the node after it (the vehicle deadline for the end node). A task's visits are listed in
``t_veh[t, :]`` (-1 padded) with their positions in ``t_pos[t, :]``; ``t_pat[t]`` is its pattern
(a global pattern id) or -1 when the task is unassigned.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

BIG = 1e15
IMPOSSIBLE = 1e14
EPS = 1e-9

Data = namedtuple("Data", [
    "cost", "time",
    "t_node", "t_service", "t_early", "t_late", "t_demand", "t_owner_cost", "t_visits",
    "t_pat_start", "t_pat_count", "pat_days", "pat_len", "elig",
    "v_day", "v_owner", "v_start", "v_end", "v_early", "v_late", "v_cap", "v_maxdur", "v_maxstops",
    "v_owner_count", "day_veh_start", "day_veh", "owner_group", "owner_cap", "group_cap", "neigh", "depot_cost",
    "params",
])
"""The instance as arrays. ``t_owner_cost[t, o]`` is what serving task ``t`` by owner ``o``
costs beyond travel (stability, territory compactness; consistent instances only).
``params``: consistent, balance weight, day-balance weight, missing-visit cost, blink
probability, symmetric costs."""

State = namedtuple("State", [
    "r_len", "r_tasks", "r_dep", "r_latest", "r_load", "r_cost", "r_time", "r_serv",
    "t_pat", "t_owner", "t_veh", "t_pos", "owner_work",
])

P_CONSISTENT, P_BALANCE, P_DAY_BALANCE, P_MISSING, P_BLINK, P_SYMMETRIC = range(6)

# What a search step counts, in ``stats[WORK:]`` (see :func:`lns`): the measure of its effort.
WORK = 4
W_STEPS, W_POSITIONS, W_SCANS, W_PATTERNS, W_MOVES, W_BUILT, W_TOUCHED, W_REMOVED, W_PLACED = range(9)
NUM_WORK = 9


# ----------------------------------------------------------------------------------------------
# Routes
# ----------------------------------------------------------------------------------------------

@njit(cache=True)
def schedule(d, s, v):
    """Recompute route ``v``'s cached times and figures; True if it is feasible."""
    n = s.r_len[v]
    node_prev = d.v_start[v]
    t = d.v_early[v]
    feasible = True
    cost = 0.0
    travel = 0.0
    serv = 0.0
    load = 0.0
    s.r_dep[v, 0] = t
    for i in range(n):
        task = s.r_tasks[v, i]
        for j in range(s.t_veh.shape[1]):
            if s.t_veh[task, j] == v:
                s.t_pos[task, j] = i
        node = d.t_node[task]
        t += d.time[node_prev, node]
        cost += d.cost[node_prev, node]
        travel += d.time[node_prev, node]
        if t < d.t_early[task]:
            t = d.t_early[task]
        elif t > d.t_late[task] + EPS:
            feasible = False
        t += d.t_service[task]
        serv += d.t_service[task]
        load += d.t_demand[task]
        s.r_dep[v, i + 1] = t
        node_prev = node
    end = d.v_end[v]
    t += d.time[node_prev, end]
    cost += d.cost[node_prev, end]
    travel += d.time[node_prev, end]
    if t > d.v_late[v] + EPS:
        feasible = False
    bound = d.v_late[v]
    s.r_latest[v, n] = bound
    node_next = end
    for i in range(n - 1, -1, -1):
        task = s.r_tasks[v, i]
        node = d.t_node[task]
        bound = min(d.t_late[task], bound - d.time[node, node_next] - d.t_service[task])
        s.r_latest[v, i] = bound
        node_next = node
    old_work = s.r_time[v] + s.r_serv[v]
    s.r_cost[v] = cost
    s.r_time[v] = travel
    s.r_serv[v] = serv
    s.r_load[v] = load
    s.owner_work[d.v_owner[v]] += travel + serv - old_work
    if load > d.v_cap[v] + EPS or travel + serv > d.v_maxdur[v] + EPS or n > d.v_maxstops[v]:
        feasible = False
    return feasible


@njit(cache=True)
def route_feasible(d, s, v, seq, n):
    """Feasibility (windows, deadline, capacity, duration, stops) and routing cost of visiting
    ``seq[:n]`` with vehicle ``v`` (no state change)."""
    if n > d.v_maxstops[v]:
        return False, BIG
    node_prev = d.v_start[v]
    t = d.v_early[v]
    cost = 0.0
    travel = 0.0
    serv = 0.0
    load = 0.0
    for i in range(n):
        task = seq[i]
        node = d.t_node[task]
        t += d.time[node_prev, node]
        travel += d.time[node_prev, node]
        cost += d.cost[node_prev, node]
        if t < d.t_early[task]:
            t = d.t_early[task]
        elif t > d.t_late[task] + EPS:
            return False, cost
        t += d.t_service[task]
        serv += d.t_service[task]
        load += d.t_demand[task]
        node_prev = node
    t += d.time[node_prev, d.v_end[v]]
    travel += d.time[node_prev, d.v_end[v]]
    cost += d.cost[node_prev, d.v_end[v]]
    ok = t <= d.v_late[v] + EPS and load <= d.v_cap[v] + EPS and travel + serv <= d.v_maxdur[v] + EPS
    return ok, cost


@njit(cache=True)
def day_target(d, s, v):
    """Mean work of the routes of ``v``'s owner (the day-balance target)."""
    return s.owner_work[d.v_owner[v]] / d.v_owner_count[v]


@njit(cache=True)
def best_position(d, s, v, task, blink):
    """Cheapest feasible gap of route ``v`` for ``task``: (gap, cost increase, work increase).

    Each gap is skipped with probability ``blink`` (randomised insertion). Gap -1 when none fits.
    The cost includes the day-balance term when it is on.
    """
    n = s.r_len[v]
    if n >= d.v_maxstops[v] or s.r_load[v] + d.t_demand[task] > d.v_cap[v] + EPS:
        return -1, BIG, 0.0
    x = d.t_node[task]
    service = d.t_service[task]
    early = d.t_early[task]
    late = d.t_late[task]
    work = s.r_time[v] + s.r_serv[v]
    slack_dur = d.v_maxdur[v] - work - service
    day_w = d.params[P_DAY_BALANCE]
    target = day_target(d, s, v) if day_w > 0 else 1.0
    day_scale = day_w / max(target, 60.0)
    best_gap = -1
    best_cost = BIG
    best_work = 0.0
    prev = d.v_start[v]
    for i in range(n + 1):
        nxt = d.v_end[v] if i == n else d.t_node[s.r_tasks[v, i]]
        if blink > 0 and np.random.random() < blink:
            prev = nxt
            continue
        tpx = d.time[prev, x]
        start = s.r_dep[v, i] + tpx
        if start < early:
            start = early
        if start <= late + EPS:
            txn = d.time[x, nxt]
            if start + service + txn <= s.r_latest[v, i] + EPS:
                dtime = tpx + txn - d.time[prev, nxt]
                if dtime <= slack_dur + EPS:
                    c = d.cost[prev, x] + d.cost[x, nxt] - d.cost[prev, nxt]
                    added = dtime + service
                    if day_w > 0:
                        c += day_scale * added * (2.0 * (work - target) + added)
                    if c < best_cost:
                        best_cost = c
                        best_gap = i
                        best_work = added
        prev = nxt
    return best_gap, best_cost, best_work


@njit(cache=True)
def insert_at(d, s, v, gap, task):
    n = s.r_len[v]
    for i in range(n, gap, -1):
        s.r_tasks[v, i] = s.r_tasks[v, i - 1]
    s.r_tasks[v, gap] = task
    s.r_len[v] = n + 1
    schedule(d, s, v)


@njit(cache=True)
def remove_from(d, s, v, task):
    n = s.r_len[v]
    j = -1
    for i in range(n):
        if s.r_tasks[v, i] == task:
            j = i
            break
    if j < 0:
        return
    for i in range(j, n - 1):
        s.r_tasks[v, i] = s.r_tasks[v, i + 1]
    s.r_len[v] = n - 1
    schedule(d, s, v)


# ----------------------------------------------------------------------------------------------
# Objective
# ----------------------------------------------------------------------------------------------

@njit(cache=True)
def group_targets(d, s, out):
    """Each balanced owner's fair share of its group's work (0 when not balanced)."""
    n_groups = d.group_cap.shape[0]
    totals = np.zeros(n_groups)
    for o in range(d.owner_group.shape[0]):
        g = d.owner_group[o]
        if g >= 0:
            totals[g] += s.owner_work[o]
    for o in range(d.owner_group.shape[0]):
        g = d.owner_group[o]
        out[o] = totals[g] * d.owner_cap[o] / d.group_cap[g] if g >= 0 and d.group_cap[g] > 0 else 0.0


@njit(cache=True)
def objective(d, s):
    """The full objective (see :class:`routeplan.solver.objective.Objective`)."""
    total = 0.0
    for v in range(s.r_len.shape[0]):
        total += s.r_cost[v]
    bw = d.params[P_BALANCE]
    if bw > 0:
        targets = np.zeros(d.owner_group.shape[0])
        group_targets(d, s, targets)
        for o in range(targets.shape[0]):
            if targets[o] > 0:
                dev = s.owner_work[o] - targets[o]
                total += bw * dev * dev / targets[o]
    dbw = d.params[P_DAY_BALANCE]
    if dbw > 0:
        for v in range(s.r_len.shape[0]):
            target = day_target(d, s, v)
            dev = s.r_time[v] + s.r_serv[v] - target
            total += dbw * dev * dev / max(target, 60.0)
    missing = 0
    for t in range(s.t_pat.shape[0]):
        if s.t_pat[t] < 0:
            missing += d.t_visits[t]
        elif s.t_owner[t] >= 0:
            total += d.t_owner_cost[t, s.t_owner[t]]
    return total + d.params[P_MISSING] * missing


# ----------------------------------------------------------------------------------------------
# Insertion of a task with its pattern and owner
# ----------------------------------------------------------------------------------------------

@njit(cache=True)
def _scan_all(d, s, task, blink, vc, vgap, vwork):
    """Best gap of every eligible route for ``task``."""
    for v in range(s.r_len.shape[0]):
        vc[v] = BIG
        if d.elig[task, d.v_owner[v]]:
            gap, c, w = best_position(d, s, v, task, blink)
            vc[v] = c
            vgap[v] = gap
            vwork[v] = w


@njit(cache=True)
def insert_task(d, s, task, blink, targets, vc, vgap, vwork):
    """Insert ``task`` where it costs least (pattern, owner, positions). False if nothing fits.

    ``targets`` are the owners' balance targets; ``vc``, ``vgap``, ``vwork`` are scratch arrays
    of one entry per vehicle.
    """
    _scan_all(d, s, task, blink, vc, vgap, vwork)
    return _place(d, s, task, targets, vc, vgap, vwork)


@njit(cache=True)
def _place(d, s, task, targets, vc, vgap, vwork):
    """Choose the cheapest pattern and owner given each route's best gap, and insert."""
    consistent = d.params[P_CONSISTENT] > 0
    best_total = BIG
    best_pat = -1
    best_owner = -1
    p0 = d.t_pat_start[task]
    n_owners = d.owner_group.shape[0]
    bw = d.params[P_BALANCE]
    if consistent:
        for o in range(n_owners):
            if not d.elig[task, o]:
                continue
            for p in range(p0, p0 + d.t_pat_count[task]):
                total = 0.0
                added = 0.0
                for j in range(d.pat_len[p]):
                    day = d.pat_days[p, j]
                    bc = BIG
                    bwk = 0.0
                    for k in range(d.day_veh_start[day], d.day_veh_start[day + 1]):
                        v = d.day_veh[k]
                        if d.v_owner[v] == o and vc[v] < bc:
                            bc = vc[v]
                            bwk = vwork[v]
                    total += bc
                    added += bwk
                    if total >= IMPOSSIBLE:
                        break
                if total >= IMPOSSIBLE:
                    continue
                if bw > 0 and targets[o] > 0:
                    total += bw * added * (2.0 * (s.owner_work[o] - targets[o]) + added) / targets[o]
                total += d.t_owner_cost[task, o]
                if total < best_total:
                    best_total = total
                    best_pat = p
                    best_owner = o
    else:
        for p in range(p0, p0 + d.t_pat_count[task]):
            total = 0.0
            for j in range(d.pat_len[p]):
                day = d.pat_days[p, j]
                bc = BIG
                for k in range(d.day_veh_start[day], d.day_veh_start[day + 1]):
                    v = d.day_veh[k]
                    if vc[v] < bc:
                        bc = vc[v]
                total += bc
                if total >= IMPOSSIBLE:
                    break
            if total < best_total:
                best_total = total
                best_pat = p
    if best_pat < 0 or best_total >= IMPOSSIBLE:
        return False
    # Commit: the best route of each day of the pattern.
    for j in range(d.pat_len[best_pat]):
        day = d.pat_days[best_pat, j]
        bv = -1
        bc = BIG
        for k in range(d.day_veh_start[day], d.day_veh_start[day + 1]):
            v = d.day_veh[k]
            if consistent and d.v_owner[v] != best_owner:
                continue
            if vc[v] < bc:
                bc = vc[v]
                bv = v
        s.t_veh[task, j] = bv
        insert_at(d, s, bv, vgap[bv], task)
    s.t_pat[task] = best_pat
    s.t_owner[task] = best_owner if consistent else -1
    return True


@njit(cache=True)
def remove_task(d, s, task):
    for j in range(s.t_veh.shape[1]):
        v = s.t_veh[task, j]
        if v >= 0:
            s.t_veh[task, j] = -1
            remove_from(d, s, v, task)
    s.t_pat[task] = -1
    s.t_owner[task] = -1


# ----------------------------------------------------------------------------------------------
# Ruin: strings of visits near a seed (after Christiaens & Vanden Berghe's SISR)
# ----------------------------------------------------------------------------------------------

@njit(cache=True)
def ruin(d, s, mean_removed, max_string, removed, route_hit):
    """Remove strings of consecutive visits from routes near a random seed task; every task
    with a visit in a string loses all its visits. Returns how many tasks ``removed`` holds."""
    n_tasks = s.t_pat.shape[0]
    count = 0
    route_hit[:] = False
    seed = np.random.randint(n_tasks)
    tries = 0
    while s.t_pat[seed] < 0 and tries < 50:
        seed = np.random.randint(n_tasks)
        tries += 1
    if s.t_pat[seed] < 0:
        return 0
    total_len = 0
    busy = 0
    for v in range(s.r_len.shape[0]):
        if s.r_len[v] > 0:
            total_len += s.r_len[v]
            busy += 1
    avg_len = total_len / max(busy, 1)
    l_max = min(float(max_string), avg_len)
    k_max = 4.0 * mean_removed / (1.0 + l_max) - 1.0
    strings = int(np.random.random() * k_max) + 1
    done = 0
    for ni in range(d.neigh.shape[1]):
        if done >= strings:
            break
        c = d.neigh[seed, ni]
        if s.t_pat[c] < 0:
            continue
        # One of c's visits, at random.
        n_visits = 0
        for j in range(s.t_veh.shape[1]):
            if s.t_veh[c, j] >= 0:
                n_visits += 1
        pick = np.random.randint(n_visits)
        v = -1
        for j in range(s.t_veh.shape[1]):
            if s.t_veh[c, j] >= 0:
                if pick == 0:
                    v = s.t_veh[c, j]
                    break
                pick -= 1
        if route_hit[v]:
            continue
        route_hit[v] = True
        n = s.r_len[v]
        length = int(np.random.random() * min(l_max, n)) + 1
        pos = 0
        for i in range(n):
            if s.r_tasks[v, i] == c:
                pos = i
                break
        first = pos - np.random.randint(length)
        if first < 0:
            first = 0
        if first + length > n:
            first = n - length
        victims = s.r_tasks[v, first:first + length].copy()
        for t in victims:
            if s.t_pat[t] >= 0:
                remove_task(d, s, t)
                removed[count] = t
                count += 1
        done += 1
    return count


# ----------------------------------------------------------------------------------------------
# Local search within one day: relocate, swap, 2-opt* between routes and 2-opt within a route,
# over granular neighbourhoods, driven by a worklist of visits
# ----------------------------------------------------------------------------------------------

@njit(cache=True)
def _visit_index(d, s, task, day):
    """Which of ``task``'s visits falls on ``day`` (-1 if none)."""
    for j in range(s.t_veh.shape[1]):
        v = s.t_veh[task, j]
        if v >= 0 and d.v_day[v] == day:
            return j
    return -1


@njit(cache=True)
def _nd(d, s, v, i):
    """Node at position ``i`` of route ``v``; -1 is the start node, ``r_len`` the end node."""
    if i < 0:
        return d.v_start[v]
    if i >= s.r_len[v]:
        return d.v_end[v]
    return d.t_node[s.r_tasks[v, i]]


@njit(cache=True)
def _commit_pair(d, s, a, buf_a, n_a, b, buf_b, n_b, day):
    """Replace routes ``a`` and ``b`` (``b`` may be -1) and re-home the visits that moved."""
    for q in range(n_a):
        s.r_tasks[a, q] = buf_a[q]
    s.r_len[a] = n_a
    if b >= 0:
        for q in range(n_b):
            s.r_tasks[b, q] = buf_b[q]
        s.r_len[b] = n_b
        for q in range(n_a):
            t = buf_a[q]
            j = _visit_index(d, s, t, day)
            s.t_veh[t, j] = a
        for q in range(n_b):
            t = buf_b[q]
            j = _visit_index(d, s, t, day)
            s.t_veh[t, j] = b
        schedule(d, s, b)
    schedule(d, s, a)


@njit(cache=True)
def _evaluate_pair(d, s, a, buf_a, n_a, b, buf_b, n_b):
    """Feasibility and new cost of one or two candidate routes."""
    ok, cost = route_feasible(d, s, a, buf_a, n_a)
    if not ok:
        return False, BIG
    if b >= 0:
        ok_b, cost_b = route_feasible(d, s, b, buf_b, n_b)
        if not ok_b:
            return False, BIG
        cost += cost_b
    return True, cost


@njit(cache=True)
def local_search_day(d, s, day, work, n_work, granularity, buf_a, buf_b, queued, touched):
    """Improve the routes of ``day`` by first-improvement moves around the tasks in
    ``work[:n_work]`` (visits that changed); every improvement queues the tasks it moved.

    Moves between routes are only made when visits may change route: without owner
    consistency, and to routes whose owner may serve the task. ``touched[v]`` is set for every
    route changed. Returns the number of moves applied, the number of neighbour pairs examined
    and the number of visits of the candidate routes built and scheduled (the work done, for
    the search's deterministic budget).
    """
    consistent = d.params[P_CONSISTENT] > 0
    c = d.cost
    max_len = s.r_tasks.shape[1] - 1
    moves = 0
    evaluations = 0
    built = 0
    head = 0
    count = n_work
    cap = work.shape[0]
    for q in range(n_work):
        queued[work[q]] = True
    guard = 0
    while head != count and guard < 100000:
        guard += 1
        u_task = work[head % cap]
        head += 1
        queued[u_task] = False
        ju = _visit_index(d, s, u_task, day)
        if ju < 0:
            continue
        improved = False
        for ni in range(min(granularity, d.neigh.shape[1])):
            if improved:
                break
            evaluations += 1
            w_task = d.neigh[u_task, ni]
            jw = _visit_index(d, s, w_task, day)
            if jw < 0:
                continue
            a = s.t_veh[u_task, ju]
            i = s.t_pos[u_task, ju]
            b = s.t_veh[w_task, jw]
            j = s.t_pos[w_task, jw]
            if a != b and (consistent or not d.elig[u_task, d.v_owner[b]]):
                continue
            na = s.r_len[a]
            nb = s.r_len[b]
            u = d.t_node[u_task]
            w = d.t_node[w_task]
            pu = _nd(d, s, a, i - 1)
            xu = _nd(d, s, a, i + 1)
            pw = _nd(d, s, b, j - 1)
            xw = _nd(d, s, b, j + 1)
            base = s.r_cost[a] + (s.r_cost[b] if b != a else 0.0)
            for move in range(4):
                delta = 0.0
                if move == 0:  # relocate u after w
                    if a == b and (j == i - 1 or j == i):
                        continue
                    delta = c[w, u] + c[u, xw] - c[w, xw] - (c[pu, u] + c[u, xu] - c[pu, xu])
                elif move == 1:  # relocate u before w
                    if a == b and (j == i + 1 or j == i):
                        continue
                    delta = c[pw, u] + c[u, w] - c[pw, w] - (c[pu, u] + c[u, xu] - c[pu, xu])
                elif move == 2:  # swap u and w (different routes, or not adjacent)
                    if a == b and (j == i + 1 or j == i - 1 or j == i):
                        continue
                    delta = (c[pu, w] + c[w, xu] - c[pu, u] - c[u, xu]
                             + c[pw, u] + c[u, xw] - c[pw, w] - c[w, xw])
                else:  # 2-opt* (tails after u and after w swap routes) or 2-opt within a route
                    if a == b:
                        if j <= i + 1 or not d.params[P_SYMMETRIC] > 0:
                            continue
                        delta = c[u, w] + c[xu, xw] - c[u, xu] - c[w, xw]  # reverse (i, j]
                    else:
                        if d.v_end[a] != d.v_end[b]:
                            continue
                        delta = c[u, xw] + c[w, xu] - c[u, xu] - c[w, xw]
                if delta >= -1e-7:
                    continue
                # Lengths of the candidate routes; they must fit the route arrays.
                if a == b:
                    len_a, len_b = na, 0
                elif move == 0 or move == 1:
                    len_a, len_b = na - 1, nb + 1
                elif move == 2:
                    len_a, len_b = na, nb
                else:
                    len_a, len_b = i + nb - j, j + na - i
                if len_a > max_len or len_b > max_len:
                    continue
                # Build the candidate routes.
                n1 = 0
                n2 = 0
                b2 = -1 if a == b else b
                if a == b:
                    if move == 0 or move == 1:
                        target = j + 1 if move == 0 else j  # insert before position target
                        for q in range(na + 1):
                            if q == target:
                                buf_a[n1] = u_task
                                n1 += 1
                            if q < na and q != i:
                                buf_a[n1] = s.r_tasks[a, q]
                                n1 += 1
                    elif move == 2:
                        for q in range(na):
                            t = s.r_tasks[a, q]
                            buf_a[n1] = w_task if q == i else (u_task if q == j else t)
                            n1 += 1
                    else:
                        for q in range(na):
                            buf_a[n1] = s.r_tasks[a, i + 1 + j - q] if i < q <= j else s.r_tasks[a, q]
                            n1 += 1
                else:
                    if move == 0 or move == 1:
                        for q in range(na):
                            if q != i:
                                buf_a[n1] = s.r_tasks[a, q]
                                n1 += 1
                        target = j + 1 if move == 0 else j
                        for q in range(nb + 1):
                            if q == target:
                                buf_b[n2] = u_task
                                n2 += 1
                            if q < nb:
                                buf_b[n2] = s.r_tasks[b, q]
                                n2 += 1
                    elif move == 2:
                        if not d.elig[w_task, d.v_owner[a]]:
                            continue
                        for q in range(na):
                            buf_a[n1] = w_task if q == i else s.r_tasks[a, q]
                            n1 += 1
                        for q in range(nb):
                            buf_b[n2] = u_task if q == j else s.r_tasks[b, q]
                            n2 += 1
                    else:
                        ok_owner = True
                        for q in range(j + 1, nb):
                            if not d.elig[s.r_tasks[b, q], d.v_owner[a]]:
                                ok_owner = False
                        for q in range(i + 1, na):
                            if not d.elig[s.r_tasks[a, q], d.v_owner[b]]:
                                ok_owner = False
                        if not ok_owner:
                            continue
                        for q in range(i + 1):
                            buf_a[n1] = s.r_tasks[a, q]
                            n1 += 1
                        for q in range(j + 1, nb):
                            buf_a[n1] = s.r_tasks[b, q]
                            n1 += 1
                        for q in range(j + 1):
                            buf_b[n2] = s.r_tasks[b, q]
                            n2 += 1
                        for q in range(i + 1, na):
                            buf_b[n2] = s.r_tasks[a, q]
                            n2 += 1
                built += n1 + n2
                ok, new_cost = _evaluate_pair(d, s, a, buf_a, n1, b2, buf_b, n2)
                if not ok or new_cost >= base - 1e-7:
                    continue
                _commit_pair(d, s, a, buf_a, n1, b2, buf_b, n2, day)
                touched[a] = True
                if b2 >= 0:
                    touched[b2] = True
                moves += 1
                improved = True
                for t in (u_task, w_task):
                    if not queued[t]:
                        queued[t] = True
                        work[count % cap] = t
                        count += 1
                break
    for q in range(min(count, cap)):
        queued[work[q]] = False
    return moves, evaluations, built


# ----------------------------------------------------------------------------------------------
# State copies
# ----------------------------------------------------------------------------------------------

@njit(cache=True)
def copy_state(src, dst):
    dst.r_len[:] = src.r_len
    dst.r_tasks[:, :] = src.r_tasks
    dst.r_dep[:, :] = src.r_dep
    dst.r_latest[:, :] = src.r_latest
    dst.r_load[:] = src.r_load
    dst.r_cost[:] = src.r_cost
    dst.r_time[:] = src.r_time
    dst.r_serv[:] = src.r_serv
    dst.t_pat[:] = src.t_pat
    dst.t_owner[:] = src.t_owner
    dst.t_veh[:, :] = src.t_veh
    dst.t_pos[:, :] = src.t_pos
    dst.owner_work[:] = src.owner_work


@njit(cache=True)
def copy_routes(src, dst, vehicles, n_vehicles, tasks, n_tasks):
    """Copy the given routes, the given tasks and every task on those routes from ``src`` to
    ``dst`` (accepting or undoing one step)."""
    for k in range(n_vehicles):
        v = vehicles[k]
        n = src.r_len[v]
        dst.r_len[v] = n
        dst.r_tasks[v, :n + 1] = src.r_tasks[v, :n + 1]
        dst.r_dep[v, :n + 1] = src.r_dep[v, :n + 1]
        dst.r_latest[v, :n + 1] = src.r_latest[v, :n + 1]
        dst.r_load[v] = src.r_load[v]
        dst.r_cost[v] = src.r_cost[v]
        dst.r_time[v] = src.r_time[v]
        dst.r_serv[v] = src.r_serv[v]
        for i in range(n):
            t = src.r_tasks[v, i]
            dst.t_pat[t] = src.t_pat[t]
            dst.t_owner[t] = src.t_owner[t]
            dst.t_veh[t, :] = src.t_veh[t, :]
    for k in range(n_tasks):
        t = tasks[k]
        dst.t_pat[t] = src.t_pat[t]
        dst.t_owner[t] = src.t_owner[t]
        dst.t_veh[t, :] = src.t_veh[t, :]
    # Positions of every visit in the copied routes.
    for k in range(n_vehicles):
        v = vehicles[k]
        for i in range(dst.r_len[v]):
            t = dst.r_tasks[v, i]
            for j in range(dst.t_veh.shape[1]):
                if dst.t_veh[t, j] == v:
                    dst.t_pos[t, j] = i
    dst.owner_work[:] = src.owner_work


# ----------------------------------------------------------------------------------------------
# The loop
# ----------------------------------------------------------------------------------------------

@njit(cache=True)
def seed_random(seed):
    np.random.seed(seed)


@njit(cache=True)
def _order(d, s, removed, count, scratch):
    """Order the tasks to re-insert: random, largest demand, farthest or closest first, or the
    most constrained (fewest patterns) first."""
    r = np.random.random()
    for k in range(count):
        t = removed[k]
        if r < 0.35:
            scratch[k] = np.random.random()
        elif r < 0.6:
            scratch[k] = -d.t_demand[t] - 1e-6 * np.random.random()
        elif r < 0.8:
            scratch[k] = -d.depot_cost[t] - 1e-6 * np.random.random()
        elif r < 0.9:
            scratch[k] = d.depot_cost[t] + 1e-6 * np.random.random()
        else:
            scratch[k] = d.t_pat_count[t] + 1e-3 * np.random.random()
    order = np.argsort(scratch[:count])
    out = removed[:count].copy()
    for k in range(count):
        out[k] = removed[order[k]]
    return out


@njit(cache=True)
def lns(d, cur, best, trial, iterations, t_start, t_end, mean_removed, max_string, repair_prob, granularity,
        stats):
    """Run ``iterations`` ruin-and-recreate steps with simulated annealing.

    ``cur`` is the current solution, ``best`` the best found (updated in place), ``trial`` a
    scratch state equal to ``cur`` on entry. The temperature falls geometrically from ``t_start``
    to ``t_end`` over the call. ``stats``: [current objective, best objective, accepted,
    improved, then the work counts] in and out.

    The work counts (``stats[WORK + W_...]``) measure the effort spent, independently of the
    clock: steps, route positions insertions scan, tasks and routes every step sums, pattern
    options weighed, neighbour pairs the local search examines, visits of the candidate routes
    it builds, visits of the routes a step changed, visits removed, visits of the routes an
    insertion reschedules. :mod:`routeplan.solver.lns` weighs them into work units; a search
    that stops after a number of work units is repeatable.
    """
    n_tasks = cur.t_pat.shape[0]
    n_veh = cur.r_len.shape[0]
    removed = np.empty(n_tasks, dtype=np.int64)
    route_hit = np.zeros(n_veh, dtype=np.bool_)
    touched_v = np.empty(n_veh, dtype=np.int64)
    touched_t = np.empty(n_tasks, dtype=np.int64)
    v_mark = np.zeros(n_veh, dtype=np.bool_)
    t_mark = np.zeros(n_tasks, dtype=np.bool_)
    scratch = np.empty(n_tasks)
    vc = np.empty(n_veh)
    vgap = np.empty(n_veh, dtype=np.int64)
    vwork = np.empty(n_veh)
    targets = np.zeros(d.owner_group.shape[0])
    buf = np.empty(trial.r_tasks.shape[1], dtype=np.int64)
    buf_b = np.empty(trial.r_tasks.shape[1], dtype=np.int64)
    work = np.empty(n_tasks, dtype=np.int64)
    queued = np.zeros(n_tasks, dtype=np.bool_)
    ls_touched = np.zeros(n_veh, dtype=np.bool_)
    n_days = d.day_veh_start.shape[0] - 1
    day_hit = np.zeros(n_days, dtype=np.bool_)
    blink = d.params[P_BLINK]
    current = stats[0]
    best_value = stats[1]
    accepted = 0
    improved = 0
    work_done = np.zeros(NUM_WORK)
    ratio = t_end / t_start if t_start > 0 else 1.0
    for it in range(iterations):
        temperature = t_start * ratio ** (it / max(iterations, 1))
        # Ruin
        ruin(d, trial, mean_removed, max_string, removed, route_hit)
        # Re-insert the removed tasks and any that were unassigned already.
        count = 0
        for t in range(n_tasks):
            if trial.t_pat[t] < 0:
                removed[count] = t
                count += 1
        # Which routes and tasks change: for the undo.
        n_tv = 0
        n_tt = 0
        for v in range(n_veh):
            if route_hit[v] and not v_mark[v]:
                v_mark[v] = True
                touched_v[n_tv] = v
                n_tv += 1
        for k in range(count):
            t = removed[k]
            if not t_mark[t]:
                t_mark[t] = True
                touched_t[n_tt] = t
                n_tt += 1
            for j in range(cur.t_veh.shape[1]):
                v = cur.t_veh[t, j]
                if v >= 0 and not v_mark[v]:
                    v_mark[v] = True
                    touched_v[n_tv] = v
                    n_tv += 1
        # Recreate
        if d.params[P_BALANCE] > 0:
            group_targets(d, trial, targets)
        order = _order(d, trial, removed, count, scratch)
        positions = n_veh
        for v in range(n_veh):
            positions += trial.r_len[v]
        work_done[W_POSITIONS] += count * positions
        work_done[W_SCANS] += n_tasks + n_veh
        work_done[W_REMOVED] += count
        owners_scanned = d.owner_group.shape[0] if d.params[P_CONSISTENT] > 0 else 1
        for k in range(count):
            t = order[k]
            # Choosing a pattern scans each pattern's days' routes for each owner.
            work_done[W_PATTERNS] += d.t_pat_count[t] * d.t_visits[t] * owners_scanned * n_veh / max(n_days, 1)
            if insert_task(d, trial, t, blink, targets, vc, vgap, vwork):
                for j in range(trial.t_veh.shape[1]):
                    v = trial.t_veh[t, j]
                    if v >= 0:
                        work_done[W_PLACED] += trial.r_len[v]
                    if v >= 0 and not v_mark[v]:
                        v_mark[v] = True
                        touched_v[n_tv] = v
                        n_tv += 1
        if repair_prob > 0 and np.random.random() < repair_prob:
            # Local search on the days that received visits, starting from the re-inserted tasks.
            day_hit[:] = False
            for k in range(count):
                t = removed[k]
                for j in range(trial.t_veh.shape[1]):
                    v = trial.t_veh[t, j]
                    if v >= 0:
                        day_hit[d.v_day[v]] = True
            for day in range(n_days):
                if day_hit[day]:
                    for k in range(count):
                        work[k] = removed[k]
                    _, examined, built = local_search_day(d, trial, day, work, count, granularity, buf, buf_b, queued,
                                                   ls_touched)
                    work_done[W_MOVES] += examined
                    work_done[W_BUILT] += built
            for v in range(n_veh):
                if ls_touched[v]:
                    ls_touched[v] = False
                    if not v_mark[v]:
                        v_mark[v] = True
                        touched_v[n_tv] = v
                        n_tv += 1
        # Fixed costs of a step, and removing, rescheduling and copying the changed routes.
        work_done[W_STEPS] += 1
        for k in range(n_tv):
            work_done[W_TOUCHED] += trial.r_len[touched_v[k]] + 1
        value = objective(d, trial)
        if value < current - 1e-9 or (temperature > 0 and
                                       np.random.random() < np.exp(-(value - current) / temperature)):
            current = value
            accepted += 1
            copy_routes(trial, cur, touched_v, n_tv, touched_t, n_tt)
            if value < best_value - 1e-9:
                best_value = value
                improved += 1
                copy_state(trial, best)
        else:
            copy_routes(cur, trial, touched_v, n_tv, touched_t, n_tt)
        for k in range(n_tv):
            v_mark[touched_v[k]] = False
        for k in range(n_tt):
            t_mark[touched_t[k]] = False
    stats[0] = current
    stats[1] = best_value
    stats[2] += accepted
    stats[3] += improved
    for k in range(NUM_WORK):
        stats[WORK + k] += work_done[k]
