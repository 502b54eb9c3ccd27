"""Adapter to PyVRP, the routing engine used to re-optimise fixed sets of visits.

Given some vehicles of one day and the visits they make, PyVRP's iterated local search looks
for better routes (moving visits between these vehicles too). Everything PyVRP-specific stays in
this module: integer scaling, the model, the warm start and the translation back.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pyvrp
from pyvrp import Client, Depot, Location, ProblemData, Route, VehicleType
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

from .state import Solution

logger = logging.getLogger(__name__)

_MAX_INT = 2**52


def integer_scale(sol: Solution) -> float:
    """Factor that turns the instance's times and costs into integers for PyVRP.

    1 when they already are whole numbers (times in seconds), else 1000.
    """
    data = sol.data
    values = [data.time, data.cost, data.service]
    integral = all(np.allclose(v[np.isfinite(v)], np.round(v[np.isfinite(v)])) for v in values)
    return 1.0 if integral else 1000.0


def optimize_routes(sol: Solution, vehicles: list[int], *, iterations: int = 2000, seconds: float = 1.0,
                    seed: int = 0, scale: float | None = None) -> list[list[int]] | None:
    """Re-optimise the routes of ``vehicles`` (all of one day) with PyVRP.

    Returns new task sequences, one per vehicle in the order given, when PyVRP found a feasible
    set of routes serving the same visits; ``None`` otherwise. The caller decides whether they
    are better.
    """
    tasks = [t for v in vehicles for t in sol.routes[v]]
    if not tasks:
        return None
    if scale is None:
        scale = integer_scale(sol)
    data = sol.data
    veh_info = [sol.inst.vehicles[v] for v in vehicles]
    depot_nodes = sorted({veh.start for veh in veh_info} | {veh.end for veh in veh_info})
    task_nodes = [int(data.node[t]) for t in tasks]
    nodes = np.array(depot_nodes + task_nodes, dtype=np.int64)
    depot_index = {node: i for i, node in enumerate(depot_nodes)}

    def to_int(value: float) -> int:
        if not math.isfinite(value):
            return _MAX_INT
        return int(round(value * scale))

    cost = np.round(data.cost[np.ix_(nodes, nodes)] * scale).astype(np.int64)
    duration = np.round(data.time[np.ix_(nodes, nodes)] * scale).astype(np.int64)
    # Rounding can break the triangle inequality slightly; PyVRP copes, and we re-check in floats.
    locations = [Location(0.0, 0.0) for _ in nodes]
    depots = [Depot(location=i) for i in range(len(depot_nodes))]
    has_capacity = bool(np.isfinite(data.veh_capacity[vehicles]).any())
    has_stop_cap = bool((data.veh_max_stops[vehicles] < len(tasks)).any())
    clients = []
    for j, t in enumerate(tasks):
        delivery = []
        if has_capacity:
            delivery.append(to_int(data.demand[t]))
        if has_stop_cap:
            delivery.append(1)
        clients.append(Client(location=len(depot_nodes) + j, delivery=delivery,
                              service_duration=to_int(data.service[t]), tw_early=to_int(data.early[t]),
                              tw_late=min(to_int(data.late[t]), _MAX_INT)))
    types = []
    for v, veh in zip(vehicles, veh_info):
        capacity = []
        if has_capacity:
            capacity.append(min(to_int(veh.capacity), _MAX_INT))
        if has_stop_cap:
            capacity.append(int(min(veh.max_stops, len(tasks))))
        max_duration = veh.max_duration
        types.append(VehicleType(num_available=1, capacity=capacity, start_depot=depot_index[veh.start],
                                 end_depot=depot_index[veh.end], tw_early=to_int(veh.earliest),
                                 tw_late=min(to_int(veh.latest), _MAX_INT),
                                 shift_duration=min(to_int(max_duration), _MAX_INT)
                                 if math.isfinite(max_duration) else _MAX_INT))
    problem = ProblemData(locations, clients, depots, types, [cost], [duration])
    position = {t: j for j, t in enumerate(tasks)}
    start_routes = [Route(problem, [position[t] for t in sol.routes[v]], k)
                    for k, v in enumerate(vehicles) if sol.routes[v]]
    initial = pyvrp.Solution(problem, start_routes)
    stop = MultipleCriteria([MaxIterations(iterations), MaxRuntime(seconds)])
    result = pyvrp.solve(problem, stop, seed=seed, collect_stats=False, display=False, initial_solution=initial)
    best = result.best
    if not best.is_feasible() or not best.is_complete():
        return None
    routes: list[list[int]] = [[] for _ in vehicles]
    for route in best.routes():
        routes[route.vehicle_type()] = [tasks[activity.idx] for activity in route if activity.is_client()]
    return routes


def polish(sol: Solution, vehicles: list[int], *, iterations: int = 2000, seconds: float = 1.0,
           seed: int = 0, scale: float | None = None) -> float:
    """Replace the routes of ``vehicles`` by PyVRP's when those are feasible and cheaper.

    Returns the routing-cost saving (0 when nothing changed).
    """
    new = optimize_routes(sol, vehicles, iterations=iterations, seconds=seconds, seed=seed, scale=scale)
    if new is None:
        return 0.0
    before = sum(sol.route_cost(v) for v in vehicles)
    old = [list(sol.routes[v]) for v in vehicles]
    for v, seq in zip(vehicles, new):
        sol.routes[v] = seq
        sol.refresh(v)
    feasible = all(sol.schedule(v, sol.routes[v])[0] for v in vehicles)
    within = all(sol.r_load[v] <= sol.data.veh_capacity[v] + 1e-9
                 and sol.r_time[v] + sol.r_service[v] <= sol.data.veh_max_duration[v] + 1e-9
                 and sol.r_stops[v] <= sol.data.veh_max_stops[v] for v in vehicles)
    after = sum(sol.route_cost(v) for v in vehicles)
    if feasible and within and after < before - 1e-9:
        _rebook(sol, vehicles, old)
        return before - after
    for v, seq in zip(vehicles, old):
        sol.routes[v] = seq
        sol.refresh(v)
    return 0.0


def _rebook(sol: Solution, vehicles: list[int], old: list[list[int]]) -> None:
    """Update each task's vehicle list after visits moved between ``vehicles``."""
    moved = {t for seq in old for t in seq}
    for t in moved:
        sol.task_vehicles[t] = [v for v in sol.task_vehicles[t] if v not in vehicles]
    for v in vehicles:
        for t in sol.routes[v]:
            sol.task_vehicles[t].append(v)
