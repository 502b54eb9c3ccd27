"""The network routed on: junctions joined by chains (compiled).

An OpenStreetMap way has a node at every bend; a city's graph has about twice as many nodes as
junctions. A node is *inside a chain* when it joins exactly two neighbours and every path through
it goes on: one way in from one and out to the other, or both ways to both. The searches run on
the junctions only, a chain becoming one edge per direction driven (its times and lengths
summed), so they settle half the nodes; a point snapped inside a chain leaves by the chain's ends
(:attr:`Chains.exit_node`) and is reached from them (:attr:`Chains.entry_node`), or directly along
its own chain. Ring roads without any junction get one at an arbitrary node.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit
from scipy.sparse import csr_matrix


@njit(cache=True)
def _edge(indptr, indices, u, v):
    """Position of the edge ``u -> v`` in the rows, or -1."""
    for e in range(indptr[u], indptr[u + 1]):
        if indices[e] == v:
            return e
    return -1


@njit(cache=True)
def _two_neighbours(out_ptr, out_idx, in_ptr, in_idx, v):
    """The two distinct neighbours (either direction) of ``v``, or -1s where it has not exactly two."""
    a = -1
    b = -1
    for rows, cols in ((out_ptr, out_idx), (in_ptr, in_idx)):
        for e in range(rows[v], rows[v + 1]):
            u = cols[e]
            if u == v:
                return -1, -1
            if u == a or u == b:  # noqa: SIM109 - compiled: no tuple built per edge
                continue
            if a == -1:
                a = u
            elif b == -1:
                b = u
            else:
                return -1, -1
    if b == -1:
        return -1, -1
    return a, b


@njit(cache=True)
def _inside(out_ptr, out_idx, in_ptr, in_idx, n):
    """Which nodes lie inside a chain (see the module docstring)."""
    inside = np.zeros(n, dtype=np.bool_)
    for v in range(n):
        a, b = _two_neighbours(out_ptr, out_idx, in_ptr, in_idx, v)
        if a < 0:
            continue
        a_in = _edge(out_ptr, out_idx, a, v) >= 0
        a_out = _edge(out_ptr, out_idx, v, a) >= 0
        b_in = _edge(out_ptr, out_idx, b, v) >= 0
        b_out = _edge(out_ptr, out_idx, v, b) >= 0
        one_way = (a_in and b_out and not a_out and not b_in) or (b_in and a_out and not b_out and not a_in)
        inside[v] = one_way or (a_in and a_out and b_in and b_out)
    return inside


@njit(cache=True)
def _walk(out_ptr, out_idx, in_ptr, in_idx, seconds, metres, inside, first_node, start, c, chain_of, position,
          head_in_s, head_in_m, back_out_s, back_out_m, order):
    """Walk the chain leaving junction ``start`` through ``first_node``; fills the forward
    prefixes (junction -> node) and backward prefixes (node -> junction) of its nodes; returns
    the junction it ends at, whether it is driven forward and backward, and how many nodes it has."""
    forward = _edge(out_ptr, out_idx, start, first_node) >= 0
    backward = _edge(out_ptr, out_idx, first_node, start) >= 0
    previous = start
    node = first_node
    s_f = 0.0
    m_f = 0.0
    s_b = 0.0
    m_b = 0.0
    count = 0
    while True:
        if forward:
            e = _edge(out_ptr, out_idx, previous, node)
            s_f += seconds[e]
            m_f += metres[e]
        if backward:
            e = _edge(out_ptr, out_idx, node, previous)
            s_b += seconds[e]
            m_b += metres[e]
        if not inside[node]:
            return node, forward, backward, count, s_f, m_f, s_b, m_b
        chain_of[node] = c
        position[node] = count
        head_in_s[node] = s_f
        head_in_m[node] = m_f
        back_out_s[node] = s_b
        back_out_m[node] = m_b
        order[count] = node
        count += 1
        a, b = _two_neighbours(out_ptr, out_idx, in_ptr, in_idx, node)
        following = b if a == previous else a
        previous = node
        node = following


@njit(cache=True)
def _build(out_ptr, out_idx, in_ptr, in_idx, seconds, metres, n):
    inside = _inside(out_ptr, out_idx, in_ptr, in_idx, n)
    chain_of = np.full(n, -1, dtype=np.int64)
    position = np.zeros(n, dtype=np.int64)
    head_in_s = np.zeros(n)  # forward: from the chain's first junction to the node
    head_in_m = np.zeros(n)
    back_out_s = np.zeros(n)  # backward: from the node to the chain's first junction
    back_out_m = np.zeros(n)
    tail_in_s = np.zeros(n)  # backward: from the chain's last junction to the node
    tail_in_m = np.zeros(n)
    fore_out_s = np.zeros(n)  # forward: from the node to the chain's last junction
    fore_out_m = np.zeros(n)
    order = np.zeros(n, dtype=np.int64)
    first = []  # type: ignore[var-annotated]  # compiled: typed by its first append
    last = []
    fwd = []
    bwd = []
    total = []  # forward s, forward m, backward s, backward m
    for sweep in range(2):
        for v in range(n):
            if inside[v]:
                if sweep == 0 or chain_of[v] >= 0:
                    continue
                inside[v] = False  # a ring without junctions: this node becomes one
            for rows, cols in ((out_ptr, out_idx), (in_ptr, in_idx)):
                for e in range(rows[v], rows[v + 1]):
                    u = cols[e]
                    if not inside[u] or chain_of[u] >= 0:
                        continue
                    c = len(first)
                    end, f, b, count, s_f, m_f, s_b, m_b = _walk(
                        out_ptr, out_idx, in_ptr, in_idx, seconds, metres, inside, u, v, c, chain_of, position,
                        head_in_s, head_in_m, back_out_s, back_out_m, order)
                    for k in range(count):  # the suffixes: from the far end, and to it
                        node = order[k]
                        fore_out_s[node] = s_f - head_in_s[node]
                        fore_out_m[node] = m_f - head_in_m[node]
                        tail_in_s[node] = s_b - back_out_s[node]
                        tail_in_m[node] = m_b - back_out_m[node]
                    first.append(v)
                    last.append(end)
                    fwd.append(f)
                    bwd.append(b)
                    total.append((s_f, m_f, s_b, m_b))
    count = len(first)
    chain_first = np.zeros(count, dtype=np.int64)
    chain_last = np.zeros(count, dtype=np.int64)
    chain_fwd = np.zeros(count, dtype=np.bool_)
    chain_bwd = np.zeros(count, dtype=np.bool_)
    chain_total = np.zeros((count, 4))
    for c in range(count):
        chain_first[c] = first[c]
        chain_last[c] = last[c]
        chain_fwd[c] = fwd[c]
        chain_bwd[c] = bwd[c]
        for k in range(4):
            chain_total[c, k] = total[c][k]
    return (inside, chain_of, position, head_in_s, head_in_m, back_out_s, back_out_m, tail_in_s, tail_in_m,
            fore_out_s, fore_out_m, chain_first, chain_last, chain_fwd, chain_bwd, chain_total)


@dataclass(frozen=True, slots=True, eq=False)
class Chains:
    """The junction graph of a network and, per node, how it leaves and is reached (see the
    module docstring). Rows of ``exit_*``/``entry_*`` are nodes, two columns (-1: none)."""

    indptr: np.ndarray
    indices: np.ndarray
    seconds: np.ndarray
    metres: np.ndarray
    chain_of: np.ndarray
    position: np.ndarray
    chain_fwd: np.ndarray
    chain_bwd: np.ndarray
    head_in: np.ndarray  # (nodes, 2): seconds, metres from the chain's first junction (forward)
    tail_in: np.ndarray  # (nodes, 2): from the chain's last junction (backward)
    exit_node: np.ndarray
    exit_cost: np.ndarray  # (nodes, 2, 2): seconds, metres to each exit
    entry_node: np.ndarray
    entry_cost: np.ndarray  # (nodes, 2, 2): seconds, metres from each entry

    @property
    def junctions(self) -> int:
        return int(np.count_nonzero(self.chain_of < 0))


def build_chains(time_graph: csr_matrix, length_graph: csr_matrix) -> Chains:
    """The junction graph of a network's (fastest-edge) time and length graphs."""
    n = time_graph.shape[0]
    out_ptr = time_graph.indptr.astype(np.int64)
    out_idx = time_graph.indices.astype(np.int64)
    seconds = time_graph.data.astype(np.float64)
    metres = length_graph.data.astype(np.float64)
    transposed = time_graph.T.tocsr()
    in_ptr = transposed.indptr.astype(np.int64)
    in_idx = transposed.indices.astype(np.int64)
    (inside, chain_of, position, head_in_s, head_in_m, back_out_s, back_out_m, tail_in_s, tail_in_m, fore_out_s,
     fore_out_m, first, last, fwd, bwd, total) = _build(out_ptr, out_idx, in_ptr, in_idx, seconds, metres, n)

    # The junction graph: edges between junctions as they are, and each chain once per direction.
    tails = np.repeat(np.arange(n), np.diff(out_ptr))
    direct = ~inside[tails] & ~inside[out_idx]
    tail = [tails[direct], first[fwd], last[bwd]]
    head = [out_idx[direct], last[fwd], first[bwd]]
    time = [seconds[direct], total[fwd, 0], total[bwd, 2]]
    length = [metres[direct], total[fwd, 1], total[bwd, 3]]
    t, h, s, m = (np.concatenate(x) for x in (tail, head, time, length))
    keep = t != h  # a chain from a junction back to itself shortens no path
    t, h, s, m = t[keep], h[keep], s[keep], m[keep]
    order = np.lexsort((m, s, h, t))
    t, h, s, m = t[order], h[order], s[order], m[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, t + 1, 1)
    indptr = np.cumsum(indptr)

    # How each node leaves and is reached: a junction by itself; a chain's node by its ends.
    exit_node = np.full((n, 2), -1, dtype=np.int64)
    entry_node = np.full((n, 2), -1, dtype=np.int64)
    exit_cost = np.zeros((n, 2, 2))
    entry_cost = np.zeros((n, 2, 2))
    junction = np.flatnonzero(chain_of < 0)
    exit_node[junction, 0] = junction
    entry_node[junction, 0] = junction
    on = np.flatnonzero(chain_of >= 0)
    c = chain_of[on]
    f, b = fwd[c], bwd[c]
    exit_node[on[f], 0] = last[c[f]]
    exit_cost[on[f], 0] = np.column_stack([fore_out_s[on[f]], fore_out_m[on[f]]])
    exit_node[on[b], 1] = first[c[b]]
    exit_cost[on[b], 1] = np.column_stack([back_out_s[on[b]], back_out_m[on[b]]])
    entry_node[on[f], 0] = first[c[f]]
    entry_cost[on[f], 0] = np.column_stack([head_in_s[on[f]], head_in_m[on[f]]])
    entry_node[on[b], 1] = last[c[b]]
    entry_cost[on[b], 1] = np.column_stack([tail_in_s[on[b]], tail_in_m[on[b]]])
    return Chains(indptr=indptr, indices=h, seconds=s, metres=m, chain_of=chain_of, position=position,
                  chain_fwd=fwd, chain_bwd=bwd, head_in=np.column_stack([head_in_s, head_in_m]),
                  tail_in=np.column_stack([tail_in_s, tail_in_m]), exit_node=exit_node, exit_cost=exit_cost,
                  entry_node=entry_node, entry_cost=entry_cost)
