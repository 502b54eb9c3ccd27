"""Timings of each route: when a manager leaves, arrives, starts and ends each visit, and returns.

Visits start as early as their window allows; the departure is then delayed as far as possible
without making the return later, so that no working time is spent waiting at the first shops.
"""

from __future__ import annotations

import numpy as np

from ..model.routes import DayRoute, Stop
from ..solver.state import Solution
from .formulate import Formulation


def build_routes(form: Formulation, sol: Solution) -> tuple[DayRoute, ...]:
    """The plan's routes (manager-days with at least one visit), ordered by manager and day."""
    inst = form.instance
    problem = form.problem
    routes = []
    for v, seq in enumerate(sol.routes):
        if not seq:
            continue
        veh = inst.vehicles[v]
        manager = problem.managers[int(form.vehicle_manager[v])]
        tasks = [inst.tasks[t] for t in seq]
        nodes = [veh.start] + [t.node for t in tasks] + [veh.end]
        legs = [float(inst.time[a, b]) for a, b in zip(nodes, nodes[1:])]
        km = [float(form.km[a, b]) for a, b in zip(nodes, nodes[1:])]
        depart = _latest_departure(veh.earliest, tasks, legs)
        clock = depart
        stops = []
        waiting = 0.0
        for i, task in enumerate(tasks):
            arrival = clock + legs[i]
            start = max(arrival, task.earliest)
            waiting += start - arrival
            end = start + task.service
            stops.append(Stop(seq=i + 1, customer_id=problem.customers[int(form.task_customer[seq[i]])].customer_id,
                              arrival=int(arrival), start=int(start), end=int(end), travel_km=km[i]))
            clock = end
        return_time = clock + legs[-1]
        routes.append(DayRoute(manager_id=manager.manager_id, day_index=veh.day, day=problem.days[veh.day],
                               depart=int(depart), return_time=int(return_time), travel_km=float(sum(km)),
                               travel_min=float(sum(legs)) / 60.0,
                               service_min=float(sum(t.service for t in tasks)) / 60.0,
                               wait_min=waiting / 60.0, stops=tuple(stops)))
    order = {m.manager_id: i for i, m in enumerate(problem.managers)}
    routes.sort(key=lambda r: (order[r.manager_id], r.day_index))
    return tuple(routes)


def _latest_departure(earliest: float, tasks: list, legs: list[float]) -> float:
    """Latest departure that keeps every visit in its window and the return time unchanged.

    Delaying the departure by ``delta`` is absorbed by the waits met along the route: the return
    stays put while ``delta`` is at most the total wait, and visit ``i`` moves by
    ``max(0, delta - waits before and at i)``, which must keep it inside its window.
    """
    clock = earliest
    waited = 0.0
    room = np.inf
    for i, task in enumerate(tasks):
        arrival = clock + legs[i]
        start = max(arrival, task.earliest)
        waited += start - arrival
        room = min(room, task.latest - start + waited)
        clock = start + task.service
    delay = max(0.0, min(waited, room))
    return earliest + float(np.floor(delay))
