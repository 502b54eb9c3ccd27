"""The classic periodic VRP (Cordeau et al. 1997) as an engine instance, and engine solutions as
Cordeau routes: the bridge between :mod:`routeplan.io.cordeau` (the files) and the engine."""

from __future__ import annotations

from collections.abc import Sequence

from ..io.cordeau import CordeauInstance, CordeauRoute
from ..solver.instance import Instance, Task, Vehicle


def cordeau_instance(inst: CordeauInstance) -> Instance:
    """The engine instance of a benchmark instance: Euclidean distances, speed 1, no owner
    consistency (any vehicle of a day may serve any visit)."""
    dist = inst.distance_matrix()
    vehicles = tuple(Vehicle(day=day, owner=k, start=0, end=0, capacity=inst.capacity[day],
                             max_duration=inst.max_duration[day])
                     for day in range(inst.num_days) for k in range(inst.vehicles_per_day))
    tasks = tuple(Task(node=i + 1, service=float(inst.service[i + 1]), demand=float(inst.demand[i + 1]),
                       patterns=inst.combinations[i], label=str(i + 1))
                  for i in range(inst.num_customers))
    return Instance(num_days=inst.num_days, num_owners=inst.vehicles_per_day, dist=dist, time=dist.copy(),
                    vehicles=vehicles, tasks=tasks, consistent=False, distance_cost=1.0, time_cost=0.0,
                    name=inst.name)


def cordeau_routes(inst: CordeauInstance, engine_instance: Instance,
                   sequences: Sequence[Sequence[int]]) -> list[CordeauRoute]:
    """Cordeau routes of an engine solution of ``cordeau_instance(inst)``.

    Parameters
    ----------
    inst
        The Cordeau instance.
    engine_instance
        The engine instance the solution belongs to.
    sequences
        One task sequence per engine vehicle.

    Returns
    -------
    list[CordeauRoute]
        The non-empty routes, by day; on each day the vehicles are numbered ``0..m-1`` in the
        engine's vehicle order, skipping empty routes.
    """
    if len(sequences) != engine_instance.num_vehicles:
        raise ValueError(f"{len(sequences)} routes for {engine_instance.num_vehicles} engine vehicles")
    routes: list[CordeauRoute] = []
    used = [0] * inst.num_days
    for v in sorted(range(len(sequences)), key=lambda v: (engine_instance.vehicles[v].day, v)):
        seq = sequences[v]
        if not seq:
            continue
        day = engine_instance.vehicles[v].day
        customers = tuple(int(engine_instance.tasks[t].node) for t in seq)
        routes.append(CordeauRoute(day=day, vehicle=used[day], customers=customers))
        used[day] += 1
    return routes
