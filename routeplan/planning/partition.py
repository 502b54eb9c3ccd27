"""Bounded sub-problems of a large problem, so that a city or a province is planned part by part.

A problem of up to :data:`PART_CUSTOMERS` customers is one part, itself: the sample, the classic
benchmarks and a 5,000-customer city are planned whole, as before. A larger one is cut along its
groups of interchangeable managers (managers linked by customers they may both serve: under the
usual roles, one group per role), which share nothing; a group still too large is cut into
regions of neighbouring customers by recursive bisection across the longer side of the area.

Where the managers of a group live in different settlements (towns: customers linked to their
nearest neighbours within :data:`LINK_KM`, as in a province), a cut runs between settlements,
each going whole with the managers who live in it, at the gap where the work on each side best
matches its managers' working time; and towns that carry their own work (each side within
:data:`LOAD_SLACK` of the whole's load) are planned apart even where size does not call for it:
small, independent parts, none of whose managers would ride to another town. A settlement too
large for one part, or a group whose managers all start in one place (a city's office), is cut
by position: the customers where the work matches the working time of each side's managers,
those managers the ones whose homes lie on that side (so that the regions' managers are as busy
as each other). Locked customers go with their manager; a customer whose region has none of its
managers goes to the nearest region that has one. Nothing here needs travel between all pairs
of customers: only the estimated work of each (:func:`routeplan.planning.formulate.customer_work`)
and positions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from ..errors import InputIssue, ScenarioError
from ..model.problem import Problem, interchangeable_groups
from ..model.travel import local_xy_km

PART_CUSTOMERS = 5000
"""Most customers in one part (the engine's dense travel matrices over a part of this size take
about 0.4 GB); a problem no larger is planned whole."""
LINK_KM = 2.0
"""Customers this close (straight line) to one of their :data:`LINK_NEIGHBOURS` nearest belong to
one settlement; towns farther apart are cut between, never across."""
LINK_NEIGHBOURS = 8
SIZE_SLACK = 0.2
"""How far (share of the customers) a cut between settlements may stray from an even split."""
LOAD_SLACK = 0.15
"""How far each side's work over its managers' working time may stray from the whole's (share)
for settlements to be planned apart."""


@dataclass(frozen=True, slots=True)
class Part:
    """One sub-problem: ``problem`` holds the customers and managers of the whole at positions
    ``customers`` and ``managers``, in that order."""

    problem: Problem
    customers: np.ndarray
    managers: np.ndarray


def partition(problem: Problem, eligible: Sequence[Sequence[int]], work: np.ndarray, *,
              max_customers: int = PART_CUSTOMERS) -> list[Part]:
    """Cut ``problem`` into parts of at most about ``max_customers`` customers.

    Parameters
    ----------
    problem
        The whole problem.
    eligible
        The managers (indices) allowed per customer (a strategy's hand-out).
    work
        Each customer's estimated work per cycle.
    max_customers
        Most customers per part; a part may exceed it only where one manager's locked
        customers, or a group with one manager, do.

    Raises
    ------
    ScenarioError
        For a problem with visit levels larger than one part: a market manager or head visits
        across every part's territory, which parts planned apart cannot share.
    """
    n_customers, n_managers = problem.num_customers, problem.num_managers
    if n_customers <= max_customers:
        return [Part(problem=problem, customers=np.arange(n_customers), managers=np.arange(n_managers))]
    if problem.has_levels:
        tier = next(t.name for t in problem.tiers if t.levels)
        raise ScenarioError([InputIssue("scenario.toml", f"visit levels are planned for one department at a time, "
                                                         f"at most {max_customers:,} customers in one part; this "
                                                         f"problem has {n_customers:,}: plan each department's "
                                                         "scenario on its own", None, f"tiers.{tier}.levels")])
    places = local_xy_km([c.lon for c in problem.customers] + [m.start.lon for m in problem.managers],
                         [c.lat for c in problem.customers] + [m.start.lat for m in problem.managers])
    points, homes = places[:n_customers], places[n_customers:]
    capacity = np.array([max(m.available_min, 1e-9) for m in problem.managers])
    group_of_manager = np.empty(n_managers, dtype=np.int64)
    groups = interchangeable_groups([tuple(e) for e in eligible], n_managers)
    for g, group in enumerate(groups):
        group_of_manager[list(group)] = g
    # A customer nobody may serve stays with the first group (the planner reports why).
    group_of_customer = np.array([group_of_manager[e[0]] if len(e) else 0 for e in eligible], dtype=np.int64)
    weight = work + _way_out(problem, points, homes, work)
    cut = _Cut(points=points, homes=homes, work=weight, capacity=capacity,
               settlement=settlements(points), max_customers=max_customers)
    regions: list[tuple[np.ndarray, np.ndarray]] = []
    for g, group in enumerate(groups):
        mine = np.flatnonzero(group_of_customer == g)
        k = max(1, min(math.ceil(len(mine) / max_customers), len(group)))
        regions.extend(cut.bisect(mine, np.array(group, dtype=np.int64), k))
    region_of = np.empty(n_customers, dtype=np.int64)
    for r, (customers, _) in enumerate(regions):
        region_of[customers] = r
    region_of = _mend(problem, eligible, points, regions, region_of)
    parts: list[Part] = []
    for r, (_, members) in enumerate(regions):
        customers = np.flatnonzero(region_of == r)
        if len(customers) == 0 and len(members) == 0:
            continue
        managers = np.sort(members)
        sub = problem.replace(name=f"{problem.name} part {len(parts) + 1}",
                              customers=tuple(problem.customers[i] for i in customers),
                              managers=tuple(problem.managers[m] for m in managers))
        parts.append(Part(problem=sub, customers=customers, managers=managers))
    return parts


def _way_out(problem: Problem, points: np.ndarray, homes: np.ndarray, work: np.ndarray) -> np.ndarray:
    """Each customer's share of the daily ride from the nearest manager's home and back (seconds
    per cycle): a region far from where its managers start costs more than its visits, and the
    cut must give it the managers for that."""
    if not len(homes) or not len(points):
        return np.zeros(len(points))
    _, nearest = cKDTree(homes).query(points)
    start = [problem.managers[int(m)].start for m in np.atleast_1d(nearest)]
    _, minutes = problem.travel.travel_model().pairs(
        np.array([c.lon for c in problem.customers]), np.array([c.lat for c in problem.customers]),
        np.array([p.lon for p in start]), np.array([p.lat for p in start]))
    seconds = 2.0 * 60.0 * np.asarray(minutes, dtype=float)
    visits = np.array([c.visits for c in problem.customers], dtype=float)
    shift = float(np.mean([m.shift[1] - m.shift[0] for m in problem.managers])) * 60.0
    per_visit = float(work.sum() / visits.sum()) if visits.sum() > 0 else shift
    # A day holds as many visits as the managers' load fills of a shift: the emptier the days,
    # the more of each day's ride every visit carries. (On 10,000 and 20,000 synthetic customers,
    # counting full days left regions far from the depot 10 % busier than their estimate.)
    load = min(1.0, float(work.sum()) / 60.0 / max(sum(m.available_min for m in problem.managers), 1e-9))
    stops_per_day = max(1.0, load * shift / max(per_visit, 1.0))
    return visits * seconds / stops_per_day


def settlements(points: np.ndarray, *, link_km: float = LINK_KM) -> np.ndarray:
    """The settlement of each point (local km): connected parts of the graph linking every point
    to those of its :data:`LINK_NEIGHBOURS` nearest within ``link_km`` (a sparse graph, never all
    pairs)."""
    n = len(points)
    if n <= 1:
        return np.zeros(n, dtype=np.int64)
    k = min(LINK_NEIGHBOURS + 1, n)
    distance, near = cKDTree(points).query(points, k=k)
    rows = np.repeat(np.arange(n), k)
    keep = np.asarray(distance).ravel() <= link_km
    graph = coo_matrix((np.ones(int(keep.sum())), (rows[keep], np.asarray(near).ravel()[keep])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels.astype(np.int64)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Cut:
    """What a recursive bisection reads: customers' and homes' positions (local km), each
    customer's weight and settlement, each manager's working time."""

    points: np.ndarray
    homes: np.ndarray
    work: np.ndarray
    capacity: np.ndarray
    settlement: np.ndarray
    max_customers: int

    def bisect(self, customers: np.ndarray, managers: np.ndarray, k: int,
               load: float | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
        """About ``k`` regions of ``customers`` with their ``managers``; more where settlements
        with their own managers can be planned apart (each side carrying its own work, against
        ``load``, the whole group's work over its working time), or where a cut between
        settlements leaves a side larger than its share."""
        if len(managers) <= 1 or len(customers) <= 1:
            return [(customers, managers)]
        if load is None:
            load = float(self.work[customers].sum() / max(self.capacity[managers].sum(), 1e-9))
        low_k, high_k = k // 2, k - k // 2
        sides = self._between_settlements(customers, managers, low_k / k if k > 1 else None, load)
        if sides is None:
            if k <= 1:
                return [(customers, managers)]
            sides = self._across(customers, managers, low_k / k)
        else:  # a cut between settlements may leave a side larger than its share
            low_k = max(low_k, 1, math.ceil(len(sides[0][0]) / self.max_customers))
            high_k = max(high_k, math.ceil(len(sides[1][0]) / self.max_customers))
        (low, low_managers), (high, high_managers) = sides
        return self.bisect(low, low_managers, low_k, load) + self.bisect(high, high_managers, high_k, load)

    def _across(self, customers: np.ndarray, managers: np.ndarray,
                low_share: float) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """Cut across the longer side: the managers whose homes lie on the low side go with it,
        the customers cut where the work matches the working time of each side's managers."""
        spread = np.ptp(self.points[customers], axis=0)
        axis = int(np.argmax(spread))
        by_home = managers[np.lexsort((managers, self.homes[managers, axis]))]
        low_count = min(len(managers) - 1, max(1, round(len(managers) * low_share)))
        low_managers, high_managers = by_home[:low_count], by_home[low_count:]
        share = self.capacity[low_managers].sum() / self.capacity[managers].sum()
        order = customers[np.lexsort((customers, self.points[customers, axis]))]
        weight = np.maximum(self.work[order], 1e-9)
        cut = int(np.searchsorted(np.cumsum(weight) / weight.sum(), share))
        cut = min(max(cut, 1), len(order) - 1)
        return (order[:cut], low_managers), (order[cut:], high_managers)

    def _between_settlements(self, customers: np.ndarray, managers: np.ndarray, low_share: float | None,
                             group_load: float
                             ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None:
        """A cut between whole settlements, each with the managers living in it (the settlement
        of the customer nearest to the home), where each side's work over its managers' working
        time best matches the whole's. With ``low_share`` (the size calls for a cut), the low
        side holds that share of the customers to within :data:`SIZE_SLACK`; without, the cut is
        optional and made only where each side stays within :data:`LOAD_SLACK` of
        ``group_load`` (each side carries its own work as the whole group does). None where the
        managers live in one settlement or no such cut exists."""
        units, unit_of = np.unique(self.settlement[customers], return_inverse=True)
        if len(units) < 2:
            return None
        _, nearest = cKDTree(self.points[customers]).query(self.homes[managers])
        manager_unit = unit_of[np.atleast_1d(nearest)]
        if len(np.unique(manager_unit)) < 2:
            return None
        centres = np.array([np.bincount(unit_of, weights=self.points[customers, d], minlength=len(units))
                            for d in (0, 1)]).T / np.bincount(unit_of, minlength=len(units))[:, None]
        axis = int(np.argmax(np.ptp(centres, axis=0)))
        order = np.lexsort((units, centres[:, axis]))  # units along the longer side
        rank = np.empty(len(units), dtype=np.int64)
        rank[order] = np.arange(len(units))
        count = np.cumsum(np.bincount(rank[unit_of], minlength=len(units))) / len(customers)
        work = np.cumsum(np.bincount(rank[unit_of], weights=self.work[customers], minlength=len(units)))
        capacity = np.cumsum(np.bincount(rank[manager_unit], weights=self.capacity[managers], minlength=len(units)))
        staffed = np.cumsum(np.bincount(rank[manager_unit], minlength=len(units)))
        # A forced cut matches this region's load; an optional one keeps both sides near the
        # group's (a chain of optional cuts would otherwise let far towns drift apart).
        load = work[-1] / capacity[-1] if low_share is not None else group_load
        best, best_gap = -1, math.inf
        for i in range(len(units) - 1):  # the cut after the i-th unit along the side
            if not 0 < staffed[i] < len(managers):
                continue
            if low_share is not None and abs(count[i] - low_share) > SIZE_SLACK:
                continue
            low_load = work[i] / capacity[i] / load
            high_load = (work[-1] - work[i]) / (capacity[-1] - capacity[i]) / load
            gap = max(abs(low_load - 1.0), abs(high_load - 1.0))
            if (gap <= LOAD_SLACK or low_share is not None) and gap < best_gap:
                best, best_gap = i, gap
        if best < 0:
            return None
        low_unit = rank <= best
        low_customer, low_manager = low_unit[unit_of], low_unit[manager_unit]
        return ((customers[low_customer], managers[low_manager]),
                (customers[~low_customer], managers[~low_manager]))


def _mend(problem: Problem, eligible: Sequence[Sequence[int]], points: np.ndarray,
          regions: list[tuple[np.ndarray, np.ndarray]], region_of: np.ndarray) -> np.ndarray:
    """Locked customers go to their manager's region; a customer whose region holds none of its
    managers goes to the nearest region (by centre) that holds one."""
    region_of = region_of.copy()
    region_of_manager = {int(m): r for r, (_, managers) in enumerate(regions) for m in managers}
    centres = np.array([points[c].mean(axis=0) if len(c) else np.zeros(2) for c, _ in regions])
    regions_of: dict[int, list[int]] = {}  # by the tuple's identity: customers share them
    for i, allowed in enumerate(eligible):
        if not len(allowed):
            continue
        if id(allowed) not in regions_of:
            regions_of[id(allowed)] = sorted({region_of_manager[int(m)] for m in allowed
                                              if int(m) in region_of_manager})
        homes = regions_of[id(allowed)]
        if region_of[i] in homes or not homes:
            continue
        region_of[i] = min(homes, key=lambda r: (float(np.hypot(*(centres[r] - points[i]))), r))
    return region_of
