"""Inserting tasks: choose, for each task, the pattern, the owner and the route positions that
cost least, visits of one pattern being independent of each other because they fall on
different days.

Costs are kept per (day, owner, task) and refreshed only for the routes an insertion changed, so
regret insertion of hundreds of tasks stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .objective import Objective
from .state import BIG, IMPOSSIBLE, Solution


@dataclass(slots=True)
class _Group:
    """Tasks sharing the same allowed patterns and owners."""

    cols: np.ndarray  # column indices into the batch
    pattern_matrix: np.ndarray  # (patterns, days) 0/1
    owners: np.ndarray  # owner slots allowed (indices into the owner axis)


class Recreate:
    """Insert a batch of tasks into a solution.

    Parameters
    ----------
    sol
        The solution to insert into (changed in place).
    objective
        Gives the balance targets and penalties.
    tasks
        The tasks to insert (all currently unassigned).
    balance_targets
        Target work per owner (default: the mean work of its group now); set while a solution
        is built from scratch, when current work says nothing yet.
    owner_override
        An owner per task (indexed by task, -1 for none) that replaces the task's allowed owners,
        e.g. to build inside given territories.
    """

    def __init__(self, sol: Solution, objective: Objective, tasks: np.ndarray, *,
                 balance_targets: np.ndarray | None = None, owner_override: np.ndarray | None = None):
        self.sol = sol
        self.obj = objective
        inst = sol.inst
        data = sol.data
        self.tasks = np.asarray(tasks, dtype=np.int64)
        k = len(self.tasks)
        self.consistent = inst.consistent
        n_own = inst.num_owners if self.consistent else 1
        self.n_own = n_own
        self.active = np.ones(k, dtype=bool)
        self.restricted = bool(k) and not bool(data.eligible[self.tasks].all())
        self.cost = np.full((inst.num_days, n_own, k), BIG)  # best insertion per day and owner
        self.dtime = np.zeros((inst.num_days, n_own, k))
        self.row_cost: dict[int, np.ndarray] = {}  # per vehicle: best cost per task
        self.row_dtime: dict[int, np.ndarray] = {}
        for day in range(inst.num_days):
            vehicles = data.day_vehicles[day]
            if len(vehicles) == 0 or k == 0:
                continue
            best, dtime = sol.vehicle_costs(day, self.tasks)
            for r, v in enumerate(vehicles):
                self.row_cost[int(v)] = best[r]
                self.row_dtime[int(v)] = dtime[r]
            for owner in self._owners_of_day(day):
                self._aggregate(day, owner)
        self.groups = self._make_groups(owner_override)
        self.target = balance_targets if balance_targets is not None else objective.targets(sol.owner_work)

    # ------------------------------------------------------------------------------------------
    def _owners_of_day(self, day: int) -> list[int]:
        if not self.consistent:
            return [0]
        return sorted({int(self.sol.data.veh_owner[v]) for v in self.sol.data.day_vehicles[day]})

    def _vehicles(self, day: int, owner: int) -> list[int]:
        data = self.sol.data
        if not self.consistent:
            return [int(v) for v in data.day_vehicles[day]]
        return data.owner_day_vehicles.get((owner, day), [])

    def _aggregate(self, day: int, owner: int) -> None:
        vehicles = self._vehicles(day, owner)
        if not vehicles:
            return
        rows = np.stack([self.row_cost[v] for v in vehicles])
        times = np.stack([self.row_dtime[v] for v in vehicles])
        if not self.consistent and self.restricted:
            # Visits may go to different owners, but only to owners allowed for the task.
            owners = self.sol.data.veh_owner[vehicles]
            allowed = self.sol.data.eligible[self.tasks][:, owners].T
            rows = np.where(allowed, rows, BIG)
        arg = np.argmin(rows, axis=0)
        cols = np.arange(rows.shape[1])
        self.cost[day, owner] = rows[arg, cols]
        self.dtime[day, owner] = times[arg, cols]

    def _make_groups(self, owner_override: np.ndarray | None) -> list[_Group]:
        inst = self.sol.inst
        keys: dict[tuple, list[int]] = {}
        for col, t in enumerate(self.tasks):
            task = inst.tasks[t]
            owners = task.owners if self.consistent else ()
            if self.consistent and owner_override is not None and owner_override[t] >= 0:
                owners = (int(owner_override[t]),)
            keys.setdefault((task.patterns, owners), []).append(col)
        groups = []
        for (patterns, owners), cols in keys.items():
            matrix = np.zeros((len(patterns), inst.num_days))
            for p, days in enumerate(patterns):
                matrix[p, list(days)] = 1.0
            if not self.consistent:
                owner_slots = np.array([0], dtype=np.int64)
            elif owners:
                owner_slots = np.array(sorted(owners), dtype=np.int64)
            else:
                owner_slots = np.arange(inst.num_owners, dtype=np.int64)
            groups.append(_Group(cols=np.array(cols, dtype=np.int64), pattern_matrix=matrix, owners=owner_slots))
        return groups

    # ------------------------------------------------------------------------------------------
    def options(self, group: _Group, cols: np.ndarray) -> np.ndarray:
        """Total cost of every (pattern, owner) option of the given tasks: (tasks, patterns, owners)."""
        inst = self.sol.inst
        cost = self.cost[:, group.owners][:, :, cols]  # (days, owners, tasks)
        total = np.einsum("pd,dok->kpo", group.pattern_matrix, cost)
        if self.consistent and inst.balance_weight > 0:
            data = self.sol.data
            dtime = self.dtime[:, group.owners][:, :, cols]
            visits = group.pattern_matrix.sum(axis=1)  # (patterns,)
            added = np.einsum("pd,dok->kpo", group.pattern_matrix, dtime) \
                + visits[None, :, None] * data.service[self.tasks[cols]][:, None, None]
            work = self.sol.owner_work[group.owners]
            target = self.target[group.owners]
            balanced = target > 0
            dev = np.where(balanced, work - target, 0.0)
            scale = np.where(balanced, inst.balance_weight / np.maximum(target, 1e-9), 0.0)
            total = total + scale[None, None, :] * added * (2.0 * dev[None, None, :] + added)
        if self.consistent and inst.stability_cost > 0:
            preferred = self.obj.preferred[self.tasks[cols]]
            penalty = (group.owners[None, :] != preferred[:, None]) & (preferred[:, None] >= 0)
            total = total + inst.stability_cost * penalty[:, None, :]
        total[total >= IMPOSSIBLE] = BIG
        return total

    def best_option(self, col: int) -> tuple[float, int, int]:
        """(cost, pattern, owner) of the cheapest option of one task."""
        group = self._group_of(col)
        total = self.options(group, np.array([col]))[0]
        p, o = np.unravel_index(int(np.argmin(total)), total.shape)
        return float(total[p, o]), int(p), int(group.owners[o])

    def _group_of(self, col: int) -> _Group:
        for group in self.groups:
            if col in group.cols:
                return group
        raise KeyError(col)

    # ------------------------------------------------------------------------------------------
    def commit(self, col: int, pattern: int, owner: int) -> bool:
        """Insert the task of column ``col`` with ``pattern`` for ``owner``; False if it no longer fits."""
        sol = self.sol
        task = int(self.tasks[col])
        days = sol.inst.tasks[task].patterns[pattern]
        placements = []
        eligible = sol.data.eligible[task]
        for day in days:
            best = (BIG, -1, -1)
            for v in self._vehicles(day, owner):
                if not eligible[sol.data.veh_owner[v]]:
                    continue
                pos, cost = sol.best_slot(v, task)
                if cost < best[0]:
                    best = (cost, v, pos)
            if best[0] >= IMPOSSIBLE:
                return False
            placements.append((best[1], best[2]))
        real_owner = owner if self.consistent else -1
        sol.insert(task, pattern, real_owner, placements)
        if not self.consistent:
            sol.owner[task] = -1
        self.active[col] = False
        self._update(placements)
        return True

    def _update(self, placements: list[tuple[int, int]]) -> None:
        """Refresh costs of the remaining tasks for the routes that changed."""
        sol = self.sol
        remaining = np.flatnonzero(self.active)
        if len(remaining) == 0:
            return
        for v, _ in placements:
            day = int(sol.data.veh_day[v])
            cost, dtime = sol.vehicle_row(v, self.tasks[remaining])
            self.row_cost[v][remaining] = cost
            self.row_dtime[v][remaining] = dtime
            owner = int(sol.data.veh_owner[v]) if self.consistent else 0
            self._aggregate(day, owner)

    # ------------------------------------------------------------------------------------------
    def run(self, *, mode: str = "regret", rng: np.random.Generator | None = None, noise: float = 0.0,
            order: np.ndarray | None = None) -> list[int]:
        """Insert every task that fits; return the tasks left out.

        ``mode``: ``"regret"`` inserts first the task that would lose most by waiting (difference
        between its best and second-best option), ``"cheapest"`` the task with the cheapest
        option, ``"order"`` the tasks in the given ``order`` (default: as given).
        """
        left_out: list[int] = []
        if mode == "order":
            cols = np.arange(len(self.tasks)) if order is None else np.asarray(order)
            for col in cols:
                cost, p, o = self.best_option(int(col))
                if cost >= IMPOSSIBLE or not self.commit(int(col), p, o):
                    self.active[col] = False
                    left_out.append(int(self.tasks[col]))
            return left_out
        while self.active.any():
            best_score = -np.inf
            choice = None
            for group in self.groups:
                cols = group.cols[self.active[group.cols]]
                if len(cols) == 0:
                    continue
                total = self.options(group, cols).reshape(len(cols), -1)
                flat_best = np.argmin(total, axis=1)
                c1 = total[np.arange(len(cols)), flat_best]
                dead = c1 >= IMPOSSIBLE
                if dead.any():
                    for col in cols[dead]:
                        self.active[col] = False
                        left_out.append(int(self.tasks[col]))
                    keep = ~dead
                    cols, total, flat_best, c1 = cols[keep], total[keep], flat_best[keep], c1[keep]
                    if len(cols) == 0:
                        continue
                if mode == "regret":
                    if total.shape[1] > 1:
                        part = np.partition(total, 1, axis=1)
                        c2 = np.minimum(part[:, 1], 10.0 * IMPOSSIBLE)
                    else:
                        c2 = np.full(len(cols), 10.0 * IMPOSSIBLE)
                    score = c2 - c1
                else:
                    score = -c1
                if noise > 0 and rng is not None:
                    score = score + noise * np.abs(c1) * rng.random(len(cols))
                i = int(np.argmax(score))
                if score[i] > best_score:
                    n_owner = len(group.owners)
                    p, o = divmod(int(flat_best[i]), n_owner)
                    best_score = float(score[i])
                    choice = (int(cols[i]), p, int(group.owners[o]))
            if choice is None:
                break
            col, p, o = choice
            if not self.commit(col, p, o):
                # Stale cost (should not happen): recompute this task's rows and retry later.
                self._refresh_task(col)
        return left_out

    def _refresh_task(self, col: int) -> None:
        sol = self.sol
        for day in range(sol.inst.num_days):
            for v in sol.data.day_vehicles[day]:
                cost, dtime = sol.vehicle_row(int(v), self.tasks[[col]])
                self.row_cost[int(v)][col] = cost[0]
                self.row_dtime[int(v)][col] = dtime[0]
            for owner in self._owners_of_day(day):
                self._aggregate(day, owner)

