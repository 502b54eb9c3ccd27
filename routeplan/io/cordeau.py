"""The periodic VRP instances of Cordeau, Gendreau & Laporte (1997) and their solution files.

Instance format: ``type m n t``; then ``t`` lines ``D Q`` (max duration, 0 = none; capacity);
then one line per node ``i x y d q f a c1 .. ca`` (node 0 the depot) where each combination is a
``t``-bit integer with day 1 as the leftmost bit. Solution format: the cost, then one line per
route ``day vehicle duration load 0 c1 .. ck 0``.

:func:`check_solution` recomputes a solution's cost from the coordinates and checks it against
the instance; :func:`solution_routes` turns an engine solution into Cordeau routes.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

from ..errors import InputIssue, ScenarioError

logger = logging.getLogger(__name__)

_TOLERANCE = 1e-6  # on loads and durations recomputed in floating point


@dataclass(frozen=True, slots=True, kw_only=True)
class CordeauInstance:
    """One benchmark instance as read from its file (node 0 is the depot)."""

    name: str
    vehicles_per_day: int
    num_days: int
    max_duration: tuple[float, ...]  # per day, inf when unlimited
    capacity: tuple[float, ...]  # per day
    x: np.ndarray
    y: np.ndarray
    service: np.ndarray
    demand: np.ndarray
    combinations: tuple[tuple[tuple[int, ...], ...], ...]  # per customer (index 0 = customer 1)

    @property
    def num_customers(self) -> int:
        return len(self.combinations)

    def distance_matrix(self) -> np.ndarray:
        return np.hypot(self.x[:, None] - self.x[None, :], self.y[:, None] - self.y[None, :])


def decode_combination(code: int, num_days: int) -> tuple[int, ...]:
    """Days (0-based) of a combination code; day 1 is the leftmost of ``num_days`` bits."""
    return tuple(day for day in range(num_days) if code >> (num_days - 1 - day) & 1)


def read_instance(path: str | os.PathLike[str]) -> CordeauInstance:
    """Read a Cordeau PVRP instance file.

    Quirks handled: a customer with ``f = 0`` but listed combinations is read as visited per
    its combinations (once for one-day combinations).
    """
    path = Path(path)
    name = path.stem
    try:
        lines = [line.split() for line in path.read_text().splitlines() if line.strip()]
        kind, m, n, t = (int(v) for v in lines[0][:4])
        if kind != 1:
            raise ValueError(f"problem type {kind} is not a PVRP (type 1)")
        limits = [(float(a), float(b)) for a, b, *_ in lines[1:1 + t]]
        rows = lines[1 + t:1 + t + n + 1]
        if len(rows) != n + 1:
            raise ValueError(f"expected {n + 1} node lines, found {len(rows)}")
    except (IndexError, ValueError) as err:
        raise ScenarioError(InputIssue(path.name, f"not a Cordeau PVRP instance: {err}")) from err
    x = np.zeros(n + 1)
    y = np.zeros(n + 1)
    service = np.zeros(n + 1)
    demand = np.zeros(n + 1)
    combinations = []
    for line_no, row in enumerate(rows, start=2 + t):
        try:
            i = int(row[0])
            x[i], y[i], service[i], demand[i] = (float(v) for v in row[1:5])
            if i == 0:
                continue
            a = int(row[6])
            codes = [int(c) for c in row[7:7 + a]]
            if len(codes) != a:
                raise ValueError(f"expected {a} combinations")
        except (IndexError, ValueError) as err:
            raise ScenarioError(InputIssue(path.name, f"bad node line: {err}", line_no)) from err
        patterns = tuple(decode_combination(code, t) for code in codes)
        sizes = {len(p) for p in patterns}
        if len(sizes) != 1 or 0 in sizes:
            raise ScenarioError(InputIssue(path.name, "combinations must all have the same positive number "
                                                      "of days", line_no))
        combinations.append(patterns)
    return CordeauInstance(name=name, vehicles_per_day=m, num_days=t,
                           max_duration=tuple(d if d > 0 else math.inf for d, _ in limits),
                           capacity=tuple(q for _, q in limits), x=x, y=y, service=service, demand=demand,
                           combinations=tuple(combinations))


@dataclass(frozen=True, slots=True, kw_only=True)
class CordeauRoute:
    day: int  # 0-based
    vehicle: int  # 0-based
    customers: tuple[int, ...]  # customer numbers (1-based, as in the file)


def route_figures(inst: CordeauInstance, route: CordeauRoute) -> tuple[float, float, float]:
    """(distance, duration, load) of a route: duration = distance + service time."""
    nodes = (0, *route.customers, 0)
    distance = float(sum(math.hypot(inst.x[a] - inst.x[b], inst.y[a] - inst.y[b])
                         for a, b in pairwise(nodes)))
    service = float(sum(inst.service[c] for c in route.customers))
    load = float(sum(inst.demand[c] for c in route.customers))
    return distance, distance + service, load


def write_solution(path: str | os.PathLike[str], inst: CordeauInstance, routes: list[CordeauRoute]) -> float:
    """Write routes in the Cordeau solution format; returns the total cost written."""
    lines = []
    total = 0.0
    for route in sorted(routes, key=lambda r: (r.day, r.vehicle)):
        if not route.customers:
            continue
        distance, duration, load = route_figures(inst, route)
        total += distance
        body = " ".join(str(c) for c in (0, *route.customers, 0))
        lines.append(f"{route.day + 1} {route.vehicle + 1} {duration:.2f} {load:g} {body}")
    Path(path).write_text(f"{total:.2f}\n" + "\n".join(lines) + "\n")
    return total


def read_solution(path: str | os.PathLike[str]) -> tuple[float, list[CordeauRoute]]:
    """Read a Cordeau solution file: (stated cost, routes)."""
    path = Path(path)
    lines = [line.split() for line in path.read_text().splitlines() if line.strip()]
    try:
        cost = float(lines[0][0])
        routes = []
        for row in lines[1:]:
            stops = [int(v) for v in row[4:]]
            customers = tuple(c for c in stops if c != 0)
            routes.append(CordeauRoute(day=int(row[0]) - 1, vehicle=int(row[1]) - 1, customers=customers))
    except (IndexError, ValueError) as err:
        raise ScenarioError(InputIssue(path.name, f"not a Cordeau solution file: {err}")) from err
    return cost, routes


@dataclass(frozen=True, slots=True, kw_only=True)
class SolutionCheck:
    """What :func:`check_solution` found.

    Attributes
    ----------
    cost
        Total Euclidean length of the routes, recomputed from the coordinates (unrounded, service
        time excluded); stops with invalid customer numbers are left out of it.
    feasible
        True when no problem was found (every visit placed, every rule kept).
    visits_missing
        Visits required but not made: all ``f`` visits of a customer visited on no day, and the
        shortfall of a customer visited on fewer days than its combinations have.
    problems
        One human-readable message per problem found.
    """

    cost: float
    feasible: bool
    visits_missing: int
    problems: tuple[str, ...]


def check_solution(inst: CordeauInstance, routes: Sequence[CordeauRoute]) -> SolutionCheck:
    """Recompute the cost of ``routes`` and check them against ``inst``.

    Parameters
    ----------
    inst
        The instance the routes claim to solve.
    routes
        The routes, e.g. from :func:`read_solution` or :func:`solution_routes`. Empty routes are
        ignored (they neither cost nor count as a vehicle).

    Returns
    -------
    SolutionCheck
        The recomputed cost and every problem found. The checks: valid day and customer numbers;
        no customer twice on one day; every customer visited on exactly the days of one of its
        allowed combinations (a customer with ``f = 0`` is read with its combinations, see
        :func:`read_instance`); at most ``m`` routes per day; each route's load within the day's
        capacity ``Q`` and, when the day has a limit ``D``, its duration (distance plus service
        times) within ``D``. Nothing raises: an unvisited customer is reported with its visits
        counted as missing.
    """
    n = inst.num_customers
    problems: list[str] = []
    visit_days: list[list[int]] = [[] for _ in range(n + 1)]
    routes_per_day = [0] * inst.num_days
    total = 0.0
    for route in routes:
        if not route.customers:
            continue
        label = f"route day {route.day + 1} vehicle {route.vehicle + 1}"
        invalid = [c for c in route.customers if not 1 <= c <= n]
        if invalid:
            problems.append(f"{label}: invalid customer numbers {invalid} (valid: 1..{n})")
        valid = CordeauRoute(day=route.day, vehicle=route.vehicle,
                             customers=tuple(c for c in route.customers if 1 <= c <= n))
        distance, duration, load = route_figures(inst, valid)
        total += distance
        if not 0 <= route.day < inst.num_days:
            problems.append(f"{label}: invalid day (valid: 1..{inst.num_days})")
            continue
        routes_per_day[route.day] += 1
        for c in valid.customers:
            visit_days[c].append(route.day)
        capacity = inst.capacity[route.day]
        if load > capacity + _TOLERANCE:
            problems.append(f"{label}: load {load:g} exceeds the capacity {capacity:g}")
        limit = inst.max_duration[route.day]
        if math.isfinite(limit) and duration > limit + _TOLERANCE:
            problems.append(f"{label}: duration {duration:.2f} exceeds the limit {limit:g}")
    for day, count in enumerate(routes_per_day):
        if count > inst.vehicles_per_day:
            problems.append(f"day {day + 1}: {count} routes, more than the {inst.vehicles_per_day} vehicles")
    missing = 0
    for c in range(1, n + 1):
        allowed = inst.combinations[c - 1]
        required = len(allowed[0])
        days = visit_days[c]
        distinct = sorted(set(days))
        if len(distinct) < len(days):
            twice = sorted({d + 1 for d in days if days.count(d) > 1})
            problems.append(f"customer {c}: visited more than once on day(s) {twice}")
        if not days:
            missing += required
            problems.append(f"customer {c}: not visited ({required} visit(s) missing)")
            continue
        missing += max(0, required - len(distinct))
        if tuple(distinct) not in allowed:
            problems.append(f"customer {c}: visited on days {[d + 1 for d in distinct]}, not one of its "
                            f"allowed combinations {[[d + 1 for d in p] for p in allowed]}")
    return SolutionCheck(cost=total, feasible=not problems, visits_missing=missing, problems=tuple(problems))
