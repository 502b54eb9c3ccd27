"""The plan's routes, read off the engine's result: whose day each route is, which customers it
visits, and the times and distances of every leg.

The times come from the engine's one route-timing rule
(:func:`routeplan.solver.kernels.timing.timetable`); this module only names things.
"""

from __future__ import annotations

import itertools

from ..model.routes import DayRoute, Stop
from ..solver.result import EngineResult, TimedRoute
from .formulate import Formulation


def build_routes(form: Formulation, result: EngineResult) -> tuple[DayRoute, ...]:
    """The plan's routes (manager-days with at least one visit), ordered by manager and day."""
    routes = [day_route(form, timed) for timed in result.routes]
    order = {m.manager_id: i for i, m in enumerate(form.problem.managers)}
    routes.sort(key=lambda r: (order[r.manager_id], r.day_index))
    return tuple(routes)


def day_route(form: Formulation, timed: TimedRoute) -> DayRoute:
    """One vehicle's timed route as the plan's route of its manager and day (also for a single
    route that changed, as an editing session re-times it)."""
    inst = form.instance
    problem = form.problem
    veh = inst.vehicles[timed.vehicle]
    manager = problem.managers[int(form.vehicle_manager[timed.vehicle])]
    tasks = [inst.tasks[t] for t in timed.tasks]
    nodes = [veh.start] + [t.node for t in tasks] + [veh.end]
    legs = [float(inst.time[a, b]) for a, b in itertools.pairwise(nodes)]
    km = [float(form.km[a, b]) for a, b in itertools.pairwise(nodes)]
    stops = tuple(Stop(seq=i + 1, customer_id=problem.customers[form.customer_of(t)].customer_id,
                       arrival=int(timed.arrival[i]), start=int(timed.start[i]), end=int(timed.end[i]),
                       travel_km=km[i], level=form.level_of(t))
                  for i, t in enumerate(timed.tasks))
    waiting = sum(s - a for s, a in zip(timed.start, timed.arrival, strict=True))
    return DayRoute(manager_id=manager.manager_id, day_index=veh.day, day=problem.days[veh.day],
                    depart=int(timed.depart), return_time=int(timed.back), travel_km=float(sum(km)),
                    travel_min=float(sum(legs)) / 60.0, service_min=float(sum(t.service for t in tasks)) / 60.0,
                    wait_min=waiting / 60.0, stops=stops,
                    break_start=None if timed.break_start is None else int(timed.break_start),
                    break_min=0.0 if timed.break_start is None or manager.break_ is None else manager.break_.minutes)
