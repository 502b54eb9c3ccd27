"""From a planning problem to the engine's generic instance, and back.

Nodes are the customers, then every distinct manager start or end place. Times are whole seconds
after midnight (travel times rounded up), so that written plans are exact and conservative.
The objective counts travel time; work balance is asked for over each group of interchangeable
managers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..model.problem import BALANCE_FLOOR_MIN, DAY_BALANCE_FLOOR_MIN, Point, Problem, interchangeable_groups
from ..roads.resolve import travel_model
from ..solver.instance import Instance, Task, Vehicle
from ..solver.patterns import enumerate_patterns
from ..solver.workload import NEAREST, visit_work
from .replan import StabilityTerms, stability_terms

#: Weight of the workload-balance term (see :mod:`routeplan.solver.kernels.objective`): each
#: second of a manager's work beyond its band costs half a second of travel, and more the farther
#: out it is; inside the band (the problem's balance tolerance) only travel counts. Measured on the
#: Kuiwen sample (60 s, seed 0, tolerance 0.10): 0.5 keeps every manager inside the band with the
#: least travel of the weights tried (0.2 left managers just outside it; 1, 2 and 10 travelled 2,
#: 3 and 9% more, the search hemmed in by the penalty).
DEFAULT_BALANCE_WEIGHT = 0.5
#: The planner aims this share of the way to the edge of each balance band: the penalty starts
#: there, so that a plan pressed against it still lies inside the band the user set (which the
#: report measures with waiting excluded and minutes rounded).
BAND_AIM = 0.9
#: Weight of the day-balance term: each route's work beyond the band around its manager's mean
#: route (the problem's day tolerance). At 1.0 the sample travelled 8% more than at 0.2.
DEFAULT_DAY_BALANCE_WEIGHT = 0.2
#: Weight of territory compactness: seconds of cost per second of travel between a visit and the
#: centre of its manager's territory.
DEFAULT_COMPACTNESS_WEIGHT = 0.1


@dataclass(frozen=True, slots=True, kw_only=True)
class Formulation:
    """An engine instance together with what is needed to read its solutions as a plan.

    Task ``i`` is customer ``i``'s own visits (level 0) for ``i`` below the number of customers;
    the tasks after them are the visits of further levels (``task_customer``, ``task_level``:
    whose and which), each in the group of its customer so that no two levels share a day.
    Owner ``o`` is manager ``o``; ``vehicle_manager``/``vehicle_day`` say whose day each vehicle
    is; ``km`` is the node matrix of road kilometres (the instance's ``time`` holds the travel
    seconds, rounded up); ``eligible`` lists the managers allowed per customer (level 0);
    ``start_node``/``end_node`` are each manager's places.
    """

    problem: Problem
    instance: Instance
    strategy: str
    vehicle_manager: np.ndarray
    vehicle_day: np.ndarray
    node_lon: np.ndarray
    node_lat: np.ndarray
    km: np.ndarray
    eligible: tuple[tuple[int, ...], ...]
    start_node: np.ndarray
    end_node: np.ndarray
    task_customer: np.ndarray
    task_level: np.ndarray

    def customer_of(self, task: int) -> int:
        """The position of task ``task``'s customer."""
        return int(self.task_customer[task])

    def level_of(self, task: int) -> int:
        """Which level of its customer's visits task ``task`` is (0: the tier's own)."""
        return int(self.task_level[task])

    def with_eligible(self, eligible: list[tuple[int, ...]], *, strategy: str) -> Formulation:
        """The same problem and travel matrices with other managers allowed per customer (a
        districting strategy), balanced over the managers that become interchangeable."""
        inst = self.instance
        terms = stability_terms(self.problem, eligible)
        own = len(eligible)
        tasks = tuple(replace(task, owners=tuple(allowed), preferred_owner=_preferred(terms, i, task.preferred_owner))
                      for i, (task, allowed) in enumerate(zip(inst.tasks[:own], eligible, strict=True)))
        tasks += inst.tasks[own:]  # further levels: their roles, whatever the strategy
        owners = [tuple(e) for e in eligible] + [task.owners for task in inst.tasks[own:]]
        groups = tuple(g for g in interchangeable_groups(owners, self.problem.num_managers) if len(g) > 1)
        moved = inst.max_moved if terms is None else terms.max_moved
        return replace(self, instance=replace(inst, tasks=tasks, balance_groups=groups, max_moved=moved),
                       strategy=strategy, eligible=tuple(tuple(e) for e in eligible))


def _preferred(terms: StabilityTerms | None, customer: int, otherwise: int) -> int:
    return otherwise if terms is None else terms.preferred[customer]


def whole_seconds(minutes: np.ndarray, *, out: np.ndarray | None = None) -> np.ndarray:
    """Travel minutes as the engine's whole seconds, rounded up, so that written plans are exact
    and conservative (``out=minutes`` converts in place: the matrices are large)."""
    seconds = np.multiply(minutes, 60.0, out=out)
    seconds -= 1e-7
    return np.ceil(seconds, out=seconds)


def customer_work(problem: Problem) -> np.ndarray:
    """Each customer's estimated work per cycle in seconds (:func:`routeplan.solver.workload.visit_work`),
    from the travel model's nearest neighbours over all customers: no matrix over them all. Gives
    what :func:`~routeplan.solver.workload.task_workload` gives on the formulated instance."""
    customers = problem.customers
    lon = np.array([c.lon for c in customers], dtype=float)
    lat = np.array([c.lat for c in customers], dtype=float)
    _, _, minutes = travel_model(problem.travel).nearest(lon, lat, NEAREST)
    near = whole_seconds(minutes).mean(axis=1) if minutes.shape[1] else np.zeros(len(customers))
    return visit_work(np.array([c.visits for c in customers], dtype=float),
                      np.array([round(c.service_min * 60) for c in customers], dtype=float), near)


def formulate(problem: Problem, *, strategy: str = "hybrid", balance_weight: float = DEFAULT_BALANCE_WEIGHT,
              day_balance_weight: float = DEFAULT_DAY_BALANCE_WEIGHT, stability_cost: float | None = None,
              compactness_weight: float = DEFAULT_COMPACTNESS_WEIGHT) -> Formulation:
    """Build the engine instance of ``problem``: the managers its roles and locks allow per
    customer (:meth:`routeplan.Problem.eligible_managers`), balanced over the managers that can
    take over each other's customers (directly or through others: under the usual roles, one
    group per role).

    Parameters
    ----------
    problem
        The planning problem.
    strategy
        Name recorded with the plan.
    balance_weight
        Weight of the balance term between managers (outside the band of
        ``problem.balance.tolerance``).
    day_balance_weight
        Weight of the balance term between one manager's days (outside the band of
        ``problem.balance.day_tolerance``).
    stability_cost
        Cost, in seconds of travel, of moving a customer away from its ``current_manager``
        (default: the problem's re-plan settings, :mod:`routeplan.planning.replan`; 0 for a plan
        from scratch).
    compactness_weight
        Cost per second of travel between a visit and its manager's territory centre; keeps each
        manager's customers together rather than scattered over several day areas.
    """
    customers = problem.customers
    managers = problem.managers
    manager_index = {m.manager_id: i for i, m in enumerate(managers)}
    eligible = problem.eligible_indices()
    further = problem.level_tasks()  # (customer, level, managers allowed) of levels 1 and up
    terms = stability_terms(problem, eligible)
    if stability_cost is None:
        stability_cost = 0.0 if terms is None else terms.move_cost
    owners = list(eligible) + [allowed for _, _, allowed in further]
    balance_groups = [g for g in interchangeable_groups(owners, len(managers)) if len(g) > 1]

    places: dict[tuple[float, float], int] = {}
    lon = [c.lon for c in customers]
    lat = [c.lat for c in customers]

    def place(point: Point) -> int:
        key = (point.lon, point.lat)
        if key not in places:
            places[key] = len(lon)
            lon.append(point.lon)
            lat.append(point.lat)
        return places[key]

    start_node = [place(m.start) for m in managers]
    end_node = [place(m.end) for m in managers]
    node_lon = np.array(lon, dtype=float)
    node_lat = np.array(lat, dtype=float)
    km, minutes = travel_model(problem.travel).matrices(node_lon, node_lat)
    seconds = whole_seconds(minutes, out=minutes)
    np.fill_diagonal(seconds, 0.0)

    vehicles = []
    vehicle_manager = []
    vehicle_day = []
    for i, m in enumerate(managers):
        for day in m.days:
            vehicles.append(Vehicle(day=day, owner=i, start=start_node[i], end=end_node[i],
                                    earliest=round(m.shift[0] * 60), latest=round(m.shift[1] * 60),
                                    max_stops=m.max_visits if m.max_visits is not None else 1_000_000))
            vehicle_manager.append(i)
            vehicle_day.append(day)

    pattern_cache: dict[tuple[int, int], tuple[tuple[int, ...], ...]] = {}

    def patterns(visits: int, min_gap: int) -> tuple[tuple[int, ...], ...]:
        # One tuple per rule, shared by every task of that rule (a long cycle has many patterns).
        if (visits, min_gap) not in pattern_cache:
            pattern_cache[visits, min_gap] = tuple(enumerate_patterns(visits, min_gap, problem.num_days))
        return pattern_cache[visits, min_gap]

    grouped = {i for i, _, _ in further}
    tasks = []
    for i, c in enumerate(customers):
        preferred = manager_index.get(c.current_manager, -1) if c.current_manager else -1
        tasks.append(Task(node=i, service=round(c.service_min * 60), earliest=round(c.window[0] * 60),
                          latest=round(c.window[1] * 60), patterns=patterns(c.visits, c.min_gap),
                          owners=tuple(eligible[i]), preferred_owner=_preferred(terms, i, preferred),
                          kept_days=() if terms is None else terms.kept_days[i], group=i if i in grouped else -1,
                          label=c.customer_id))
    for i, level, allowed in further:
        rule = problem.visit_rules(customers[i])[level]
        tasks.append(Task(node=i, service=round(rule.service_min * 60), earliest=round(rule.window[0] * 60),
                          latest=round(rule.window[1] * 60), patterns=patterns(rule.visits, rule.min_gap),
                          owners=allowed, group=i, label=f"{customers[i].customer_id}#{level}"))
    instance = Instance(num_days=problem.num_days, num_owners=len(managers), dist=km, time=seconds,
                        vehicles=tuple(vehicles), tasks=tuple(tasks), consistent=problem.consistent,
                        distance_cost=0.0, time_cost=1.0, balance_groups=tuple(balance_groups),
                        balance_weight=balance_weight, balance_tolerance=BAND_AIM * problem.balance.tolerance,
                        balance_floor=BAND_AIM * BALANCE_FLOOR_MIN * 60.0, day_balance_weight=day_balance_weight,
                        day_balance_tolerance=BAND_AIM * problem.balance.day_tolerance,
                        day_balance_floor=BAND_AIM * DAY_BALANCE_FLOOR_MIN * 60.0,
                        stability_cost=stability_cost, day_change_cost=0.0 if terms is None else terms.day_cost,
                        max_moved=-1 if terms is None else terms.max_moved,
                        compactness_weight=compactness_weight, name=problem.name,
                        symmetric=travel_model(problem.travel).symmetric)
    return Formulation(problem=problem, instance=instance, strategy=strategy,
                       vehicle_manager=np.array(vehicle_manager, dtype=np.int64),
                       vehicle_day=np.array(vehicle_day, dtype=np.int64), node_lon=node_lon, node_lat=node_lat,
                       km=km, eligible=tuple(tuple(e) for e in eligible),
                       start_node=np.array(start_node, dtype=np.int64), end_node=np.array(end_node, dtype=np.int64),
                       task_customer=np.array(list(range(len(customers))) + [i for i, _, _ in further],
                                              dtype=np.int64),
                       task_level=np.array([0] * len(customers) + [level for _, level, _ in further],
                                           dtype=np.int64))
