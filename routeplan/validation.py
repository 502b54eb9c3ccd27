"""Check a plan against its problem: the validity rules of the file contract (section 2).

This checker is deliberately independent of the solver: it imports nothing from
:mod:`routeplan.solver` or :mod:`routeplan.planning` and does not use the solver's travel
matrices. It reads the plan *as written* -- the rows of visits.csv, routes.csv and unserved.csv,
as text -- and recomputes every leg from the contract's definitions: the haversine model, or
paths along the road network with its own Dijkstra (section 4). A :class:`Plan`
object is checked through the very rows it would write, so checking a plan and checking its
written folder give the same verdict.

Every violation found is collected; nothing in the plan's content makes :func:`validate` raise.
Rows are named by their line number in the file (the header is line 1), also for plan objects.
"""

from __future__ import annotations

import csv
import heapq
import json
import logging
import math
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import networkx as nx
import numpy as np
from scipy.spatial import cKDTree

from .errors import InputIssue
from .io.csvfile import read_table
from .io.scenario import read_scenario
from .model.clock import format_hhmmss, parse_hhmmss
from .model.problem import Customer, Manager, Point, Problem, VisitRule, place_id
from .roads.files import read_network

logger = logging.getLogger(__name__)

__all__ = ["ValidationReport", "Violation", "great_circle_km", "validate", "validate_folder"]

VISITS_FILE = "visits.csv"
ROUTES_FILE = "routes.csv"
UNSERVED_FILE = "unserved.csv"
SUMMARY_FILE = "summary.json"

# The columns the contract requires (kept here, not taken from the writer, so a writer that
# drifts from the contract is caught).
VISIT_FIELDS = ("manager_id", "day_index", "day", "seq", "customer_id", "arrival", "start", "end", "travel_km")
ROUTE_FIELDS = ("manager_id", "day_index", "day", "stops", "depart", "return", "travel_km", "travel_min",
                "service_min", "wait_min", "work_min")
UNSERVED_FIELDS = ("customer_id", "visits_missing", "reason")
LEVEL_FIELD = "level"  # of visits.csv and unserved.csv when a tier has visit levels (section 5)
BREAK_FIELD = "break_start"  # of routes.csv when a manager takes a break (section 9)

ROLE_FREE_STRATEGIES = frozenset({"region", "business-type", "value"})
"""Districting strategies that ignore roles on purpose (contract section 3)."""

EARTH_RADIUS_KM = 6371.0088
TIME_TOLERANCE_S = 1.0       # times are written in whole seconds, rounded
LEG_KM_TOLERANCE = 0.01      # absolute, km, per visit ...
LEG_KM_RELATIVE = 0.001      # ... or 0.1 % of the leg, whichever is larger
ROUTE_KM_TOLERANCE = 0.05    # km, per route
WORK_MIN_TOLERANCE = 0.05    # minutes, per route

_HHMMSS = re.compile(r"^\d{1,2}:\d{2}:\d{2}$")
_INTEGER = re.compile(r"^[+-]?\d+$")

RouteKey = tuple[str, int]
"""(manager_id, day_index) of one route."""


class PlanTables(Protocol):
    """What the validator reads of a plan object (a :class:`routeplan.Plan` is one): its
    districting strategy and the tables it writes, by file name, as (header, rows)."""

    @property
    def strategy(self) -> str: ...

    def tables(self) -> dict[str, tuple[tuple[str, ...], Iterable[Sequence[Any]]]]: ...


# ----------------------------------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule.

    Parameters
    ----------
    rule
        Short code such as ``"min-gap"``, ``"travel-time"`` or ``"format"``.
    message
        One line naming the file, row, customer/manager, day and the numbers involved.
    file
        The plan file at fault, if any.
    row
        Line number in that file (header = 1), if the violation belongs to one row.
    """

    rule: str
    message: str
    file: str | None = None
    row: int | None = None

    def __str__(self) -> str:
        return f"{self.message} [{self.rule}]"


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """The verdict on one plan: every violation found and how much was checked."""

    violations: tuple[Violation, ...]
    visits_checked: int
    routes_checked: int

    @property
    def ok(self) -> bool:
        """True when no rule is broken."""
        return not self.violations

    @property
    def rules(self) -> frozenset[str]:
        """The codes of the rules broken."""
        return frozenset(v.rule for v in self.violations)

    def __str__(self) -> str:
        if self.ok:
            return f"valid: {self.visits_checked} visits in {self.routes_checked} routes"
        return "\n".join(str(v) for v in self.violations)


# ----------------------------------------------------------------------------------------------
# Entry points
# ----------------------------------------------------------------------------------------------

def validate(problem: Problem, plan: PlanTables | str | os.PathLike[str], *,
             check_roles: bool | None = None) -> ValidationReport:
    """Check a plan against every validity rule of the file contract.

    Parameters
    ----------
    problem
        The problem the plan is meant to solve.
    plan
        A :class:`~routeplan.Plan` (or any :class:`PlanTables`), or the path of a plan folder holding visits.csv,
        routes.csv and unserved.csv.
    check_roles
        Whether managers' roles must match the tiers' ``roles``. ``None`` (default) checks them
        unless the plan's strategy (``Plan.strategy``, or ``strategy`` in summary.json) is one
        of ``region``, ``business-type`` or ``value``, which ignore roles on purpose. Locks are
        always checked.

    Returns
    -------
    ValidationReport
        Every violation found; ``.ok`` is True for a valid plan.
    """
    level = (LEVEL_FIELD,) if problem.has_levels else ()
    rest = (BREAK_FIELD,) if problem.has_breaks else ()
    tables = (_tables_from_folder(Path(plan), level, rest) if isinstance(plan, (str, os.PathLike))
              else _tables_from_plan(plan, level, rest))
    if check_roles is None:
        check_roles = tables.strategy not in ROLE_FREE_STRATEGIES
        if not check_roles:
            logger.debug("strategy %s ignores roles: role check skipped", tables.strategy)
    report = _Checker(problem, check_roles=check_roles).run(tables)
    logger.debug("validated plan: %d visits, %d routes, %d violations", report.visits_checked,
                 report.routes_checked, len(report.violations))
    return report


def validate_folder(scenario_dir: str | os.PathLike[str], plan_dir: str | os.PathLike[str], *,
                    check_roles: bool | None = None) -> ValidationReport:
    """Read a scenario folder and a plan folder and check the plan.

    Parameters
    ----------
    scenario_dir
        The scenario folder (scenario.toml, customers.csv, managers.csv).
    plan_dir
        The plan folder (visits.csv, routes.csv, unserved.csv, optionally summary.json).
    check_roles
        See :func:`validate`.

    Returns
    -------
    ValidationReport
        Every violation found in the plan.

    Raises
    ------
    ScenarioError
        If the scenario itself cannot be read (problems in the plan never raise).
    """
    return validate(read_scenario(scenario_dir), Path(plan_dir), check_roles=check_roles)


# ----------------------------------------------------------------------------------------------
# Travel, recomputed from the contract's definition
# ----------------------------------------------------------------------------------------------

def great_circle_km(a: Point, b: Point) -> float:
    """Great-circle distance in km between two WGS84 points (haversine, radius 6371.0088 km).

    Parameters
    ----------
    a, b
        The two points.

    Returns
    -------
    float
        Kilometres along the sphere, without any detour factor.
    """
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat = lat2 - lat1
    dlon = math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2.0) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, max(0.0, h))))


# ----------------------------------------------------------------------------------------------
# Reading the plan's rows (as text)
# ----------------------------------------------------------------------------------------------

Rows = list[tuple[int, dict[str, str]]]


@dataclass(slots=True)
class _Tables:
    """The three tables of a plan as text rows, plus what went wrong reading them."""

    visits: Rows = field(default_factory=list)
    routes: Rows = field(default_factory=list)
    unserved: Rows = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)
    issues: list[InputIssue] = field(default_factory=list)
    strategy: str | None = None


@dataclass(frozen=True, slots=True)
class _Leg:
    """One leg as the contract defines it: its km (the range of lengths of the fastest paths,
    ``low`` to ``high``; one value for straight lines) and its seconds."""

    low: float
    high: float
    seconds: float

    @property
    def km(self) -> float:
        return 0.5 * (self.low + self.high)


class _RoadLegs:
    """Legs along a road network, by the contract's section 4, computed here and nowhere else:
    the graph is read with the reader that defines what a network file means
    (:func:`routeplan.roads.files.read_network`), but its largest strongly connected part
    (networkx), the snapping (a tree of unit vectors, exact for the great circle), the fastest
    paths (a plain Dijkstra that keeps the range of lengths of equally fast paths) and the sums
    are this checker's own."""

    def __init__(self, problem: Problem):
        network = read_network(problem.travel.network, speed_kmh=problem.travel.speed_kmh)
        self.speed_kmh = problem.travel.speed_kmh
        self.out: list[list[tuple[int, float, float]]] = [[] for _ in range(network.num_nodes)]
        graph: nx.DiGraph[int] = nx.DiGraph()
        graph.add_nodes_from(range(network.num_nodes))
        for u, v, metres, seconds in zip(network.tail.tolist(), network.head.tolist(), network.length_m.tolist(),
                                         network.seconds.tolist(), strict=True):
            self.out[u].append((v, seconds, metres))
            graph.add_edge(u, v)
        parts: list[set[int]] = list(nx.strongly_connected_components(graph))
        part = np.array(sorted(parts[int(np.argmax([len(p) for p in parts]))]), dtype=np.int64)
        self.part = part
        self.lon, self.lat = network.lon, network.lat
        phi, lam = np.radians(network.lat[part]), np.radians(network.lon[part])
        self.tree = cKDTree(np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)]))
        self.known: dict[tuple[int, int], tuple[float, float, float]] = {}
        self.snapped: dict[tuple[float, float], tuple[int, float]] = {}

    def snap(self, p: Point) -> tuple[int, float]:
        """The node a point snaps to and the great-circle km to it."""
        key = (p.lon, p.lat)
        if key not in self.snapped:
            phi, lam = math.radians(p.lat), math.radians(p.lon)
            _, i = self.tree.query([math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)])
            node = int(self.part[int(i)])
            self.snapped[key] = (node, great_circle_km(p, Point(float(self.lon[node]), float(self.lat[node]))))
        return self.snapped[key]

    def leg(self, a: Point, b: Point) -> _Leg:
        if a == b:
            return _Leg(0.0, 0.0, 0.0)
        (u, access_a), (v, access_b) = self.snap(a), self.snap(b)
        seconds, low, high = self.path(u, v)
        access = access_a + access_b
        return _Leg(access + low / 1000.0, access + high / 1000.0, access / self.speed_kmh * 3600.0 + seconds)

    def path(self, source: int, target: int) -> tuple[float, float, float]:
        """Seconds of the fastest path, and the shortest and longest length (metres) among paths
        that fast."""
        if (source, target) in self.known:
            return self.known[(source, target)]
        best: dict[int, tuple[float, float, float]] = {source: (0.0, 0.0, 0.0)}
        settled: set[int] = set()
        queue = [(0.0, source)]
        while queue:
            time, node = heapq.heappop(queue)
            if node in settled:
                continue
            settled.add(node)
            if node == target:
                break
            _, low, high = best[node]
            for other, seconds, metres in self.out[node]:
                if other in settled:
                    continue
                candidate = time + seconds
                known = best.get(other)
                if known is None or candidate < known[0] - _SAME_TIME * max(1.0, candidate):
                    best[other] = (candidate, low + metres, high + metres)
                    heapq.heappush(queue, (candidate, other))
                elif abs(candidate - known[0]) <= _SAME_TIME * max(1.0, candidate):
                    best[other] = (min(known[0], candidate), min(known[1], low + metres), max(known[2], high + metres))
        self.known[(source, target)] = best[target]
        return best[target]


def _read_table(path: str) -> dict[tuple[str, str], tuple[float, float]]:
    """travel.csv as ``(from_id, to_id) -> (km, minutes)``, read here (unreadable rows are left
    out: a leg without a row then fails its checks)."""
    table: dict[tuple[str, str], tuple[float, float]] = {}
    with Path(path).open(encoding="utf-8-sig", newline="") as stream:
        for row in csv.DictReader(stream):
            try:
                table[(row["from_id"].strip(), row["to_id"].strip())] = (float(row["km"]), float(row["minutes"]))
            except (KeyError, TypeError, ValueError):
                continue
    return table


_SAME_TIME = 1e-9
"""Paths whose times differ by this share or less are equally fast."""


def _tables_from_plan(plan: PlanTables, level: tuple[str, ...] = (), rest: tuple[str, ...] = ()) -> _Tables:
    """The rows a plan object would write, turned into text exactly as the CSV writer does
    (``level``: the level column, required when the problem has visit levels; ``rest``: the
    break column of routes.csv, required when a manager takes a break)."""
    tables = _Tables(strategy=plan.strategy)
    written = plan.tables()
    for name, attribute, required in ((VISITS_FILE, "visits", VISIT_FIELDS + level),
                                       (ROUTES_FILE, "routes", ROUTE_FIELDS + rest),
                                       (UNSERVED_FILE, "unserved", UNSERVED_FIELDS + level)):
        if name not in written:
            tables.issues.append(InputIssue(name, "the plan has no such table"))
            tables.unreadable.add(name)
            continue
        header, rows = written[name]
        setattr(tables, attribute, _text_rows(name, header, rows, tables))
        missing = [c for c in required if c not in header]
        for column in missing:
            tables.issues.append(InputIssue(name, f"required column '{column}' is missing; the header has "
                                                  f"{', '.join(header)}", 1, column))
        if missing:
            tables.unreadable.add(name)
    return tables


def _text_rows(name: str, header: Sequence[str], rows: Iterable[Sequence[Any]], tables: _Tables) -> Rows:
    out: Rows = []
    for line, row in enumerate(rows, start=2):
        values = list(row)
        if len(values) != len(header):
            tables.issues.append(InputIssue(name, f"row has {len(values)} fields but the header has {len(header)}",
                                            line))
            continue
        out.append((line, {column: ("" if v is None else str(v)).strip()
                           for column, v in zip(header, values, strict=True)}))
    return out


def _tables_from_folder(folder: Path, level: tuple[str, ...] = (), rest: tuple[str, ...] = ()) -> _Tables:
    """The rows of visits.csv, routes.csv and unserved.csv of a plan folder (``level``, ``rest``:
    as for :func:`_tables_from_plan`)."""
    tables = _Tables(strategy=_read_strategy(folder))
    if not folder.is_dir():
        tables.issues.append(InputIssue(str(folder), "plan folder not found"))
        tables.unreadable.update({VISITS_FILE, ROUTES_FILE, UNSERVED_FILE})
        return tables
    for name, required, attribute in ((VISITS_FILE, VISIT_FIELDS + level, "visits"),
                                       (ROUTES_FILE, ROUTE_FIELDS + rest, "routes"),
                                       (UNSERVED_FILE, UNSERVED_FIELDS + level, "unserved")):
        issues: list[InputIssue] = []
        setattr(tables, attribute, read_table(folder / name, required=required, issues=issues))
        if any(issue.row in (None, 1) for issue in issues):
            tables.unreadable.add(name)
        tables.issues.extend(issues)
    return tables


def _read_strategy(folder: Path) -> str | None:
    path = folder / SUMMARY_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        logger.warning("%s cannot be read (%s); checking roles", path, err)
        return None
    strategy = data.get("strategy") if isinstance(data, dict) else None
    return strategy if isinstance(strategy, str) else None


# ----------------------------------------------------------------------------------------------
# Parsed rows
# ----------------------------------------------------------------------------------------------

@dataclass(slots=True)
class _Visit:
    line: int
    manager_id: str
    customer_id: str
    day_index: int | None
    seq: int | None
    arrival: int | None
    start: int | None
    end: int | None
    travel_km: float | None
    customer: Customer | None
    level: int | None = 0  # None: unusable
    rule: VisitRule | None = None  # what the customer's visits of this level ask for


@dataclass(slots=True)
class _Route:
    line: int
    manager_id: str
    day_index: int | None
    stops: int | None
    depart: int | None
    return_time: int | None
    travel_km: float | None
    work_min: float | None
    break_start: int | None = None


@dataclass(slots=True)
class _Missing:
    line: int
    customer_id: str
    visits_missing: int | None
    reason: str
    level: int | None = 0


def _parse_int(text: str) -> int | None:
    return int(text) if _INTEGER.match(text) else None


def _parse_float(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _parse_time(text: str) -> int | None:
    if not _HHMMSS.match(text):
        return None
    try:
        return parse_hhmmss(text)
    except ValueError:
        return None


def _clock(seconds: float) -> str:
    return format_hhmmss(seconds)


# ----------------------------------------------------------------------------------------------
# The checks
# ----------------------------------------------------------------------------------------------

class _Checker:
    """Runs every check on the rows of one plan and collects the violations."""

    def __init__(self, problem: Problem, *, check_roles: bool):
        self.problem = problem
        self.check_roles = check_roles
        self.customers = {c.customer_id: c for c in problem.customers}
        self.levels = problem.has_levels
        self.rules = {c.customer_id: problem.visit_rules(c) for c in problem.customers}
        self.managers = {m.manager_id: m for m in problem.managers}
        self.violations: list[Violation] = []
        self._unknown_managers: set[tuple[str, str]] = set()
        self._roads: _RoadLegs | None = None
        self._table: dict[tuple[str, str], tuple[float, float]] | None = None

    # -- plumbing ---------------------------------------------------------------------------
    def add(self, rule: str, file: str | None, row: int | None, text: str) -> None:
        """Record one violation; the message starts with the file and row."""
        where = file or "plan"
        if row is not None:
            where += f" row {row}"
        message = f"{where}: {text}".replace("\r", " ").replace("\n", " ")
        self.violations.append(Violation(rule=rule, message=message, file=file, row=row))

    def day(self, index: int) -> str:
        return f"{self.problem.days[index]} (day {index})"

    def route_name(self, key: RouteKey) -> str:
        return f"{key[0]} on {self.day(key[1])}"

    def leg(self, a: Point, b: Point, a_id: str, b_id: str) -> _Leg:
        """A leg by the scenario's travel model: along its roads, looked up in its table (by the
        ids of the places), or great-circle km times the detour factor at its speed."""
        if self.problem.travel.model == "matrix":
            if self._table is None:
                self._table = _read_table(self.problem.travel.matrix)
            if a_id == b_id:
                return _Leg(0.0, 0.0, 0.0)
            km, minutes = self._table.get((a_id, b_id), (math.nan, math.nan))
            return _Leg(km, km, minutes * 60.0)
        if self.problem.travel.model == "road":
            if self._roads is None:
                self._roads = _RoadLegs(self.problem)
            return self._roads.leg(a, b)
        km = great_circle_km(a, b) * self.problem.travel.detour_factor
        return _Leg(km, km, km / self.problem.travel.speed_kmh * 3600.0)

    def place_id(self, manager: Manager, which: str) -> str:
        """The id of a manager's start or end place in a travel table (section 4)."""
        return place_id(manager, which, self.problem.depot)

    # -- driver -----------------------------------------------------------------------------
    def run(self, tables: _Tables) -> ValidationReport:
        """Check everything and return the report."""
        for issue in tables.issues:
            self.add("format", issue.file, issue.row, issue.message)
        visits = [self.parse_visit(line, row) for line, row in tables.visits]
        routes = [self.parse_route(line, row) for line, row in tables.routes]
        missing = [self.parse_missing(line, row) for line, row in tables.unserved]
        groups = self.group_visits(visits)
        index = self.index_routes(routes)
        routes_ok = ROUTES_FILE not in tables.unreadable
        visits_ok = VISITS_FILE not in tables.unreadable
        if visits_ok and routes_ok:
            self.check_pairs(groups, index)
        if visits_ok:
            self.check_sequence(groups)
            if UNSERVED_FILE not in tables.unreadable:
                self.check_counts(visits, missing)
            self.check_days(visits)
            self.check_assignment(visits)
        for key in dict.fromkeys([*groups, *index]):
            self.check_route(key, groups.get(key, []) if visits_ok else None, index.get(key))
        return ValidationReport(violations=tuple(self.violations), visits_checked=len(tables.visits),
                                routes_checked=len(tables.routes))

    # -- parsing rows -----------------------------------------------------------------------
    def parse_day(self, file: str, line: int, row: dict[str, str]) -> int | None:
        """The row's day_index when it is a valid index whose label matches ``day``."""
        text = row["day_index"]
        index = _parse_int(text)
        days = self.problem.days
        if index is None:
            self.add("format", file, line, f"day_index '{text}' is not a whole number")
            return None
        if not 0 <= index < len(days):
            self.add("format", file, line, f"day_index {index} is out of range; the cycle has days 0..{len(days) - 1}")
            return None
        if row["day"] != days[index]:
            self.add("format", file, line, f"day '{row['day']}' does not match day_index {index}, which is "
                                           f"'{days[index]}'")
        return index

    def parse_manager(self, file: str, line: int, row: dict[str, str]) -> str:
        """The row's manager_id, reporting an unknown one once per file."""
        manager_id = row["manager_id"]
        if manager_id not in self.managers and (file, manager_id) not in self._unknown_managers:
            self._unknown_managers.add((file, manager_id))
            self.add("unknown-manager", file, line, f"manager '{manager_id}' is not in managers.csv")
        return manager_id

    def parse_field(self, file: str, line: int, row: dict[str, str], column: str,
                    parser: Callable[[str], Any], expected: str) -> Any:
        """One typed value of a row, or None (with a format violation) when it does not parse."""
        value = parser(row[column])
        if value is None:
            self.add("format", file, line, f"{column} '{row[column]}' is not {expected}")
        return value

    def parse_visit(self, line: int, row: dict[str, str]) -> _Visit:
        f = VISITS_FILE
        manager_id = self.parse_manager(f, line, row)
        customer_id = row["customer_id"]
        customer = self.customers.get(customer_id)
        if customer is None:
            self.add("unknown-customer", f, line, f"customer '{customer_id}' is not in customers.csv")
        seq = self.parse_field(f, line, row, "seq", _parse_int, "a whole number")
        times = [self.parse_field(f, line, row, c, _parse_time, "a time HH:MM:SS") for c in ("arrival", "start", "end")]
        km = self.parse_field(f, line, row, "travel_km", _parse_float, "a number")
        level = self.parse_level(f, line, row, customer)
        rule = None if customer is None or level is None else self.rules[customer_id][level]
        return _Visit(line=line, manager_id=manager_id, customer_id=customer_id,
                      day_index=self.parse_day(f, line, row), seq=seq, arrival=times[0], start=times[1],
                      end=times[2], travel_km=km, customer=customer, level=level, rule=rule)

    def parse_level(self, file: str, line: int, row: dict[str, str], customer: Customer | None) -> int | None:
        """The row's visit level (0 without levels); None, with a violation, when it is not one of
        the customer's tier's levels."""
        if not self.levels:
            return 0
        level = self.parse_field(file, line, row, LEVEL_FIELD, _parse_int, "a whole number")
        if level is None or customer is None:
            return level
        count = len(self.rules[customer.customer_id])
        if not 0 <= level < count:
            self.add("level", file, line, f"level {level} is not a level of {customer.customer_id}'s tier "
                                          f"{customer.tier}, which has levels 0..{count - 1}")
            return None
        return level

    def parse_route(self, line: int, row: dict[str, str]) -> _Route:
        f = ROUTES_FILE
        manager_id = self.parse_manager(f, line, row)
        stops = self.parse_field(f, line, row, "stops", _parse_int, "a whole number")
        if stops is not None and stops < 0:
            self.add("format", f, line, f"stops {stops} is negative")
            stops = None
        depart = self.parse_field(f, line, row, "depart", _parse_time, "a time HH:MM:SS")
        return_time = self.parse_field(f, line, row, "return", _parse_time, "a time HH:MM:SS")
        numbers = {c: self.parse_field(f, line, row, c, _parse_float, "a number")
                   for c in ("travel_km", "travel_min", "service_min", "wait_min", "work_min")}
        rest = None
        if row.get(BREAK_FIELD, "").strip():  # empty: no break that day
            rest = self.parse_field(f, line, row, BREAK_FIELD, _parse_time, "a time HH:MM:SS or empty")
        return _Route(line=line, manager_id=manager_id, day_index=self.parse_day(f, line, row), stops=stops,
                      depart=depart, return_time=return_time, travel_km=numbers["travel_km"],
                      work_min=numbers["work_min"], break_start=rest)

    def parse_missing(self, line: int, row: dict[str, str]) -> _Missing:
        count = self.parse_field(UNSERVED_FILE, line, row, "visits_missing", _parse_int, "a whole number")
        if count is not None and count < 1:
            self.add("format", UNSERVED_FILE, line, f"visits_missing {count} must be at least 1 for a listed customer")
            count = None
        customer = self.customers.get(row["customer_id"])
        return _Missing(line=line, customer_id=row["customer_id"], visits_missing=count, reason=row["reason"],
                        level=self.parse_level(UNSERVED_FILE, line, row, customer))

    # -- structure --------------------------------------------------------------------------
    @staticmethod
    def group_visits(visits: list[_Visit]) -> dict[RouteKey, list[_Visit]]:
        """Visits per (manager, day) in file order (rows with an unusable day are left out)."""
        groups: dict[RouteKey, list[_Visit]] = {}
        for visit in visits:
            if visit.day_index is not None:
                groups.setdefault((visit.manager_id, visit.day_index), []).append(visit)
        return groups

    def index_routes(self, routes: list[_Route]) -> dict[RouteKey, _Route]:
        """routes.csv rows per (manager, day), reporting a second row for the same route."""
        index: dict[RouteKey, _Route] = {}
        for route in routes:
            if route.day_index is None:
                continue
            key = (route.manager_id, route.day_index)
            if key in index:
                self.add("format", ROUTES_FILE, route.line, f"{self.route_name(key)} appears again (first at row "
                                                            f"{index[key].line}); one row per manager and day")
                continue
            index[key] = route
        return index

    def check_pairs(self, groups: dict[RouteKey, list[_Visit]], index: dict[RouteKey, _Route]) -> None:
        """Every route with visits has a routes.csv row, and its ``stops`` counts them."""
        for key, visits in groups.items():
            if key not in index:
                self.add("format", VISITS_FILE, visits[0].line, f"{self.route_name(key)} has {len(visits)} visit(s) "
                                                                f"but no row in routes.csv")
        for key, route in index.items():
            count = len(groups.get(key, ()))
            if route.stops is not None and route.stops != count:
                self.add("format", ROUTES_FILE, route.line, f"{self.route_name(key)} has stops {route.stops} but "
                                                            f"visits.csv has {count} visit(s) for it")

    def check_sequence(self, groups: dict[RouteKey, list[_Visit]]) -> None:
        """``seq`` counts 1, 2, ... within each route, in file order."""
        for key, visits in groups.items():
            for expected, visit in enumerate(visits, start=1):
                if visit.seq is not None and visit.seq != expected:
                    self.add("format", VISITS_FILE, visit.line,
                             f"seq {visit.seq} but this is visit {expected} of {self.route_name(key)} in file "
                             f"order; seq must count 1, 2, ... within a route")

    # -- visits per customer ----------------------------------------------------------------
    def check_counts(self, visits: list[_Visit], missing: list[_Missing]) -> None:
        """Planned plus missing visits give each customer's visits of each level; unserved.csv is
        well formed."""
        planned = Counter((v.customer_id, v.level) for v in visits if v.customer is not None and v.level is not None)
        listed: dict[tuple[str, int], _Missing] = {}
        for entry in missing:
            cid = entry.customer_id
            if cid not in self.customers:
                self.add("unknown-customer", UNSERVED_FILE, entry.line, f"customer '{cid}' is not in customers.csv")
            elif entry.level is None:
                continue
            elif (cid, entry.level) in listed:
                self.add("unserved", UNSERVED_FILE, entry.line,
                         f"{cid}{self.of_level(entry.level)} is listed again (first at row "
                         f"{listed[cid, entry.level].line})")
            else:
                listed[cid, entry.level] = entry
                if not entry.reason:
                    self.add("unserved", UNSERVED_FILE, entry.line,
                             f"{cid}{self.of_level(entry.level)} misses visits but no reason is given")
        for customer in self.problem.customers:
            for rule in self.rules[customer.customer_id]:
                key = (customer.customer_id, rule.level)
                self.check_count(customer, rule, planned[key], listed.get(key))

    def of_level(self, level: int | None) -> str:
        """`` (level 1)`` in messages of a problem with levels, else nothing."""
        return f" (level {level})" if self.levels and level is not None else ""

    def check_count(self, customer: Customer, rule: VisitRule, planned: int, entry: _Missing | None) -> None:
        cid, needed = customer.customer_id, rule.visits
        what = f"{cid} (tier {customer.tier}{', level ' + str(rule.level) if self.levels else ''})"
        if entry is None:
            if planned < needed:
                self.add("visit-count", UNSERVED_FILE, None,
                         f"{what} has {planned} of {needed} visits planned in visits.csv but is not listed with the "
                         f"{needed - planned} missing")
            elif planned > needed:
                self.add("visit-count", VISITS_FILE, None,
                         f"{what} has {planned} visits planned but needs {needed} per cycle")
        elif entry.visits_missing is not None and planned + entry.visits_missing != needed:
            self.add("visit-count", UNSERVED_FILE, entry.line,
                     f"{cid}{self.of_level(rule.level)} is listed as missing {entry.visits_missing} visit(s), but "
                     f"visits.csv plans {planned} of {needed}, so {needed - planned} are missing")

    def check_days(self, visits: list[_Visit]) -> None:
        """A customer is visited at most once a day (whatever the levels), and each level's
        visits are at least its ``min_gap`` apart, cyclically."""
        days_of: dict[str, dict[int, _Visit]] = {}
        level_days: dict[tuple[str, int], dict[int, int]] = {}
        for visit in visits:
            if visit.customer is None or visit.day_index is None:
                continue
            seen = days_of.setdefault(visit.customer_id, {})
            if visit.day_index in seen:
                first = seen[visit.day_index]
                levels = (f" (levels {first.level} and {visit.level})" if self.levels and first.level != visit.level
                          else "")
                self.add("same-day", VISITS_FILE, visit.line,
                         f"{visit.customer_id} is visited twice on {self.day(visit.day_index)}{levels} (also at row "
                         f"{first.line}); visits must be on distinct days")
                continue
            seen[visit.day_index] = visit
            if visit.rule is not None:
                level_days.setdefault((visit.customer_id, visit.rule.level), {})[visit.day_index] = visit.line
        for (cid, level), seen_lines in level_days.items():
            self.check_gaps(self.customers[cid], self.rules[cid][level], seen_lines)

    def check_gaps(self, customer: Customer, rule: VisitRule, seen: dict[int, int]) -> None:
        n = self.problem.num_days
        days = sorted(seen)
        if len(days) < 2 or rule.min_gap <= 0:
            return
        for i, first in enumerate(days):
            second = days[(i + 1) % len(days)]
            gap = second - first if i + 1 < len(days) else second + n - first
            if gap < rule.min_gap:
                wrap = "" if i + 1 < len(days) else f", counted across the end of the {n}-day cycle"
                self.add("min-gap", VISITS_FILE, seen[second],
                         f"{customer.customer_id}{self.of_level(rule.level)} is visited on {self.day(first)} (row "
                         f"{seen[first]}) and {self.day(second)}, {gap} day(s) apart{wrap}, but min_gap is "
                         f"{rule.min_gap}")

    def check_assignment(self, visits: list[_Visit]) -> None:
        """One manager per customer and level (with ``consistent``), roles and locks."""
        managers_of: dict[tuple[str, int], dict[str, list[int]]] = {}
        for visit in visits:
            if visit.customer is not None and visit.level is not None:
                managers_of.setdefault((visit.customer_id, visit.level), {}).setdefault(visit.manager_id,
                                                                                        []).append(visit.line)
        for (cid, level), by_manager in managers_of.items():
            rule = self.rules[cid][level]
            if self.problem.consistent and len(by_manager) > 1:
                who = "; ".join(f"{m} at row(s) {', '.join(map(str, lines))}" for m, lines in by_manager.items())
                self.add("consistency", VISITS_FILE, list(by_manager.values())[1][0],
                         f"{cid}{self.of_level(level)} is visited by {len(by_manager)} managers ({who}), but the "
                         f"scenario is consistent: all visits of a customer{' of one level' if self.levels else ''} "
                         f"by one manager")
            for manager_id, lines in by_manager.items():
                self.check_manager_fits(self.customers[cid], rule, manager_id, lines[0])

    def check_manager_fits(self, customer: Customer, rule: VisitRule, manager_id: str, line: int) -> None:
        cid = customer.customer_id
        if rule.locked_manager is not None and manager_id != rule.locked_manager:
            self.add("lock", VISITS_FILE, line,
                     f"{cid} is locked to {rule.locked_manager} but visited by {manager_id}")
        manager = self.managers.get(manager_id)
        if manager is None:
            return
        # Roles of further levels hold under every strategy: only the tier's own visits are handed
        # out by region, business type or value.
        if (self.check_roles or rule.level > 0) and manager.role not in rule.roles:
            whose = f"tier {customer.tier}" if rule.level == 0 else f"level {rule.level} ({rule.name})"
            self.add("role", VISITS_FILE, line,
                     f"{manager_id} (role {manager.role}) visits {cid} of {whose}, which only roles "
                     f"{', '.join(rule.roles)} may serve")

    # -- one route --------------------------------------------------------------------------
    def check_route(self, key: RouteKey, visits: list[_Visit] | None, route: _Route | None) -> None:
        """Days, shift, travel, windows, service, return and figures of one manager-day.

        ``visits`` is None when visits.csv could not be read: only the route's own times are
        checked then.
        """
        manager = self.managers.get(key[0])
        if manager is None:
            return
        name = self.route_name(key)
        if route is not None:
            file, line = ROUTES_FILE, route.line
        elif visits:
            file, line = VISITS_FILE, visits[0].line
        else:  # not reached: every key is a route's or a visit's
            return
        if key[1] not in manager.days:
            worked = ", ".join(self.problem.days[d] for d in manager.days) or "none"
            self.add("day-off", file, line, f"{key[0]} works on {self.day(key[1])}, which is not one of their days "
                                            f"({worked})")
        if visits is not None and manager.max_visits is not None and len(visits) > manager.max_visits:
            self.add("max-visits", VISITS_FILE, visits[manager.max_visits].line,
                     f"{name} makes {len(visits)} visits, more than max_visits {manager.max_visits}")
        depart = route.depart if route is not None else None
        if route is not None and depart is not None and depart < manager.shift[0] * 60.0 - TIME_TOLERANCE_S:
            self.add("shift-start", ROUTES_FILE, route.line, f"{name} departs at {_clock(depart)}, before the shift "
                                                             f"starts at {_clock(manager.shift[0] * 60.0)}")
        rest = self.check_break(name, manager, route, visits)
        legs = None if visits is None else self.check_stops(name, manager, visits, depart, rest)
        if route is not None:
            self.check_return(name, manager, route, legs, rest)

    def check_break(self, name: str, manager: Manager, route: _Route | None,
                    visits: list[_Visit] | None) -> tuple[float, float] | None:
        """The day's break (section 9): there when the manager has one, inside its window and the
        shift, never during a visit. Returns its (start, end) in seconds when usable for the
        travel checks."""
        if route is None:
            return None
        if manager.break_ is None:
            if route.break_start is not None:
                self.add("break", ROUTES_FILE, route.line, f"{name} takes a break at {_clock(route.break_start)}, "
                                                           f"but {manager.manager_id} has none")
            return None
        rule = manager.break_
        if route.break_start is None:
            self.add("break", ROUTES_FILE, route.line,
                     f"{name} has no break_start, but {manager.manager_id} takes a {rule.minutes:g} min break "
                     f"starting {_clock(rule.earliest * 60.0)}-{_clock(rule.latest * 60.0)} every day worked")
            return None
        start = float(route.break_start)
        end = start + rule.minutes * 60.0
        if not rule.earliest * 60.0 - TIME_TOLERANCE_S <= start <= rule.latest * 60.0 + TIME_TOLERANCE_S:
            self.add("break", ROUTES_FILE, route.line,
                     f"{name}: break_start {_clock(start)} is outside the break's window "
                     f"{_clock(rule.earliest * 60.0)}-{_clock(rule.latest * 60.0)}")
        if start < manager.shift[0] * 60.0 - TIME_TOLERANCE_S or end > manager.shift[1] * 60.0 + TIME_TOLERANCE_S:
            self.add("break", ROUTES_FILE, route.line,
                     f"{name}: the break {_clock(start)}-{_clock(end)} is not inside the shift "
                     f"{_clock(manager.shift[0] * 60.0)}-{_clock(manager.shift[1] * 60.0)}")
        for visit in visits or ():
            if (visit.start is not None and visit.end is not None and visit.start < end - TIME_TOLERANCE_S
                    and start < visit.end - TIME_TOLERANCE_S):
                self.add("break", VISITS_FILE, visit.line,
                         f"{name}: the visit to {visit.customer_id} {_clock(visit.start)}-{_clock(visit.end)} "
                         f"overlaps the break {_clock(start)}-{_clock(end)}")
        return start, end

    def check_stops(self, name: str, manager: Manager, visits: list[_Visit], depart: int | None,
                    rest: tuple[float, float] | None) -> _Legs:
        """Arrival after travel (and the break, where it lies between two stops), start, window,
        service and leg km of each visit in order."""
        legs = _Legs(place=manager.start, clock=depart, place_id=self.place_id(manager, "start"),
                     origin=None if depart is None else f"departure from the start place {_clock(depart)}")
        for visit in visits:
            customer = visit.customer
            if customer is None:
                legs.lose()
                continue
            here = Point(customer.lon, customer.lat)
            leg = None if legs.place is None else self.leg(legs.place, here, legs.place_id, customer.customer_id)
            legs.add(leg)
            if leg is not None:
                self.check_leg_km(name, visit, leg, legs.place_name)
                if visit.arrival is not None and legs.clock is not None:
                    earliest, origin = _after_break(legs.clock, leg.seconds, visit.arrival, rest, legs.origin)
                    self.check_arrival(name, visit, earliest, leg, origin)
            self.check_visit_times(name, visit, customer, visit.rule)
            legs.place, legs.place_name, legs.clock = here, customer.customer_id, visit.end
            legs.place_id = customer.customer_id
            legs.origin = None if visit.end is None else f"end at {customer.customer_id} {_clock(visit.end)}"
        return legs

    def check_leg_km(self, name: str, visit: _Visit, leg: _Leg, origin: str) -> None:
        if visit.travel_km is None:
            return
        slack = max(LEG_KM_TOLERANCE, LEG_KM_RELATIVE * leg.high)
        if not leg.low - slack <= visit.travel_km <= leg.high + slack:
            length = f"{leg.low:.4f}" if leg.high - leg.low < 5e-5 else f"{leg.low:.4f} to {leg.high:.4f}"
            self.add("travel-km", VISITS_FILE, visit.line,
                     f"{name}: travel_km {visit.travel_km:.4f} to {visit.customer_id}, but the leg from {origin} "
                     f"is {length} km")

    def check_arrival(self, name: str, visit: _Visit, earliest: float, leg: _Leg, origin: str | None) -> None:
        assert visit.arrival is not None
        if visit.arrival < earliest - TIME_TOLERANCE_S:
            self.add("travel-time", VISITS_FILE, visit.line,
                     f"{name} arrives at {visit.customer_id} at {_clock(visit.arrival)} but cannot arrive before "
                     f"{_clock(earliest)} ({origin} + {leg.seconds / 60.0:.1f} min travel for {leg.km:.2f} km)")

    def check_visit_times(self, name: str, visit: _Visit, customer: Customer, rule: VisitRule | None) -> None:
        """Start after arrival and inside the window; end = start + service (of the visit's
        level; its window and service time are not checked when its level is unusable)."""
        cid = customer.customer_id
        if visit.start is not None and visit.arrival is not None and visit.start < visit.arrival - TIME_TOLERANCE_S:
            self.add("start-before-arrival", VISITS_FILE, visit.line,
                     f"{name} starts {cid} at {_clock(visit.start)}, before arriving at {_clock(visit.arrival)}")
        if rule is None:
            return
        if visit.start is not None:
            low, high = rule.window[0] * 60.0, rule.window[1] * 60.0
            if not low - TIME_TOLERANCE_S <= visit.start <= high + TIME_TOLERANCE_S:
                self.add("window", VISITS_FILE, visit.line,
                         f"{name} starts {cid} at {_clock(visit.start)}, outside its window {_clock(low)}-"
                         f"{_clock(high)}")
        if visit.start is not None and visit.end is not None:
            expected = visit.start + rule.service_min * 60.0
            if abs(visit.end - expected) > TIME_TOLERANCE_S:
                self.add("service", VISITS_FILE, visit.line,
                         f"{name} ends {cid}{self.of_level(rule.level)} at {_clock(visit.end)}, but start "
                         f"{_clock(visit.start)} + {rule.service_min:g} min service gives {_clock(expected)}")

    def check_return(self, name: str, manager: Manager, route: _Route, legs: _Legs | None,
                     rest: tuple[float, float] | None) -> None:
        """The way back, the end of the shift and the route's figures (``legs``: None when the
        visits are unknown)."""
        returned = route.return_time
        if legs is None:
            legs = _Legs(place=None, clock=None, origin=None, complete=False)
        back = None if legs.place is None else self.leg(legs.place, manager.end, legs.place_id,
                                                        self.place_id(manager, "end"))
        legs.add(back)
        if returned is not None and back is not None and legs.clock is not None:
            earliest, origin = _after_break(legs.clock, back.seconds, returned, rest, legs.origin)
            if returned < earliest - TIME_TOLERANCE_S:
                self.add("return", ROUTES_FILE, route.line,
                         f"{name} returns at {_clock(returned)} but cannot return before {_clock(earliest)} "
                         f"({origin} + {back.seconds / 60.0:.1f} min travel for {back.km:.2f} km back to "
                         f"the end place)")
        if returned is not None and returned > manager.shift[1] * 60.0 + TIME_TOLERANCE_S:
            self.add("shift-end", ROUTES_FILE, route.line, f"{name} returns at {_clock(returned)}, after the shift "
                                                           f"ends at {_clock(manager.shift[1] * 60.0)}")
        if legs.complete and route.travel_km is not None and not (
                legs.low - ROUTE_KM_TOLERANCE <= route.travel_km <= legs.high + ROUTE_KM_TOLERANCE):
            total = f"{legs.low:.4f}" if legs.high - legs.low < 5e-5 else f"{legs.low:.4f} to {legs.high:.4f}"
            self.add("travel-km", ROUTES_FILE, route.line,
                     f"{name}: travel_km {route.travel_km:.4f}, but its legs including the way back sum to "
                     f"{total} km")
        if route.depart is not None and returned is not None and route.work_min is not None:
            work = (returned - route.depart) / 60.0
            if abs(route.work_min - work) > WORK_MIN_TOLERANCE:
                self.add("work-min", ROUTES_FILE, route.line,
                         f"{name}: work_min {route.work_min:.2f}, but return {_clock(returned)} - depart "
                         f"{_clock(route.depart)} is {work:.2f} min")


def _after_break(clock: float, seconds: float, arrival: float, rest: tuple[float, float] | None,
                 origin: str | None) -> tuple[float, str | None]:
    """The earliest arrival after a leg of ``seconds`` from ``clock`` (the previous stop's end),
    and its origin, with the break when it lies between the two stops (section 9: at least
    break_start + break_min + the part of the leg still to drive)."""
    if rest is None or not clock - TIME_TOLERANCE_S <= rest[0] < arrival:
        return clock + seconds, origin
    driven = min(seconds, max(0.0, rest[0] - clock))
    earliest = max(clock + seconds, rest[1] + seconds - driven)
    return earliest, f"{origin} + the break {_clock(rest[0])}-{_clock(rest[1])}"


@dataclass(slots=True)
class _Legs:
    """Where a route stands while its stops are walked: last place, its time, km so far."""

    place: Point | None
    clock: float | None
    origin: str | None
    place_name: str = "the start place"
    place_id: str = ""  # the place's id in a travel table (model "matrix")
    low: float = 0.0
    high: float = 0.0
    complete: bool = True

    def add(self, leg: _Leg | None) -> None:
        """Count one leg (``None``: its length is unknown)."""
        if leg is None:
            self.complete = False
        else:
            self.low += leg.low
            self.high += leg.high

    def lose(self) -> None:
        """The position is unknown from here on (a visit to an unknown customer)."""
        self.place = None
        self.clock = None
        self.origin = None
        self.complete = False
