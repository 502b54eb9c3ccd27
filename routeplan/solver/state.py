"""The engine's working solution: routes per vehicle, each task's pattern and owner, and cached
route schedules that make insertion checks constant-time per position.

Why caches: an insertion between positions ``i`` and ``i+1`` of a route is feasible exactly when
the visit can start within its window after leaving ``i`` and the rest of the route can still
start by its *latest start* times (computed backwards from the vehicle's return deadline). With
the departure times and latest starts kept per route, every insertion position of every route of
a day is checked in one vectorised expression.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from .instance import Instance

BIG = 1e15
"""Cost of an impossible insertion (finite so that sums stay comparable)."""
IMPOSSIBLE = 1e14


@dataclass(slots=True)
class DayTable:
    """Every insertion position ("slot") of every route of one day, as flat arrays."""

    vehicles: np.ndarray  # vehicle index per route of the day (in slot order)
    seg_starts: np.ndarray  # first slot of each route
    slot_vehicle: np.ndarray
    prev: np.ndarray  # node before the slot
    next: np.ndarray  # node after the slot
    dep: np.ndarray  # earliest departure from ``prev``
    latest: np.ndarray  # latest start at ``next`` (vehicle deadline for the end node)
    base_cost: np.ndarray  # objective cost of the edge prev -> next
    base_time: np.ndarray  # travel time of the edge prev -> next


class Solution:
    """A mutable solution of an :class:`~routeplan.solver.instance.Instance`."""

    def __init__(self, inst: Instance, data: EngineArrays | None = None):
        self.inst = inst
        n_v = inst.num_vehicles
        n_t = inst.num_tasks
        self.routes: list[list[int]] = [[] for _ in range(n_v)]
        self.pattern = np.full(n_t, -1, dtype=np.int64)
        self.owner = np.full(n_t, -1, dtype=np.int64)
        self.task_vehicles: list[list[int]] = [[] for _ in range(n_t)]
        # Per-vehicle figures.
        self.r_dist = np.zeros(n_v)
        self.r_time = np.zeros(n_v)
        self.r_service = np.zeros(n_v)
        self.r_load = np.zeros(n_v)
        self.r_stops = np.zeros(n_v, dtype=np.int64)
        self.r_nodes: list[np.ndarray] = [np.empty(0, dtype=np.int64)] * n_v
        self.r_dep: list[np.ndarray] = [np.empty(0)] * n_v
        self.r_latest: list[np.ndarray] = [np.empty(0)] * n_v
        self.r_end: np.ndarray = np.zeros(n_v)  # earliest return
        self.owner_work = np.zeros(inst.num_owners)
        self._tables: dict[int, DayTable] = {}
        self.data = data if data is not None else EngineArrays.of(inst)
        for v in range(n_v):
            self.refresh(v)

    # ------------------------------------------------------------------------------------------
    def copy(self) -> Solution:
        other = object.__new__(Solution)
        other.inst = self.inst
        other.data = self.data
        other.routes = [list(r) for r in self.routes]
        other.pattern = self.pattern.copy()
        other.owner = self.owner.copy()
        other.task_vehicles = [list(v) for v in self.task_vehicles]
        for name in ("r_dist", "r_time", "r_service", "r_load", "r_stops", "r_end", "owner_work"):
            setattr(other, name, getattr(self, name).copy())
        other.r_nodes = list(self.r_nodes)
        other.r_dep = list(self.r_dep)
        other.r_latest = list(self.r_latest)
        other._tables = dict(self._tables)
        return other

    # ------------------------------------------------------------------------------------------
    def schedule(self, v: int, seq: list[int]) -> tuple[bool, np.ndarray, np.ndarray, np.ndarray, float]:
        """Earliest schedule of ``seq`` on vehicle ``v``.

        Returns ``(feasible, nodes, dep, latest, end)``: ``dep[i]`` is the earliest departure from
        position ``i`` (0 = start node), ``latest[i]`` the latest start at position ``i + 1`` (the
        last entry is the vehicle deadline), ``end`` the earliest return.
        """
        d = self.data
        veh = self.inst.vehicles[v]
        k = len(seq)
        nodes = np.empty(k + 2, dtype=np.int64)
        nodes[0] = veh.start
        nodes[-1] = veh.end
        if k:
            idx = np.asarray(seq, dtype=np.int64)
            nodes[1:-1] = d.node[idx]
        tt = d.time[nodes[:-1], nodes[1:]]
        dep = np.empty(k + 1)
        feasible = True
        t = veh.earliest
        dep[0] = t
        early = d.early
        late = d.late
        service = d.service
        for i in range(k):
            task = seq[i]
            t = t + tt[i]
            if t < early[task]:
                t = early[task]
            elif t > late[task] + 1e-9:
                feasible = False
            t += service[task]
            dep[i + 1] = t
        end = t + tt[k]
        if end > veh.latest + 1e-9:
            feasible = False
        latest = np.empty(k + 1)
        bound = veh.latest
        latest[k] = bound
        for i in range(k - 1, -1, -1):
            task = seq[i]
            bound = min(late[task], bound - tt[i + 1] - service[task])
            latest[i] = bound
        return feasible, nodes, dep, latest, end

    def refresh(self, v: int) -> None:
        """Recompute vehicle ``v``'s cached figures after its route changed."""
        d = self.data
        seq = self.routes[v]
        _, nodes, dep, latest, end = self.schedule(v, seq)
        self.r_nodes[v] = nodes
        self.r_dep[v] = dep
        self.r_latest[v] = latest
        self.r_end[v] = end
        old_work = self.r_time[v] + self.r_service[v]
        self.r_dist[v] = float(d.dist[nodes[:-1], nodes[1:]].sum())
        self.r_time[v] = float(d.time[nodes[:-1], nodes[1:]].sum())
        if seq:
            idx = np.asarray(seq, dtype=np.int64)
            self.r_service[v] = float(d.service[idx].sum())
            self.r_load[v] = float(d.demand[idx].sum())
        else:
            self.r_service[v] = 0.0
            self.r_load[v] = 0.0
        self.r_stops[v] = len(seq)
        self.owner_work[d.veh_owner[v]] += self.r_time[v] + self.r_service[v] - old_work
        self._tables.pop(int(d.veh_day[v]), None)

    def route_cost(self, v: int) -> float:
        return self.inst.distance_cost * self.r_dist[v] + self.inst.time_cost * self.r_time[v]

    def routing_cost(self) -> float:
        return float(self.inst.distance_cost * self.r_dist.sum() + self.inst.time_cost * self.r_time.sum())

    # ------------------------------------------------------------------------------------------
    def day_table(self, day: int) -> DayTable:
        """The slot table of ``day`` (rebuilt lazily after a route of that day changed)."""
        table = self._tables.get(day)
        if table is not None:
            return table
        d = self.data
        vehicles = d.day_vehicles[day]
        sizes = np.array([len(self.routes[v]) + 1 for v in vehicles], dtype=np.int64)
        seg_starts = np.zeros(len(vehicles), dtype=np.int64)
        if len(vehicles) > 1:
            seg_starts[1:] = np.cumsum(sizes)[:-1]
        if len(vehicles):
            nodes = [self.r_nodes[v] for v in vehicles]
            prev = np.concatenate([n[:-1] for n in nodes])
            nxt = np.concatenate([n[1:] for n in nodes])
            dep = np.concatenate([self.r_dep[v] for v in vehicles])
            latest = np.concatenate([self.r_latest[v] for v in vehicles])
            slot_vehicle = np.repeat(vehicles, sizes)
        else:
            prev = nxt = slot_vehicle = np.empty(0, dtype=np.int64)
            dep = latest = np.empty(0)
        table = DayTable(vehicles=np.asarray(vehicles, dtype=np.int64), seg_starts=seg_starts,
                         slot_vehicle=slot_vehicle, prev=prev, next=nxt, dep=dep, latest=latest,
                         base_cost=d.cost[prev, nxt], base_time=d.time[prev, nxt])
        self._tables[day] = table
        return table

    def slot_costs(self, table: DayTable, tasks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Insertion cost and travel-time increase of each task (columns) at each slot (rows) of
        a day; impossible insertions cost :data:`BIG`."""
        d = self.data
        nodes = d.node[tasks]
        prev = table.prev[:, None]
        nxt = table.next[:, None]
        cols = nodes[None, :]
        tpx = d.time[prev, cols]
        txn = d.time[cols, nxt]
        cost = d.cost[prev, cols] + d.cost[cols, nxt] - table.base_cost[:, None]
        dtime = tpx + txn - table.base_time[:, None]
        start = np.maximum(table.dep[:, None] + tpx, d.early[tasks][None, :])
        ok = start <= d.late[tasks][None, :] + 1e-9
        ok &= start + d.service[tasks][None, :] + txn <= table.latest[:, None] + 1e-9
        sv = table.slot_vehicle
        ok &= (self.r_load[sv][:, None] + d.demand[tasks][None, :]) <= d.veh_capacity[sv][:, None] + 1e-9
        ok &= (self.r_stops[sv] < d.veh_max_stops[sv])[:, None]
        work = (self.r_time[sv] + self.r_service[sv])[:, None]
        added = dtime + d.service[tasks][None, :]
        ok &= work + added <= d.veh_max_duration[sv][:, None] + 1e-9
        if self.inst.day_balance_weight > 0:
            cost = cost + self._day_balance(sv)[:, None] * added * (2.0 * (work - self._day_target(sv)[:, None]) + added)
        return np.where(ok, cost, BIG), dtime

    def _day_target(self, vehicles: np.ndarray) -> np.ndarray:
        d = self.data
        return self.owner_work[d.veh_owner[vehicles]] / d.veh_owner_count[vehicles]

    def _day_balance(self, vehicles: np.ndarray) -> np.ndarray:
        """Weight of the squared deviation of a route's work from its owner's mean route."""
        return self.inst.day_balance_weight / np.maximum(self._day_target(vehicles), 60.0)

    def vehicle_costs(self, day: int, tasks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Best insertion cost of each task into each route of ``day``: shape (routes, tasks),
        with the travel-time increase at that best slot."""
        table = self.day_table(day)
        if len(table.vehicles) == 0:
            return np.empty((0, len(tasks))), np.empty((0, len(tasks)))
        cost, dtime = self.slot_costs(table, tasks)
        best = np.minimum.reduceat(cost, table.seg_starts, axis=0)
        # travel-time increase at the best slot of each route
        arg = _segment_argmin(cost, table.seg_starts)
        return best, dtime[arg, np.arange(len(tasks))[None, :]]

    def vehicle_table(self, v: int) -> DayTable:
        """The slot table of vehicle ``v``'s route alone."""
        d = self.data
        nodes = self.r_nodes[v]
        prev, nxt = nodes[:-1], nodes[1:]
        return DayTable(vehicles=np.array([v]), seg_starts=np.zeros(1, dtype=np.int64),
                        slot_vehicle=np.full(len(prev), v), prev=prev, next=nxt, dep=self.r_dep[v],
                        latest=self.r_latest[v], base_cost=d.cost[prev, nxt], base_time=d.time[prev, nxt])

    def vehicle_row(self, v: int, tasks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Best insertion cost of each task into vehicle ``v`` and the travel-time increase there."""
        cost, dtime = self.slot_costs(self.vehicle_table(v), tasks)
        arg = np.argmin(cost, axis=0)
        cols = np.arange(len(tasks))
        return cost[arg, cols], dtime[arg, cols]

    def best_slot(self, v: int, task: int) -> tuple[int, float]:
        """Best insertion position of ``task`` in vehicle ``v``'s route: (position, cost)."""
        d = self.data
        if self.r_load[v] + d.demand[task] > d.veh_capacity[v] + 1e-9 or self.r_stops[v] >= d.veh_max_stops[v]:
            return -1, BIG
        nodes = self.r_nodes[v]
        prev, nxt = nodes[:-1], nodes[1:]
        x = d.node[task]
        tpx = d.time[prev, x]
        txn = d.time[x, nxt]
        cost = d.cost[prev, x] + d.cost[x, nxt] - d.cost[prev, nxt]
        start = np.maximum(self.r_dep[v] + tpx, d.early[task])
        ok = (start <= d.late[task] + 1e-9) & (start + d.service[task] + txn <= self.r_latest[v] + 1e-9)
        if d.veh_max_duration[v] < BIG or self.inst.day_balance_weight > 0:
            added = tpx + txn - d.time[prev, nxt] + d.service[task]
            work = self.r_time[v] + self.r_service[v]
            ok &= work + added <= d.veh_max_duration[v] + 1e-9
            if self.inst.day_balance_weight > 0:
                vs = np.array([v])
                cost = cost + self._day_balance(vs)[0] * added * (2.0 * (work - self._day_target(vs)[0]) + added)
        cost = np.where(ok, cost, BIG)
        pos = int(np.argmin(cost))
        return pos, float(cost[pos])

    # ------------------------------------------------------------------------------------------
    def insert(self, task: int, pattern: int, owner: int, placements: list[tuple[int, int]]) -> None:
        """Insert ``task`` with ``pattern`` for ``owner`` at (vehicle, position) placements."""
        for v, pos in placements:
            self.routes[v].insert(pos, task)
            self.refresh(v)
        self.pattern[task] = pattern
        self.owner[task] = owner
        self.task_vehicles[task] = [v for v, _ in placements]

    def remove(self, task: int) -> None:
        """Remove every visit of ``task``."""
        for v in self.task_vehicles[task]:
            self.routes[v].remove(task)
            self.refresh(v)
        self.task_vehicles[task] = []
        self.pattern[task] = -1
        self.owner[task] = -1

    def unassigned(self) -> np.ndarray:
        return np.flatnonzero(self.pattern < 0)

    def missing_visits(self) -> int:
        return int(sum(self.data.visits[t] for t in self.unassigned()))

    def check(self) -> list[str]:
        """Internal consistency and feasibility (used by tests)."""
        problems = []
        seen: dict[int, list[int]] = {}
        for v, seq in enumerate(self.routes):
            feasible, *_ = self.schedule(v, seq)
            if not feasible:
                problems.append(f"vehicle {v}: time windows or deadline violated")
            if self.r_load[v] > self.data.veh_capacity[v] + 1e-6:
                problems.append(f"vehicle {v}: capacity exceeded")
            if len(seq) > self.data.veh_max_stops[v]:
                problems.append(f"vehicle {v}: too many stops")
            if self.r_time[v] + self.r_service[v] > self.data.veh_max_duration[v] + 1e-6:
                problems.append(f"vehicle {v}: duration exceeded")
            for t in seq:
                seen.setdefault(t, []).append(v)
        for t in range(self.inst.num_tasks):
            vehicles = sorted(seen.get(t, []))
            if sorted(self.task_vehicles[t]) != vehicles:
                problems.append(f"task {t}: bookkeeping mismatch")
            if self.pattern[t] >= 0:
                days = tuple(sorted(int(self.data.veh_day[v]) for v in vehicles))
                if days != self.inst.tasks[t].patterns[self.pattern[t]]:
                    problems.append(f"task {t}: days {days} differ from its pattern")
                owners = {int(self.data.veh_owner[v]) for v in vehicles}
                if self.inst.consistent and len(owners) > 1:
                    problems.append(f"task {t}: served by several owners")
                allowed = self.inst.tasks[t].owners
                if allowed and not owners <= set(allowed):
                    problems.append(f"task {t}: served by an owner it may not have")
            elif vehicles:
                problems.append(f"task {t}: unassigned but routed")
        return problems


def _segment_argmin(cost: np.ndarray, seg_starts: np.ndarray) -> np.ndarray:
    """Row index of the minimum of each segment of rows, per column: shape (segments, columns)."""
    n_rows = cost.shape[0]
    seg_ends = np.append(seg_starts[1:], n_rows)
    out = np.empty((len(seg_starts), cost.shape[1]), dtype=np.int64)
    for i, (a, b) in enumerate(zip(seg_starts, seg_ends)):
        out[i] = a + np.argmin(cost[a:b], axis=0)
    return out


@dataclass(frozen=True, slots=True)
class EngineArrays:
    """The instance as flat numpy arrays, for vectorised evaluation."""

    dist: np.ndarray
    time: np.ndarray
    cost: np.ndarray
    node: np.ndarray
    service: np.ndarray
    early: np.ndarray
    late: np.ndarray
    demand: np.ndarray
    visits: np.ndarray
    veh_day: np.ndarray
    veh_owner: np.ndarray
    veh_capacity: np.ndarray
    veh_max_duration: np.ndarray
    veh_max_stops: np.ndarray
    veh_owner_count: np.ndarray  # routes of the vehicle's owner in the cycle
    day_vehicles: tuple[np.ndarray, ...]
    owner_day_vehicles: dict[tuple[int, int], list[int]]
    eligible: np.ndarray  # (tasks, owners) bool

    @classmethod
    def of(cls, inst: Instance) -> EngineArrays:
        tasks = inst.tasks
        vehicles = inst.vehicles
        day_vehicles = tuple(np.array([v for v, veh in enumerate(vehicles) if veh.day == day], dtype=np.int64)
                             for day in range(inst.num_days))
        owner_day: dict[tuple[int, int], list[int]] = {}
        for v, veh in enumerate(vehicles):
            owner_day.setdefault((veh.owner, veh.day), []).append(v)
        routes_per_owner = Counter(v.owner for v in vehicles)
        eligible = np.ones((len(tasks), inst.num_owners), dtype=bool)
        for t, task in enumerate(tasks):
            if task.owners:
                eligible[t] = False
                eligible[t, list(task.owners)] = True
        return cls(
            dist=inst.dist, time=inst.time, cost=inst.distance_cost * inst.dist + inst.time_cost * inst.time,
            node=np.array([t.node for t in tasks], dtype=np.int64),
            service=np.array([t.service for t in tasks], dtype=float),
            early=np.array([t.earliest for t in tasks], dtype=float),
            late=np.array([t.latest for t in tasks], dtype=float),
            demand=np.array([t.demand for t in tasks], dtype=float),
            visits=np.array([t.visits for t in tasks], dtype=np.int64),
            veh_day=np.array([v.day for v in vehicles], dtype=np.int64),
            veh_owner=np.array([v.owner for v in vehicles], dtype=np.int64),
            veh_capacity=np.array([v.capacity for v in vehicles], dtype=float),
            veh_max_duration=np.array([v.max_duration for v in vehicles], dtype=float),
            veh_max_stops=np.array([v.max_stops for v in vehicles], dtype=np.int64),
            veh_owner_count=np.array([routes_per_owner[v.owner] for v in vehicles], dtype=float),
            day_vehicles=day_vehicles, owner_day_vehicles=owner_day, eligible=eligible)

