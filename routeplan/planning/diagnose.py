"""Why a customer could not be served, in words a department head can act on; and whether a
problem can be served at all (required against available working time, per role)."""

from __future__ import annotations

from dataclasses import dataclass


from ..model.clock import format_hhmm
from ..plan import Unserved
from ..solver.patterns import enumerate_patterns
from ..solver.state import Solution
from .formulate import Formulation


@dataclass(frozen=True, slots=True, kw_only=True)
class CapacityCheck:
    """Required against available minutes for one group of managers."""

    managers: tuple[str, ...]
    required_min: float
    available_min: float

    @property
    def load(self) -> float:
        return self.required_min / self.available_min if self.available_min > 0 else float("inf")


def capacity_checks(form: Formulation) -> list[CapacityCheck]:
    """Service time asked of each group of interchangeable managers against their shift time.

    Travel is not counted, so a load above 100% is certainly infeasible; a load near it likely is.
    """
    problem = form.problem
    groups: dict[tuple[int, ...], float] = {}
    for c, allowed in zip(problem.customers, form.eligible):
        groups[allowed] = groups.get(allowed, 0.0) + c.visits * c.service_min
    checks = []
    for allowed, required in groups.items():
        available = sum((problem.managers[i].shift[1] - problem.managers[i].shift[0]) * len(problem.managers[i].days)
                        for i in allowed)
        checks.append(CapacityCheck(managers=tuple(problem.managers[i].manager_id for i in allowed),
                                    required_min=required, available_min=available))
    return checks


def unserved(form: Formulation, sol: Solution) -> tuple[Unserved, ...]:
    """An entry with a reason for every customer whose visits are not (all) planned."""
    out = []
    checks = {c.managers: c for c in capacity_checks(form)}
    for t in sol.unassigned():
        customer_index = int(form.task_customer[t])
        customer = form.problem.customers[customer_index]
        reason = explain(form, customer_index, checks)
        out.append(Unserved(customer_id=customer.customer_id, visits_missing=customer.visits, reason=reason))
    return tuple(out)


def explain(form: Formulation, customer_index: int, checks: dict | None = None) -> str:
    """The first reason that applies, from the most to the least fundamental."""
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
    if checks is not None:
        check = checks.get(tuple(problem.managers[i].manager_id for i in allowed))
        if check is not None and check.load > 0.9:
            return (f"not enough working time: its managers ({names}) have {check.available_min / 60:.0f} h per cycle "
                    f"and their customers need {check.required_min / 60:.0f} h of visits alone, before travel; add "
                    f"a manager, lengthen shifts or lower visit frequencies")
    return (f"no room left: on the days its {customer.visits} visit(s) could take, the routes of its managers "
            f"({names}) are full up to their shift end or visit cap; lengthen shifts, raise max_visits or add a "
            f"manager")

