"""Dijkstra's algorithm on a road network's arrays (compiled): one search per origin, stopping
once every destination asked for is settled, with the time and length of the fastest path.

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
def _search(indptr, indices, seconds, metres, source, wanted, mark, wanted_count, stamp, reached, done, dist,
            length, previous, heap_key, heap_node):
    """Dijkstra from ``source`` until the ``wanted_count`` nodes with ``wanted[node] == mark`` are
    settled. Work arrays are shared between searches: a node's ``dist``/``length`` belong to this
    search where ``reached[node] == stamp``, and it is settled where ``done[node] == stamp``."""
    reached[source] = stamp
    dist[source] = 0.0
    length[source] = 0.0
    previous[source] = -1
    size = _heap_push(heap_key, heap_node, 0, 0.0, source)
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
def shared_targets(indptr, indices, seconds, metres, sources, targets, out_seconds, out_metres, stamp0, reached,
                    done, wanted, dist, length, previous, heap_key, heap_node):
    """Path seconds and metres from every node of ``sources`` to every node of ``targets`` (rows,
    columns); stamps ``stamp0`` up to ``stamp0 + len(sources)`` are used."""
    count = 0
    for t in targets:
        if wanted[t] != stamp0:
            wanted[t] = stamp0
            count += 1
    for i in range(sources.shape[0]):
        stamp = stamp0 + i
        _search(indptr, indices, seconds, metres, sources[i], wanted, stamp0, count, stamp, reached, done, dist,
                length, previous, heap_key, heap_node)
        for j in range(targets.shape[0]):
            t = targets[j]
            out_seconds[i, j] = dist[t]
            out_metres[i, j] = length[t]


@njit(cache=True)
def own_targets(indptr, indices, seconds, metres, sources, first, targets, out_seconds, out_metres, stamp0, reached,
                 done, wanted, dist, length, previous, heap_key, heap_node):
    """Path seconds and metres from node ``sources[i]`` to each node of its own targets
    ``targets[first[i]:first[i + 1]]`` (results in the same positions)."""
    for i in range(sources.shape[0]):
        stamp = stamp0 + i
        count = 0
        for j in range(first[i], first[i + 1]):
            t = targets[j]
            if wanted[t] != stamp:
                wanted[t] = stamp
                count += 1
        _search(indptr, indices, seconds, metres, sources[i], wanted, stamp, count, stamp, reached, done, dist,
                length, previous, heap_key, heap_node)
        for j in range(first[i], first[i + 1]):
            out_seconds[j] = dist[targets[j]]
            out_metres[j] = length[targets[j]]


@njit(cache=True)
def path(indptr, indices, seconds, metres, source, target, stamp, reached, done, wanted, dist, length, previous,
         heap_key, heap_node):
    """The nodes of the fastest path from ``source`` to ``target``, in order."""
    wanted[target] = stamp
    _search(indptr, indices, seconds, metres, source, wanted, stamp, 1, stamp, reached, done, dist, length, previous,
            heap_key, heap_node)
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


@njit(cache=True)
def point_tables(path_seconds, path_metres, position, access_km, speed_kmh, km, minutes):
    """Fill the points' tables in one pass: ``km[i, j]`` = access + path metres / 1000 + access,
    ``minutes[i, j]`` = both accesses at ``speed_kmh`` + path seconds / 60, for the path between
    the nodes ``position[i]`` and ``position[j]`` (rows and columns of the node tables); zero
    from a point to itself."""
    n = position.shape[0]
    for i in range(n):
        a = position[i]
        for j in range(n):
            if i == j:
                km[i, j] = 0.0
                minutes[i, j] = 0.0
                continue
            b = position[j]
            # The same operations, in the same order, as the travel model's pairs.
            km[i, j] = access_km[i] + path_metres[a, b] / 1000.0 + access_km[j]
            minutes[i, j] = (access_km[i] + access_km[j]) / speed_kmh * 60.0 + path_seconds[a, b] / 60.0
