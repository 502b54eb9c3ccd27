"""Why a customer could not be served, in words a department head can act on; and, before
solving, whether a problem can be served at all: working time needed against working time
available per group of managers, and customers that no eligible manager can serve."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from ..model.clock import format_hhmm
from ..model.problem import Manager, VisitRule
from ..model.routes import Unserved
from ..solver.arrays import data_ref, freeze
from ..solver.kernels.timing import reachable_owners
from ..solver.patterns import enumerate_patterns
from ..solver.result import EngineResult
from ..solver.workload import task_workload
from .formulate import Formulation


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

    Travel is a rough estimate: each visit's share from the workload estimate
    (:func:`routeplan.solver.workload.task_workload`, neighbours within the group), plus each
    working day's way out to the group's customers and back.
    """
    problem = form.problem
    inst = form.instance
    owners = [task.owners for task in inst.tasks]
    checks = []
    for group in form.context.groups:
        members = set(group)
        mine = [t for t, allowed in enumerate(owners) if allowed and set(allowed) <= members]
        if not mine:
            continue
        idx = np.array(mine)
        service = float(sum(inst.tasks[t].visits * inst.tasks[t].service for t in mine)) / 60.0
        work_s = task_workload(inst, idx)
        travel = float(work_s.sum()) / 60.0 - service
        nodes = np.array([inst.tasks[t].node for t in mine])
        days_worked = sum(len(problem.managers[m].days) for m in group)
        out_and_back = np.mean([inst.time[form.start_node[m], nodes].mean()
                                + inst.time[nodes, form.end_node[m]].mean() for m in group]) / 60.0
        travel += days_worked * float(out_and_back)
        available = sum((problem.managers[m].shift[1] - problem.managers[m].shift[0]) * len(problem.managers[m].days)
                        for m in group)
        checks.append(CapacityCheck(managers=tuple(problem.managers[m].manager_id for m in group),
                                    tiers=tuple(sorted({_tier_label(form, t) for t in mine})),
                                    service_min=service, travel_min=max(0.0, travel), available_min=available))
    return checks


def _tier_label(form: Formulation, task: int) -> str:
    """The task's tier, and its level's name beyond level 0 (``large: market manager``)."""
    customer = form.problem.customers[form.customer_of(task)]
    level = form.level_of(task)
    if level == 0:
        return customer.tier
    return f"{customer.tier}: {form.problem.visit_rules(customer)[level].name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnosis:
    """What can be told about a problem before solving it."""

    capacity: tuple[CapacityCheck, ...]
    unservable: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (customer id, reason)

    @property
    def certainly_infeasible(self) -> bool:
        """True when some visits cannot be served whatever the plan."""
        return bool(self.unservable) or any(c.load > 1.0 for c in self.capacity)

    def log(self, logger: logging.Logger) -> None:
        """Warn at once of what cannot work, rather than after the time limit."""
        for check in self.capacity:
            if check.load_with_travel > 0.95:
                logger.warning(check.line())
        for customer_id, reason in self.unservable[:10]:
            logger.warning("customer %s cannot be served: %s", customer_id, reason)
        if len(self.unservable) > 10:
            logger.warning("... and %d more such customers (routeplan check lists all)", len(self.unservable) - 10)

    def lines(self) -> list[str]:
        out = [c.line() for c in self.capacity]
        for customer_id, reason in self.unservable:
            out.append(f"customer {customer_id} cannot be served: {reason}")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


def diagnose(form: Formulation) -> Diagnosis:
    """Capacity per group of managers, and the customers no eligible manager can serve (no
    manager, no fitting days, or a window out of reach of every eligible shift), level by level."""
    reasons = _Reasons(form)
    unservable = []
    for t in range(form.instance.num_tasks):
        reason = reasons.explain(t, fundamental_only=True)
        if reason is not None:
            unservable.append((form.problem.customers[form.customer_of(t)].customer_id, reason))
    return Diagnosis(capacity=tuple(capacity_checks(form)), unservable=tuple(unservable))


def unserved(form: Formulation, result: EngineResult) -> tuple[Unserved, ...]:
    """An entry with a reason for every customer and level whose visits are not (all) planned."""
    missing = result.unassigned()
    if not missing:
        return ()
    reasons = _Reasons(form, capacity_checks(form))
    out = []
    for t in missing:
        customer = form.problem.customers[form.customer_of(t)]
        level = form.level_of(t)
        out.append(Unserved(customer_id=customer.customer_id, visits_missing=form.instance.tasks[t].visits,
                            reason=reasons.explain(t) or "", level=level))
    return tuple(out)


class _Reasons:
    """Why a customer's visits of one level cannot be made, from the most to the least
    fundamental reason."""

    def __init__(self, form: Formulation, checks: list[CapacityCheck] | None = None):
        self.form = form
        self.checks = checks
        self.data = data_ref(freeze(form.instance, neighbours=0))  # timing needs no neighbour lists
        self._fits: dict[tuple[int, int, tuple[int, ...]], bool] = {}
        self._owners = np.zeros(form.problem.num_managers, dtype=np.bool_)

    def fits(self, rule: VisitRule, manager: Manager) -> bool:
        """Whether the manager's working days admit a visit pattern for the rule."""
        key = (rule.visits, rule.min_gap, manager.days)
        if key not in self._fits:
            self._fits[key] = bool(enumerate_patterns(rule.visits, rule.min_gap, self.form.problem.num_days,
                                                      manager.days, limit=1))
        return self._fits[key]

    def explain(self, task: int, *, fundamental_only: bool = False) -> str | None:
        """The first reason that applies to task ``task`` (a customer's visits of one level);
        with ``fundamental_only``, only reasons that hold whatever the plan (no eligible manager,
        no fitting days, an unreachable window), and None when none does."""
        form = self.form
        problem = form.problem
        customer = problem.customers[form.customer_of(task)]
        rules = problem.visit_rules(customer)
        rule = rules[form.level_of(task)]
        # Levels beyond the tier's own say which visits the reason is about.
        about = "" if rule.level == 0 else f"level {rule.level} ({rule.name}): "
        allowed = form.instance.tasks[task].owners
        if not allowed:
            return about + (f"no manager may serve it: {'tier ' + repr(customer.tier) if rule.level == 0 else 'it'} "
                            f"needs role {'/'.join(rule.roles)}"
                            + (f" and it is locked to {rule.locked_manager}" if rule.locked_manager else ""))
        names = ", ".join(problem.managers[i].manager_id for i in allowed)
        fitting = [i for i in allowed if self.fits(rule, problem.managers[i])]
        if not fitting:
            return about + (f"needs {rule.visits} visits at least {rule.min_gap} days apart, but its managers "
                            f"({names}) do not work enough days of the cycle")
        reachable_owners(self.data, task, self._owners)
        if not any(self._owners[i] for i in fitting):
            m = problem.managers[fitting[0]]
            away = float(form.instance.time[form.start_node[fitting[0]], form.instance.tasks[task].node]) / 60.0
            return about + (f"its window {format_hhmm(rule.window[0])}-{format_hhmm(rule.window[1])} cannot be "
                            f"reached within the shifts of its managers ({names}, e.g. {m.manager_id} "
                            f"{format_hhmm(m.shift[0])}-{format_hhmm(m.shift[1])}, {away:.0f} min away)")
        if fundamental_only:
            return None
        if self.checks is not None:
            ids = {problem.managers[i].manager_id for i in allowed}
            check = next((c for c in self.checks if ids <= set(c.managers)), None)
            if check is not None and check.load_with_travel > 0.95:
                return about + (f"not enough working time: its managers ({', '.join(check.managers)}) have "
                                f"{check.available_min / 60:.0f} h per cycle and their customers need "
                                f"{check.service_min / 60:.0f} h on site plus about {check.travel_min / 60:.0f} h "
                                f"travel; add a manager, lengthen shifts or lower visit frequencies")
        others = len(rules) > 1
        return about + (f"no room left: on the days its {rule.visits} visit(s) could take"
                        + (" (not the days of its other levels' visits)" if others else "")
                        + f", the routes of its managers ({names}) are full up to their shift end or visit cap; "
                        f"lengthen shifts, raise max_visits or add a manager")
