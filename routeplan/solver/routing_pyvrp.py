"""Adapter to PyVRP, the routing engine used to re-optimise fixed sets of visits.

Given some vehicles of one day and the visits they make, PyVRP's iterated local search looks
for better routes (moving visits between these vehicles too). Everything PyVRP-specific stays in
this module: integer scaling, the model, the warm start and the translation back. It reads the
engine's frozen arrays and task sequences, and returns task sequences.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pyvrp
from pyvrp import Client, Depot, Location, ProblemData, Route, VehicleType
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria, StoppingCriterion

from .arrays import Data

logger = logging.getLogger(__name__)

_MAX_INT = 2**52


def integer_scale(values: Sequence[np.ndarray]) -> float:
    """Factor that turns times and costs into integers for PyVRP: 1 when they already are whole
    numbers (times in seconds), else 1000."""
    for array in values:
        finite = array[np.isfinite(array)]
        if not np.array_equal(finite, np.round(finite)):
            return 1000.0
    return 1.0


class Polished(NamedTuple):
    """What a PyVRP call gave: new task sequences (None: nothing feasible and complete), and
    whether the clock cut it short of its iterations (then the run may not repeat)."""

    routes: list[list[int]] | None
    cut_short: bool


def optimize_routes(data: Data, vehicles: Sequence[int], routes: Sequence[Sequence[int]], *, iterations: int,
                    seconds: float = math.inf, seed: int = 0) -> list[list[int]] | None:
    """Re-optimise the ``routes`` (task sequences) of ``vehicles``, all of one day, with PyVRP.

    Returns new task sequences, one per vehicle in the order given, when PyVRP found a feasible
    set of routes serving the same visits; ``None`` otherwise. The caller decides whether they
    are better. ``iterations`` bounds the search (repeatable); ``seconds`` is a clock safety net.
    """
    return polish_routes(data, vehicles, routes, iterations=iterations, seconds=seconds, seed=seed).routes


def polish_routes(data: Data, vehicles: Sequence[int], routes: Sequence[Sequence[int]], *, iterations: int,
                  seconds: float = math.inf, seed: int = 0) -> Polished:
    """:func:`optimize_routes`, saying also whether ``seconds`` cut the call short."""
    tasks = [int(t) for seq in routes for t in seq]
    if not tasks:
        return Polished(None, False)
    depot_nodes = sorted({int(data.vehicle_start[v]) for v in vehicles} | {int(data.vehicle_end[v]) for v in vehicles})
    task_nodes = [int(data.task_node[t]) for t in tasks]
    nodes = np.array(depot_nodes + task_nodes, dtype=np.int64)
    depot_index = {node: i for i, node in enumerate(depot_nodes)}
    leg_cost = data.cost[np.ix_(nodes, nodes)]
    leg_time = data.time[np.ix_(nodes, nodes)]
    chosen = np.asarray(vehicles, dtype=np.int64)
    task_index = np.asarray(tasks, dtype=np.int64)
    scale = integer_scale([leg_cost, leg_time, data.task_service[task_index], data.task_early[task_index],
                           data.task_late[task_index], data.vehicle_early[chosen], data.vehicle_late[chosen]])

    def to_int(value: float) -> int:
        if not math.isfinite(value):
            return _MAX_INT
        return min(round(value * scale), _MAX_INT)

    cost = np.round(leg_cost * scale).astype(np.int64)
    duration = np.round(leg_time * scale).astype(np.int64)
    # Rounding can break the triangle inequality slightly; PyVRP copes, and we re-check in floats.
    locations = [Location(0.0, 0.0) for _ in nodes]
    depots = [Depot(location=i) for i in range(len(depot_nodes))]
    has_capacity = bool(np.isfinite(data.vehicle_capacity[chosen]).any())
    has_stop_cap = bool((data.vehicle_max_stops[chosen] < len(tasks)).any())
    clients = []
    for j, t in enumerate(tasks):
        delivery = []
        if has_capacity:
            delivery.append(to_int(data.task_demand[t]))
        if has_stop_cap:
            delivery.append(1)
        clients.append(Client(location=len(depot_nodes) + j, delivery=delivery,
                              service_duration=to_int(data.task_service[t]), tw_early=to_int(data.task_early[t]),
                              tw_late=to_int(data.task_late[t])))
    types = []
    for v in vehicles:
        capacity = []
        if has_capacity:
            capacity.append(to_int(data.vehicle_capacity[v]))
        if has_stop_cap:
            capacity.append(int(min(data.vehicle_max_stops[v], len(tasks))))
        types.append(VehicleType(num_available=1, capacity=capacity,
                                 start_depot=depot_index[int(data.vehicle_start[v])],
                                 end_depot=depot_index[int(data.vehicle_end[v])],
                                 tw_early=to_int(data.vehicle_early[v]), tw_late=to_int(data.vehicle_late[v]),
                                 shift_duration=to_int(data.vehicle_max_duration[v])))
    # pyvrp's stub types the matrices as ndarray[int] (int as the shape): an integer array is right.
    problem = ProblemData(locations, clients, depots, types, [cost], [duration])  # type: ignore[list-item]
    position = {t: j for j, t in enumerate(tasks)}
    start_routes = [Route(problem, [position[int(t)] for t in seq], k) for k, seq in enumerate(routes) if len(seq)]
    initial = pyvrp.Solution(problem, start_routes)
    criteria: list[StoppingCriterion] = [MaxIterations(iterations)]
    if math.isfinite(seconds):
        criteria.append(MaxRuntime(max(seconds, 1e-3)))
    result = pyvrp.solve(problem, MultipleCriteria(criteria), seed=seed, collect_stats=False, display=False,
                         initial_solution=initial)
    cut = result.num_iterations < iterations
    best = result.best
    if not best.is_feasible() or not best.is_complete():
        return Polished(None, cut)
    out: list[list[int]] = [[] for _ in vehicles]
    for route in best.routes():
        out[route.vehicle_type()] = [tasks[activity.idx] for activity in route if activity.is_client()]
    return Polished(out, cut)
