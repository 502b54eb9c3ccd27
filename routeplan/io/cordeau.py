"""The periodic VRP instances of Cordeau, Gendreau & Laporte (1997) and their solution files.

Instance format: ``type m n t``; then ``t`` lines ``D Q`` (max duration, 0 = none; capacity);
then one line per node ``i x y d q f a c1 .. ca`` (node 0 the depot) where each combination is a
``t``-bit integer with day 1 as the leftmost bit. Solution format: the cost, then one line per
route ``day vehicle duration load 0 c1 .. ck 0``.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputIssue, ScenarioError
from ..solver.instance import Instance, Task, Vehicle


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

    def to_instance(self) -> Instance:
        """The engine instance: Euclidean distances, speed 1, no owner consistency."""
        dist = self.distance_matrix()
        vehicles = tuple(Vehicle(day=day, owner=k, start=0, end=0, capacity=self.capacity[day],
                                 max_duration=self.max_duration[day])
                         for day in range(self.num_days) for k in range(self.vehicles_per_day))
        tasks = tuple(Task(node=i + 1, service=float(self.service[i + 1]), demand=float(self.demand[i + 1]),
                           patterns=self.combinations[i], label=str(i + 1))
                      for i in range(self.num_customers))
        return Instance(num_days=self.num_days, num_owners=self.vehicles_per_day, dist=dist, time=dist.copy(),
                        vehicles=vehicles, tasks=tasks, consistent=False, distance_cost=1.0, time_cost=0.0,
                        name=self.name)


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
                         for a, b in zip(nodes, nodes[1:])))
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
