"""Split an instance into independent parts: groups of owners that share no task.

Tasks that only one group of owners may serve never interact with other groups' tasks, so each
part can be solved on its own (in sequence, or fanned out to an executor) and the solutions
merged. In the reference case the four manager classes are four such parts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .instance import Instance, Task
from .result import EngineResult


@dataclass(frozen=True, slots=True)
class Part:
    """A sub-instance and where its tasks, owners and vehicles sit in the whole."""

    instance: Instance
    tasks: np.ndarray
    owners: np.ndarray
    vehicles: np.ndarray


def split(inst: Instance) -> list[Part]:
    """The independent parts of ``inst`` (one part when everything is connected).

    Tasks whose allowed owners all lack vehicles form no part; they stay unassigned.
    """
    owners_with_vehicles = sorted({v.owner for v in inst.vehicles})
    if len(owners_with_vehicles) <= 1 or all(t.owners is None for t in inst.tasks):
        return [_whole(inst)]
    parent = {o: o for o in owners_with_vehicles}

    def find(o: int) -> int:
        while parent[o] != o:
            parent[o] = parent[parent[o]]
            o = parent[o]
        return o

    all_owners = tuple(owners_with_vehicles)
    group_owner: dict[int, int] = {}  # the tasks of one group keep apart only when solved together
    for task in inst.tasks:
        allowed = [o for o in (task.owners if task.owners is not None else all_owners) if o in parent]
        if task.group >= 0 and allowed:
            allowed.append(group_owner.setdefault(task.group, allowed[0]))
        for o in allowed[1:]:
            a, b = find(allowed[0]), find(o)
            if a != b:
                parent[b] = a
    roots = sorted({find(o) for o in owners_with_vehicles})
    if len(roots) == 1:
        return [_whole(inst)]
    parts = []
    for root in roots:
        owners = np.array([o for o in owners_with_vehicles if find(o) == root], dtype=np.int64)
        owner_set = set(owners.tolist())
        tasks = np.array([t for t, task in enumerate(inst.tasks)
                          if any(o in owner_set for o in (all_owners if task.owners is None else task.owners))],
                         dtype=np.int64)
        if len(tasks) == 0:
            continue
        vehicles = np.array([v for v, veh in enumerate(inst.vehicles) if veh.owner in owner_set], dtype=np.int64)
        parts.append(_part(inst, tasks, owners, vehicles))
    return parts


def _whole(inst: Instance) -> Part:
    return Part(instance=inst, tasks=np.arange(inst.num_tasks), owners=np.arange(inst.num_owners),
                vehicles=np.arange(inst.num_vehicles))


def _part(inst: Instance, tasks: np.ndarray, owners: np.ndarray, vehicles: np.ndarray) -> Part:
    owner_index = {int(o): i for i, o in enumerate(owners)}
    new_vehicles = tuple(replace(veh, owner=owner_index[veh.owner]) for veh in (inst.vehicles[v] for v in vehicles))
    new_tasks = tuple(Task(node=task.node, service=task.service, earliest=task.earliest, latest=task.latest,
                           demand=task.demand, patterns=task.patterns,
                           owners=None if task.owners is None else tuple(owner_index[o] for o in task.owners
                                                                       if o in owner_index),
                           preferred_owner=owner_index.get(task.preferred_owner, -1),
                           kept_days=task.kept_days, group=task.group, label=task.label)
                      for task in (inst.tasks[t] for t in tasks))
    groups, aims = [], []
    for k, group in enumerate(inst.balance_groups):
        members = tuple(owner_index[o] for o in group if o in owner_index)
        if len(members) > 1:
            groups.append(members)
            aims.append(inst.balance_utilisation[k] if k < len(inst.balance_utilisation) else 0.0)
    sub = Instance(num_days=inst.num_days, num_owners=len(owners), dist=inst.dist, time=inst.time,
                   vehicles=new_vehicles, tasks=new_tasks, consistent=inst.consistent,
                   distance_cost=inst.distance_cost, time_cost=inst.time_cost, balance_groups=tuple(groups),
                   balance_utilisation=tuple(aims), balance_weight=inst.balance_weight,
                   balance_tolerance=inst.balance_tolerance,
                   balance_floor=inst.balance_floor, day_balance_weight=inst.day_balance_weight,
                   day_balance_tolerance=inst.day_balance_tolerance, day_balance_floor=inst.day_balance_floor,
                   stability_cost=inst.stability_cost, day_change_cost=inst.day_change_cost,
                   max_moved=_moved_share(inst, new_tasks), compactness_weight=inst.compactness_weight,
                   symmetric=inst.symmetric,
                   name=f"{inst.name}[{','.join(str(o) for o in owners[:4])}{'...' if len(owners) > 4 else ''}]")
    return Part(instance=sub, tasks=tasks, owners=owners, vehicles=vehicles)


def _moved_share(inst: Instance, tasks: tuple[Task, ...]) -> int:
    """A part's share of the instance's limit on moved tasks, by its tasks that have a preferred
    owner (rounded down: the parts' limits add up to at most the whole's)."""
    if inst.max_moved < 0:
        return -1
    whole = sum(1 for t in inst.tasks if t.preferred_owner >= 0)
    mine = sum(1 for t in tasks if t.preferred_owner >= 0)
    return inst.max_moved * mine // whole if whole else inst.max_moved


def merge(inst: Instance, parts: list[Part], results: list[EngineResult]) -> EngineResult:
    """One result of ``inst`` from the results of its parts (objectives, iterations, work and
    seconds add up; the stop is ``"clock"`` if any part was stopped by it)."""
    routes = []
    owners = [-1] * inst.num_tasks
    days: list[tuple[int, ...]] = [()] * inst.num_tasks
    for part, result in zip(parts, results, strict=True):
        for route in result.routes:
            routes.append(replace(route, vehicle=int(part.vehicles[route.vehicle]),
                                  tasks=tuple(int(part.tasks[t]) for t in route.tasks)))
        for local, t in enumerate(part.tasks):
            owner = result.owners[local]
            owners[int(t)] = int(part.owners[owner]) if owner >= 0 else -1
            days[int(t)] = result.days[local]
    reasons = [r.stopped_by for r in results]
    stopped = "clock" if "clock" in reasons else "/".join(sorted(set(reasons)))
    history: list[tuple[float, float]] = []
    for result in results:
        history.extend(result.history)
    return EngineResult(routes=tuple(sorted(routes, key=lambda r: r.vehicle)), owners=tuple(owners),
                        days=tuple(days), objective=float(sum(r.objective for r in results)),
                        iterations=sum(r.iterations for r in results), work=float(sum(r.work for r in results)),
                        seconds=float(sum(r.seconds for r in results)), stopped_by=stopped or "budget",
                        history=tuple(history))
