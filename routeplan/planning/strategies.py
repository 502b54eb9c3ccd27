"""Districting strategies: which managers may serve which customers.

- ``hybrid`` (the reference department's model): roles as given. Each tier is served by the
  managers of its roles; territories are drawn freely across district lines; managers sharing a
  role are balanced.
- ``region`` (the old way, the honest "before"): every manager serves every tier inside
  administrative districts. Whole districts go to managers; a district is split between
  managers only where one cannot carry it (managers are shared out by the D'Hondt rule on
  workload); with fewer managers than districts, neighbouring districts are joined.
- ``business-type``: managers specialise by business type (业态), city-wide. Each business type
  goes to one manager, or to several where one cannot carry it, packing types so that every
  manager's share of the work matches its working time.
- ``value``: managers specialise by value band (价值群), city-wide: customers sorted by value are
  cut into up to four bands whose work matches the working time of the managers given to them.

The last three keep the same managers, visit rules and shifts but ignore roles. Their hand-out
is then mended for shifts, windows and visit caps (:func:`fit_to_shifts`): an afternoon-shift
manager is not left alone with a district of shops that close at half past five. A customer's
``locked_manager`` is honoured by every strategy.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, replace

import numpy as np

from ..errors import ArgumentError, InputIssue, StrategyError
from ..model.districts import customer_districts
from ..model.problem import Problem
from .capacity import USABLE_SHARE, CarryModel
from .workload import customer_work

logger = logging.getLogger(__name__)

STRATEGIES = ("hybrid", "region", "business-type", "value")
VALUE_BANDS = 4
"""Value bands of the ``value`` strategy (at most one per manager)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StrategyParams:
    """How the role-blind strategies hand customers out (defaults: the modules' constants).

    Attributes
    ----------
    value_bands
        Bands of customers by value under ``value`` (:data:`VALUE_BANDS`; at most one per manager).
    usable_share
        Share of a manager's shift hours the hand-out counts as usable for visits and the rides
        between them when it checks that every manager can carry what it is given
        (:data:`routeplan.planning.capacity.USABLE_SHARE`), in (0, 1].
    """

    value_bands: int = VALUE_BANDS
    usable_share: float = USABLE_SHARE

    def __post_init__(self) -> None:
        if not (isinstance(self.value_bands, int) and self.value_bands >= 1):
            raise ArgumentError("strategies.value_bands", f"{self.value_bands!r} is not a whole number of 1 or more")
        if not (isinstance(self.usable_share, (int, float)) and 0 < self.usable_share <= 1):
            raise ArgumentError("strategies.usable_share", f"{self.usable_share!r} is not a share in (0, 1]")


def check_strategy(problem: Problem, strategy: str) -> None:
    """Raise :class:`~routeplan.errors.StrategyError` (or ``ArgumentError`` for an unknown name)
    when ``problem`` lacks what ``strategy`` needs, before any time is spent solving."""
    if strategy not in STRATEGIES:
        raise ArgumentError("strategy", f"unknown strategy '{strategy}'; expected one of {', '.join(STRATEGIES)}")
    if strategy == "region":
        _required_districts(problem)


def strategy_eligibility(problem: Problem, strategy: str, *, work: np.ndarray | None = None,
                         params: StrategyParams | None = None) -> list[tuple[int, ...]]:
    """The managers (indices) ``strategy`` allows per customer, locks honoured, judged on the
    travel model's nearest neighbours alone (no matrix over all customers); ``work`` is each
    customer's estimated work (:func:`~routeplan.planning.workload.customer_work`, computed
    here when not given); ``params`` how the role-blind strategies hand out (default:
    :class:`StrategyParams`)."""
    params = params or StrategyParams()
    if strategy not in STRATEGIES:
        raise ArgumentError("strategy", f"unknown strategy '{strategy}'; expected one of {', '.join(STRATEGIES)}")
    if strategy == "hybrid":
        return problem.eligible_indices()
    if problem.has_levels:
        # Market managers and heads make the visits of further levels only: a strategy hands the
        # tiers' own visits to the customer managers (those of a role some tier names).
        own_roles = {r for t in problem.tiers for r in t.roles}
        keep = [i for i, m in enumerate(problem.managers) if m.role in own_roles]
        inner = strategy_eligibility(problem.replace(managers=tuple(problem.managers[i] for i in keep),
                                                     tiers=tuple(replace(t, levels=()) for t in problem.tiers)),
                                     strategy, work=work, params=params)
        return [tuple(keep[k] for k in allowed) for allowed in inner]
    index = {m.manager_id: i for i, m in enumerate(problem.managers)}
    work = customer_work(problem) if work is None else work
    if strategy == "value":
        groups = value_groups(problem, work, bands=params.value_bands)
    else:
        groups = {"region": region_groups, "business-type": business_type_groups}[strategy](problem, work)
    eligible = [tuple(sorted(managers)) if c.locked_manager is None else (index[c.locked_manager],)
                for c, managers in zip(problem.customers, groups, strict=True)]
    locked = np.array([c.locked_manager is not None for c in problem.customers], dtype=bool)
    return fit_to_shifts(problem, work, eligible, locked=locked, strategy=strategy, usable_share=params.usable_share)


# ----------------------------------------------------------------------------------------------
# Shifts, windows and caps
# ----------------------------------------------------------------------------------------------

#: Minutes per cycle of work the managers may fall short by before the hand-out is mended (the
#: estimate's own noise).
SHORTFALL_SLACK_MIN = 1.0


def fit_to_shifts(problem: Problem, work: np.ndarray, eligible: list[tuple[int, ...]], *, locked: np.ndarray,
                  strategy: str, usable_share: float = USABLE_SHARE) -> list[tuple[int, ...]]:
    """Mend a role-blind hand-out so that every manager can carry what it was given.

    Districts, business types and value bands are handed out on working time alone; but an
    afternoon-shift manager cannot carry a district of shops that close at half past five, nor a
    capped one a band of many short visits. Judged by :class:`~routeplan.planning.capacity.CarryModel`
    (work placed in the hours where windows and shifts meet), the hand-out is mended in two
    steps: first managers trade places wherever that lowers the shortfall (whole districts stay
    whole), then, where no trade helps, the customers still short get a helper as well (the
    nearest manager that has the time then): the district is split. Locked customers keep their
    manager. What no manager can carry stays short, and the planner reports it.
    """
    carry = CarryModel.of(problem, work, usable_share=usable_share)
    classes: dict[tuple[tuple[int, ...], int, int, bool], list[int]] = {}
    for i, allowed in enumerate(eligible):
        classes.setdefault((allowed, int(carry.span[i, 0]), int(carry.span[i, 1]), bool(locked[i])), []).append(i)
    keys = list(classes)
    members = [np.array(classes[k]) for k in keys]
    allowed_of = [k[0] for k in keys]
    fixed = [k[3] for k in keys]
    span = np.array([[k[1], k[2]] for k in keys], dtype=np.int64)
    demand = np.array([carry.work[ix].sum() for ix in members])

    def total(trial: list[tuple[int, ...]]) -> tuple[float, np.ndarray]:
        short = carry.shortfall(trial, span, demand)
        return float(short.sum()), short

    current, short = total(allowed_of)
    if current <= SHORTFALL_SLACK_MIN:
        return eligible
    before = current
    n_managers = problem.num_managers
    names = [m.manager_id for m in problem.managers]
    # 1. Trades: managers a and b swap everything they were handed (locks excepted).
    for _ in range(n_managers):
        involved = sorted({m for j in np.flatnonzero(short > 0) for m in allowed_of[j]})
        best: tuple[float, list[tuple[int, ...]], np.ndarray, int, int] | None = None
        for a in involved:
            for b in range(n_managers):
                if b == a:
                    continue
                swap = {a: b, b: a}
                trial = [e if fixed[j] else tuple(sorted(swap.get(m, m) for m in e)) for j, e in enumerate(allowed_of)]
                value, trial_short = total(trial)
                if value < current - SHORTFALL_SLACK_MIN and (best is None or value < best[0]):
                    best = (value, trial, trial_short, a, b)
        if best is None:
            break
        current, allowed_of, short, a, b = best
        logger.info("%s: %s and %s trade what they were handed, so that shifts carry it (%.0f h short -> %.0f h)",
                    strategy, names[a], names[b], before / 60, current / 60)
    # 2. Helpers: the class shortest of time also goes to the manager that relieves it most.
    lon = np.array([c.lon for c in problem.customers])
    lat = np.array([c.lat for c in problem.customers])
    for _ in range(len(keys) * n_managers):
        if current <= SHORTFALL_SLACK_MIN:
            break
        j = int(np.argmax(short))
        if fixed[j]:
            short[j] = 0.0
            continue
        centre = (lon[members[j]].mean(), lat[members[j]].mean())
        options = []
        for h in range(n_managers):
            if h in allowed_of[j]:
                continue
            trial = list(allowed_of)
            trial[j] = tuple(sorted((*allowed_of[j], h)))
            value, trial_short = total(trial)
            if value < current - SHORTFALL_SLACK_MIN:
                own = np.concatenate([members[k] for k, e in enumerate(allowed_of) if h in e] or [np.zeros(0, int)])
                where = (lon[own].mean(), lat[own].mean()) if len(own) else centre
                options.append((value, math.dist(where, centre), h, trial, trial_short))
        if not options:
            short[j] = 0.0  # nobody can relieve it; leave it to the planner's report
            current = float(short.sum())
            continue
        value, _, h, allowed_of, short = min(options, key=lambda o: (round(o[0]), o[1], o[2]))
        logger.info("%s: %s also serves %d customers given to %s, whose shifts cannot carry them", strategy,
                    names[h], len(members[j]), ", ".join(names[m] for m in keys[j][0]) or "nobody")
        current = value
    final, _ = total(allowed_of)
    logger.info("%s: hand-out mended for shifts, windows and caps: %.0f h -> %.0f h of work not carried", strategy,
                before / 60, final / 60)
    out = list(eligible)
    for j, ix in enumerate(members):
        for i in ix:
            out[int(i)] = allowed_of[j]
    return out


# ----------------------------------------------------------------------------------------------
# Workload and capacity estimates
# ----------------------------------------------------------------------------------------------

def manager_capacity(problem: Problem) -> np.ndarray:
    """Working minutes per cycle of each manager."""
    return np.array([m.available_min for m in problem.managers], dtype=float)


def dhondt(weights: np.ndarray, seats: int) -> np.ndarray:
    """Seats per party by the D'Hondt rule, every party getting at least one (needs
    ``seats >= len(weights)``)."""
    alloc = np.ones(len(weights), dtype=np.int64)
    for _ in range(seats - len(weights)):
        alloc[int(np.argmax(weights / alloc))] += 1
    return alloc


def _assign_managers(problem: Problem, group_of_customer: np.ndarray, seats: np.ndarray,
                     work: np.ndarray) -> list[list[int]]:
    """Which managers fill each group's seats.

    Managers keep, where they can, the group holding most of their current customers
    (``current_manager``), so the "before" plan looks like what the department had; the other
    seats go to the free managers with most working time, largest groups first.
    """
    n_groups = len(seats)
    capacity = manager_capacity(problem)
    index = {m.manager_id: i for i, m in enumerate(problem.managers)}
    score = np.zeros((len(problem.managers), n_groups))
    for g, c in zip(group_of_customer, problem.customers, strict=True):
        if c.current_manager in index:
            score[index[c.current_manager], g] += 1
    members: list[list[int]] = [[] for _ in range(n_groups)]
    free = set(range(len(problem.managers)))
    for flat in np.argsort(-score, axis=None, kind="stable"):
        m, g = divmod(int(flat), n_groups)
        if score[m, g] <= 0:
            break
        if m in free and len(members[g]) < seats[g]:
            members[g].append(m)
            free.remove(m)
    for g in np.argsort(-work, kind="stable"):
        while len(members[g]) < seats[g]:
            m = max(free, key=lambda k: (capacity[k], -k))
            members[g].append(m)
            free.remove(m)
    return members


# ----------------------------------------------------------------------------------------------
# region
# ----------------------------------------------------------------------------------------------

def _required_districts(problem: Problem) -> list[str]:
    """Each customer's district (see :func:`routeplan.model.districts.customer_districts`);
    the region strategy cannot work without them."""
    names = customer_districts(problem)
    if all(n is None for n in names):
        raise StrategyError(InputIssue("customers.csv", "the region strategy needs districts: fill the 'district' "
                                                        "column or add districts.geojson", None, "district"))
    return [str(n) for n in names]


def region_groups(problem: Problem, work: np.ndarray) -> list[tuple[int, ...]]:
    """Managers allowed per customer under ``region``, given each customer's estimated ``work``."""
    districts = _required_districts(problem)
    names = sorted(set(districts))
    district_of = np.array([names.index(d) for d in districts])
    lon = np.array([c.lon for c in problem.customers])
    lat = np.array([c.lat for c in problem.customers])
    # Groups of districts: one district each, or neighbouring districts joined when managers are few.
    groups = [[k] for k in range(len(names))]
    n_managers = len(problem.managers)
    while len(groups) > n_managers:
        weights = [work[np.isin(district_of, g)].sum() for g in groups]
        small = int(np.argmin(weights))
        centre = [(lon[np.isin(district_of, g)].mean(), lat[np.isin(district_of, g)].mean()) for g in groups]
        others = [k for k in range(len(groups)) if k != small]
        near = min(others, key=lambda k: math.dist(centre[k], centre[small]))
        groups[near] = groups[near] + groups[small]
        groups.pop(small)
    group_of_district = {k: g for g, members in enumerate(groups) for k in members}
    group_of = np.array([group_of_district[k] for k in district_of])
    group_work = np.array([work[group_of == g].sum() for g in range(len(groups))])
    capacity = manager_capacity(problem)
    seats = dhondt(group_work / max(capacity.mean(), 1e-9), n_managers)
    members = _assign_managers(problem, group_of, seats, group_work)
    for g, ms in enumerate(members):
        logger.info("region: %s -> %s", "+".join(names[k] for k in groups[g]),
                    ", ".join(problem.managers[m].manager_id for m in ms))
    return [tuple(members[g]) for g in group_of]


# ----------------------------------------------------------------------------------------------
# business-type
# ----------------------------------------------------------------------------------------------

def business_type_groups(problem: Problem, work: np.ndarray) -> list[tuple[int, ...]]:
    """Managers allowed per customer under ``business-type``, given each customer's ``work``.

    Business types are taken largest first: a type needing more than one and a half managers'
    share of the work gets that many managers of its own; smaller types are packed onto the
    manager with the most share left (longest processing time first).
    """
    types = [c.business_type or f"tier:{c.tier}" for c in problem.customers]
    names = sorted(set(types))
    type_of = np.array([names.index(t) for t in types])
    type_work = np.array([work[type_of == k].sum() for k in range(len(names))])
    capacity = manager_capacity(problem)
    share = type_work.sum() * capacity / capacity.sum()  # each manager's fair share of the work
    left = share.copy()
    free = list(np.argsort(-capacity, kind="stable"))
    owners: dict[int, list[int]] = {}
    for k in np.argsort(-type_work, kind="stable"):
        need = type_work[k] / share.mean()
        if need >= 1.5 and len(free) >= round(need):
            take = [int(m) for m in free[:round(need)]]
            free = free[round(need):]
            owners[int(k)] = take
            for m in take:
                left[m] -= type_work[k] / len(take)
            continue
        candidates = free or list(range(len(capacity)))
        m = int(max(candidates, key=lambda j: (left[j], -j)))
        owners[int(k)] = [m]
        left[m] -= type_work[k]
        if m in free and left[m] <= 0.1 * share[m]:
            free.remove(m)
    for k, ms in owners.items():
        logger.info("business-type: %s -> %s", names[k], ", ".join(problem.managers[m].manager_id for m in ms))
    return [tuple(owners[int(k)]) for k in type_of]


# ----------------------------------------------------------------------------------------------
# value
# ----------------------------------------------------------------------------------------------

def value_groups(problem: Problem, work: np.ndarray, *, bands: int = VALUE_BANDS) -> list[tuple[int, ...]]:
    """Managers allowed per customer under ``value``: bands of customers by value, highest
    first, each band's estimated ``work`` matching the working time of the managers given to it."""
    n_managers = len(problem.managers)
    bands = min(bands, n_managers)
    values = np.array([c.value if c.value is not None else np.nan for c in problem.customers], dtype=float)
    if np.isnan(values).all():
        raise StrategyError(InputIssue("customers.csv", "the value strategy needs the 'value' column", None,
                                       "value"))
    values = np.where(np.isnan(values), np.nanmedian(values), values)
    capacity = manager_capacity(problem)
    order = np.argsort(-capacity, kind="stable")
    members = [sorted(int(m) for m in order[b::bands]) for b in range(bands)]  # spread working time evenly
    band_capacity = np.array([capacity[m].sum() for m in members])
    by_value = np.argsort(-values, kind="stable")
    cumulative = np.cumsum(work[by_value]) / work.sum()
    edges = np.cumsum(band_capacity) / band_capacity.sum()
    band_of = np.empty(len(values), dtype=np.int64)
    band_of[by_value] = np.minimum(np.searchsorted(edges, cumulative - 1e-12), bands - 1)
    for b in range(bands):
        chosen = values[band_of == b]
        if len(chosen):
            logger.info("value: band %d (%.0f-%.0f) -> %s", b + 1, chosen.min(), chosen.max(),
                        ", ".join(problem.managers[m].manager_id for m in members[b]))
    return [tuple(members[b]) for b in band_of]
