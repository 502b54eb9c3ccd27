"""Why a customer could not be served, in words a department head can act on; and, before
solving, whether a problem can be served at all: working time needed against working time
available per group of managers, and customers that no eligible manager can serve."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..model.clock import format_hhmm
from ..model.routes import Unserved
from ..solver.patterns import enumerate_patterns
from ..solver.state import Solution
from .formulate import Formulation, interchangeable_groups


@dataclass(frozen=True, slots=True, kw_only=True)
class CapacityCheck:
    """Working time needed against available for one group of managers that share customers.

    ``service_min`` is time on site alone (a load above 100% on it cannot be served);
    ``travel_min`` a rough estimate of the travel the visits bring.
    """

    managers: tuple[str, ...]
    tiers: tuple[str, ...]
    service_min: float
    travel_min: float
    available_min: float

    @property
    def required_min(self) -> float:
        return self.service_min

    @property
    def load(self) -> float:
        """Time on site over available time."""
        return self.service_min / self.available_min if self.available_min > 0 else float("inf")

    @property
    def load_with_travel(self) -> float:
        return (self.service_min + self.travel_min) / self.available_min if self.available_min > 0 else float("inf")

    def line(self) -> str:
        verdict = ("cannot be served in full: visits alone need more time than the shifts give" if self.load > 1.0
                   else "tight: travel will likely leave some visits out" if self.load_with_travel > 0.95
                   else "fits")
        return (f"{', '.join(self.managers)} (tiers {', '.join(self.tiers)}): visits need "
                f"{self.service_min / 60:.0f} h on site + about {self.travel_min / 60:.0f} h travel per cycle; "
                f"shifts give {self.available_min / 60:.0f} h ({100 * self.load_with_travel:.0f}%): {verdict}")


def capacity_checks(form: Formulation) -> list[CapacityCheck]:
    """Working time asked of each group of managers that share customers, against their shifts.

    Travel is a rough estimate: each visit's way from one of its three nearest neighbours in
    the group, plus each working day's way out to the group's customers and back.
    """
    problem = form.problem
    checks = []
    for group in interchangeable_groups(list(form.eligible), problem.num_managers):
        members = set(group)
        mine = [i for i, allowed in enumerate(form.eligible) if allowed and set(allowed) <= members]
        if not mine:
            continue
        idx = np.array(mine)
        visits = np.array([problem.customers[i].visits for i in mine], dtype=float)
        service = float(sum(problem.customers[i].visits * problem.customers[i].service_min for i in mine))
        travel = 0.0
        if len(mine) > 1:
            sub = form.minutes[np.ix_(idx, idx)].copy()
            np.fill_diagonal(sub, np.inf)
            near = np.sort(sub, axis=1)[:, :min(3, len(mine) - 1)].mean(axis=1)
            travel += float((visits * near).sum())
        days_worked = sum(len(problem.managers[m].days) for m in group)
        out_and_back = np.mean([form.minutes[form.start_node[m], idx].mean() + form.minutes[idx, form.end_node[m]].mean()
                                for m in group])
        travel += days_worked * float(out_and_back)
        available = sum((problem.managers[m].shift[1] - problem.managers[m].shift[0]) * len(problem.managers[m].days)
                        for m in group)
        checks.append(CapacityCheck(managers=tuple(problem.managers[m].manager_id for m in group),
                                    tiers=tuple(sorted({problem.customers[i].tier for i in mine})),
                                    service_min=service, travel_min=travel, available_min=available))
    return checks


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnosis:
    """What can be told about a problem before solving it."""

    capacity: tuple[CapacityCheck, ...]
    unservable: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (customer id, reason)

    @property
    def certainly_infeasible(self) -> bool:
        """True when some visits cannot be served whatever the plan."""
        return bool(self.unservable) or any(c.load > 1.0 for c in self.capacity)

    def lines(self) -> list[str]:
        out = [c.line() for c in self.capacity]
        for customer_id, reason in self.unservable:
            out.append(f"customer {customer_id} cannot be served: {reason}")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


def diagnose(form: Formulation) -> Diagnosis:
    """Capacity per group of managers, and the customers no eligible manager can serve (no
    manager, no fitting days, or a window out of reach of every eligible shift)."""
    unservable = []
    for i in range(form.problem.num_customers):
        reason = explain(form, i, checks=None, fundamental_only=True)
        if reason is not None:
            unservable.append((form.problem.customers[i].customer_id, reason))
    return Diagnosis(capacity=tuple(capacity_checks(form)), unservable=tuple(unservable))


def unserved(form: Formulation, sol: Solution) -> tuple[Unserved, ...]:
    """An entry with a reason for every customer whose visits are not (all) planned."""
    out = []
    checks = capacity_checks(form)
    for t in sol.unassigned():
        customer_index = int(form.task_customer[t])
        customer = form.problem.customers[customer_index]
        reason = explain(form, customer_index, checks)
        out.append(Unserved(customer_id=customer.customer_id, visits_missing=customer.visits, reason=reason))
    return tuple(out)


def explain(form: Formulation, customer_index: int, checks: list[CapacityCheck] | None = None, *,
            fundamental_only: bool = False) -> str | None:
    """The first reason that applies, from the most to the least fundamental.

    With ``fundamental_only``, only reasons that hold whatever the plan (no eligible manager, no
    fitting days, an unreachable window); None when none does.
    """
    problem = form.problem
    customer = problem.customers[customer_index]
    allowed = form.eligible[customer_index]
    if not allowed:
        return (f"no manager may serve it: tier '{customer.tier}' needs role "
                f"{'/'.join(problem.tier(customer.tier).roles)}"
                + (f" and it is locked to {customer.locked_manager}" if customer.locked_manager else ""))
    names = ", ".join(problem.managers[i].manager_id for i in allowed)
    fitting = [i for i in allowed
               if enumerate_patterns(customer.visits, customer.min_gap, problem.num_days, problem.managers[i].days,
                                     limit=1)]
    if not fitting:
        return (f"needs {customer.visits} visits at least {customer.min_gap} days apart, but its managers ({names}) "
                f"do not work enough days of the cycle")
    reachable = []
    service = customer.service_min
    for i in fitting:
        m = problem.managers[i]
        there = float(form.minutes[form.start_node[i], customer_index])
        back = float(form.minutes[customer_index, form.end_node[i]])
        earliest_start = max(m.shift[0] + there, customer.window[0])
        latest_start = min(customer.window[1], m.shift[1] - service - back)
        if earliest_start <= latest_start + 1e-9 and (m.max_visits is None or m.max_visits > 0):
            reachable.append(i)
    if not reachable:
        m = problem.managers[fitting[0]]
        return (f"its window {format_hhmm(customer.window[0])}-{format_hhmm(customer.window[1])} cannot be reached "
                f"within the shifts of its managers ({names}, e.g. {m.manager_id} {format_hhmm(m.shift[0])}-"
                f"{format_hhmm(m.shift[1])}, {float(form.minutes[form.start_node[fitting[0]], customer_index]):.0f} "
                f"min away)")
    if fundamental_only:
        return None
    if checks is not None:
        ids = {problem.managers[i].manager_id for i in allowed}
        check = next((c for c in checks if ids <= set(c.managers)), None)
        if check is not None and check.load_with_travel > 0.95:
            return (f"not enough working time: its managers ({', '.join(check.managers)}) have "
                    f"{check.available_min / 60:.0f} h per cycle and their customers need {check.service_min / 60:.0f} h "
                    f"on site plus about {check.travel_min / 60:.0f} h travel; add a manager, lengthen shifts or lower "
                    f"visit frequencies")
    return (f"no room left: on the days its {customer.visits} visit(s) could take, the routes of its managers "
            f"({names}) are full up to their shift end or visit cap; lengthen shifts, raise max_visits or add a "
            f"manager")

