"""From a planning problem to the engine's generic instance, and back.

Nodes are the customers, then every distinct manager start or end place. Times are whole seconds
after midnight (travel times rounded up), so that written plans are exact and conservative.
The objective counts travel time; work balance is asked for over each group of interchangeable
managers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import ArgumentError
from ..model.problem import BALANCE_FLOOR_MIN, DAY_BALANCE_FLOOR_MIN, Point, Problem
from ..roads.resolve import travel_model
from ..solver.instance import Instance, Task, Vehicle
from ..solver.patterns import enumerate_patterns
from .context import PlanningContext
from .replan import StabilityTerms
from .workload import customer_work as customer_work
from .workload import whole_seconds as whole_seconds

#: Weight of the workload-balance term (see :mod:`routeplan.solver.kernels.objective`): each
#: second of a manager's work beyond its band costs half a second of travel, and more the farther
#: out it is; inside the band (the problem's balance tolerance) only travel counts. Measured on the
#: Kuiwen sample (60 s, seed 0, tolerance 0.10): 0.5 keeps every manager inside the band with the
#: least travel of the weights tried (0.2 left managers just outside it; 1, 2 and 10 travelled 2,
#: 3 and 9% more, the search hemmed in by the penalty).
DEFAULT_BALANCE_WEIGHT = 0.5
#: The planner aims this share of the way to the edge of each balance band: the penalty starts
#: there, so that a plan pressed against it still lies inside the band the user set (which the
#: report measures with minutes rounded, and with any wait for a shop to open).
BAND_AIM = 0.9
#: Weight of the day-balance term: each route's work beyond the band around its manager's mean
#: route (the problem's day tolerance). At 1.0 the sample travelled 8% more than at 0.2.
DEFAULT_DAY_BALANCE_WEIGHT = 0.2
#: Weight of territory compactness: seconds of cost per second of travel between a visit and the
#: centre of its manager's territory.
DEFAULT_COMPACTNESS_WEIGHT = 0.1


@dataclass(frozen=True, slots=True, kw_only=True)
class Weights:
    """How the formulation weighs balance and compactness against travel (see
    :mod:`routeplan.solver.kernels.objective`); the defaults are this module's constants, each
    measured (see their comments).

    Attributes
    ----------
    balance
        Seconds of cost per second of a manager's work outside its band (the problem's
        ``balance.tolerance``), and more the farther out it is (:data:`DEFAULT_BALANCE_WEIGHT`).
    day_balance
        The same for a route's work outside the band around its manager's mean route (the
        problem's ``balance.day_tolerance``; :data:`DEFAULT_DAY_BALANCE_WEIGHT`).
    compactness
        Seconds of cost per second of travel between a visit and the centre of its manager's
        territory (:data:`DEFAULT_COMPACTNESS_WEIGHT`).
    band_aim
        Share of the way to the edge of each balance band where the penalty starts
        (:data:`BAND_AIM`), in (0, 1].
    """

    balance: float = DEFAULT_BALANCE_WEIGHT
    day_balance: float = DEFAULT_DAY_BALANCE_WEIGHT
    compactness: float = DEFAULT_COMPACTNESS_WEIGHT
    band_aim: float = BAND_AIM

    def __post_init__(self) -> None:
        for name in ("balance", "day_balance", "compactness", "band_aim"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ArgumentError(f"weights.{name}", f"{value!r} is not a number of 0 or more")
        if not 0 < self.band_aim <= 1:
            raise ArgumentError("weights.band_aim", f"{self.band_aim!r} is not a share in (0, 1]")


@dataclass(frozen=True, slots=True, kw_only=True)
class Formulation:
    """An engine instance together with what is needed to read its solutions as a plan.

    Task ``i`` is customer ``i``'s own visits (level 0) for ``i`` below the number of customers;
    the tasks after them are the visits of further levels (``task_customer``, ``task_level``:
    whose and which), each in the group of its customer so that no two levels share a day.
    Owner ``o`` is manager ``o``; ``vehicle_manager``/``vehicle_day`` say whose day each vehicle
    is; ``km`` is the node matrix of road kilometres (the instance's ``time`` holds the travel
    seconds, rounded up); ``context`` holds the problem, the strategy and the managers allowed
    per customer (level 0); ``start_node``/``end_node`` are each manager's places.
    """

    context: PlanningContext
    instance: Instance
    vehicle_manager: np.ndarray
    vehicle_day: np.ndarray
    node_lon: np.ndarray
    node_lat: np.ndarray
    km: np.ndarray
    start_node: np.ndarray
    end_node: np.ndarray
    task_customer: np.ndarray
    task_level: np.ndarray

    @property
    def problem(self) -> Problem:
        return self.context.problem

    @property
    def strategy(self) -> str:
        return self.context.strategy

    @property
    def eligible(self) -> tuple[tuple[int, ...], ...]:
        """The managers allowed per customer (level 0)."""
        return self.context.eligible

    def customer_of(self, task: int) -> int:
        """The position of task ``task``'s customer."""
        return int(self.task_customer[task])

    def level_of(self, task: int) -> int:
        """Which level of its customer's visits task ``task`` is (0: the tier's own)."""
        return int(self.task_level[task])


def _preferred(terms: StabilityTerms | None, customer: int, otherwise: int) -> int:
    return otherwise if terms is None else terms.preferred[customer]


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
        Name recorded with the plan (the hand-out is the roles'; a strategy's own hand-out comes
        with :func:`formulate_strategy`).
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
    context = PlanningContext.with_eligible(problem, strategy, problem.eligible_indices())
    weights = Weights(balance=balance_weight, day_balance=day_balance_weight, compactness=compactness_weight)
    return formulation_of(context, weights=weights, stability_cost=stability_cost)


def formulate_strategy(problem: Problem, strategy: str, **options: float) -> Formulation:
    """The engine formulation of ``problem`` under ``strategy``'s hand-out
    (:mod:`routeplan.planning.strategies`); ``options`` are the weights of :func:`formulate`."""
    context = PlanningContext.of(problem, strategy, estimate=False)
    weights = Weights(balance=options.get("balance_weight", DEFAULT_BALANCE_WEIGHT),
                      day_balance=options.get("day_balance_weight", DEFAULT_DAY_BALANCE_WEIGHT),
                      compactness=options.get("compactness_weight", DEFAULT_COMPACTNESS_WEIGHT))
    return formulation_of(context, weights=weights, stability_cost=options.get("stability_cost"))


def formulation_of(context: PlanningContext, *, weights: Weights | None = None,
                   stability_cost: float | None = None) -> Formulation:
    """The engine instance of a run's problem (see :func:`formulate`), from what its context
    decided: the hand-out, the groups balanced, the re-plan's terms.

    Parameters
    ----------
    context
        The problem and the rules of its run.
    weights
        Balance and compactness against travel (default: :class:`Weights`).
    stability_cost
        Cost, in seconds of travel, of moving a customer away from its ``current_manager``
        (default: the context's re-plan terms; 0 for a plan from scratch).
    """
    weights = weights or Weights()
    problem = context.problem
    customers = problem.customers
    managers = problem.managers
    manager_index = {m.manager_id: i for i, m in enumerate(managers)}
    eligible = context.eligible
    further = problem.level_tasks()  # (customer, level, managers allowed) of levels 1 and up
    terms = context.terms
    if stability_cost is None:
        stability_cost = 0.0 if terms is None else terms.move_cost
    balance_groups = context.balance_groups()

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
            rest = m.break_
            vehicles.append(Vehicle(day=day, owner=i, start=start_node[i], end=end_node[i],
                                    earliest=round(m.shift[0] * 60), latest=round(m.shift[1] * 60),
                                    max_stops=m.max_visits if m.max_visits is not None else 1_000_000,
                                    break_earliest=0.0 if rest is None else round(rest.earliest * 60),
                                    break_latest=0.0 if rest is None else round(rest.latest * 60),
                                    break_length=0.0 if rest is None else round(rest.minutes * 60)))
            vehicle_manager.append(i)
            vehicle_day.append(day)

    pattern_cache: dict[tuple[int, int], tuple[tuple[int, ...], ...]] = {}
    free_cache: dict[tuple[int, int, tuple[int, ...]], tuple[tuple[int, ...], ...]] = {}
    taken = context.taken_days

    def patterns(visits: int, min_gap: int, customer: int) -> tuple[tuple[int, ...], ...]:
        # One tuple per rule, shared by every task of that rule (a long cycle has many patterns).
        if (visits, min_gap) not in pattern_cache:
            pattern_cache[visits, min_gap] = tuple(enumerate_patterns(visits, min_gap, problem.num_days))
        if taken is None or not taken[customer]:
            return pattern_cache[visits, min_gap]
        # Days the customer's visits planned elsewhere hold are none of these visits' days.
        key = (visits, min_gap, taken[customer])
        if key not in free_cache:
            free_cache[key] = free_patterns(pattern_cache[visits, min_gap], taken[customer])
            if not free_cache[key]:
                raise ValueError(f"customer {customers[customer].customer_id}: no pattern of {visits} visits at "
                                 f"least {min_gap} days apart avoids its taken days {taken[customer]}")
        return free_cache[key]

    grouped = {i for i, _, _ in further}
    tasks = []
    for i, c in enumerate(customers):
        preferred = manager_index.get(c.current_manager, -1) if c.current_manager else -1
        tasks.append(Task(node=i, service=round(c.service_min * 60), earliest=round(c.window[0] * 60),
                          latest=round(c.window[1] * 60), patterns=patterns(c.visits, c.min_gap, i),
                          owners=tuple(eligible[i]), preferred_owner=_preferred(terms, i, preferred),
                          kept_days=() if terms is None else terms.kept_days[i], group=i if i in grouped else -1,
                          label=c.customer_id))
    for i, level, allowed in further:
        rule = problem.visit_rules(customers[i])[level]
        tasks.append(Task(node=i, service=round(rule.service_min * 60), earliest=round(rule.window[0] * 60),
                          latest=round(rule.window[1] * 60), patterns=patterns(rule.visits, rule.min_gap, i),
                          owners=allowed, group=i, label=f"{customers[i].customer_id}#{level}"))
    instance = Instance(num_days=problem.num_days, num_owners=len(managers), dist=km, time=seconds,
                        vehicles=tuple(vehicles), tasks=tuple(tasks), consistent=problem.consistent,
                        distance_cost=0.0, time_cost=1.0, balance_groups=tuple(balance_groups),
                        balance_weight=weights.balance,
                        balance_tolerance=weights.band_aim * problem.balance.tolerance,
                        balance_floor=weights.band_aim * BALANCE_FLOOR_MIN * 60.0,
                        day_balance_weight=weights.day_balance,
                        day_balance_tolerance=weights.band_aim * problem.balance.day_tolerance,
                        day_balance_floor=weights.band_aim * DAY_BALANCE_FLOOR_MIN * 60.0,
                        stability_cost=stability_cost, day_change_cost=0.0 if terms is None else terms.day_cost,
                        max_moved=-1 if terms is None else terms.max_moved,
                        compactness_weight=weights.compactness, name=problem.name,
                        symmetric=travel_model(problem.travel).symmetric)
    return Formulation(context=context, instance=instance,
                       vehicle_manager=np.array(vehicle_manager, dtype=np.int64),
                       vehicle_day=np.array(vehicle_day, dtype=np.int64), node_lon=node_lon, node_lat=node_lat,
                       km=km,
                       start_node=np.array(start_node, dtype=np.int64), end_node=np.array(end_node, dtype=np.int64),
                       task_customer=np.array(list(range(len(customers))) + [i for i, _, _ in further],
                                              dtype=np.int64),
                       task_level=np.array([0] * len(customers) + [level for _, level, _ in further],
                                           dtype=np.int64))


def free_patterns(patterns: tuple[tuple[int, ...], ...], taken: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """Those of ``patterns`` that use none of the ``taken`` days."""
    busy = set(taken)
    return tuple(p for p in patterns if busy.isdisjoint(p))
