"""An independent checker of VRPTW solutions in VRPLIB form, by the DIMACS 2021 rules.

    python benchmarks/vrptw_check.py INSTANCE.vrp SOLUTION.sol

It shares no code with routeplan or with any solver: it reads the instance text and the solution
text itself (standard library only) and recomputes everything in integer tenths, so no sum of
floats can hide a late arrival:

- distances and travel times are Euclidean, truncated to one decimal (``floor(10 d) / 10``);
  times, service times, demands and capacities are read exactly and counted in tenths too;
- every customer (nodes other than the depot, numbered ``1..n`` in the solution as in VRPLIB
  solutions: the instance's node ``i + 1``) is visited exactly once, and no route visits the
  depot or an unknown node;
- each route leaves the depot when it opens, starts each visit at the arrival or when the
  customer's window opens, whichever is later, and no later than the window's end; a visit
  lasts its service time; the route is back at the depot by the depot's due date;
- the load of each route is at most ``CAPACITY``; the number of routes at most ``VEHICLES``
  when the instance gives it;
- the cost is the total distance, and it must match the solution's ``Cost`` line (to the
  tenth it is written in).

Exit status 0 when the solution is feasible, 1 otherwise (the problems are printed).
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from pathlib import Path

_SECTIONS = ("NODE_COORD_SECTION", "DEMAND_SECTION", "TIME_WINDOW_SECTION", "SERVICE_TIME_SECTION",
             "DEPOT_SECTION")
_ROUTE = re.compile(r"^Route\s*#\s*(\d+)\s*:(.*)$", re.IGNORECASE)
_COST = re.compile(r"^Cost\s+(\S+)\s*$", re.IGNORECASE)


class FormatError(ValueError):
    """A file that is not a VRPTW instance or solution in VRPLIB form (says which file and line)."""


def tenths(text: str) -> int:
    """``floor(10 x)`` of a number written in ``text``, exactly (no float rounding)."""
    try:
        return int((Decimal(text) * 10).to_integral_value(rounding=ROUND_FLOOR))
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {text!r}") from exc


@dataclass(frozen=True)
class VrptwInstance:
    """A VRPTW instance, every quantity in integer tenths; node 0 is the depot."""

    name: str
    capacity: int
    vehicles: int | None
    coords: tuple[tuple[Decimal, Decimal], ...]
    demand: tuple[int, ...]
    early: tuple[int, ...]
    late: tuple[int, ...]
    service: tuple[int, ...]

    @property
    def customers(self) -> int:
        return len(self.coords) - 1

    def distance(self, a: int, b: int) -> int:
        """The DIMACS distance (and travel time) from node ``a`` to ``b``, in tenths."""
        (xa, ya), (xb, yb) = self.coords[a], self.coords[b]
        return math.floor(10 * math.hypot(float(xa - xb), float(ya - yb)))


def read_instance(path: Path) -> VrptwInstance:
    """Read a VRPLIB CVRPTW instance (EUC_2D, one depot)."""
    header: dict[str, str] = {}
    sections: dict[str, list[tuple[int, list[str]]]] = {}
    current: str | None = None
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if not line or line == "EOF":
            continue
        word = line.split()[0].rstrip(":").upper()
        if word in _SECTIONS or word.endswith("_SECTION"):
            current = word
            sections[current] = []
        elif current is None and ":" in line:
            key, value = line.split(":", 1)
            header[key.strip().upper()] = value.strip()
        elif current is not None:
            sections[current].append((number, line.split()))
        else:
            raise FormatError(f"{path}, line {number}: expected 'KEY : value' or a section, got {line!r}")
    if header.get("EDGE_WEIGHT_TYPE", "EUC_2D").upper() != "EUC_2D":
        raise FormatError(f"{path}: EDGE_WEIGHT_TYPE {header['EDGE_WEIGHT_TYPE']} (only EUC_2D is checked)")
    for needed in ("DIMENSION", "CAPACITY"):
        if needed not in header:
            raise FormatError(f"{path}: no {needed} in the header")
    for needed in ("NODE_COORD_SECTION", "DEMAND_SECTION", "TIME_WINDOW_SECTION"):
        if needed not in sections:
            raise FormatError(f"{path}: no {needed}")
    n = int(header["DIMENSION"])
    depots = [int(row[0]) for _, row in sections.get("DEPOT_SECTION", [(0, ["1"])]) if int(row[0]) != -1]
    if depots != [1]:
        raise FormatError(f"{path}: the depot must be node 1 and the only one (DEPOT_SECTION gives {depots})")

    def column(section: str, width: int, default: str | None = None) -> list[list[str]]:
        values: list[list[str] | None] = [None] * n
        for number, row in sections.get(section, []):
            if len(row) != width + 1:
                raise FormatError(f"{path}, line {number}: {section} rows have {width + 1} fields, got {len(row)}")
            node = int(row[0])
            if not 1 <= node <= n:
                raise FormatError(f"{path}, line {number}: node {node} outside 1..{n}")
            values[node - 1] = row[1:]
        missing = [i + 1 for i, v in enumerate(values) if v is None]
        if missing and default is None:
            raise FormatError(f"{path}: {section} lacks nodes {missing[:5]}")
        return [v if v is not None else [default] * width for v in values]  # type: ignore[list-item]

    coords = tuple((Decimal(x), Decimal(y)) for x, y in column("NODE_COORD_SECTION", 2))
    service_default = header.get("SERVICE_TIME", "0")
    service = [tenths(s[0]) for s in column("SERVICE_TIME_SECTION", 1, service_default)]
    service[0] = 0  # the depot's service time (a header SERVICE_TIME is the customers')
    windows = column("TIME_WINDOW_SECTION", 2)
    vehicles = int(header["VEHICLES"]) if "VEHICLES" in header else None
    return VrptwInstance(name=header.get("NAME", path.stem), capacity=tenths(header["CAPACITY"]), vehicles=vehicles,
                         coords=coords, demand=tuple(tenths(d[0]) for d in column("DEMAND_SECTION", 1)),
                         early=tuple(tenths(w[0]) for w in windows), late=tuple(tenths(w[1]) for w in windows),
                         service=tuple(service))


def read_solution(path: Path) -> tuple[list[list[int]], Decimal | None]:
    """The routes (customer numbers, 1..n) and the stated cost (None when the file has no Cost line)."""
    routes: list[list[int]] = []
    cost: Decimal | None = None
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if match := _ROUTE.match(line):
            try:
                routes.append([int(c) for c in match[2].split()])
            except ValueError as exc:
                raise FormatError(f"{path}, line {number}: a route lists whole customer numbers: {line!r}") from exc
        elif match := _COST.match(line):
            try:
                cost = Decimal(match[1])
            except InvalidOperation as exc:
                raise FormatError(f"{path}, line {number}: Cost is not a number: {line!r}") from exc
        else:
            raise FormatError(f"{path}, line {number}: expected 'Route #k: ...' or 'Cost X', got {line!r}")
    return routes, cost


@dataclass
class Check:
    """What the checker found: the recomputed cost (in the instance's unit), the number of
    non-empty routes, and every rule broken (empty when feasible)."""

    cost: float
    routes: int
    problems: list[str] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return not self.problems


def check(inst: VrptwInstance, routes: list[list[int]], stated: Decimal | None = None) -> Check:
    """Check ``routes`` (customer numbers 1..n) against ``inst``; ``stated`` is the claimed cost."""
    problems: list[str] = []
    seen: dict[int, int] = {}
    total = 0
    used = [r for r in routes if r]
    for k, route in enumerate(used, start=1):
        clock, load, previous = inst.early[0], 0, 0
        for customer in route:
            if not 1 <= customer <= inst.customers:
                problems.append(f"route {k}: {customer} is not a customer (1..{inst.customers})")
                continue
            if customer in seen:
                problems.append(f"customer {customer} visited twice (routes {seen[customer]} and {k})")
            seen[customer] = k
            leg = inst.distance(previous, customer)
            total += leg
            arrival = clock + leg
            start = max(arrival, inst.early[customer])
            if start > inst.late[customer]:
                problems.append(f"route {k}: customer {customer} starts at {start / 10:g}, "
                                f"after its window closes at {inst.late[customer] / 10:g}")
            clock = start + inst.service[customer]
            load += inst.demand[customer]
            previous = customer
        leg = inst.distance(previous, 0)
        total += leg
        if clock + leg > inst.late[0]:
            problems.append(f"route {k}: back at the depot at {(clock + leg) / 10:g}, "
                            f"after it closes at {inst.late[0] / 10:g}")
        if load > inst.capacity:
            problems.append(f"route {k}: load {load / 10:g} over the capacity {inst.capacity / 10:g}")
    missing = [c for c in range(1, inst.customers + 1) if c not in seen]
    if missing:
        problems.append(f"{len(missing)} customer(s) never visited: {missing[:10]}")
    if inst.vehicles is not None and len(used) > inst.vehicles:
        problems.append(f"{len(used)} routes, more than the {inst.vehicles} vehicles")
    if stated is None:
        problems.append("the solution states no cost")
    elif abs(stated * 10 - total) >= Decimal("0.5"):
        problems.append(f"stated cost {stated} but the routes cost {total / 10:.1f}")
    return Check(cost=total / 10, routes=len(used), problems=problems)


def check_files(instance: Path, solution: Path) -> Check:
    """Read both files and check the solution."""
    routes, stated = read_solution(solution)
    return check(read_instance(instance), routes, stated)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance", type=Path)
    parser.add_argument("solution", type=Path)
    args = parser.parse_args(argv)
    try:
        result = check_files(args.instance, args.solution)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{'feasible' if result.feasible else 'INFEASIBLE'}: {result.routes} routes, cost {result.cost:.1f}")
    for problem in result.problems:
        print(f"  {problem}")
    return 0 if result.feasible else 1


if __name__ == "__main__":
    raise SystemExit(main())
