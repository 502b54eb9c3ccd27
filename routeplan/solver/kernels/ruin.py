"""Ruin: strings of consecutive visits removed from routes near a random seed task (after
Christiaens and Vanden Berghe's SISR); a task with a visit in a string loses all its visits."""

from __future__ import annotations

import numpy as np
from numba import njit

from .edits import remove_task
from .objective import day_target


@njit(cache=True)
def remove_strings(d, s, mean_removed, max_string, removed, route_hit):
    """Remove strings around a random assigned task into ``removed``; returns how many tasks it
    holds. ``route_hit[v]`` is set for every route a string was cut from."""
    n_tasks = s.pattern.shape[0]
    count = 0
    route_hit[:] = False
    seed = np.random.randint(n_tasks)
    tries = 0
    while s.pattern[seed] < 0 and tries < 50:
        seed = np.random.randint(n_tasks)
        tries += 1
    if s.pattern[seed] < 0:
        return 0
    total_len = 0
    busy = 0
    for v in range(s.length.shape[0]):
        if s.length[v] > 0:
            total_len += s.length[v]
            busy += 1
    avg_len = total_len / max(busy, 1)
    l_max = min(float(max_string), avg_len)
    k_max = 4.0 * mean_removed / (1.0 + l_max) - 1.0
    strings = int(np.random.random() * k_max) + 1
    done = 0
    neighbours = d.task_neighbours
    for ni in range(neighbours.shape[1]):
        if done >= strings:
            break
        c = neighbours[seed, ni]
        if s.pattern[c] < 0:
            continue
        # One of c's visits, at random.
        n_visits = 0
        for j in range(s.vehicle.shape[1]):
            if s.vehicle[c, j] >= 0:
                n_visits += 1
        pick = np.random.randint(n_visits)
        v = -1
        for j in range(s.vehicle.shape[1]):
            if s.vehicle[c, j] >= 0:
                if pick == 0:
                    v = s.vehicle[c, j]
                    break
                pick -= 1
        if route_hit[v]:
            continue
        route_hit[v] = True
        n = s.length[v]
        length = int(np.random.random() * min(l_max, n)) + 1
        pos = 0
        for i in range(n):
            if s.route[v, i] == c:
                pos = i
                break
        first = pos - np.random.randint(length)
        if first < 0:
            first = 0
        if first + length > n:
            first = n - length
        victims = s.route[v, first:first + length].copy()
        for t in victims:
            if s.pattern[t] >= 0:
                remove_task(d, s, t)
                removed[count] = t
                count += 1
        done += 1
    return count


@njit(cache=True)
def under_band_owner(d, s, targets):
    """A balanced owner whose work lies below its band (``targets`` its fair shares, the band
    the instance's balance tolerance), chosen at random among them; -1 when none is."""
    count = 0
    chosen = -1
    for o in range(targets.shape[0]):
        if targets[o] <= 0:
            continue
        low = targets[o] - max(d.balance_tolerance * targets[o], d.balance_floor)
        if s.owner_work[o] < low:
            count += 1
            if np.random.randint(count) == 0:  # reservoir sampling: each equally likely
                chosen = o
    return chosen


@njit(cache=True)
def _random_task_of(d, s, owner):
    """A task of ``owner`` at random (a visit of one of its routes), -1 when it has none."""
    n_days = d.day_first.shape[0] - 1
    for _ in range(8):
        day = np.random.randint(n_days)
        key = owner * n_days + day
        first, last = d.owner_day_first[key], d.owner_day_first[key + 1]
        if last <= first:
            continue
        v = d.by_owner_day[first + np.random.randint(last - first)]
        if s.length[v] > 0:
            return s.route[v, np.random.randint(s.length[v])]
    return -1


@njit(cache=True)
def remove_chain(d, s, targets, receiver, max_links, removed, route_hit, used):
    """Remove a chain of tasks along which work can flow to ``receiver``, an owner below its band:
    a task of a neighbouring owner that ``receiver`` may serve, then a task of that owner's
    neighbours that it may serve, and so on, each time from the neighbour with the most work over
    its fair share (``targets``), until an owner above its target gave one or ``max_links``
    tasks are out. Re-inserted with the balance term's prices, the tasks tend to move one link
    each: a small shop from a C manager to a D manager short of work, a medium shop from another
    C manager to the first, carrying work along the chain rather than one customer at a time.

    Returns ``(count, scanned)``: tasks removed (into ``removed``) and neighbours looked at.
    ``route_hit`` is set for the routes they left; ``used`` is scratch space of one flag per
    owner (left cleared)."""
    route_hit[:] = False
    count = 0
    scanned = 0
    current = receiver
    used[current] = True
    group = d.owner_group[receiver]
    neighbours = d.task_neighbours
    width = min(neighbours.shape[1], 20)
    for _ in range(max_links):
        best = -1
        best_ratio = -1.0
        for _ in range(4):  # a few of the current owner's tasks, and their neighbours
            t = _random_task_of(d, s, current)
            if t < 0:
                continue
            for ni in range(width):
                c = neighbours[t, ni]
                scanned += 1
                o = s.owner[c]
                if o < 0 or used[o] or d.owner_group[o] != group or not d.task_eligible[c, current]:
                    continue
                if targets[o] <= 0:
                    continue
                ratio = s.owner_work[o] / targets[o]
                # The busiest neighbour gives; of its tasks, the first met (nearest first).
                if ratio > best_ratio + 1e-12:
                    best_ratio = ratio
                    best = c
        if best < 0:
            break
        giver = s.owner[best]
        count = _take(d, s, best, removed, count, route_hit)
        used[giver] = True
        current = giver
        if best_ratio > 1.0:  # an owner with more than its share gave: the chain can end here
            break
    for o in range(used.shape[0]):
        used[o] = False
    return count, scanned


@njit(cache=True)
def day_out_of_band(d, s):
    """A route (vehicle) whose work lies outside the band around its owner's mean route, chosen
    at random among them (an empty working day counts); -1 when every route is within."""
    count = 0
    chosen = -1
    for v in range(s.length.shape[0]):
        target = day_target(d, s, v)
        if target <= 0:
            continue
        work = s.travel[v] + s.service[v]
        if abs(work - target) > max(d.day_balance_tolerance * target, d.day_balance_floor):
            count += 1
            if np.random.randint(count) == 0:
                chosen = v
    return chosen


@njit(cache=True)
def remove_day_excess(d, s, v, removed, route_hit):
    """Remove a string of visits that evens out route ``v``'s day: from ``v`` itself when it
    holds more than its band allows, else from its owner's fullest other route (re-inserted with
    the day-balance prices, visits that may take ``v``'s day go there). Returns how many tasks
    were removed (into ``removed``); ``route_hit`` is set for the routes cut."""
    route_hit[:] = False
    target = day_target(d, s, v)
    work = s.travel[v] + s.service[v]
    source = v
    if work < target:
        owner = d.vehicle_owner[v]
        n_days = d.day_first.shape[0] - 1
        fullest = -1.0
        for day in range(n_days):
            key = owner * n_days + day
            for k in range(d.owner_day_first[key], d.owner_day_first[key + 1]):
                u = d.by_owner_day[k]
                if u != v and s.travel[u] + s.service[u] > fullest and s.length[u] > 0:
                    fullest = s.travel[u] + s.service[u]
                    source = u
        if source == v:
            return 0
    n = s.length[source]
    if n == 0:
        return 0
    per_visit = (s.travel[source] + s.service[source]) / n
    gap = abs(work - target) - max(d.day_balance_tolerance * target, d.day_balance_floor)
    length = min(n, max(1, int(gap / max(per_visit, 1e-9)) + 1))
    first = np.random.randint(n - length + 1)
    victims = s.route[source, first:first + length].copy()
    count = 0
    for t in victims:
        if s.pattern[t] >= 0:
            count = _take(d, s, t, removed, count, route_hit)
    return count


@njit(cache=True)
def _take(d, s, t, removed, count, route_hit):
    """Remove task ``t`` from every route it lies on, marking them in ``route_hit``, and record
    it as ``removed[count]``; the new count."""
    for j in range(s.vehicle.shape[1]):
        v = s.vehicle[t, j]
        if v >= 0:
            route_hit[v] = True
    remove_task(d, s, t)
    removed[count] = t
    return count + 1
