"""How even a plan's work is, against the problem's balance tolerances.

Utilisation is a manager's work (:attr:`routeplan.model.routes.DayRoute.work_min`: from
leaving the start to coming back, what routes.csv and summary.json call ``work_min``) over its
available time (shift length times the days it works). A group of interchangeable managers (those that can take
over each other's customers, directly or through others) is within its tolerance when every
member's utilisation lies within ``mean x (1 +- tolerance)`` of the group's mean (or its work
within an hour of its fair share, :data:`~routeplan.model.problem.BALANCE_FLOOR_MIN`); a
manager's days are within theirs when each day it has a route lies within ``mean day x (1 +-
day_tolerance)`` of its mean over those days (or within half an hour of it): a working day
without a route is a day off its routes, not a day 100% short, and is left out of the day band.
``within`` is the first (every manager within its group's band: what ``balance_within`` of
summary.json says), ``days_within`` the second.
The planner steers by the same bands (:mod:`routeplan.solver.kernels.objective`, on travel and
time on site: a wait is known only once a route is timed, and the timing starts each route late
enough to wait at none of its first shops); this module measures the plan as written, and says
who is out and by how much.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..model.problem import BALANCE_FLOOR_MIN, DAY_BALANCE_FLOOR_MIN, Problem
from ..model.routes import DayRoute
from ..model.travel import haversine_km
from ..planning.loads import kinds, reach

BAND_SLACK = 1e-6
"""Relative deviations this close to the tolerance count as inside (rounding of the minutes)."""
WORST_NAMED = 2
"""A line about a group names this many of its managers farthest out, not every one."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ManagerBalance:
    """One manager's utilisation and its relative deviation from its group's mean."""

    manager_id: str
    utilisation: float
    deviation: float  # (utilisation - mean) / mean
    within: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupBalance:
    """A group of interchangeable managers against the tolerance.

    ``name`` names the group by its roles (``"C+D"``), ``size`` by its managers per role (``"14
    managers: 11 C, 3 D"``); ``reasons`` say why its band cannot be reached where the plan's
    customers and rules make it so (a kind of manager that may serve too little work, a visit
    cap, locked customers), in terms one can act on."""

    managers: tuple[ManagerBalance, ...]
    mean_utilisation: float
    name: str = ""
    size: str = ""
    reasons: tuple[str, ...] = ()

    @property
    def largest_deviation(self) -> float:
        return max((abs(m.deviation) for m in self.managers), default=0.0)

    @property
    def out_of_band(self) -> tuple[ManagerBalance, ...]:
        return tuple(m for m in self.managers if not m.within)


@dataclass(frozen=True, slots=True, kw_only=True)
class DayBalance:
    """A manager's days outside the day tolerance around its mean day (over the days it has a
    route; ``days_off``: its working days without one, left out of the band)."""

    manager_id: str
    mean_day_min: float
    days_out: tuple[tuple[str, float], ...]  # (day label, relative deviation)
    days_off: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class BalanceReport:
    """A plan's balance against ``tolerance`` (managers) and ``day_tolerance`` (days)."""

    tolerance: float
    day_tolerance: float
    groups: tuple[GroupBalance, ...]
    days: tuple[DayBalance, ...]

    @property
    def within(self) -> bool:
        """Whether every manager lies within its group's band (``tolerance``): what the report's
        headline, ``balance_within`` of summary.json and the editor's figures say."""
        return not self.out_of_band()

    @property
    def days_within(self) -> bool:
        """Whether every day with a route lies within its manager's day band (``day_tolerance``)."""
        return not any(d.days_out for d in self.days)

    @property
    def largest_deviation(self) -> float:
        """The largest relative deviation of a manager's utilisation from its group's mean."""
        return max((g.largest_deviation for g in self.groups), default=0.0)

    def out_of_band(self) -> tuple[ManagerBalance, ...]:
        return tuple(m for g in self.groups for m in g.out_of_band)

    def headline(self) -> str:
        """One line: whether every manager is within its group's band and every day within its
        manager's, with the largest deviation."""
        out = self.out_of_band()
        band = f"+-{100 * self.tolerance:g}% of the mean utilisation, an hour at least"
        managers = (f"every manager within its group's band ({band}" if not out else
                    f"{len(out)} manager(s) outside their group's band ({band}")
        days_out = sum(len(d.days_out) for d in self.days)
        days = (f"every day within +-{100 * self.day_tolerance:g}% of its manager's mean day" if not days_out else
                f"{days_out} day(s) outside +-{100 * self.day_tolerance:g}% of their manager's mean day")
        return f"{managers}; largest deviation {100 * self.largest_deviation:.1f}%); {days}"

    def lines(self) -> list[str]:
        """One line per finding, for warnings and the summary table (empty when all is within):
        per group with managers out of its band, one line (its roles and size, how many are out,
        the :data:`WORST_NAMED` farthest with their deviations), why its band is out of reach,
        and per group with days out of their managers' bands, one line the same way."""
        lines = []
        by_manager = {d.manager_id: d for d in self.days}
        grouped: set[str] = set()
        for g in self.groups:
            grouped.update(m.manager_id for m in g.managers)
            out = sorted(g.out_of_band, key=lambda m: -abs(m.deviation))
            if out:
                worst = ", ".join(f"{m.manager_id} {100 * m.deviation:+.1f}%" for m in out[:WORST_NAMED])
                lines.append(f"group {g.name} ({g.size}): {len(out)} of {len(g.managers)} outside +-"
                             f"{100 * self.tolerance:g}% of the mean utilisation {100 * g.mean_utilisation:.1f}%; "
                             f"{'worst' if len(out) > 1 else 'it is'} {worst}")
            lines.extend(f"group {g.name}: {reason}" for reason in g.reasons)
            line = self._days_line(f"group {g.name} ({g.size})",
                                   [by_manager[m.manager_id] for m in g.managers if m.manager_id in by_manager])
            if line:
                lines.append(line)
        for d in self.days:
            if d.manager_id not in grouped:
                line = self._days_line(f"manager {d.manager_id}", [d])
                if line:
                    lines.append(line)
        return lines

    def _days_line(self, who: str, days: Sequence[DayBalance]) -> str:
        """One line for the days of ``days``' managers out of their bands ("" when none is)."""
        out = [(abs(dev), d.manager_id, label, dev) for d in days for label, dev in d.days_out]
        if not out:
            return ""
        out.sort(key=lambda x: -x[0])
        band = f"+-{100 * self.day_tolerance:g}%"
        if len(days) == 1:
            worst = ", ".join(f"{label} {100 * dev:+.1f}%" for _, _, label, dev in out[:WORST_NAMED])
            return (f"{who}: {len(out)} day(s) outside {band} of its mean day of {days[0].mean_day_min / 60:.1f} h "
                    f"(days without a route left out); worst {worst}")
        managers = len({mid for _, mid, _, _ in out})
        worst = ", ".join(f"{mid} {label} {100 * dev:+.1f}%" for _, mid, label, dev in out[:WORST_NAMED])
        return (f"{who}: {managers} manager(s) have {len(out)} day(s) outside {band} of their mean day "
                f"(days without a route left out); worst {worst}")

    def to_dict(self) -> dict[str, Any]:
        """The figures written to summary.json."""
        return {
            "tolerance": self.tolerance,
            "day_tolerance": self.day_tolerance,
            "within": self.within,
            "days_within": self.days_within,
            "largest_deviation": round(self.largest_deviation, 5),
            "groups": [{"name": g.name, "size": g.size, "managers": [m.manager_id for m in g.managers],
                        "mean_utilisation": round(g.mean_utilisation, 5),
                        **({"reasons": list(g.reasons)} if g.reasons else {}),
                        "largest_deviation": round(g.largest_deviation, 5),
                        "out_of_band": {m.manager_id: round(m.deviation, 5) for m in g.out_of_band}}
                       for g in self.groups],
            "days_out_of_band": {d.manager_id: {day: round(dev, 5) for day, dev in d.days_out}
                                 for d in self.days if d.days_out},
        }


def balance_report(problem: Problem, routes: Sequence[DayRoute], groups: Sequence[Sequence[str]], *,
                   eligible: Sequence[Sequence[int]] | None = None) -> BalanceReport:
    """Measure ``routes`` against ``problem.balance`` over ``groups`` of interchangeable manager ids
    (groups of one are left out: there is nobody to balance with). ``eligible`` (the managers each
    customer may have, positions in ``problem.managers``: its roles and lock under the hybrid
    strategy) lets a group's report say when the work its kinds of manager may do puts its band
    out of reach; without it only visit caps and locks are looked at."""
    settings = problem.balance
    managers = {m.manager_id: m for m in problem.managers}
    work: dict[str, float] = dict.fromkeys(managers, 0.0)
    days: dict[str, list[DayRoute]] = {mid: [] for mid in managers}
    for route in routes:
        work[route.manager_id] += route.work_min
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
        name, size = group_name([managers[mid].role for mid in group])
        reasons = (_out_of_reach(problem, routes, group, mean, eligible, work)
                   if any(not m.within for m in members) else ())
        group_reports.append(GroupBalance(managers=tuple(members), mean_utilisation=mean, name=name, size=size,
                                          reasons=reasons))
    day_reports = []
    for mid, own in days.items():
        # Only the days with a route: a working day without one is a day off its routes, not a
        # day 100% short of its mean.
        by_day = {route.day_index: route.work_min for route in own}
        if len(by_day) < 2:
            continue
        mean_day = work[mid] / len(by_day)
        out = []
        for day, minutes in sorted(by_day.items()):
            off_min = abs(minutes - mean_day)
            deviation = (minutes - mean_day) / mean_day if mean_day > 0 else 0.0
            if abs(deviation) > settings.day_tolerance + BAND_SLACK and off_min > DAY_BALANCE_FLOOR_MIN + BAND_SLACK:
                out.append((problem.days[day], deviation))
        off = tuple(problem.days[day] for day in managers[mid].days if day not in by_day)
        day_reports.append(DayBalance(manager_id=mid, mean_day_min=mean_day, days_out=tuple(out), days_off=off))
    return BalanceReport(tolerance=settings.tolerance, day_tolerance=settings.day_tolerance,
                         groups=tuple(group_reports), days=tuple(day_reports))


def group_name(roles: Sequence[str]) -> tuple[str, str]:
    """A group of managers named by its roles, the most numerous first (``"C+D"``), and its size
    (``"14 managers: 11 C, 3 D"``)."""
    counts = sorted(Counter(roles).items(), key=lambda item: (-item[1], item[0]))
    name = "+".join(role for role, _ in counts)
    size = f"{len(roles)} managers" + (f": {', '.join(f'{n} {role}' for role, n in counts)}" if len(counts) > 1 else
                                       f" of role {counts[0][0]}" if counts else "")
    return name, size


def customer_work_min(routes: Sequence[DayRoute]) -> dict[str, float]:
    """Each customer's share of the work balance counts, as the plan makes it: the ride into each
    of its visits, any wait there and the time on site (the ride home goes with the day's last
    visit); a manager's customers' shares add up to its work."""
    out: dict[str, float] = {}
    for route in routes:
        previous = route.depart
        for stop in route.stops:
            out[stop.customer_id] = out.get(stop.customer_id, 0.0) + (stop.end - previous) / 60.0
            previous = stop.end
        if route.stops:
            last = route.stops[-1].customer_id
            out[last] = out.get(last, 0.0) + (route.return_time - previous) / 60.0
    return out


def _out_of_reach(problem: Problem, routes: Sequence[DayRoute], group: Sequence[str], mean: float,
                  eligible: Sequence[Sequence[int]] | None, manager_work: dict[str, float]) -> tuple[str, ...]:
    """Why ``group``'s band (around ``mean``; ``manager_work`` the minutes of each manager) cannot be
    reached with this plan's work: a kind of
    its managers whose tiers hold too little work, or so much that only it may do; a visit cap;
    locked customers alone beyond the band."""
    tolerance = problem.balance.tolerance
    low, high = mean * (1 - tolerance), mean * (1 + tolerance)
    index = {m.manager_id: i for i, m in enumerate(problem.managers)}
    members = [index[mid] for mid in group]
    done = customer_work_min(routes)
    reasons: list[str] = []
    if eligible is not None:
        mine = set(members)
        customers = [i for i, allowed in enumerate(eligible) if allowed and set(allowed) <= mine]
        if customers:
            model = kinds([eligible[i] for i in customers], members)
            work = np.array([done.get(problem.customers[i].customer_id, 0.0) for i in customers])
            class_work = model.class_work(np.arange(len(customers)), work)
            capacity = np.array([problem.managers[m].available_min for m in members], dtype=float)
            kind_capacity = model.kind_capacity(np.arange(len(members)), capacity)
            least, most = reach(class_work, kind_capacity, model.serves)
            for k in range(model.num_kinds):
                if kind_capacity[k] <= 0 or model.num_kinds < 2:
                    continue
                of_kind = [members[j] for j in np.flatnonzero(model.manager_kind == k)]
                roles = "/".join(sorted({problem.managers[m].role for m in of_kind}))
                tiers = sorted({problem.customers[customers[i]].tier for i in range(len(customers))
                                if model.serves[model.customer_class[i], k]
                                and len(model.classes[model.customer_class[i]]) > 1})
                who = f"{roles} managers ({len(of_kind)} of {len(group)})"
                fill = 100 * most[k] / kind_capacity[k]
                if most[k] / kind_capacity[k] < low - BAND_SLACK:
                    reasons.append(f"{who} may serve only tier(s) {', '.join(tiers)}, whose work in this plan "
                                   f"({most[k] / 60:,.0f} h) fills them to at most {fill:.1f}%"
                                   f", below the band {100 * low:.1f}% to {100 * high:.1f}%: let them serve more "
                                   "tiers, or staff fewer of them")
                elif least[k] / kind_capacity[k] > high + BAND_SLACK:
                    reasons.append(f"{who} alone may serve work in this plan ({least[k] / 60:,.0f} h) that fills "
                                   f"them to at least {100 * least[k] / kind_capacity[k]:.1f}%, above the band "
                                   f"{100 * low:.1f}% to {100 * high:.1f}%: let other roles share their tiers, or "
                                   "staff more of them")
    visits: dict[str, int] = {}
    for route in routes:
        visits[route.manager_id] = visits.get(route.manager_id, 0) + len(route.stops)
    for m in members:
        manager = problem.managers[m]
        if manager.max_visits is None or manager.available_min <= 0:
            continue
        made = visits.get(manager.manager_id, 0)
        cap = manager.max_visits * len(manager.days)
        if made >= cap and made:
            own = manager_work[manager.manager_id]
            if own / manager.available_min < low - BAND_SLACK:
                reasons.append(f"manager {manager.manager_id} makes its cap of {manager.max_visits} visits a day on "
                               f"every day it works, which fills it to {100 * own / manager.available_min:.1f}%, "
                               f"below the band {100 * low:.1f}% to {100 * high:.1f}%: raise its cap")
    reasons.extend(_far_out(problem, routes, group, low, high, manager_work))
    locked: dict[str, float] = {}
    for c in problem.customers:
        lock = c.locked_manager
        if lock is not None and lock in group:
            locked[lock] = locked.get(lock, 0.0) + done.get(c.customer_id, 0.0)
    for mid, minutes in sorted(locked.items()):
        available = problem.managers[index[mid]].available_min
        if available > 0 and minutes / available > high + BAND_SLACK:
            reasons.append(f"the customers locked to manager {mid} alone fill it to {100 * minutes / available:.1f}%, "
                           f"above the band {100 * low:.1f}% to {100 * high:.1f}%: unlock some of them")
    return tuple(reasons)


FAR_OUT = 1.5
"""A manager whose customers lie this many times farther from its start than its group's do, on
average, and who is out of its band, is named as riding out far."""


def _far_out(problem: Problem, routes: Sequence[DayRoute], group: Sequence[str], low: float, high: float,
             work: dict[str, float]) -> list[str]:
    """Managers out of the band whose customers lie far from where they start: their work moves
    in large steps of riding, which the plan cannot even out (a start nearer their customers can)."""
    where = {c.customer_id: (c.lon, c.lat) for c in problem.customers}
    managers = {m.manager_id: m for m in problem.managers}
    out: dict[str, list[float]] = {mid: [] for mid in group}
    travel: dict[str, float] = dict.fromkeys(group, 0.0)
    for route in routes:
        if route.manager_id not in out:
            continue
        start = managers[route.manager_id].start
        points = [where[s.customer_id] for s in route.stops]
        if points:
            out[route.manager_id].extend(haversine_km([start.lon] * len(points), [start.lat] * len(points),
                                                      [p[0] for p in points], [p[1] for p in points]).tolist())
        travel[route.manager_id] += route.travel_min
    distances = [d for mid in group for d in out[mid]]
    if not distances:
        return []
    typical = float(np.mean(distances))
    far_ones: list[tuple[str, float, float]] = []
    for mid in group:
        available = managers[mid].available_min
        if not out[mid] or available <= 0:
            continue
        utilisation = work[mid] / available
        far = float(np.mean(out[mid]))
        if (low - BAND_SLACK <= utilisation <= high + BAND_SLACK) or far < FAR_OUT * typical:
            continue
        far_ones.append((mid, far, travel[mid] / work[mid] if work[mid] > 0 else 0.0))
    if not far_ones:
        return []
    band = f"within the band {100 * low:.1f}% to {100 * high:.1f}%"
    if len(far_ones) == 1:
        mid, far, share = far_ones[0]
        return [(f"manager {mid}'s customers lie {far:.1f} km from where it starts on average (its group's "
                f"{typical:.1f} km) and it rides {100 * share:.0f}% of its work: its work moves in large steps of "
                f"riding out, which the plan cannot even out {band}; a start nearer them (an office there) or a "
                "manager living there can")]
    farthest = sorted(far_ones, key=lambda x: -x[1])
    names = ", ".join(mid for mid, _, _ in farthest[:WORST_NAMED])
    if len(far_ones) > WORST_NAMED:
        names += f" and {len(far_ones) - WORST_NAMED} more"
    lo_km, hi_km = min(f for _, f, _ in far_ones), max(f for _, f, _ in far_ones)
    lo_share, hi_share = min(x for _, _, x in far_ones), max(x for _, _, x in far_ones)
    return [(f"{len(far_ones)} managers out of the band ride out far ({names}): their customers lie {lo_km:.0f} to "
            f"{hi_km:.0f} km from where they start on average (the group's {typical:.1f} km), {100 * lo_share:.0f} to "
            f"{100 * hi_share:.0f}% of their work riding; their work moves in large steps of riding out, which the "
            f"plan cannot even out {band}; starts nearer their customers (an office there) or managers living "
            "there can")]
