"""Quick improvement of single routes: 2-opt and or-opt (moving a chain of 1-3 stops).

Candidate moves are scored for the whole route at once with numpy; the best improving move is
checked against time windows and the deadline by rescheduling the route, and applied when it
holds. Used on the routes a ruin-and-recreate step changed; PyVRP polishes more deeply.
"""

from __future__ import annotations

import numpy as np

from .state import Solution

_MAX_TRIES = 6


def improve_route(sol: Solution, v: int, *, max_moves: int = 200) -> bool:
    """Improve vehicle ``v``'s route in place; True if it changed."""
    changed = False
    for _ in range(max_moves):
        move = _best_move(sol, v)
        if move is None:
            break
        sol.set_route(v, move)
        changed = True
    return changed


def _best_move(sol: Solution, v: int) -> list[int] | None:
    seq = sol.routes[v]
    k = len(seq)
    if k < 2:
        return None
    cost = sol.data.cost
    nodes = sol.r_nodes[v]
    candidates: list[tuple[float, tuple]] = []
    if sol.inst.symmetric and k >= 3:
        candidates += _two_opt(cost, nodes)
    candidates += _or_opt(cost, nodes)
    if not candidates:
        return None
    candidates.sort(key=lambda c: c[0])
    for delta, move in candidates[:_MAX_TRIES]:
        new_seq = _apply(seq, move)
        feasible, *_ = sol.schedule(v, new_seq)
        if feasible:
            return new_seq
    return None


def _two_opt(cost: np.ndarray, nodes: np.ndarray) -> list[tuple[float, tuple]]:
    """Reverse the stops between edge i and edge j (positions i+1..j in ``nodes``)."""
    a = nodes[:-1]
    b = nodes[1:]
    m = len(a)
    edge = cost[a, b]
    delta = cost[a[:, None], a[None, :]] + cost[b[:, None], b[None, :]] - edge[:, None] - edge[None, :]
    i_idx, j_idx = np.triu_indices(m, k=2)
    d = delta[i_idx, j_idx]
    good = np.flatnonzero(d < -1e-9)
    if len(good) == 0:
        return []
    order = good[np.argsort(d[good])][:_MAX_TRIES]
    return [(float(d[o]), ("2opt", int(i_idx[o]), int(j_idx[o]))) for o in order]


def _or_opt(cost: np.ndarray, nodes: np.ndarray) -> list[tuple[float, tuple]]:
    """Move a chain of ``length`` stops (optionally reversed) to another edge."""
    k = len(nodes) - 2
    out: list[tuple[float, tuple]] = []
    a = nodes[:-1]
    b = nodes[1:]
    edge = cost[a, b]
    for length in (1, 2, 3):
        if length >= k:
            break
        starts = np.arange(1, k - length + 2)  # chain nodes[s .. s+length-1]
        first = nodes[starts]
        last = nodes[starts + length - 1]
        before = nodes[starts - 1]
        after = nodes[starts + length]
        inner = np.zeros(len(starts))
        for off in range(length - 1):
            inner += cost[nodes[starts + off], nodes[starts + off + 1]]
        inner_rev = np.zeros(len(starts))
        for off in range(length - 1):
            inner_rev += cost[nodes[starts + off + 1], nodes[starts + off]]
        gain = cost[before, first] + cost[last, after] - cost[before, after]
        # insert between a[e] and b[e]
        ins = cost[a[:, None], first[None, :]] + cost[last[None, :], b[:, None]] - edge[:, None]  # (edges, chains)
        ins_rev = cost[a[:, None], last[None, :]] + cost[first[None, :], b[:, None]] - edge[:, None] + (inner_rev - inner)[None, :]
        e_idx = np.arange(len(a))[:, None]
        s_idx = starts[None, :]
        # edges touching the chain are not targets: edge e joins nodes[e] and nodes[e+1]
        invalid = (e_idx >= s_idx - 1) & (e_idx <= s_idx + length - 1)
        for reverse, table in ((False, ins), (True, ins_rev)):
            delta = np.where(invalid, np.inf, table - gain[None, :])
            flat = np.flatnonzero(delta < -1e-9)
            if len(flat) == 0:
                continue
            best = flat[np.argsort(delta.ravel()[flat])][:_MAX_TRIES]
            for f in best:
                e, c = divmod(int(f), len(starts))
                out.append((float(delta.ravel()[f]), ("or", int(starts[c]), length, e, reverse)))
    return out


def _apply(seq: list[int], move: tuple) -> list[int]:
    if move[0] == "2opt":
        _, i, j = move
        # nodes index p corresponds to seq index p-1; reverse nodes[i+1..j]
        return seq[:i] + seq[i:j][::-1] + seq[j:]
    _, start, length, edge, reverse = move
    chain = seq[start - 1:start - 1 + length]
    if reverse:
        chain = chain[::-1]
    rest = seq[:start - 1] + seq[start - 1 + length:]
    # edge e sits after nodes[e]; in the original sequence that is after seq index e-1
    if edge < start - 1:
        insert_at = edge
    else:
        insert_at = edge - length
    return rest[:insert_at] + chain + rest[insert_at:]
