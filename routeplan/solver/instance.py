"""The engine's input: a generic periodic vehicle routing instance.

Every planning problem is translated into this one form, and so are the classic periodic VRP
benchmark instances. It knows nothing of tiers, roles or districts:

- *nodes* are places, with a distance matrix (the cost measure) and a time matrix;
- a *task* is one customer's visit requirement: a node, service time, time window, demand, the
  allowed visit-day *patterns* and the *owners* allowed to serve it;
- a *vehicle* is one route slot: an owner working on one day, with start and end nodes, a time
  window, capacity, maximum duration and maximum number of stops.

With ``consistent`` every visit of a task is made by the same owner (a customer manager); without
it any vehicle of the day may serve any visit (the classic PVRP).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

INF = math.inf


@dataclass(frozen=True, slots=True, kw_only=True)
class Vehicle:
    """One route slot: ``owner`` working on ``day``.

    ``earliest``/``latest`` bound departure from ``start`` and return to ``end``. ``max_duration``
    bounds travel plus service time of the route. With ``break_length`` > 0 the route holds a break
    of that length starting between ``break_earliest`` and ``break_latest``: at the start before
    leaving, at a stop before driving on, or at the end after the return (inside ``latest``).
    """

    day: int
    owner: int
    start: int
    end: int
    earliest: float = 0.0
    latest: float = INF
    capacity: float = INF
    max_duration: float = INF
    max_stops: int = 1_000_000
    break_earliest: float = 0.0
    break_latest: float = 0.0
    break_length: float = 0.0  # 0: no break


@dataclass(frozen=True, slots=True, kw_only=True)
class Task:
    """One visit requirement.

    ``patterns`` lists the allowed sets of days (each a sorted tuple); a visit starts within
    ``[earliest, latest]``. ``owners`` lists the owners allowed to serve the task (None: any; empty: none, the task
    stays unassigned).
    ``preferred_owner`` (or -1) is the owner that keeps the task without a stability cost;
    ``kept_days`` are the days it was visited on before (a visit on any other day costs the
    instance's ``day_change_cost``). Tasks of one ``group`` (0 or more; -1: none), such as the
    visit levels of one customer, never have visits on the same day.
    """

    node: int
    service: float = 0.0
    earliest: float = 0.0
    latest: float = INF
    demand: float = 0.0
    patterns: tuple[tuple[int, ...], ...]
    owners: tuple[int, ...] | None = None
    preferred_owner: int = -1
    kept_days: tuple[int, ...] = ()
    group: int = -1
    label: str = ""

    @property
    def visits(self) -> int:
        return len(self.patterns[0]) if self.patterns else 0


@dataclass(frozen=True, kw_only=True, eq=False)
class Instance:
    """A periodic routing instance (see the module docstring).

    The objective is ``distance_cost`` per unit of distance plus ``time_cost`` per unit of travel
    time, plus ``balance_weight`` times the penalty of each owner's work (travel plus service
    time) outside the band ``balance_tolerance`` around its share of its ``balance_groups``
    group's work (never narrower than ``balance_floor`` either side), or, where
    ``balance_utilisation`` gives the group a utilisation above 0, around its working time times
    that utilisation (a part of a larger plan aims at the whole group's mean), plus
    ``day_balance_weight`` times the same for each route against its owner's mean route with
    the band ``day_balance_tolerance`` (at least ``day_balance_floor``; the terms are defined in
    :mod:`routeplan.solver.kernels.objective`), plus ``stability_cost`` per task not served by
    its preferred owner, plus ``day_change_cost`` per visit on a day not among the task's
    ``kept_days`` (when it has any), plus (with consistency) ``compactness_weight`` times each
    visit's travel time from its owner's territory centre (the medoid of the owner's tasks),
    which keeps territories in one piece. With ``max_moved`` of 0 or more, at most that many
    tasks that have a preferred owner are served by another (a hard limit). ``symmetric`` says
    whether both matrices equal their transposes (found out when not given).
    """

    num_days: int
    num_owners: int
    dist: np.ndarray
    time: np.ndarray
    vehicles: tuple[Vehicle, ...]
    tasks: tuple[Task, ...]
    consistent: bool = True
    distance_cost: float = 1.0
    time_cost: float = 0.0
    balance_groups: tuple[tuple[int, ...], ...] = ()
    balance_utilisation: tuple[float, ...] = ()
    balance_weight: float = 0.0
    balance_tolerance: float = 0.0
    balance_floor: float = 0.0
    day_balance_weight: float = 0.0
    day_balance_tolerance: float = 0.0
    day_balance_floor: float = 0.0
    stability_cost: float = 0.0
    day_change_cost: float = 0.0
    max_moved: int = -1
    compactness_weight: float = 0.0
    name: str = ""
    symmetric: bool | None = None

    def __post_init__(self) -> None:
        n = self.dist.shape[0]
        if self.dist.shape != (n, n) or self.time.shape != (n, n):
            raise ValueError("dist and time must be square matrices of the same size")
        if self.symmetric is None:
            object.__setattr__(self, "symmetric", _symmetric(self.dist) and _symmetric(self.time))

    @property
    def num_tasks(self) -> int:
        return len(self.tasks)

    @property
    def num_vehicles(self) -> int:
        return len(self.vehicles)

    def visits_required(self) -> int:
        return sum(task.visits for task in self.tasks)


def _symmetric(matrix: np.ndarray, *, block: int = 1024) -> bool:
    """Whether ``matrix`` equals its transpose (to rounding), compared in blocks of rows."""
    n = matrix.shape[0]
    for first in range(0, n, block):
        rows = slice(first, min(n, first + block))
        if not np.allclose(matrix[rows], matrix[:, rows].T):
            return False
    return True
