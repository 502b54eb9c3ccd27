"""How a time limit covers a whole run: estimates of the seconds the phases outside the search
take, so that the search's repeatable work budget leaves room for them.

Each estimate follows from the problem's size alone, never from the clock, so that the same
time limit gives the same budget, and the same plan, on every run. The constants were measured
on the reference machine (2 cores, AMD EPYC, 2026-12-02; ``benchmarks/timelimit.py`` prints
the phases of the Kuiwen sample and of 2,000- and 10,000-customer synthetic scenarios) and
rounded up; on a slower machine the clock, not the budget, ends the search and the plan says
so.

The search itself counts its work (see :mod:`routeplan.solver.work`), construction included.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import ArgumentError
from .roads.resolve import road_size

if TYPE_CHECKING:
    from .model.problem import Problem


@dataclass(frozen=True, slots=True, kw_only=True)
class Size:
    """What the phases' durations depend on."""

    customers: int
    managers: int
    days: int
    visits: int
    junctions: int = 0  # of the road network searched for its travel tables (0: no roads)
    road_nodes: int = 0  # of the road network file

    @classmethod
    def of(cls, problem: Problem, *, times: int = 1) -> Size:
        """The size of ``problem``, or of ``times`` such problems planned as one (a pair of
        neighbouring parts)."""
        nodes, junctions = road_size(problem.travel)
        return cls(customers=times * problem.num_customers, managers=times * problem.num_managers,
                   days=problem.num_days, visits=times * problem.visits_required(), junctions=junctions,
                   road_nodes=nodes)

    @property
    def nodes(self) -> int:
        return self.customers + 2 * self.managers


#: Seconds per squared node of the travel matrices and what is derived from them before the
#: search (formulation, diagnosis, neighbour lists, territories), and fixed. Measured: 0.3 s at
#: 1,400 customers, 0.6 s at 2,000, 11.6 s at 10,000 (dense matrices over one part: a larger
#: problem is planned in parts of at most 5,000 customers, and the planner adds up their squares).
PREPARE_PER_NODE2 = 1.4e-7
PREPARE_FIXED = 0.2
#: Seconds per node and junction of a road network's travel tables (a search per node over the
#: junction graph, see :mod:`routeplan.roads.chains`). Measured: 6.5 s for 3,000 points spread
#: over Coquimbo's 8,756 junctions (benchmarks/real_city.py); a part's points lie closer together
#: and its searches stop earlier, so this is an upper bound.
ROAD_PER_NODE_JUNCTION = 2.5e-7
#: Seconds per visit of checking a plan on a road network (the validator's own Dijkstra per leg,
#: in Python). Measured: 59.3 s for 35,000 visits on Coquimbo's streets.
ROAD_CHECK_PER_VISIT = 1.8e-3
#: Seconds per node of reading a road network file. Measured: 3.5 s for Coquimbo's 31,166 nodes
#: (OpenStreetMap XML).
ROAD_READ_PER_NODE = 1.2e-4
#: Seconds per visit of turning the engine's result into a checked plan (timetables, reasons,
#: validation), and fixed. Measured: 0.07 s for 2,678 visits, 0.65 s for 17,541.
FINISH_PER_VISIT = 4.5e-5
FINISH_FIXED = 0.05
#: Seconds per customer of reading a scenario folder, and fixed: Python's start and the imports
#: (the command's clock starts with the process). Measured: 1.3 s at 1,400 customers, 1.4 s at
#: 10,000.
READ_PER_CUSTOMER = 3.0e-5
READ_FIXED = 1.5
#: Seconds per visit of writing a plan folder (tables, maps, schedules, calendars), per manager,
#: and fixed. Measured: 0.4 s for 2,678 visits and 12 managers, 2.1 s for 17,541 and 77.
WRITE_PER_VISIT = 1.3e-4
WRITE_PER_MANAGER = 0.003
WRITE_FIXED = 0.15


@dataclass(frozen=True, slots=True, kw_only=True)
class PhaseEstimates:
    """The coefficients of the phases' estimates (defaults: this module's constants, measured on
    the reference machine; see their comments). A time limit's work budget is what the limit
    leaves after them, so they shape the plan a limit gives: set them
    (:class:`routeplan.PlanParams`' ``phases``) for a machine whose phases run at another pace.
    Every field is in seconds (per unit of what its name says) and 0 or more."""

    prepare_per_node2: float = PREPARE_PER_NODE2
    prepare_fixed: float = PREPARE_FIXED
    road_per_node_junction: float = ROAD_PER_NODE_JUNCTION
    road_check_per_visit: float = ROAD_CHECK_PER_VISIT
    road_read_per_node: float = ROAD_READ_PER_NODE
    finish_per_visit: float = FINISH_PER_VISIT
    finish_fixed: float = FINISH_FIXED
    read_per_customer: float = READ_PER_CUSTOMER
    read_fixed: float = READ_FIXED
    write_per_visit: float = WRITE_PER_VISIT
    write_per_manager: float = WRITE_PER_MANAGER
    write_fixed: float = WRITE_FIXED

    def __post_init__(self) -> None:
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ArgumentError(f"phases.{name}", f"{value!r} is not a number of seconds, 0 or more")

    def prepare(self, size: Size) -> float:
        """Formulating the problem and preparing the search's arrays."""
        return (self.prepare_fixed + self.prepare_per_node2 * size.nodes ** 2
                + self.road_per_node_junction * size.nodes * size.junctions)

    def finish(self, size: Size) -> float:
        """From the engine's result to a validated plan."""
        road = self.road_check_per_visit * size.visits if size.junctions else 0.0
        return self.finish_fixed + self.finish_per_visit * size.visits + road

    def read(self, size: Size) -> float:
        """Reading the scenario folder."""
        return self.read_fixed + self.read_per_customer * size.customers + self.road_read_per_node * size.road_nodes

    def write(self, size: Size) -> float:
        """Writing the plan folder, maps included."""
        return self.write_fixed + self.write_per_visit * size.visits + self.write_per_manager * size.managers


DEFAULT_ESTIMATES = PhaseEstimates()


def prepare_seconds(size: Size) -> float:
    """Formulating the problem and preparing the search's arrays (:class:`PhaseEstimates`' defaults)."""
    return DEFAULT_ESTIMATES.prepare(size)


def finish_seconds(size: Size) -> float:
    """From the engine's result to a validated plan (:class:`PhaseEstimates`' defaults)."""
    return DEFAULT_ESTIMATES.finish(size)


def read_seconds(size: Size) -> float:
    """Reading the scenario folder (:class:`PhaseEstimates`' defaults)."""
    return DEFAULT_ESTIMATES.read(size)


def write_seconds(size: Size) -> float:
    """Writing the plan folder, maps included (:class:`PhaseEstimates`' defaults)."""
    return DEFAULT_ESTIMATES.write(size)
