"""How a time limit covers a whole run: estimates of the seconds the phases outside the search
take, so that the search's repeatable work budget leaves room for them.

Each estimate follows from the problem's size alone, never from the clock, so that the same
time limit gives the same budget, and the same plan, on every run. The constants were measured
on the reference machine (2 cores, AMD EPYC; ``benchmarks/timelimit.py`` prints the phases of
the Kuiwen sample and of 2,000- and 10,000-customer synthetic scenarios) and rounded up; on a
slower machine the clock, not the budget, ends the search and the plan says so.

The search itself counts its work (see :mod:`routeplan.solver.work`), construction included.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Size:
    """What the phases' durations depend on."""

    customers: int
    managers: int
    days: int
    visits: int

    @property
    def nodes(self) -> int:
        return self.customers + 2 * self.managers


#: Seconds per squared node of the travel matrices and what is derived from them (formulation,
#: neighbour lists, territories), per node, and fixed.
PREPARE_PER_NODE2 = 4.0e-8
PREPARE_PER_NODE = 2.0e-4
PREPARE_FIXED = 0.05
#: Seconds per visit and per customer of turning the engine's result into a checked plan
#: (schedules, reasons, validation), and fixed.
FINISH_PER_VISIT = 1.0e-4
FINISH_PER_CUSTOMER = 2.0e-4
FINISH_FIXED = 0.05
#: Seconds per customer of reading a scenario folder.
READ_PER_CUSTOMER = 2.5e-4
READ_FIXED = 0.1
#: Seconds per visit of writing a plan folder (tables, maps, schedules, calendars), per manager,
#: and fixed.
WRITE_PER_VISIT = 3.0e-4
WRITE_PER_MANAGER = 0.02
WRITE_FIXED = 0.2


def prepare_seconds(size: Size) -> float:
    """Formulating the problem and preparing the search's arrays."""
    return PREPARE_FIXED + PREPARE_PER_NODE * size.nodes + PREPARE_PER_NODE2 * size.nodes ** 2


def finish_seconds(size: Size) -> float:
    """From the engine's result to a validated plan."""
    return FINISH_FIXED + FINISH_PER_VISIT * size.visits + FINISH_PER_CUSTOMER * size.customers


def read_seconds(size: Size) -> float:
    """Reading the scenario folder."""
    return READ_FIXED + READ_PER_CUSTOMER * size.customers


def write_seconds(size: Size) -> float:
    """Writing the plan folder, maps included."""
    return WRITE_FIXED + WRITE_PER_VISIT * size.visits + WRITE_PER_MANAGER * size.managers
