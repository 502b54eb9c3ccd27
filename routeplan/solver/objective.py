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

    def stability(self, sol: Solution) -> float:
        if self.inst.stability_cost <= 0:
            return 0.0
        moved = (self.preferred >= 0) & (sol.owner >= 0) & (sol.owner != self.preferred)
        return self.inst.stability_cost * float(moved.sum())

    def day_balance(self, sol: Solution) -> float:
        """Squared deviation of each route's work from its owner's mean route."""
        if self.inst.day_balance_weight <= 0:
            return 0.0
        d = sol.data
        work = sol.r_time + sol.r_service
        target = sol.owner_work[d.veh_owner] / d.veh_owner_count
        return self.inst.day_balance_weight * float(((work - target) ** 2 / np.maximum(target, 60.0)).sum())

    def __call__(self, sol: Solution) -> float:
        return (sol.routing_cost() + self.balance(sol.owner_work) + self.day_balance(sol) + self.stability(sol)
                + self.missing_cost * sol.missing_visits())
