"""Local search within one day: relocate, swap, 2-opt* between routes and 2-opt within a
route, over granular neighbourhoods (each visit and its nearest tasks), driven by a worklist of
the visits that changed.

Each move is one function. It is given a visit ``u`` (route ``a``, position ``i``) and a
neighbour's visit ``w`` (route ``b``, position ``j``) of the same day, estimates the saving from
the legs it changes, and when that promises an improvement builds the candidate route(s),
checks them with the route timing rules and applies them if they are feasible and cheaper.
Each returns ``(applied, built)``: whether the state changed, and how many visits the candidate
routes it built hold (work done).
"""

from __future__ import annotations

from numba import njit

from .edits import replace_routes, visit_on_day
from .timing import evaluate

MIN_SAVING = 1e-7
"""A move must save at least this much to count as an improvement."""


@njit(cache=True)
def node_at(d, s, v, i):
    """Node at position ``i`` of route ``v``; -1 is the start node, ``length`` the end node."""
    if i < 0:
        return d.vehicle_start[v]
    if i >= s.length[v]:
        return d.vehicle_end[v]
    return d.task_node[s.route[v, i]]


@njit(cache=True)
def _apply_if_better(d, s, a, buf_a, n_a, b, buf_b, n_b, scratch):
    """Replace route ``a`` (and ``b`` unless -1) by the candidates when they are feasible and
    cheaper than now."""
    base = s.cost[a] + (s.cost[b] if b >= 0 else 0.0)
    ok, cost = evaluate(d, a, buf_a, n_a, scratch)
    if not ok:
        return False
    if b >= 0:
        ok_b, cost_b = evaluate(d, b, buf_b, n_b, scratch)
        if not ok_b:
            return False
        cost += cost_b
    if cost >= base - MIN_SAVING:
        return False
    replace_routes(d, s, a, buf_a, n_a, b, buf_b, n_b)
    return True


@njit(cache=True)
def relocate(d, s, u_task, a, i, w_task, b, j, after, buf_a, buf_b, scratch):
    """Move ``u`` to just after ``w`` (``after``) or just before it."""
    c = d.cost
    max_len = s.route.shape[1] - 1
    na = s.length[a]
    nb = s.length[b]
    if a == b and (j == i or (after and j == i - 1) or (not after and j == i + 1)):
        return False, 0
    if a != b and not d.task_eligible[u_task, d.vehicle_owner[b]]:
        return False, 0
    u = d.task_node[u_task]
    w = d.task_node[w_task]
    pu = node_at(d, s, a, i - 1)
    xu = node_at(d, s, a, i + 1)
    removal = c[pu, u] + c[u, xu] - c[pu, xu]
    if after:
        xw = node_at(d, s, b, j + 1)
        delta = c[w, u] + c[u, xw] - c[w, xw] - removal
    else:
        pw = node_at(d, s, b, j - 1)
        delta = c[pw, u] + c[u, w] - c[pw, w] - removal
    if delta >= -MIN_SAVING:
        return False, 0
    target = j + 1 if after else j  # u goes before this position of b
    n1 = 0
    n2 = 0
    if a == b:
        for q in range(na + 1):
            if q == target:
                buf_a[n1] = u_task
                n1 += 1
            if q < na and q != i:
                buf_a[n1] = s.route[a, q]
                n1 += 1
        applied = _apply_if_better(d, s, a, buf_a, n1, -1, buf_b, 0, scratch)
        return applied, n1
    if nb + 1 > max_len:
        return False, 0
    for q in range(na):
        if q != i:
            buf_a[n1] = s.route[a, q]
            n1 += 1
    for q in range(nb + 1):
        if q == target:
            buf_b[n2] = u_task
            n2 += 1
        if q < nb:
            buf_b[n2] = s.route[b, q]
            n2 += 1
    applied = _apply_if_better(d, s, a, buf_a, n1, b, buf_b, n2, scratch)
    return applied, n1 + n2


@njit(cache=True)
def swap(d, s, u_task, a, i, w_task, b, j, buf_a, buf_b, scratch):
    """Exchange ``u`` and ``w`` (in different routes, or not adjacent in one)."""
    c = d.cost
    if a == b and (j == i or j == i + 1 or j == i - 1):
        return False, 0
    if a != b and not (d.task_eligible[w_task, d.vehicle_owner[a]] and d.task_eligible[u_task, d.vehicle_owner[b]]):
        return False, 0
    u = d.task_node[u_task]
    w = d.task_node[w_task]
    pu = node_at(d, s, a, i - 1)
    xu = node_at(d, s, a, i + 1)
    pw = node_at(d, s, b, j - 1)
    xw = node_at(d, s, b, j + 1)
    delta = (c[pu, w] + c[w, xu] - c[pu, u] - c[u, xu]
             + c[pw, u] + c[u, xw] - c[pw, w] - c[w, xw])
    if delta >= -MIN_SAVING:
        return False, 0
    na = s.length[a]
    n1 = 0
    if a == b:
        for q in range(na):
            t = s.route[a, q]
            buf_a[n1] = w_task if q == i else (u_task if q == j else t)
            n1 += 1
        applied = _apply_if_better(d, s, a, buf_a, n1, -1, buf_b, 0, scratch)
        return applied, n1
    nb = s.length[b]
    n2 = 0
    for q in range(na):
        buf_a[n1] = w_task if q == i else s.route[a, q]
        n1 += 1
    for q in range(nb):
        buf_b[n2] = u_task if q == j else s.route[b, q]
        n2 += 1
    applied = _apply_if_better(d, s, a, buf_a, n1, b, buf_b, n2, scratch)
    return applied, n1 + n2


@njit(cache=True)
def two_opt(d, s, u_task, a, i, w_task, j, buf_a, scratch):
    """Reverse the part of route ``a`` after ``u`` up to and including ``w`` (``i < j``);
    only with symmetric costs, where the reversed legs cost what they did."""
    if j <= i + 1 or not d.symmetric:
        return False, 0
    c = d.cost
    u = d.task_node[u_task]
    w = d.task_node[w_task]
    xu = node_at(d, s, a, i + 1)
    xw = node_at(d, s, a, j + 1)
    delta = c[u, w] + c[xu, xw] - c[u, xu] - c[w, xw]
    if delta >= -MIN_SAVING:
        return False, 0
    na = s.length[a]
    for q in range(na):
        buf_a[q] = s.route[a, i + 1 + j - q] if i < q <= j else s.route[a, q]
    applied = _apply_if_better(d, s, a, buf_a, na, -1, buf_a, 0, scratch)
    return applied, na


@njit(cache=True)
def two_opt_star(d, s, u_task, a, i, w_task, b, j, buf_a, buf_b, scratch):
    """Exchange the tails of two routes (ending at the same place): the visits after ``u`` go
    to ``b`` and those after ``w`` to ``a``."""
    if d.vehicle_end[a] != d.vehicle_end[b]:
        return False, 0
    c = d.cost
    u = d.task_node[u_task]
    w = d.task_node[w_task]
    xu = node_at(d, s, a, i + 1)
    xw = node_at(d, s, b, j + 1)
    delta = c[u, xw] + c[w, xu] - c[u, xu] - c[w, xw]
    if delta >= -MIN_SAVING:
        return False, 0
    na = s.length[a]
    nb = s.length[b]
    max_len = s.route.shape[1] - 1
    if i + nb - j > max_len or j + na - i > max_len:
        return False, 0
    owner_a = d.vehicle_owner[a]
    owner_b = d.vehicle_owner[b]
    for q in range(j + 1, nb):
        if not d.task_eligible[s.route[b, q], owner_a]:
            return False, 0
    for q in range(i + 1, na):
        if not d.task_eligible[s.route[a, q], owner_b]:
            return False, 0
    n1 = 0
    n2 = 0
    for q in range(i + 1):
        buf_a[n1] = s.route[a, q]
        n1 += 1
    for q in range(j + 1, nb):
        buf_a[n1] = s.route[b, q]
        n1 += 1
    for q in range(j + 1):
        buf_b[n2] = s.route[b, q]
        n2 += 1
    for q in range(i + 1, na):
        buf_b[n2] = s.route[a, q]
        n2 += 1
    applied = _apply_if_better(d, s, a, buf_a, n1, b, buf_b, n2, scratch)
    return applied, n1 + n2


@njit(cache=True)
def improve_pair(d, s, day, u_task, w_task, buf_a, buf_b, scratch):
    """Try the moves on one pair of visits of ``day``, first improvement: ``(applied, built,
    a, b)`` with the two routes involved (``a == b`` for a move within one route).

    Moves between routes are made only without owner consistency (each move checks that the
    visits it moves go to owners who may serve them).
    """
    ju = visit_on_day(d, s, u_task, day)
    jw = visit_on_day(d, s, w_task, day)
    if ju < 0 or jw < 0:
        return False, 0, -1, -1
    a = s.vehicle[u_task, ju]
    i = s.position[u_task, ju]
    b = s.vehicle[w_task, jw]
    j = s.position[w_task, jw]
    if a != b and d.consistent:
        return False, 0, a, b
    built = 0
    applied, n = relocate(d, s, u_task, a, i, w_task, b, j, True, buf_a, buf_b, scratch)
    built += n
    if applied:
        return True, built, a, b
    applied, n = relocate(d, s, u_task, a, i, w_task, b, j, False, buf_a, buf_b, scratch)
    built += n
    if applied:
        return True, built, a, b
    applied, n = swap(d, s, u_task, a, i, w_task, b, j, buf_a, buf_b, scratch)
    built += n
    if applied:
        return True, built, a, b
    if a == b:
        applied, n = two_opt(d, s, u_task, a, i, w_task, j, buf_a, scratch)
    else:
        applied, n = two_opt_star(d, s, u_task, a, i, w_task, b, j, buf_a, buf_b, scratch)
    return applied, built + n, a, b


@njit(cache=True)
def local_search_day(d, s, day, work, n_work, granularity, buf_a, buf_b, scratch, queued, touched):
    """Improve the routes of ``day`` by first-improvement moves around the tasks in
    ``work[:n_work]``; every improvement queues the two tasks it moved. ``touched[v]`` is set
    for every route changed.

    Returns ``(moves, pairs, built)``: moves applied, neighbour pairs examined and visits of the
    candidate routes built (the work done).
    """
    moves = 0
    pairs = 0
    built = 0
    head = 0
    count = n_work
    cap = work.shape[0]
    neighbours = d.task_neighbours
    width = min(granularity, neighbours.shape[1])
    for q in range(n_work):
        queued[work[q]] = True
    guard = 0
    while head != count and guard < 100000:
        guard += 1
        u_task = work[head % cap]
        head += 1
        queued[u_task] = False
        if visit_on_day(d, s, u_task, day) < 0:
            continue
        for ni in range(width):
            pairs += 1
            w_task = neighbours[u_task, ni]
            applied, n, a, b = improve_pair(d, s, day, u_task, w_task, buf_a, buf_b, scratch)
            built += n
            if applied:
                moves += 1
                touched[a] = True
                touched[b] = True
                for t in (u_task, w_task):
                    if not queued[t]:
                        queued[t] = True
                        work[count % cap] = t
                        count += 1
                break
    for q in range(min(count, cap)):
        queued[work[q]] = False
    return moves, pairs, built
