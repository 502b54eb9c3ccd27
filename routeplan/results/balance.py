"""How even a plan's work is, against the problem's balance tolerances.

Utilisation is a manager's work (travel and time on site: what the planner balances; waiting
for a shop to open is not counted) over its available time (shift length times the days it
works). A group of interchangeable managers (those that can take
over each other's customers, directly or through others) is within its tolerance when every
member's utilisation lies within ``mean x (1 +- tolerance)`` of the group's mean (or its work
within an hour of its fair share, :data:`~routeplan.model.problem.BALANCE_FLOOR_MIN`); a
manager's days are within theirs when each day's work lies within ``mean day x (1 +-
day_tolerance)`` (or within half an hour of it).
The planner steers by the same bands (:mod:`routeplan.solver.kernels.objective`); this module
measures the plan as written, and says who is out and by how much.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..model.problem import BALANCE_FLOOR_MIN, DAY_BALANCE_FLOOR_MIN, Problem
from ..model.routes import DayRoute

BAND_SLACK = 1e-6
"""Relative deviations this close to the tolerance count as inside (rounding of the minutes)."""


def route_work_min(route: DayRoute) -> float:
    """The work of a route that balance counts: travel and time on site."""
    return route.travel_min + route.service_min


@dataclass(frozen=True, slots=True, kw_only=True)
class ManagerBalance:
    """One manager's utilisation and its relative deviation from its group's mean."""

    manager_id: str
    utilisation: float
    deviation: float  # (utilisation - mean) / mean
    within: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupBalance:
    """A group of interchangeable managers against the tolerance."""

    managers: tuple[ManagerBalance, ...]
    mean_utilisation: float

    @property
    def largest_deviation(self) -> float:
        return max((abs(m.deviation) for m in self.managers), default=0.0)

    @property
    def out_of_band(self) -> tuple[ManagerBalance, ...]:
        return tuple(m for m in self.managers if not m.within)


@dataclass(frozen=True, slots=True, kw_only=True)
class DayBalance:
    """A manager's days outside the day tolerance around its mean day."""

    manager_id: str
    mean_day_min: float
    days_out: tuple[tuple[str, float], ...]  # (day label, relative deviation)


@dataclass(frozen=True, slots=True, kw_only=True)
class BalanceReport:
    """A plan's balance against ``tolerance`` (managers) and ``day_tolerance`` (days)."""

    tolerance: float
    day_tolerance: float
    groups: tuple[GroupBalance, ...]
    days: tuple[DayBalance, ...]

    @property
    def within(self) -> bool:
        """Whether every group and every manager's days are within their tolerances."""
        return not self.out_of_band() and not any(d.days_out for d in self.days)

    @property
    def largest_deviation(self) -> float:
        """The largest relative deviation of a manager's utilisation from its group's mean."""
        return max((g.largest_deviation for g in self.groups), default=0.0)

    def out_of_band(self) -> tuple[ManagerBalance, ...]:
        return tuple(m for g in self.groups for m in g.out_of_band)

    def lines(self) -> list[str]:
        """One line per finding, for warnings and the summary table (empty when all is within)."""
        lines = []
        for g in self.groups:
            for m in g.out_of_band:
                lines.append(f"manager {m.manager_id} is {100 * m.deviation:+.1f}% from its group's mean "
                             f"utilisation {100 * g.mean_utilisation:.1f}% (tolerance +-{100 * self.tolerance:g}%; "
                             f"group {', '.join(x.manager_id for x in g.managers)})")
        for d in self.days:
            if d.days_out:
                worst = max(d.days_out, key=lambda x: abs(x[1]))
                lines.append(f"manager {d.manager_id} has {len(d.days_out)} day(s) outside +-"
                             f"{100 * self.day_tolerance:g}% of its mean day of {d.mean_day_min / 60:.1f} h "
                             f"(worst {worst[0]}, {100 * worst[1]:+.1f}%)")
        return lines

    def to_dict(self) -> dict[str, Any]:
        """The figures written to summary.json."""
        return {
            "tolerance": self.tolerance,
            "day_tolerance": self.day_tolerance,
            "within": self.within,
            "largest_deviation": round(self.largest_deviation, 5),
            "groups": [{"managers": [m.manager_id for m in g.managers],
                        "mean_utilisation": round(g.mean_utilisation, 5),
                        "largest_deviation": round(g.largest_deviation, 5),
                        "out_of_band": {m.manager_id: round(m.deviation, 5) for m in g.out_of_band}}
                       for g in self.groups],
            "days_out_of_band": {d.manager_id: {day: round(dev, 5) for day, dev in d.days_out}
                                 for d in self.days if d.days_out},
        }


def balance_report(problem: Problem, routes: Sequence[DayRoute], groups: Sequence[Sequence[str]]) -> BalanceReport:
    """Measure ``routes`` against ``problem.balance`` over ``groups`` of interchangeable manager ids
    (groups of one are left out: there is nobody to balance with)."""
    settings = problem.balance
    managers = {m.manager_id: m for m in problem.managers}
    work: dict[str, float] = dict.fromkeys(managers, 0.0)
    days: dict[str, list[DayRoute]] = {mid: [] for mid in managers}
    for route in routes:
        work[route.manager_id] += route_work_min(route)
        days[route.manager_id].append(route)
    group_reports = []
    for group in groups:
        if len(group) < 2:
            continue
        utilisation = {mid: work[mid] / managers[mid].available_min if managers[mid].available_min > 0 else 0.0
                       for mid in group}
        mean = sum(utilisation.values()) / len(group)
        members = []
        for mid in group:
            deviation = (utilisation[mid] - mean) / mean if mean > 0 else 0.0
            off_min = abs(utilisation[mid] - mean) * managers[mid].available_min  # minutes from its fair share
            within = abs(deviation) <= settings.tolerance + BAND_SLACK or off_min <= BALANCE_FLOOR_MIN + BAND_SLACK
            members.append(ManagerBalance(manager_id=mid, utilisation=utilisation[mid], deviation=deviation,
                                          within=within))
        group_reports.append(GroupBalance(managers=tuple(members), mean_utilisation=mean))
    day_reports = []
    for mid, own in days.items():
        worked = len(managers[mid].days)
        if worked < 2:
            continue
        mean_day = work[mid] / worked
        by_day = {route.day_index: route_work_min(route) for route in own}
        out = []
        for day in managers[mid].days:  # a working day without a route is an empty day
            off_min = abs(by_day.get(day, 0.0) - mean_day)
            deviation = (by_day.get(day, 0.0) - mean_day) / mean_day if mean_day > 0 else 0.0
            if abs(deviation) > settings.day_tolerance + BAND_SLACK and off_min > DAY_BALANCE_FLOOR_MIN + BAND_SLACK:
                out.append((problem.days[day], deviation))
        day_reports.append(DayBalance(manager_id=mid, mean_day_min=mean_day, days_out=tuple(out)))
    return BalanceReport(tolerance=settings.tolerance, day_tolerance=settings.day_tolerance,
                         groups=tuple(group_reports), days=tuple(day_reports))
