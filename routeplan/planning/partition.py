"""Bounded sub-problems of a large problem, so that a city or a province is planned part by part.

A problem of up to :data:`PART_CUSTOMERS` customers is one part, itself: the sample, the classic
benchmarks and a 5,000-customer city are planned whole, as before. A larger one is cut along its
groups of interchangeable managers (managers linked by customers they may both serve: under the
usual roles, one group per role), which share nothing; a group still too large is cut into
regions of neighbouring customers by recursive bisection across the longer side of the area,
each region given managers in proportion to its estimated work (so that the regions' managers
are as busy as each other) and the managers nearest to it. Locked customers go with their
manager; a customer whose region has none of its managers goes to the nearest region that has
one. Nothing here needs travel between all pairs of customers: only the estimated work of each
(:func:`routeplan.planning.formulate.customer_work`) and positions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from ..model.problem import Problem, interchangeable_groups
from ..model.travel import local_xy_km

PART_CUSTOMERS = 5000
"""Most customers in one part (the engine's dense travel matrices over a part of this size take
about 0.4 GB); a problem no larger is planned whole."""


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
    """
    n_customers, n_managers = problem.num_customers, problem.num_managers
    if n_customers <= max_customers:
        return [Part(problem=problem, customers=np.arange(n_customers), managers=np.arange(n_managers))]
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
    regions: list[tuple[np.ndarray, np.ndarray]] = []
    for g, group in enumerate(groups):
        mine = np.flatnonzero(group_of_customer == g)
        k = max(1, min(math.ceil(len(mine) / max_customers), len(group)))
        regions.extend(_bisect(points, homes, weight, capacity, mine, np.array(group, dtype=np.int64), k))
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


def _bisect(points: np.ndarray, homes: np.ndarray, work: np.ndarray, capacity: np.ndarray, customers: np.ndarray,
            managers: np.ndarray, k: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """``k`` regions of ``customers`` with their ``managers``: cut across the longer side, the
    managers whose homes lie on the low side going with it, the customers cut where the work
    matches the working time of each side's managers."""
    if k <= 1 or len(managers) <= 1 or len(customers) <= 1:
        return [(customers, managers)]
    low_k = k // 2
    spread = np.ptp(points[customers], axis=0)
    axis = int(np.argmax(spread))
    by_home = managers[np.lexsort((managers, homes[managers, axis]))]
    low_count = min(len(managers) - 1, max(1, round(len(managers) * low_k / k)))
    low_managers, high_managers = by_home[:low_count], by_home[low_count:]
    share = capacity[low_managers].sum() / capacity[managers].sum()
    order = customers[np.lexsort((customers, points[customers, axis]))]
    weight = np.maximum(work[order], 1e-9)
    cut = int(np.searchsorted(np.cumsum(weight) / weight.sum(), share))
    cut = min(max(cut, 1), len(order) - 1)
    return (_bisect(points, homes, work, capacity, order[:cut], low_managers, low_k)
            + _bisect(points, homes, work, capacity, order[cut:], high_managers, k - low_k))


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
