"""Whether a set of managers can carry a set of customers, judged before any route exists.

Each customer brings its estimated work per cycle (:func:`routeplan.solver.workload.task_workload`)
and may be worked on only in the hours its visits can take: from the start of its window to the
latest start plus its time on site. Each manager offers, in every hour of its shift, that hour
on each day it works (a share of it: routes also wait and ride out to the first shop), and no
more in all than its daily visit cap allows. The most work that can be placed is a maximum flow
from customers through (manager, hour of day) to the managers, over the managers each customer
may have; what cannot be placed is the shortfall.

It is a relaxation: a shortfall means visits will be left out (an afternoon-shift manager given
a district full of shops that close at half past five); no shortfall does not promise that every
visit fits (visit days, far corners). The districting strategies use it to hand out districts,
business types and value bands so that no manager is given what its shift cannot carry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import maximum_flow

from ..model.problem import Problem

USABLE_SHARE = 0.9
"""Share of a shift that can go to visits and the travel between them (the rest: the way out to
the first shop and home, waiting for windows to open)."""
GRID_MIN = 15.0
"""Hours of the day are cut at multiples of this many minutes (windows and shifts rounded out to
it), so that the flow stays small whatever the windows."""


@dataclass(frozen=True, slots=True)
class CarryModel:
    """The time-of-day capacity of a problem's managers and the work its customers bring.

    ``boundaries`` cut the day into intervals (minutes after midnight); ``manager_minutes[m, k]``
    is manager ``m``'s usable minutes per cycle in interval ``k``, ``manager_total[m]`` its usable
    minutes in all (its visit cap included); ``span[i]`` the intervals ``[first, last)`` customer
    ``i``'s visits may occupy; ``work[i]`` its work per cycle in minutes.
    """

    boundaries: np.ndarray
    manager_minutes: np.ndarray
    manager_total: np.ndarray
    span: np.ndarray
    work: np.ndarray

    @classmethod
    def of(cls, problem: Problem, work_seconds: np.ndarray, *, usable_share: float = USABLE_SHARE) -> CarryModel:
        """The model of ``problem`` with each customer's estimated work (seconds per cycle), a
        ``usable_share`` of every shift hour counted as usable."""
        customers, managers = problem.customers, problem.managers
        start = np.array([c.window[0] for c in customers], dtype=float)
        end = np.array([c.window[1] + c.service_min for c in customers], dtype=float)
        start = np.floor(start / GRID_MIN) * GRID_MIN
        end = np.ceil(end / GRID_MIN) * GRID_MIN
        shift = np.array([m.shift for m in managers], dtype=float).reshape(-1, 2)
        boundaries = np.unique(np.concatenate([start, end, shift[:, 0], shift[:, 1]]))
        span = np.stack([np.searchsorted(boundaries, start), np.searchsorted(boundaries, end)], axis=1)
        low, high = boundaries[:-1], boundaries[1:]
        overlap = np.clip(np.minimum(high[None, :], shift[:, 1:2]) - np.maximum(low[None, :], shift[:, 0:1]), 0, None)
        days = np.array([len(m.days) for m in managers], dtype=float)
        manager_minutes = overlap * days[:, None] * usable_share
        work = np.asarray(work_seconds, dtype=float) / 60.0
        visits = np.array([c.visits for c in customers], dtype=float)
        per_visit = float(work.sum() / visits.sum()) if visits.sum() > 0 else 0.0
        cap = np.array([np.inf if m.max_visits is None else m.max_visits * len(m.days) * per_visit for m in managers])
        manager_total = np.minimum(manager_minutes.sum(axis=1), cap)
        return cls(boundaries=boundaries, manager_minutes=manager_minutes, manager_total=manager_total, span=span,
                   work=work)

    def shortfall(self, eligible: Sequence[Sequence[int]], span: np.ndarray, demand: np.ndarray) -> np.ndarray:
        """Minutes per cycle of each demand class that the managers cannot carry.

        Class ``j`` brings ``demand[j]`` minutes, to be placed in intervals ``span[j]`` by the
        managers ``eligible[j]``; every class competes for the same managers' time.
        """
        n_classes = len(demand)
        n_managers, n_intervals = self.manager_minutes.shape
        # Nodes: 0 the source, 1 the sink, then the classes, the managers, and (manager, interval).
        manager_base = 2 + n_classes
        slot_node: dict[tuple[int, int], int] = {}
        rows: list[int] = []
        cols: list[int] = []
        caps: list[int] = []
        wanted = np.ceil(np.asarray(demand, dtype=float)).astype(np.int64)
        for j in range(n_classes):
            rows.append(0)
            cols.append(2 + j)
            caps.append(int(wanted[j]))
            for m in eligible[j]:
                for k in range(int(span[j, 0]), min(int(span[j, 1]), n_intervals)):
                    if self.manager_minutes[m, k] <= 0:
                        continue
                    node = slot_node.get((m, k))
                    if node is None:
                        node = slot_node[(m, k)] = manager_base + n_managers + len(slot_node)
                        rows.append(node)
                        cols.append(manager_base + m)
                        caps.append(int(self.manager_minutes[m, k]))
                    rows.append(2 + j)
                    cols.append(node)
                    caps.append(int(wanted[j]))
        for m in range(n_managers):
            rows.append(manager_base + m)
            cols.append(1)
            caps.append(int(min(self.manager_total[m], 2**30)))
        size = manager_base + n_managers + len(slot_node)
        graph = csr_array((np.array(caps, dtype=np.int32), (np.array(rows), np.array(cols))), shape=(size, size))
        flow = maximum_flow(graph, 0, 1).flow
        placed = np.asarray(flow[[0], 2:2 + n_classes].toarray()).ravel()
        return np.maximum(wanted - placed, 0).astype(float)
