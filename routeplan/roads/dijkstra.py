"""Dijkstra's algorithm on a road network's arrays (compiled): one search per origin, stopping
once every destination asked for is settled, with the time and length of the fastest path.
Tables search the junction graph (:mod:`routeplan.roads.chains`); a leg's line follows the
full graph (:func:`path`).

The graph is in compressed rows (``indptr``, ``indices``; per edge ``seconds`` and ``metres``).
Work arrays are shared between searches and never cleared: a node's ``dist`` and ``length``
belong to the current search where ``reached[node]`` holds its stamp, and the node is settled
where ``done[node]`` does, so that a search costs what it visits, not the size of the network.
The heap holds lazy entries (a node may be pushed again with a shorter time), at most one per
edge and the origin.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _heap_push(heap_key, heap_node, size, key, node):
    i = size
    heap_key[i] = key
    heap_node[i] = node
    while i > 0:
        parent = (i - 1) // 2
        if heap_key[parent] <= heap_key[i]:
            break
        heap_key[parent], heap_key[i] = heap_key[i], heap_key[parent]
        heap_node[parent], heap_node[i] = heap_node[i], heap_node[parent]
        i = parent
    return size + 1


@njit(cache=True)
def _heap_pop(heap_key, heap_node, size):
    key = heap_key[0]
    node = heap_node[0]
    size -= 1
    heap_key[0] = heap_key[size]
    heap_node[0] = heap_node[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        child = left
        if left + 1 < size and heap_key[left + 1] < heap_key[left]:
            child = left + 1
        if heap_key[i] <= heap_key[child]:
            break
        heap_key[child], heap_key[i] = heap_key[i], heap_key[child]
        heap_node[child], heap_node[i] = heap_node[i], heap_node[child]
        i = child
    return key, node, size


@njit(cache=True)
def _search(indptr, indices, seconds, metres, starts, start_cost, wanted, mark, wanted_count, stamp, reached, done,
            dist, length, previous, heap_key, heap_node):
    """Dijkstra from the nodes ``starts`` (-1: none), each at its ``start_cost`` (seconds,
    metres), until the ``wanted_count`` nodes with ``wanted[node] == mark`` are settled. Work
    arrays are shared between searches: a node's ``dist``/``length``/``previous`` belong to this
    search where ``reached[node] == stamp``, and it is settled where ``done[node] == stamp``."""
    size = 0
    for k in range(starts.shape[0]):
        start = starts[k]
        if start < 0:
            continue
        if reached[start] != stamp or start_cost[k, 0] < dist[start]:
            reached[start] = stamp
            dist[start] = start_cost[k, 0]
            length[start] = start_cost[k, 1]
            previous[start] = -1
            size = _heap_push(heap_key, heap_node, size, dist[start], start)
    left = wanted_count
    while size > 0:
        key, node, size = _heap_pop(heap_key, heap_node, size)
        if done[node] == stamp or key > dist[node]:
            continue
        done[node] = stamp
        if wanted[node] == mark:
            left -= 1
            if left <= 0:
                return
        for e in range(indptr[node], indptr[node + 1]):
            other = indices[e]
            if done[other] == stamp:
                continue
            candidate = key + seconds[e]
            if reached[other] != stamp or candidate < dist[other]:
                reached[other] = stamp
                dist[other] = candidate
                length[other] = length[node] + metres[e]
                previous[other] = node
                size = _heap_push(heap_key, heap_node, size, candidate, other)


@njit(cache=True)
def path(indptr, indices, seconds, metres, source, target, stamp, reached, done, wanted, dist, length, previous,
         heap_key, heap_node):
    """The nodes of the fastest path from ``source`` to ``target``, in order."""
    wanted[target] = stamp
    starts = np.array([source], dtype=np.int64)
    _search(indptr, indices, seconds, metres, starts, np.zeros((1, 2)), wanted, stamp, 1, stamp, reached, done, dist,
            length, previous, heap_key, heap_node)
    count = 1
    node = target
    while node != source:
        node = previous[node]
        count += 1
    out = np.empty(count, dtype=np.int64)
    node = target
    for i in range(count - 1, -1, -1):
        out[i] = node
        if i > 0:
            node = previous[node]
    return out


# -- searches on the junction graph (routeplan.roads.chains) -----------------------------------


@njit(cache=True)
def _want(entry_node, target, mark, wanted):
    """Mark the entries of node ``target``; how many were not marked yet."""
    added = 0
    for k in range(2):
        e = entry_node[target, k]
        if e >= 0 and wanted[e] != mark:
            wanted[e] = mark
            added += 1
    return added


@njit(cache=True)
def _reach(chain_of, position, chain_fwd, chain_bwd, head_in, tail_in, entry_node, entry_cost, source, target,
           stamp, reached, dist, length):
    """Seconds and metres of the fastest path from ``source`` to ``target`` once the search from
    ``source`` has settled the entries of ``target``: through an entry, or along their own chain."""
    if source == target:
        return 0.0, 0.0
    best_s = np.inf
    best_m = np.inf
    for k in range(2):
        e = entry_node[target, k]
        if e >= 0 and reached[e] == stamp:
            s = dist[e] + entry_cost[target, k, 0]
            if s < best_s:
                best_s = s
                best_m = length[e] + entry_cost[target, k, 1]
    c = chain_of[source]
    if c >= 0 and chain_of[target] == c:
        if chain_fwd[c] and position[source] < position[target]:
            s = head_in[target, 0] - head_in[source, 0]
            if s < best_s:
                best_s = s
                best_m = head_in[target, 1] - head_in[source, 1]
        if chain_bwd[c] and position[source] > position[target]:
            s = tail_in[target, 0] - tail_in[source, 0]
            if s < best_s:
                best_s = s
                best_m = tail_in[target, 1] - tail_in[source, 1]
    return best_s, best_m


@njit(cache=True)
def chain_tables(indptr, indices, seconds, metres, chain_of, position, chain_fwd, chain_bwd, head_in, tail_in,
                 exit_node, exit_cost, entry_node, entry_cost, sources, targets, out_seconds, out_metres, stamp0,
                 reached, done, wanted, dist, length, previous, heap_key, heap_node):
    """Path seconds and metres from every node of ``sources`` to every node of ``targets`` (rows,
    columns) by the junction graph; stamps ``stamp0`` up to ``stamp0 + len(sources)`` are used."""
    count = 0
    for t in targets:
        count += _want(entry_node, t, stamp0, wanted)
    for i in range(sources.shape[0]):
        stamp = stamp0 + i
        _search(indptr, indices, seconds, metres, exit_node[sources[i]], exit_cost[sources[i]], wanted, stamp0, count,
                stamp, reached, done, dist, length, previous, heap_key, heap_node)
        for j in range(targets.shape[0]):
            out_seconds[i, j], out_metres[i, j] = _reach(chain_of, position, chain_fwd, chain_bwd, head_in, tail_in,
                                                         entry_node, entry_cost, sources[i], targets[j], stamp,
                                                         reached, dist, length)


@njit(cache=True)
def chain_own_targets(indptr, indices, seconds, metres, chain_of, position, chain_fwd, chain_bwd, head_in, tail_in,
                      exit_node, exit_cost, entry_node, entry_cost, sources, first, targets, out_seconds, out_metres,
                      stamp0, reached, done, wanted, dist, length, previous, heap_key, heap_node):
    """Path seconds and metres from node ``sources[i]`` to each node of its own targets
    ``targets[first[i]:first[i + 1]]`` (results in the same positions)."""
    for i in range(sources.shape[0]):
        stamp = stamp0 + i
        count = 0
        for j in range(first[i], first[i + 1]):
            count += _want(entry_node, targets[j], stamp, wanted)
        _search(indptr, indices, seconds, metres, exit_node[sources[i]], exit_cost[sources[i]], wanted, stamp, count,
                stamp, reached, done, dist, length, previous, heap_key, heap_node)
        for j in range(first[i], first[i + 1]):
            out_seconds[j], out_metres[j] = _reach(chain_of, position, chain_fwd, chain_bwd, head_in, tail_in,
                                                   entry_node, entry_cost, sources[i], targets[j], stamp, reached,
                                                   dist, length)


@njit(cache=True)
def chain_point_tables(indptr, indices, seconds, metres, chain_of, position, chain_fwd, chain_bwd, head_in, tail_in,
                       exit_node, exit_cost, entry_node, entry_cost, nodes, point_node, members, first, access_km,
                       speed_kmh, km, minutes, stamp0, reached, done, wanted, dist, length, previous, heap_key,
                       heap_node):
    """The points' tables straight from the searches, one per distinct node (``nodes``; point
    ``i`` at ``nodes[point_node[i]]``; the points at ``nodes[u]`` are
    ``members[first[u]:first[u + 1]]``): ``km[i, j]`` = access + path metres / 1000 + access,
    ``minutes[i, j]`` = both accesses at ``speed_kmh`` + path seconds / 60; zero from a point to
    itself. No table over the nodes is kept: one row of it at a time."""
    count = 0
    for t in nodes:
        count += _want(entry_node, t, stamp0, wanted)
    row_s = np.empty(nodes.shape[0])
    row_m = np.empty(nodes.shape[0])
    n = point_node.shape[0]
    for u in range(nodes.shape[0]):
        stamp = stamp0 + u
        _search(indptr, indices, seconds, metres, exit_node[nodes[u]], exit_cost[nodes[u]], wanted, stamp0, count,
                stamp, reached, done, dist, length, previous, heap_key, heap_node)
        for w in range(nodes.shape[0]):
            row_s[w], row_m[w] = _reach(chain_of, position, chain_fwd, chain_bwd, head_in, tail_in, entry_node,
                                        entry_cost, nodes[u], nodes[w], stamp, reached, dist, length)
        for k in range(first[u], first[u + 1]):
            i = members[k]
            for j in range(n):
                if i == j:
                    km[i, j] = 0.0
                    minutes[i, j] = 0.0
                    continue
                b = point_node[j]
                # The same operations, in the same order, as the travel model's pairs.
                km[i, j] = access_km[i] + row_m[b] / 1000.0 + access_km[j]
                minutes[i, j] = (access_km[i] + access_km[j]) / speed_kmh * 60.0 + row_s[b] / 60.0
