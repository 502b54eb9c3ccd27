"""A plan's figures, each defined once: per manager, per day, per visit level, the groups of
interchangeable managers, the coefficients of variation, what a re-plan kept, summary.json and
the text table. Work is :attr:`routeplan.model.routes.DayRoute.work_min` throughout.

Every function reads a plan (:class:`PlanView`: a :class:`routeplan.Plan` is one) and changes
nothing; :class:`routeplan.Plan` offers each as a method.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..model.districts import customer_districts
from ..model.routes import DayRoute
from ..notices import is_minor
from .balance import BalanceReport
from .changes import plan_changes, reason_counts
from .plan_data import PlanVisits
from .territories import TerritoryReport


class PlanView(PlanVisits, Protocol):
    """What the figures read of a plan: its data and visits, its warnings, totals and reports."""

    @property
    def warnings(self) -> tuple[str, ...]: ...
    def cost(self) -> float: ...
    def total_work_min(self) -> float: ...
    def visits_planned(self) -> int: ...
    def visits_required(self) -> int: ...
    def balance(self) -> BalanceReport: ...
    def territories(self) -> TerritoryReport: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class ManagerFigures:
    """Figures of one manager over the cycle.

    ``specialty_share``: share of its visits to customers of tiers its role is meant for;
    ``districts``: administrative districts its customers lie in (0 when unknown).
    """

    manager_id: str
    role: str
    customers: int
    visits: int
    travel_km: float
    work_min: float
    max_day_work_min: float
    days_worked: int
    specialty_share: float
    districts: int


def manager_figures(plan: PlanView) -> list[ManagerFigures]:
    """Figures per manager, in the order of the problem's managers."""
    problem = plan.problem
    # The roles each level of each tier is meant for: a market manager's visit is its specialty.
    tier_roles = {(t.name, k): set(roles) for t in problem.tiers
                  for k, roles in enumerate([t.roles] + [lv.roles for lv in t.levels])}
    customers = {c.customer_id: c for c in problem.customers}
    district = dict(zip(customers, customer_districts(problem), strict=True))
    by_manager: dict[str, list[DayRoute]] = {}
    for route in plan.routes:
        by_manager.setdefault(route.manager_id, []).append(route)
    figures = []
    for m in problem.managers:
        mine = by_manager.get(m.manager_id, [])
        served = {s.customer_id for r in mine for s in r.stops}
        visits = sum(len(r.stops) for r in mine)
        special = sum(1 for r in mine for s in r.stops
                      if m.role in tier_roles[customers[s.customer_id].tier, s.level])
        figures.append(ManagerFigures(
            manager_id=m.manager_id, role=m.role, customers=len(served), visits=visits,
            travel_km=sum(r.travel_km for r in mine), work_min=sum(r.work_min for r in mine),
            max_day_work_min=max((r.work_min for r in mine), default=0.0), days_worked=len(mine),
            specialty_share=special / visits if visits else 0.0,
            districts=len({district[c] for c in served if district[c] is not None})))
    return figures


def day_work(plan: PlanView) -> dict[str, list[float]]:
    """Work minutes per manager and day (0 on days without a route)."""
    table = {m.manager_id: [0.0] * plan.problem.num_days for m in plan.problem.managers}
    for r in plan.routes:
        table[r.manager_id][r.day_index] = r.work_min
    return table


def level_figures(plan: PlanView) -> list[dict[str, Any]]:
    """Figures per visit level (one entry, level 0, without further levels): its name,
    visits planned and required, customers visited, hours on site, the kilometres of the legs
    that lead to its visits, the managers making them, and the work, travel and longest day
    of the routes that hold its visits (a route with visits of two levels counts in both)."""
    problem = plan.problem
    names: dict[int, set[str]] = {0: set()}
    required: dict[int, int] = {0: 0}
    service: dict[str, list[float]] = {}
    for c in problem.customers:
        rules = problem.visit_rules(c)
        service[c.customer_id] = [r.service_min for r in rules]
        for rule in rules:
            required[rule.level] = required.get(rule.level, 0) + rule.visits
            names.setdefault(rule.level, set()).add(rule.name if rule.level else "own")
    out = []
    for level in sorted(required):
        stops = [(r, s) for r, s in plan.visits() if s.level == level]
        routes = {(r.manager_id, r.day_index): r for r, _ in stops}
        out.append({"level": level, "name": " / ".join(sorted(names[level])),
                    "visits_planned": len(stops), "visits_required": required[level],
                    "unserved": sum(1 for u in plan.unserved if u.level == level),
                    "customers": len({s.customer_id for _, s in stops}),
                    "service_min": round(sum(service[s.customer_id][level] for _, s in stops), 2),
                    "leg_km": round(sum(s.travel_km for _, s in stops), 3),
                    "managers": sorted({r.manager_id for r, _ in stops}),
                    "routes": len(routes),
                    "route_work_min": round(sum(r.work_min for r in routes.values()), 2),
                    "route_travel_km": round(sum(r.travel_km for r in routes.values()), 3),
                    "max_day_work_min": round(max((r.work_min for r in routes.values()), default=0.0), 2)})
    return out


def work_cv(plan: PlanView, groups: list[list[str]] | None = None) -> float:
    """Largest coefficient of variation of total work over groups of interchangeable
    managers (default: one group per role)."""
    figures = {f.manager_id: f.work_min for f in manager_figures(plan)}
    if groups is None:
        by_role: dict[str, list[str]] = {}
        for m in plan.problem.managers:
            by_role.setdefault(m.role, []).append(m.manager_id)
        groups = list(by_role.values())
    return _largest_cv([[figures[g] for g in group] for group in groups])


def balance_groups(plan: PlanView) -> list[list[str]]:
    """The groups of interchangeable managers the planner balanced.

    The planner records them (a role-blind strategy's districts make their own groups) and
    :func:`routeplan.read_plan` reads them back from summary.json; a plan that does not say
    takes the groups of the problem's roles under ``hybrid``, and all managers as one group
    under the role-blind strategies, where any manager may be handed any customer.
    """
    recorded = plan.run.balance_groups
    if recorded is not None:
        return [list(g) for g in recorded]
    if plan.strategy == "hybrid":
        return [list(g) for g in plan.problem.balance_groups()]
    return [[m.manager_id for m in plan.problem.managers]]


def role_groups(plan: PlanView) -> list[list[str]] | None:
    """The managers whose work ``work_cv`` compares (the contract): one group per role under
    ``hybrid`` (None), all managers under the role-blind strategies (with visit levels: all
    customer managers, and the managers of each further level's role apart)."""
    if plan.strategy == "hybrid":
        return None
    managers = plan.problem.managers
    if not plan.problem.has_levels:
        return [[m.manager_id for m in managers]]
    # The strategy hands out the tiers' own visits to the customer managers only; the market
    # managers and heads of further levels compare with their own role.
    own = {r for t in plan.problem.tiers for r in t.roles}
    groups: dict[str, list[str]] = {}
    for m in managers:
        groups.setdefault("" if m.role in own else m.role, []).append(m.manager_id)
    return list(groups.values())


def utilisation_cv(plan: PlanView, groups: list[list[str]] | None = None) -> float:
    """Largest coefficient of variation of utilisation (work over shift time of the days
    worked) over groups of managers (default: the groups the planner balanced)."""
    if groups is None:
        groups = balance_groups(plan)
    managers = {m.manager_id: m for m in plan.problem.managers}
    work = {f.manager_id: f.work_min for f in manager_figures(plan)}
    return _largest_cv([[work[mid] / managers[mid].available_min if managers[mid].available_min > 0 else 0.0
                         for mid in group] for group in groups])


def reassigned_pct(plan: PlanView) -> float | None:
    """Share (%) of the customers whose ``current_manager`` is still among the managers that
    another serves now (or none); None when no customer has a current manager still present."""
    present = {m.manager_id for m in plan.problem.managers}
    current = {c.customer_id: c.current_manager for c in plan.problem.customers
               if c.current_manager in present}
    if not current:
        return None
    assignment = plan.assignment()
    changed = sum(1 for cid, m in current.items() if assignment.get(cid) != m)
    return 100.0 * changed / len(current)


def same_days_pct(plan: PlanView) -> float | None:
    """Share (%) of the customers with current days (a re-plan's) that are served on exactly
    those days now; None when none has current days."""
    days = {c.customer_id: c.current_days for c in plan.problem.customers if c.current_days}
    if not days:
        return None
    now: dict[str, list[int]] = {}
    for route, stop in plan.visits():
        if stop.level == 0:
            now.setdefault(stop.customer_id, []).append(route.day_index)
    same = sum(1 for cid, d in days.items() if tuple(sorted(now.get(cid, ()))) == tuple(sorted(d)))
    return 100.0 * same / len(days)


def summary(plan: PlanView) -> dict[str, Any]:
    """The figures written to summary.json."""
    managers = {}
    figures = manager_figures(plan)
    for f in figures:
        managers[f.manager_id] = {"role": f.role, "customers": f.customers, "visits": f.visits,
                                  "travel_km": round(f.travel_km, 3), "work_min": round(f.work_min, 2),
                                  "max_day_work_min": round(f.max_day_work_min, 2),
                                  "days_worked": f.days_worked, "specialty_share": round(f.specialty_share, 4),
                                  "districts": f.districts}
    visits = sum(f.visits for f in figures)
    reassigned = reassigned_pct(plan)
    balance = plan.balance()
    territories = plan.territories()
    return {
        "scenario": plan.problem.name,
        "strategy": plan.strategy,
        "seed": plan.seed,
        "solve_seconds": round(plan.solve_seconds, 3),
        "time_limit": plan.time_limit,
        "iterations": plan.iterations,
        "total_travel_km": round(plan.cost(), 3),
        "total_work_min": round(plan.total_work_min(), 2),
        "max_day_work_min": round(max((r.work_min for r in plan.routes), default=0.0), 2),
        "work_cv": round(work_cv(plan, role_groups(plan)), 5),
        "utilisation_cv": round(utilisation_cv(plan), 5),
        "balance_deviation": round(balance.largest_deviation, 5),
        "balance_within": balance.within,
        "hull_overlap": round(territories.hull_overlap, 5),
        "mean_centre_km": round(territories.mean_centre_km, 4),
        "balance": balance.to_dict(),
        "territories": territories.to_dict(),
        "visits_planned": plan.visits_planned(),
        "visits_required": plan.visits_required(),
        "unserved": len(plan.unserved),
        "reassigned_pct": None if reassigned is None else round(reassigned, 2),
        **({} if plan.problem.stability is None else {"same_days_pct": _rounded(same_days_pct(plan)),
                                                      "changes": reason_counts(plan_changes(plan))}),
        "specialty_share": round(sum(f.specialty_share * f.visits for f in figures) / visits, 4) if visits else 0.0,
        "district_crossings": sum(max(0, f.districts - 1) for f in figures),
        "managers": managers,
        **({"levels": level_figures(plan)} if plan.problem.has_levels else {}),
        **plan.run.summary_entries(),
    }


def summary_table(plan: PlanView, *, warnings: bool = True) -> str:
    """A plain-text table of the figures per manager, for terminals and notebooks; with
    ``warnings`` False it leaves out the plan's warnings other than balance (a command that
    printed them as they came)."""
    head = f"{'manager':<8} {'role':<5} {'customers':>9} {'visits':>6} {'km':>8} {'work h':>7} {'max day h':>9}"
    lines = [head, "-" * len(head)]
    for f in manager_figures(plan):
        lines.append(f"{f.manager_id:<8} {f.role:<5} {f.customers:>9} {f.visits:>6} {f.travel_km:>8.1f} "
                     f"{f.work_min / 60:>7.1f} {f.max_day_work_min / 60:>9.2f}")
    lines.append("-" * len(head))
    lines.append(f"{'total':<14} {len(plan.assignment()):>9} {plan.visits_planned():>6} {plan.cost():>8.1f} "
                 f"{plan.total_work_min() / 60:>7.1f}")
    lines.append(f"km and work h: per cycle of {plan.problem.num_days} days; max day h: the longest day's work")
    lines.append(f"visits planned {plan.visits_planned()} of {plan.visits_required()}; unserved customers "
                 f"{len(plan.unserved)}; work CV {100 * work_cv(plan, role_groups(plan)):.1f}% "
                 f"(utilisation CV {100 * utilisation_cv(plan):.1f}%)")
    lines.append("  (CV: standard deviation over mean, the largest of the groups compared; work: hours; "
                 "utilisation: work over the shift time of the days worked)")
    report = plan.balance()
    lines.append(f"balance: {report.headline()}")
    lines.extend(f"  {line}" for line in report.lines())
    others = [w for w in plan.warnings if not is_minor(w)]  # balance lines are listed just above
    if others and warnings:
        lines.append(f"warnings ({len(others)}):")
        lines.extend(f"  {w}" for w in others)
    if plan.problem.has_levels:
        for level in level_figures(plan):
            lines.append(f"level {level['level']} ({level['name']}): {level['visits_planned']} of "
                         f"{level['visits_required']} visits by {', '.join(level['managers']) or 'nobody'}; "
                         f"{level['service_min'] / 60:.1f} h on site, routes {level['route_travel_km']:.1f} km, "
                         f"longest day {level['max_day_work_min'] / 60:.2f} h")
    return "\n".join(lines)


def _largest_cv(groups: Iterable[Sequence[float]]) -> float:
    """The largest coefficient of variation (population standard deviation over the mean) of
    the groups' values; groups of fewer than two values, or of mean 0, count as 0."""
    worst = 0.0
    for values in groups:
        if len(values) < 2:
            continue
        mean = sum(values) / len(values)
        if mean > 0:
            worst = max(worst, math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)) / mean)
    return worst


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
