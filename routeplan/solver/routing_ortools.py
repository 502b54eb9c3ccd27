"""The OR-Tools routing adapter: the peers the engine is measured against.

This is the one module that imports OR-Tools routing. It holds two models a competent user
writes, solved by OR-Tools' recommended search, not tuned for the benchmarks:

- :func:`solve_naive`: a periodic VRP put straight into OR-Tools routing (below);
- :func:`route_day`: one manager's day with time windows, shift and a visit cap, the routing
  step of the hand-made decomposition (:mod:`routeplan.planning.decomposition_peer`).

The naive periodic model
------------------------

Model
-----
- One routing node per (customer, day) for every day that appears in any of the customer's
  allowed visit-day patterns, plus one node per depot.
- One OR-Tools vehicle per engine vehicle (same order as ``inst.vehicles``), i.e. per (day,
  vehicle), with that vehicle's capacity and, when finite, its maximum duration (travel time plus
  service time) as dimensions; a stop-count dimension when a vehicle limits its stops.
- A (customer, day) node may only be served by that day's vehicles (and, when the task lists
  owners, by those owners' vehicles): ``SetAllowedVehiclesForIndex``, or where its Python binding
  is broken (OR-Tools 9.15) the equivalent restriction of ``VehicleVar``.
- Every node is optional (``AddDisjunction`` with a large penalty), and the pattern rule is put
  on the active variables: for each customer, boolean choice variables ``y_p`` over its patterns
  with ``sum(y_p) <= 1`` and ``ActiveVar(node(c, d)) == sum(y_p for p containing d)``: a customer
  is served on exactly one of its patterns, or left out at the price of its nodes' penalties.
- Arc costs are ``distance_cost * dist + time_cost * time``, scaled by 1000 and rounded. Duration
  transits and demands are rounded *up* after scaling (capacities and limits down), so a route
  OR-Tools accepts is feasible in the original units too.

Search: ``PARALLEL_CHEAPEST_INSERTION`` first solution, then ``GUIDED_LOCAL_SEARCH`` until the
time limit, no search log. The routing library searches in one thread.

Why these choices: with ``sum(y_p) == 1`` as a hard constraint, or with the default
``PATH_CHEAPEST_ARC`` first solution, OR-Tools often finds no solution at all within a minute
(p02, p05, p14 at 10 s). Letting customers drop and starting from parallel cheapest insertion
gave the peer its best results in a trial on p01, p02, p03 and p14 (10 s each); it still leaves
visits out where customers need several days, because its moves switch one node at a time while
a pattern change needs several switched together.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from .instance import Instance, Task

logger = logging.getLogger(__name__)

SCALE = 1000.0  # distances, times and (non-integral) demands are multiplied by this and rounded
_BIG = 2**40  # stands for "unlimited" in integer dimensions


def _check_supported(inst: Instance) -> None:
    """Refuse instances whose rules this model leaves out, rather than ignore them."""
    if inst.consistent:
        raise ValueError("the naive OR-Tools model has no owner consistency; it solves instances with "
                         "consistent=False (the classic PVRP)")
    if any(t.earliest > 0 or math.isfinite(t.latest) for t in inst.tasks) or \
            any(v.earliest > 0 or math.isfinite(v.latest) for v in inst.vehicles):
        raise ValueError("the naive OR-Tools model has no time windows")
    if inst.balance_weight or inst.day_balance_weight or inst.stability_cost:
        raise ValueError("the naive OR-Tools model only minimises travel cost (no balance or stability terms)")


def _allow_vehicles(routing: pywrapcp.RoutingModel, vehicles: list[int], index: int) -> None:
    """Restrict ``index`` to ``vehicles`` (it may still be left unperformed).

    ``SetAllowedVehiclesForIndex`` is the intended call, but its Python binding in OR-Tools 9.15
    rejects every argument (``absl::Span<int const>`` has no SWIG typemap); then the vehicle
    variable's domain is restricted instead, the pre-``SetAllowedVehiclesForIndex`` idiom.
    """
    try:
        routing.SetAllowedVehiclesForIndex(vehicles, index)
    except TypeError:
        routing.VehicleVar(index).SetValues([-1, *vehicles])


def _scaled(values: np.ndarray, *, up: bool = False) -> np.ndarray:
    scaled = values * SCALE
    return (np.ceil(scaled - 1e-9) if up else np.rint(scaled)).astype(np.int64)


def solve_naive(inst: Instance, *, time_limit: float, seed: int = 0) -> list[list[int]]:
    """Solve ``inst`` with the naive OR-Tools routing model (see the module docstring).

    Parameters
    ----------
    inst
        A periodic instance without owner consistency, time windows or balance terms (such as
        ``CordeauInstance.to_instance()``).
    time_limit
        Seconds OR-Tools may search (first solution included; model building is not counted).
    seed
        Accepted for symmetry with the engine and ignored: OR-Tools routing has no seed parameter
        in its Python API. Its search is deterministic, but with a time limit as the only stop
        the result depends on how far it got, so it varies with machine speed and load.

    Returns
    -------
    list[list[int]]
        One task sequence per engine vehicle (indexed as ``inst.vehicles``). Empty routes when
        OR-Tools finds no solution within the time limit. Visits that break the pattern rule
        (which the model forbids) are dropped, so the routes never claim more than they keep.
    """
    _check_supported(inst)
    del seed  # no seed in OR-Tools routing's Python API; see the docstring

    # Routing nodes: depots first, then one node per (task, day) the task may be visited on.
    depot_nodes = sorted({v.start for v in inst.vehicles} | {v.end for v in inst.vehicles})
    depot_of = {node: i for i, node in enumerate(depot_nodes)}
    visit_task: list[int] = []
    visit_day: list[int] = []
    node_of: dict[tuple[int, int], int] = {}
    for t, task in enumerate(inst.tasks):
        for day in sorted({d for p in task.patterns for d in p}):
            node_of[t, day] = len(depot_nodes) + len(visit_task)
            visit_task.append(t)
            visit_day.append(day)
    num_nodes = len(depot_nodes) + len(visit_task)
    place = np.array(depot_nodes + [inst.tasks[t].node for t in visit_task], dtype=np.int64)
    service = np.array([0.0] * len(depot_nodes) + [inst.tasks[t].service for t in visit_task])
    demand = np.array([0.0] * len(depot_nodes) + [inst.tasks[t].demand for t in visit_task])

    manager = pywrapcp.RoutingIndexManager(num_nodes, inst.num_vehicles,
                                           [depot_of[v.start] for v in inst.vehicles],
                                           [depot_of[v.end] for v in inst.vehicles])
    routing = pywrapcp.RoutingModel(manager)
    sub = np.ix_(place, place)
    arc = inst.distance_cost * inst.dist[sub] + inst.time_cost * inst.time[sub]
    arc_int = _scaled(arc)
    cost_cb = routing.RegisterTransitMatrix(arc_int.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(cost_cb)

    # Load.
    integral = np.allclose(demand, np.round(demand))
    demand_int = np.rint(demand).astype(np.int64) if integral else _scaled(demand, up=True)
    capacities = [_BIG if not math.isfinite(v.capacity)
                  else math.floor(v.capacity + 1e-9) if integral else math.floor(v.capacity * SCALE + 1e-6)
                  for v in inst.vehicles]
    if demand_int.any():
        load_cb = routing.RegisterUnaryTransitVector(demand_int.tolist())
        routing.AddDimensionWithVehicleCapacity(load_cb, 0, capacities, True, "Load")

    # Duration: travel time plus service time at the node left.
    if any(math.isfinite(v.max_duration) for v in inst.vehicles):
        duration = _scaled(inst.time[sub] + service[:, None], up=True)
        duration_cb = routing.RegisterTransitMatrix(duration.tolist())
        limits = [_BIG if not math.isfinite(v.max_duration) else math.floor(v.max_duration * SCALE + 1e-6)
                  for v in inst.vehicles]
        routing.AddDimensionWithVehicleCapacity(duration_cb, 0, limits, True, "Duration")

    # Stops.
    if any(v.max_stops < len(inst.tasks) for v in inst.vehicles):
        stops_cb = routing.RegisterUnaryTransitVector([0] * len(depot_nodes) + [1] * len(visit_task))
        routing.AddDimensionWithVehicleCapacity(stops_cb, 0, [min(v.max_stops, _BIG) for v in inst.vehicles],
                                                True, "Stops")

    # Each (task, day) node on that day's (allowed owners') vehicles only, and optional.
    vehicles_of: dict[tuple[int, tuple[int, ...] | None], list[int]] = {}
    penalty = int(100 * max(1, int(arc_int.max())))
    for node, (t, day) in enumerate(zip(visit_task, visit_day, strict=True), start=len(depot_nodes)):
        owners = inst.tasks[t].owners
        key = (day, owners)
        if key not in vehicles_of:
            vehicles_of[key] = [k for k, v in enumerate(inst.vehicles)
                                if v.day == day and (owners is None or v.owner in owners)]
        index = manager.NodeToIndex(node)
        _allow_vehicles(routing, vehicles_of[key], index)
        routing.AddDisjunction([index], penalty)

    # The pattern rule on the active variables.
    solver = routing.solver()
    for t, task in enumerate(inst.tasks):
        choice = [solver.BoolVar(f"y_{t}_{i}") for i in range(len(task.patterns))]
        solver.Add(solver.Sum(choice) <= 1)
        for day in sorted({d for p in task.patterns for d in p}):
            active = routing.ActiveVar(manager.NodeToIndex(node_of[t, day]))
            solver.Add(active == solver.Sum([y for y, p in zip(choice, task.patterns, strict=True) if day in p]))
        for y in choice:
            routing.AddVariableMinimizedByFinalizer(y)  # bind them in every solution

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(max(1, round(time_limit * 1000)))
    params.log_search = False

    logger.info("OR-Tools naive model: %d nodes, %d vehicles, %.1f s", num_nodes, inst.num_vehicles, time_limit)
    assignment = routing.SolveWithParameters(params)
    routes: list[list[int]] = [[] for _ in inst.vehicles]
    if assignment is None:
        logger.warning("OR-Tools found no solution within %.1f s (%s)", time_limit,
                       routing_enums_pb2.RoutingSearchStatus.Value.Name(routing.status()))
        return routes
    for k in range(inst.num_vehicles):
        index = assignment.Value(routing.NextVar(routing.Start(k)))
        while not routing.IsEnd(index):
            routes[k].append(manager.IndexToNode(index))
            index = assignment.Value(routing.NextVar(index))
    return _honest_routes(inst, routes, visit_task, visit_day)


def _honest_routes(inst: Instance, node_routes: list[list[int]], visit_task: list[int],
                   visit_day: list[int]) -> list[list[int]]:
    """Task sequences from routing-node sequences, without the tasks whose visits break the rules."""
    offset = len({v.start for v in inst.vehicles} | {v.end for v in inst.vehicles})
    days_of: dict[int, list[int]] = {}
    for k, nodes in enumerate(node_routes):
        for node in nodes:
            t, day = visit_task[node - offset], visit_day[node - offset]
            days_of.setdefault(t, []).append(inst.vehicles[k].day if day == inst.vehicles[k].day else -1)
    broken = {t for t, days in days_of.items() if tuple(sorted(days)) not in inst.tasks[t].patterns}
    if broken:
        logger.warning("dropping %d task(s) whose OR-Tools visits break the pattern rule: %s",
                       len(broken), sorted(broken)[:10])
    return [[visit_task[node - offset] for node in nodes if visit_task[node - offset] not in broken]
            for nodes in node_routes]


@dataclass(frozen=True, slots=True, kw_only=True)
class Sites:
    """Where the routes of :func:`route_day` and :func:`route_cycle` call: one entry per place.

    Attributes
    ----------
    nodes
        Each place's node in the travel matrix.
    service
        Seconds on site at each visit of it.
    windows
        ``(earliest, latest)``, seconds: the window each visit's service must start in.

    Raises
    ------
    ValueError
        When the three are not of one length.
    """

    nodes: tuple[int, ...]
    service: tuple[float, ...]
    windows: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        if not len(self.nodes) == len(self.service) == len(self.windows):
            raise ValueError(f"sites: {len(self.nodes)} nodes, {len(self.service)} service times and "
                             f"{len(self.windows)} windows; expected one of each per place")

    @classmethod
    def of(cls, tasks: Iterable[Task]) -> Sites:
        """The sites of the engine's ``tasks``: each task's node, service and window."""
        listed = list(tasks)
        return cls(nodes=tuple(t.node for t in listed), service=tuple(t.service for t in listed),
                   windows=tuple((t.earliest, t.latest) for t in listed))


@dataclass(frozen=True, slots=True, kw_only=True)
class Shift:
    """The manager who drives the routes of :func:`route_day` and :func:`route_cycle`: the
    same on every route.

    Attributes
    ----------
    start, end
        The nodes each route leaves from and returns to.
    earliest, latest
        Seconds: leave no earlier, return no later.
    max_stops
        Most visits in one route.
    """

    start: int
    end: int
    earliest: float
    latest: float
    max_stops: int


def route_day(time: np.ndarray, sites: Sites, shift: Shift, *, time_limit: float) -> tuple[list[int], list[int]]:
    """One vehicle's route through ``sites`` with time windows, by OR-Tools routing.

    Every site may be dropped at a penalty far above any route's cost (a first solution by
    parallel cheapest insertion, then guided local search for ``time_limit`` seconds).

    Parameters
    ----------
    time
        Travel seconds between the nodes.
    sites
        The visits to make, one per site.
    shift
        The vehicle.
    time_limit
        Seconds of search.

    Returns
    -------
    tuple[list[int], list[int]]
        Positions in ``sites`` in route order, and the positions dropped.
    """
    if not sites.nodes:
        return [], []
    places = [shift.start, shift.end, *sites.nodes]
    sub = np.ceil(time[np.ix_(places, places)] - 1e-9).astype(np.int64)
    service_int = [0, 0, *(math.ceil(s - 1e-9) for s in sites.service)]
    manager = pywrapcp.RoutingIndexManager(len(places), 1, [0], [1])
    routing = pywrapcp.RoutingModel(manager)
    cost_cb = routing.RegisterTransitMatrix(sub.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(cost_cb)
    clock = (sub + np.array(service_int, dtype=np.int64)[:, None]).tolist()  # service, then the leg
    clock_cb = routing.RegisterTransitMatrix(clock)
    horizon = math.floor(shift.latest)
    routing.AddDimension(clock_cb, horizon, horizon, False, "Time")
    dimension = routing.GetDimensionOrDie("Time")
    earliest, latest = math.ceil(shift.earliest), math.floor(shift.latest)
    dimension.CumulVar(routing.Start(0)).SetRange(earliest, latest)
    dimension.CumulVar(routing.End(0)).SetRange(earliest, latest)
    for k, (early, late) in enumerate(sites.windows):
        index = manager.NodeToIndex(2 + k)
        dimension.CumulVar(index).SetRange(max(earliest, math.ceil(early)), min(latest, math.floor(late)))
        routing.AddDisjunction([index], 10**9)
    if shift.max_stops < len(sites.nodes):
        count_cb = routing.RegisterUnaryTransitVector([0, 0] + [1] * len(sites.nodes))
        routing.AddDimensionWithVehicleCapacity(count_cb, 0, [shift.max_stops], True, "Stops")
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(max(1, round(time_limit * 1000)))
    params.log_search = False
    assignment = routing.SolveWithParameters(params)
    if assignment is None:
        return [], list(range(len(sites.nodes)))
    order = []
    index = assignment.Value(routing.NextVar(routing.Start(0)))
    while not routing.IsEnd(index):
        order.append(manager.IndexToNode(index) - 2)
        index = assignment.Value(routing.NextVar(index))
    served = set(order)
    return order, [k for k in range(len(sites.nodes)) if k not in served]


def route_cycle(time: np.ndarray, sites: Sites, shift: Shift, *, patterns: Sequence[Sequence[tuple[int, ...]]],
                num_routes: int, initial: list[list[tuple[int, int]]] | None,
                time_limit: float) -> list[list[tuple[int, int]]]:
    """One manager's whole cycle as one OR-Tools model: a vehicle per working day, a routing node
    per visit, the visits of a customer on the days of one of its ``patterns``.

    The rule sits on the visits' vehicle variables (a table of the allowed routes, or none at
    all: a customer's visits are performed together or not at all), so that OR-Tools' moves may
    carry a visit to another day wherever the gaps still hold. Every customer may be dropped at
    a penalty far above any route's cost.

    Parameters
    ----------
    time
        Travel seconds between the nodes.
    sites
        The customers, one per site; each of a customer's visits takes its service time and
        starts inside its window.
    shift
        The manager, the same on every route.
    patterns
        Per customer, the sets of routes (sorted tuples of 0 to ``num_routes - 1``, the
        manager's working days in order) it may be visited on: its first visit on the first
        route of the pattern and so on.
    num_routes
        The manager's routes (working days).
    initial
        Where the search starts (per route, the ``(customer, visit)`` pairs in order; it must
        keep every rule), when given and feasible; else from parallel cheapest insertion.
    time_limit
        Seconds of guided local search.

    Returns
    -------
    list[list[tuple[int, int]]]
        Per route, the ``(customer, visit)`` pairs in order (a dropped customer appears nowhere).

    Raises
    ------
    ValueError
        When ``patterns`` does not give one list per site.
    """
    if len(patterns) != len(sites.nodes):
        raise ValueError(f"{len(patterns)} pattern lists for {len(sites.nodes)} sites; expected one per site")
    visit_of: list[tuple[int, int]] = [(i, j) for i, options in enumerate(patterns)
                                       for j in range(len(options[0]) if options else 0)]
    if not visit_of or num_routes == 0:
        return [[] for _ in range(num_routes)]
    index_of = {v: k + 2 for k, v in enumerate(visit_of)}
    places = [shift.start, shift.end] + [sites.nodes[i] for i, _ in visit_of]
    sub = np.ceil(time[np.ix_(places, places)] - 1e-9).astype(np.int64)
    service_int = np.array([0, 0] + [math.ceil(sites.service[i] - 1e-9) for i, _ in visit_of], dtype=np.int64)
    manager = pywrapcp.RoutingIndexManager(len(places), num_routes, [0] * num_routes, [1] * num_routes)
    routing = pywrapcp.RoutingModel(manager)
    cost_cb = routing.RegisterTransitMatrix(sub.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(cost_cb)
    clock_cb = routing.RegisterTransitMatrix((sub + service_int[:, None]).tolist())  # service, then the leg
    horizon = math.floor(shift.latest)
    routing.AddDimension(clock_cb, horizon, horizon, False, "Time")
    dimension = routing.GetDimensionOrDie("Time")
    earliest, latest = math.ceil(shift.earliest), math.floor(shift.latest)
    for k in range(num_routes):
        dimension.CumulVar(routing.Start(k)).SetRange(earliest, latest)
        dimension.CumulVar(routing.End(k)).SetRange(earliest, latest)
    penalty = 10 ** 9
    solver = routing.solver()
    for i, options in enumerate(patterns):
        if not options:
            continue
        visits = len(options[0])
        indices = [manager.NodeToIndex(index_of[i, j]) for j in range(visits)]
        early, late = sites.windows[i]
        for index in indices:
            dimension.CumulVar(index).SetRange(max(earliest, math.ceil(early)), min(latest, math.floor(late)))
            routing.AddDisjunction([index], penalty)
        if visits == 1:
            routing.VehicleVar(indices[0]).SetValues([-1, *sorted({p[0] for p in options})])
        else:
            allowed = [list(p) for p in options] + [[-1] * visits]
            solver.Add(solver.AllowedAssignments([routing.VehicleVar(x) for x in indices], allowed))
    if shift.max_stops < len(visit_of):
        count_cb = routing.RegisterUnaryTransitVector([0, 0] + [1] * len(visit_of))
        routing.AddDimensionWithVehicleCapacity(count_cb, 0, [shift.max_stops] * num_routes, True, "Stops")
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(max(1, round(time_limit * 1000)))
    params.log_search = False
    assignment = None
    if initial is not None:
        routing.CloseModelWithParameters(params)
        start_from = routing.ReadAssignmentFromRoutes([[manager.NodeToIndex(index_of[v]) for v in route]
                                                       for route in initial], True)
        if start_from is not None:
            assignment = routing.SolveFromAssignmentWithParameters(start_from, params)
        else:
            logger.info("OR-Tools refused the greedy start of a cycle; it builds its own first solution")
    if assignment is None:
        assignment = routing.SolveWithParameters(params)
    if assignment is None:
        return initial if initial is not None else [[] for _ in range(num_routes)]
    routes: list[list[tuple[int, int]]] = []
    for k in range(num_routes):
        route = []
        index = assignment.Value(routing.NextVar(routing.Start(k)))
        while not routing.IsEnd(index):
            route.append(visit_of[manager.IndexToNode(index) - 2])
            index = assignment.Value(routing.NextVar(index))
        routes.append(route)
    return routes
