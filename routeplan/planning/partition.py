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
of customers: only the estimated work of each (:func:`routeplan.planning.workload.customer_work`)
and positions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from ..errors import ArgumentError
from ..model.problem import Problem
from ..model.travel import local_xy_km
from ..roads.resolve import travel_model
from ..solver.workload import ride_share
from .context import PlanningContext
from .loads import kinds, spread

PART_CUSTOMERS = 5000
"""Most customers in one part (the engine's dense travel matrices over a part of this size take
about 0.4 GB); a problem no larger is planned whole."""
LINK_KM = 2.0
"""Customers this close (straight line) to one of their :data:`LINK_NEIGHBOURS` nearest belong to
one settlement; towns farther apart are cut between, never across."""
LINK_NEIGHBOURS = 8
SIZE_SLACK = 0.2
"""How far (share of the customers) a cut between settlements may stray from an even split."""
REBALANCE_BAND = 0.25
"""Before solving, work moves across the borders of a group's parts until every kind of manager
in every part is within this share of the balance tolerance of the group's mean (estimated)."""
MOVE_KM_COST = 1.0
"""What moving an hour of work to a neighbouring part costs in the rebalancing (per km between
the parts' centres), against :data:`BAND_COST` per hour beyond the band."""
BAND_COST = 1000.0
CONTACT_NEIGHBOURS = 6
"""Nearest customers looked at when judging which parts touch."""
COUNT_STEPS = 200
"""Most single-manager moves in the choice of each side's managers of every kind."""
LOAD_SLACK = 0.15
"""How far each side's work over its managers' working time may stray from the whole's (share)
for settlements to be planned apart."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PartitionParams:
    """How a large problem is cut into parts (defaults: this module's constants).

    Attributes
    ----------
    link_km
        Customers this close to a near neighbour belong to one settlement (:data:`LINK_KM`).
    size_slack
        How far a cut between settlements may stray from an even split (:data:`SIZE_SLACK`).
    load_slack
        How far each side's load may stray from the whole's for settlements to be planned apart
        (:data:`LOAD_SLACK`).
    rebalance_band
        Share of the balance tolerance within which the rebalancing before solving brings every
        kind of manager in every part (:data:`REBALANCE_BAND`).
    move_km_cost, band_cost
        What the rebalancing's linear programme charges for an hour of work moved, per km between
        the parts' centres (:data:`MOVE_KM_COST`), and per hour left beyond the band
        (:data:`BAND_COST`): how far it goes to even out parts.
    link_neighbours, contact_neighbours
        Nearest customers looked at when linking settlements (:data:`LINK_NEIGHBOURS`) and when
        judging which parts touch (:data:`CONTACT_NEIGHBOURS`).
    count_steps
        Most single-manager moves in the choice of each side's managers of every kind
        (:data:`COUNT_STEPS`).
    """

    link_km: float = LINK_KM
    size_slack: float = SIZE_SLACK
    load_slack: float = LOAD_SLACK
    rebalance_band: float = REBALANCE_BAND
    move_km_cost: float = MOVE_KM_COST
    band_cost: float = BAND_COST
    link_neighbours: int = LINK_NEIGHBOURS
    contact_neighbours: int = CONTACT_NEIGHBOURS
    count_steps: int = COUNT_STEPS

    def __post_init__(self) -> None:
        for name in ("link_km", "size_slack", "load_slack", "rebalance_band", "move_km_cost", "band_cost"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ArgumentError(f"partition.{name}", f"{value!r} is not a number of 0 or more")
        for name in ("link_neighbours", "contact_neighbours", "count_steps"):
            value = getattr(self, name)
            if not (isinstance(value, int) and value >= 1):
                raise ArgumentError(f"partition.{name}", f"{value!r} is not a whole number of 1 or more")


@dataclass(frozen=True, slots=True)
class Part:
    """One sub-problem: its context's problem holds the customers and managers of the whole at
    positions ``customers`` and ``managers``, in that order."""

    context: PlanningContext
    customers: np.ndarray
    managers: np.ndarray

    @property
    def problem(self) -> Problem:
        return self.context.problem


def partition(context: PlanningContext, *, max_customers: int = PART_CUSTOMERS,
              params: PartitionParams | None = None) -> list[Part]:
    """Cut the context's problem into parts of at most about ``max_customers`` customers.

    Parameters
    ----------
    context
        The whole problem, its hand-out (the managers allowed per customer), its groups of
        interchangeable managers and each customer's estimated work per cycle.
    max_customers
        Most customers per part; a part may exceed it only where one manager's locked
        customers, or a group with one manager, do.
    params
        How the cut is made (default: :class:`PartitionParams`).

    Raises
    ------
    ValueError
        For a problem with visit levels larger than one part: such a problem is planned level
        by level (:mod:`routeplan.planning.levels`), each phase cut on its own.
    """
    problem, eligible = context.problem, context.eligible
    params = params or PartitionParams()
    n_customers, n_managers = problem.num_customers, problem.num_managers
    if n_customers <= max_customers:
        return [Part(context=context, customers=np.arange(n_customers), managers=np.arange(n_managers))]
    if problem.has_levels:
        raise ValueError(f"{problem.name}: a problem with visit levels of {n_customers:,} customers is planned level "
                         "by level (routeplan.planning.levels.level_phases), each phase cut on its own")
    points, homes = _places(problem)
    capacity = np.array([max(m.available_min, 1e-9) for m in problem.managers])
    groups = context.groups
    group_of_manager = context.group_of_manager()
    # A customer nobody may serve stays with the first group (the planner reports why).
    group_of_customer = np.array([group_of_manager[e[0]] if len(e) else 0 for e in eligible], dtype=np.int64)
    weight = estimated_work(problem, _work(context))
    model = kinds(eligible, range(n_managers))
    servable = np.asarray(model.serves.any(axis=1))[model.customer_class]
    cut = _Cut(points=points, homes=homes, work=weight, capacity=capacity,
               settlement=settlements(points, link_km=params.link_km, neighbours=params.link_neighbours),
               max_customers=max_customers, params=params, customer_class=model.customer_class,
               class_weight=np.where(servable, weight, 0.0), manager_kind=model.manager_kind, serves=model.serves,
               class_pinned=np.array([len(c) <= 1 for c in model.classes], dtype=bool))
    regions: list[tuple[np.ndarray, np.ndarray]] = []
    for g, group in enumerate(groups):
        mine = np.flatnonzero(group_of_customer == g)
        k = max(1, min(math.ceil(len(mine) / max_customers), len(group)))
        regions.extend(cut.bisect(mine, np.array(group, dtype=np.int64), k))
    region_of = np.empty(n_customers, dtype=np.int64)
    for r, (customers, _) in enumerate(regions):
        region_of[customers] = r
    region_of = _mend(problem, eligible, points, regions, region_of)
    region_group = [int(group_of_manager[m[0]]) if len(m) else -1 for _, m in regions]
    region_of = rebalance(cut, [m for _, m in regions], region_group, region_of,
                          band=params.rebalance_band * problem.balance.tolerance)
    parts: list[Part] = []
    for r, (_, members) in enumerate(regions):
        customers = np.flatnonzero(region_of == r)
        if len(customers) == 0 and len(members) == 0:
            continue
        managers = np.sort(members)
        parts.append(Part(context=context.part(customers, managers, name=f"{problem.name} part {len(parts) + 1}"),
                          customers=customers, managers=managers))
    return parts


def _work(context: PlanningContext) -> np.ndarray:
    """The context's estimate of each customer's work (the partition needs it)."""
    if context.work is None:
        raise ValueError("the partition needs each customer's estimated work: a context made with estimate=True")
    return context.work


def _places(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Customers' and managers' homes in local km."""
    n = problem.num_customers
    places = local_xy_km([c.lon for c in problem.customers] + [m.start.lon for m in problem.managers],
                         [c.lat for c in problem.customers] + [m.start.lat for m in problem.managers])
    return places[:n], places[n:]


def estimated_work(problem: Problem, work: np.ndarray) -> np.ndarray:
    """Each customer's work as the cut weighs it: its visits (``work``) and its share of the daily
    ride out from its nearest manager's home and back."""
    points, homes = _places(problem)
    return work + _way_out(problem, points, homes, work)


@dataclass(frozen=True, slots=True, kw_only=True)
class PartLoad:
    """A part's estimated load against its managers' time, judged before solving: ``utilisation``
    its customers' estimated work over its managers' working time, ``group_utilisation`` the
    same over the whole group of interchangeable managers it belongs to, ``spread`` the least
    relative deviation from the part's own utilisation with which its work can be shared over its
    kinds of manager (:func:`routeplan.planning.loads.spread`; ``inf``: some customers have
    nobody in the part who may serve them)."""

    part: int
    customers: int
    managers: int
    utilisation: float
    group_utilisation: float
    spread: float

    @property
    def deviation(self) -> float:
        """How far the part's load strays from its group's (relative)."""
        return self.utilisation / self.group_utilisation - 1.0 if self.group_utilisation > 0 else 0.0


def part_loads(context: PlanningContext, parts: Sequence[Part]) -> list[PartLoad]:
    """Each part's estimated load (:class:`PartLoad`), from each customer's estimated work."""
    problem = context.problem
    weight = estimated_work(problem, _work(context))
    model = kinds(context.eligible, range(problem.num_managers))
    capacity = np.array([max(m.available_min, 1e-9) for m in problem.managers]) * 60.0
    groups = context.groups
    group_of_manager = context.group_of_manager()
    group_work = np.zeros(len(groups))
    group_capacity = np.zeros(len(groups))
    for part in parts:
        if len(part.managers):
            g = group_of_manager[part.managers[0]]
            group_work[g] += weight[part.customers].sum()
            group_capacity[g] += capacity[part.managers].sum()
    out = []
    for k, part in enumerate(parts):
        mine = float(capacity[part.managers].sum())
        load = float(weight[part.customers].sum()) / mine if mine > 0 else np.inf
        g = group_of_manager[part.managers[0]] if len(part.managers) else -1
        overall = group_work[g] / group_capacity[g] if g >= 0 and group_capacity[g] > 0 else load
        class_work = model.class_work(part.customers, weight)
        kind_capacity = model.kind_capacity(part.managers, capacity)
        out.append(PartLoad(part=k, customers=len(part.customers), managers=len(part.managers), utilisation=load,
                            group_utilisation=float(overall),
                            spread=spread(class_work, kind_capacity, model.serves, load) if mine > 0 else np.inf))
    return out


def _way_out(problem: Problem, points: np.ndarray, homes: np.ndarray, work: np.ndarray) -> np.ndarray:
    """Each customer's share of the daily ride from the nearest manager's home and back (seconds
    per cycle): a region far from where its managers start costs more than its visits, and the
    cut must give it the managers for that."""
    if not len(homes) or not len(points):
        return np.zeros(len(points))
    _, nearest = cKDTree(homes).query(points)
    start = [problem.managers[int(m)].start for m in np.atleast_1d(nearest)]
    _, minutes = travel_model(problem.travel).pairs(
        np.array([c.lon for c in problem.customers]), np.array([c.lat for c in problem.customers]),
        np.array([p.lon for p in start]), np.array([p.lat for p in start]))
    seconds = 2.0 * 60.0 * np.asarray(minutes, dtype=float)
    visits = np.array([c.visits for c in problem.customers], dtype=float)
    shift = float(np.mean([m.shift[1] - m.shift[0] for m in problem.managers])) * 60.0
    total = 60.0 * sum(m.available_min for m in problem.managers)
    return ride_share(visits, seconds, work, (shift, total))


def settlements(points: np.ndarray, *, link_km: float = LINK_KM, neighbours: int = LINK_NEIGHBOURS) -> np.ndarray:
    """The settlement of each point (local km): connected parts of the graph linking every point
    to those of its ``neighbours`` nearest within ``link_km`` (a sparse graph, never all
    pairs)."""
    n = len(points)
    if n <= 1:
        return np.zeros(n, dtype=np.int64)
    k = min(neighbours + 1, n)
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
    params: PartitionParams = field(default_factory=PartitionParams)
    customer_class: np.ndarray  # per customer (see routeplan.planning.loads)
    class_weight: np.ndarray  # per customer: its work where some kind may serve its class, else 0
    manager_kind: np.ndarray
    serves: np.ndarray
    class_pinned: np.ndarray  # per class: allowed one manager (a lock), so it stays with that manager

    @property
    def num_classes(self) -> int:
        return int(self.serves.shape[0])

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
        """Cut across the longer side: of each kind of manager (:mod:`routeplan.planning.loads`)
        those whose homes lie lowest go with the low side, as many as the work its customers
        bring for that kind asks for; the customers cut where the work matches the working time
        of each side's managers."""
        spread = np.ptp(self.points[customers], axis=0)
        axis = int(np.argmax(spread))
        order = customers[np.lexsort((customers, self.points[customers, axis]))]
        weight = np.maximum(self.work[order], 1e-9)
        cumulative = np.cumsum(weight) / weight.sum()
        by_kind = {int(k): mine[np.lexsort((mine, self.homes[mine, axis]))]
                   for k in np.unique(self.manager_kind[managers])
                   for mine in [managers[self.manager_kind[managers] == k]]}
        counts = _apportion_counts({k: len(m) for k, m in by_kind.items()}, low_share)
        load = float(self.work[customers].sum() / max(self.capacity[managers].sum(), 1e-9))
        tried: set[tuple[tuple[int, int], ...]] = set()
        while True:
            tried.add(tuple(sorted(counts.items())))
            low_managers = np.concatenate([by_kind[k][:n] for k, n in counts.items()])
            high_managers = np.concatenate([by_kind[k][n:] for k, n in counts.items()])
            share = self.capacity[low_managers].sum() / self.capacity[managers].sum()
            cut = min(max(int(np.searchsorted(cumulative, share)), 1), len(order) - 1)
            low, high = order[:cut], order[cut:]
            better = self._counts(low, high, by_kind, counts, load)
            if better == counts or tuple(sorted(better.items())) in tried:
                return (low, np.sort(low_managers)), (high, np.sort(high_managers))
            counts = better

    def _counts(self, low: np.ndarray, high: np.ndarray, by_kind: dict[int, np.ndarray], counts: dict[int, int],
                load: float) -> dict[int, int]:
        """How many managers of each kind the low side should have so that both sides' work can be
        shared evenly over their kinds (:func:`routeplan.planning.loads.spread`): a descent from
        ``counts``, one manager at a time."""
        low_work = np.bincount(self.customer_class[low], weights=self.class_weight[low], minlength=self.num_classes)
        high_work = np.bincount(self.customer_class[high], weights=self.class_weight[high],
                                minlength=self.num_classes)

        def score(option: dict[int, int]) -> tuple[float, float]:
            low_cap = np.zeros(self.serves.shape[1])
            high_cap = np.zeros(self.serves.shape[1])
            for k, n in option.items():
                low_cap[k] = self.capacity[by_kind[k][:n]].sum()
                high_cap[k] = self.capacity[by_kind[k][n:]].sum()
            a = spread(low_work, low_cap, self.serves, load)
            b = spread(high_work, high_cap, self.serves, load)
            return max(a, b), a + b

        best, best_score = dict(counts), score(counts)
        total = sum(len(m) for m in by_kind.values())
        for _ in range(self.params.count_steps):
            moves = []
            for k in sorted(by_kind):
                for step in (-1, 1):
                    option = {**best, k: best[k] + step}
                    if 0 <= option[k] <= len(by_kind[k]) and 0 < sum(option.values()) < total:
                        moves.append(option)
            scored = [(score(option), option) for option in moves]
            if not scored:
                break
            value, option = min(scored, key=lambda pair: pair[0])
            if not value < best_score:
                break
            best, best_score = option, value
        return best

    def _between_settlements(self, customers: np.ndarray, managers: np.ndarray, low_share: float | None,
                             group_load: float
                             ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None:
        """A cut between whole settlements, each with the managers living in it (the settlement
        of the customer nearest to the home), where each side's work over its managers' working
        time best matches the whole's. With ``low_share`` (the size calls for a cut), the low
        side holds that share of the customers to within ``size_slack``; without, the cut is
        optional and made only where each side stays within ``load_slack`` of
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
            if low_share is not None and abs(count[i] - low_share) > self.params.size_slack:
                continue
            low_load = work[i] / capacity[i] / load
            high_load = (work[-1] - work[i]) / (capacity[-1] - capacity[i]) / load
            gap = max(abs(low_load - 1.0), abs(high_load - 1.0))
            if (gap <= self.params.load_slack or low_share is not None) and gap < best_gap:
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


def _apportion_counts(sizes: dict[int, int], share: float) -> dict[int, int]:
    """Of each kind's ``sizes`` managers, about ``share`` on the low side, at least one manager on
    each side in all."""
    counts = {k: min(n, max(0, round(n * share))) for k, n in sizes.items()}
    total = sum(sizes.values())
    if sum(counts.values()) == 0:
        k = max(sizes, key=lambda k: (sizes[k], -k))
        counts[k] = 1
    elif sum(counts.values()) == total:
        k = max(sizes, key=lambda k: (counts[k], -k))
        counts[k] -= 1
    return counts


def rebalance(cut: _Cut, members: Sequence[np.ndarray], region_group: Sequence[int], region_of: np.ndarray, *,
              band: float) -> np.ndarray:
    """Move customers across the borders of neighbouring regions of one group, so that in every
    region every kind of manager can be given work within ``band`` of the group's mean
    utilisation (estimated work over working time): the least work moved the shortest way (a
    linear programme over the regions that touch), then that much work of each class moved as
    whole customers, those nearest the receiving region first. Locked customers stay."""
    region_of = region_of.copy()
    for group in sorted({g for g in region_group if g >= 0}):
        regions = [r for r, g in enumerate(region_group) if g == group]
        if len(regions) < 2:
            continue
        moves = _transfers(cut, members, regions, region_of, band)
        for source, target, klass, amount in moves:
            mine = np.flatnonzero((region_of == source) & (cut.customer_class == klass))
            there = np.flatnonzero(region_of == target)
            if not len(mine) or not len(there):
                continue
            distance, _ = cKDTree(cut.points[there]).query(cut.points[mine])
            moved = 0.0
            for i in mine[np.argsort(np.asarray(distance), kind="stable")]:
                if moved + 0.5 * cut.work[i] > amount:
                    break
                region_of[i] = target
                moved += cut.work[i]
    return region_of


def _transfers(cut: _Cut, members: Sequence[np.ndarray], regions: list[int], region_of: np.ndarray,
               band: float) -> list[tuple[int, int, int, float]]:
    """The work (source region, target region, class, amount) to move between touching regions,
    by the linear programme of :func:`rebalance`."""
    n_classes, n_kinds = cut.serves.shape
    position = {r: i for i, r in enumerate(regions)}
    inside = np.isin(region_of, regions)
    customers = np.flatnonzero(inside)
    local = np.array([position[int(r)] for r in region_of[customers]], dtype=np.int64)
    movable = cut.serves.any(axis=1) & ~cut.class_pinned
    work = np.zeros((len(regions), n_classes))
    np.add.at(work, (local, cut.customer_class[customers]), cut.class_weight[customers])
    capacity = np.zeros((len(regions), n_kinds))
    for i, r in enumerate(regions):
        np.add.at(capacity[i], cut.manager_kind[members[r]], cut.capacity[members[r]])
    # Customers per unit of work of each class (the part size is counted in customers).
    counts = np.bincount(cut.customer_class[customers], minlength=n_classes).astype(float)
    per_customer = counts / np.maximum(np.bincount(cut.customer_class[customers], weights=cut.class_weight[customers],
                                                   minlength=n_classes), 1e-9)
    total_capacity = capacity.sum()
    if total_capacity <= 0:
        return []
    mean = work.sum() / total_capacity
    # Which regions touch, and how far apart their centres lie.
    k = min(cut.params.contact_neighbours + 1, len(customers))
    _, near = cKDTree(cut.points[customers]).query(cut.points[customers], k=k)
    near = np.asarray(near).reshape(len(customers), -1)
    touching = {(int(a), int(b)) for a, row in zip(local, local[near], strict=True) for b in row if a != b}
    centres = np.array([cut.points[customers[local == i]].mean(axis=0) for i in range(len(regions))])
    variables: list[tuple[str, tuple[int, ...]]] = []
    for a, b in sorted(touching):
        for c in range(n_classes):
            if work[a, c] > 0 and movable[c]:
                variables.append(("y", (a, b, c)))
    for i in range(len(regions)):
        for c in range(n_classes):
            for kind in range(n_kinds):
                if cut.serves[c, kind] and capacity[i, kind] > 0:
                    variables.append(("x", (i, c, kind)))
        for kind in range(n_kinds):
            if capacity[i, kind] > 0:
                variables.append(("over", (i, kind)))
                variables.append(("under", (i, kind)))
    column = {v: j for j, v in enumerate(variables)}
    scale = max(float(work.sum()), 1e-9)
    cost = np.zeros(len(variables))
    for (name, key), j in column.items():
        if name == "y":
            cost[j] = cut.params.move_km_cost * (float(np.hypot(*(centres[key[0]] - centres[key[1]]))) + 0.1)
        elif name in ("over", "under"):
            cost[j] = cut.params.band_cost
    eq_rows, eq_b, ub_rows, ub_b = [], [], [], []
    for i in range(len(regions)):
        for c in range(n_classes):
            row: dict[int, float] = {}
            for kind in range(n_kinds):
                if ("x", (i, c, kind)) in column:
                    row[column["x", (i, c, kind)]] = 1.0
            out = [column["y", (i, b, c)] for b in range(len(regions)) if ("y", (i, b, c)) in column]
            into = [column["y", (a, i, c)] for a in range(len(regions)) if ("y", (a, i, c)) in column]
            if not row and not out and not into:
                continue
            for j in out:
                row[j] = row.get(j, 0.0) + 1.0
            for j in into:
                row[j] = row.get(j, 0.0) - 1.0
            eq_rows.append(row)
            eq_b.append(work[i, c])
            if out:
                ub_rows.append(dict.fromkeys(out, 1.0))
                ub_b.append(work[i, c])
        # No region grows beyond the part size (counted by each class's mean work per customer).
        size: dict[int, float] = {}
        for c in range(n_classes):
            for b in range(len(regions)):
                if ("y", (b, i, c)) in column:
                    size[column["y", (b, i, c)]] = size.get(column["y", (b, i, c)], 0.0) + per_customer[c]
                if ("y", (i, b, c)) in column:
                    size[column["y", (i, b, c)]] = size.get(column["y", (i, b, c)], 0.0) - per_customer[c]
        if size:
            ub_rows.append(size)
            ub_b.append(max(0.0, cut.max_customers - float((local == i).sum())))
        for kind in range(n_kinds):
            if capacity[i, kind] <= 0:
                continue
            load = {column["x", (i, c, kind)]: 1.0 for c in range(n_classes) if ("x", (i, c, kind)) in column}
            ub_rows.append({**load, column["over", (i, kind)]: -1.0})
            ub_b.append(mean * (1 + band) * capacity[i, kind])
            ub_rows.append({**dict.fromkeys(load, -1.0), column["under", (i, kind)]: -1.0})
            ub_b.append(-mean * (1 - band) * capacity[i, kind])

    def matrix(rows: list[dict[int, float]]) -> np.ndarray:
        out = np.zeros((len(rows), len(variables)))
        for r, row in enumerate(rows):
            for j, value in row.items():
                out[r, j] = value
        return out

    result = linprog(cost, A_ub=matrix(ub_rows) if ub_rows else None,
                     b_ub=np.array(ub_b) / scale if ub_rows else None,
                     A_eq=matrix(eq_rows) if eq_rows else None, b_eq=np.array(eq_b) / scale if eq_rows else None,
                     bounds=[(0, None)] * len(variables), method="highs")
    if result.status != 0 or result.x is None:
        return []
    solution = np.asarray(result.x)
    moves = []
    for (name, key), j in column.items():
        amount = float(solution[j]) * scale
        if name == "y" and amount > 1e-6 * scale:
            moves.append((regions[key[0]], regions[key[1]], key[2], amount))
    return sorted(moves, key=lambda move: -move[3])
