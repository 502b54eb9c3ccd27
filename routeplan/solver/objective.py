"""The engine's objective: routing cost, workload balance, stability and missing visits."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .instance import Instance
from .state import Solution


@dataclass(frozen=True, slots=True)
class Objective:
    """Evaluates solutions of one instance.

    Balance: for each group of interchangeable owners, ``balance_weight`` times the sum over its
    owners of ``(work - target)^2 / target``, where work is travel plus service time and an
    owner's target is its share of the group's work in proportion to its working time (a
    part-timer working half the days gets half the work). Each missing visit costs
    ``missing_cost``, more than any routing saving it could bring.
    """

    inst: Instance
    owner_group: np.ndarray  # group index per owner, -1 when not balanced
    group_members: tuple[np.ndarray, ...]
    missing_cost: float
    preferred: np.ndarray  # preferred owner per task (-1: none)
    capacity: np.ndarray  # working time per owner over the cycle

    @classmethod
    def of(cls, inst: Instance) -> Objective:
        owner_group = np.full(inst.num_owners, -1, dtype=np.int64)
        members = []
        if inst.balance_weight > 0:
            for g, group in enumerate(inst.balance_groups):
                owner_group[list(group)] = g
                members.append(np.asarray(group, dtype=np.int64))
        cost = inst.distance_cost * inst.dist + inst.time_cost * inst.time
        scale = float(np.max(cost)) if cost.size else 1.0
        missing = 10.0 * (2.0 * scale + 1.0) + 10.0 * max((t.service for t in inst.tasks), default=0.0) \
            * (inst.time_cost + 1.0)
        preferred = np.array([t.preferred_owner for t in inst.tasks], dtype=np.int64)
        capacity = np.zeros(inst.num_owners)
        for v in inst.vehicles:
            span = v.latest - v.earliest
            capacity[v.owner] += span if math.isfinite(span) else 1.0
        return cls(inst=inst, owner_group=owner_group, group_members=tuple(members), missing_cost=missing,
                   preferred=preferred, capacity=capacity)

    def balance(self, work: np.ndarray) -> float:
        """Balance penalty of owner work figures."""
        target = self.targets(work)
        total = 0.0
        for members in self.group_members:
            t = target[members]
            if t.min() > 0:
                total += float(((work[members] - t) ** 2 / t).sum())
        return self.inst.balance_weight * total

    def targets(self, work: np.ndarray) -> np.ndarray:
        """Each balanced owner's fair share of its group's work (0 for owners not balanced)."""
        target = np.zeros(len(work))
        for members in self.group_members:
            cap = self.capacity[members]
            if cap.sum() > 0:
                target[members] = work[members].sum() * cap / cap.sum()
        return target

    def day_balance(self, sol: Solution) -> float:
        """Squared deviation of each route's work from its owner's mean route."""
        if self.inst.day_balance_weight <= 0:
            return 0.0
        d = sol.data
        work = sol.r_time + sol.r_service
        target = sol.owner_work[d.veh_owner] / d.veh_owner_count
        return self.inst.day_balance_weight * float(((work - target) ** 2 / np.maximum(target, 60.0)).sum())

    def owner_costs(self, centres: np.ndarray | None) -> np.ndarray:
        """What serving each task by each owner costs beyond travel: (tasks, owners).

        Stability: ``stability_cost`` unless the owner is the task's preferred one. Compactness:
        ``compactness_weight`` x visits x travel time between the task and the owner's territory
        centre (a node per owner, -1 for none).
        """
        inst = self.inst
        cost = np.zeros((inst.num_tasks, inst.num_owners))
        if not inst.consistent:
            return cost
        if inst.stability_cost > 0:
            has = self.preferred >= 0
            cost[has] = inst.stability_cost
            cost[np.flatnonzero(has), self.preferred[has]] = 0.0
        if inst.compactness_weight > 0 and centres is not None:
            nodes = np.array([t.node for t in inst.tasks], dtype=np.int64)
            visits = np.array([t.visits for t in inst.tasks], dtype=float)
            for o, centre in enumerate(centres):
                if centre >= 0:
                    travel = (inst.time[nodes, centre] + inst.time[centre, nodes]) / 2.0
                    cost[:, o] += inst.compactness_weight * visits * travel
        return cost

    def centres(self, owner: np.ndarray, previous: np.ndarray | None = None) -> np.ndarray:
        """Territory centre of each owner: the medoid (by travel time, weighted by visits) of the
        tasks it serves; the previous centre, or -1, for owners without tasks."""
        inst = self.inst
        centres = np.full(inst.num_owners, -1, dtype=np.int64) if previous is None else previous.copy()
        nodes = np.array([t.node for t in inst.tasks], dtype=np.int64)
        visits = np.array([t.visits for t in inst.tasks], dtype=float)
        for o in range(inst.num_owners):
            mine = np.flatnonzero(owner == o)
            if len(mine) == 0:
                continue
            sub = inst.time[np.ix_(nodes[mine], nodes[mine])]
            spread = ((sub + sub.T) * visits[mine][None, :]).sum(axis=1)
            centres[o] = nodes[mine[int(np.argmin(spread))]]
        return centres

    def assignment_cost(self, sol: Solution) -> float:
        """Stability and compactness of the solution's owner choices."""
        inst = self.inst
        if not inst.consistent or (inst.stability_cost <= 0 and inst.compactness_weight <= 0):
            return 0.0
        cost = self.owner_costs(self.centres(sol.owner))
        served = np.flatnonzero(sol.owner >= 0)
        return float(cost[served, sol.owner[served]].sum())

    def __call__(self, sol: Solution) -> float:
        return (sol.routing_cost() + self.balance(sol.owner_work) + self.day_balance(sol)
                + self.assignment_cost(sol) + self.missing_cost * sol.missing_visits())
