"""Ruin: strings of consecutive visits removed from routes near a random seed task (after
Christiaens and Vanden Berghe's SISR); a task with a visit in a string loses all its visits."""

from __future__ import annotations

import numpy as np
from numba import njit

from .edits import remove_task


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
