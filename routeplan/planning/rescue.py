"""Nothing left unserved while someone has room: a last offer to other managers.

A search plans each customer among the managers its strategy hands it to (and, in a large
problem, those of its part). A customer left out for lack of room there is offered, before it is
reported, to the managers nearest to it who may serve it at all and still have time: under the
hybrid strategy every manager of its roles, wherever its part; under a role-blind strategy any
manager (the district, business type or value band is split for it). Those managers' routes, with
their own customers, are planned again from where they stand, with the left-out customers added
(:func:`rescue`); what still does not fit is reported with the managers tried.

Customers whose reason holds whatever the plan (no manager may serve them, no fitting days, a
window no shift reaches) are not offered; nor are customers of tiers with further visit levels
(their days are tied to the other levels' visits) or re-plans under a limit on customers moved
(the limit is hard).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..model.problem import Problem
from ..model.routes import DayRoute, Unserved
from ..model.travel import local_xy_km
from ..solver.search import solve
from .context import PlanningContext
from .diagnose import unserved
from .fan_out import SearchSetup, sequences_of
from .formulate import formulation_of
from .schedule import build_routes

logger = logging.getLogger(__name__)

ROOM_REASONS = ("no room left", "not enough working time")
"""How the reasons of customers left out for lack of room begin (see :mod:`routeplan.planning.diagnose`)."""
RESCUE_MANAGERS = 6
"""Managers a left-out customer is offered to: the nearest who may serve it and have time."""
MIN_SLACK_MIN = 30.0
"""A manager has time when its work is at least this many minutes below its working time."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Rescued:
    """The routes and unserved customers after the offer, and what it did."""

    routes: tuple[DayRoute, ...]
    unserved: tuple[Unserved, ...]
    offered: int  # customers offered
    placed: int  # of them, now served
    iterations: int
    work: float
    stopped_by: str = ""


def left_for_room(problem: Problem, left: Sequence[Unserved]) -> list[Unserved]:
    """The unserved customers that lack only room (those a rescue may place)."""
    if problem.stability is not None and problem.stability.max_reassigned is not None:
        return []
    levels = {t.name for t in problem.tiers if t.levels}
    tier_of = {c.customer_id: c.tier for c in problem.customers}
    return [u for u in left if u.level == 0 and u.reason.startswith(ROOM_REASONS)
            and tier_of[u.customer_id] not in levels]


def rescue(context: PlanningContext, routes: Sequence[DayRoute], left: Sequence[Unserved], setup: SearchSetup, *,
           offer_to: int = RESCUE_MANAGERS, slack_min: float = MIN_SLACK_MIN) -> Rescued:
    """Offer the customers of ``left`` that lack only room to the managers nearest to them who may
    serve them and have time, planning those managers' routes again with them (from the routes
    they have, within ``setup.budget``).

    Parameters
    ----------
    context
        The whole problem and its run: the strategy planned under (``"hybrid"``: a customer may
        go to any manager of its roles; else to any manager, its lock honoured) and the hand-out
        the plan was made under.
    routes, left
        The plan's routes and unserved customers.
    setup
        The search's stop (``setup.budget``), seed, tuning and the formulation's weights.
    offer_to, slack_min
        A customer is offered to at most ``offer_to`` nearest other managers who may serve it,
        those with at least ``slack_min`` minutes of their working time free.
    """
    problem, strategy, eligible = context.problem, context.strategy, context.eligible
    offered = left_for_room(problem, left)
    if not offered:
        return Rescued(routes=tuple(routes), unserved=tuple(left), offered=0, placed=0, iterations=0, work=0.0)
    index = {c.customer_id: i for i, c in enumerate(problem.customers)}
    manager_index = {m.manager_id: j for j, m in enumerate(problem.managers)}
    lost = [index[u.customer_id] for u in offered]
    owner = np.full(problem.num_customers, -1, dtype=np.int64)
    work = np.zeros(problem.num_managers)
    for route in routes:
        work[manager_index[route.manager_id]] += route.work_min
        for s in route.stops:
            if s.level == 0:
                owner[index[s.customer_id]] = manager_index[route.manager_id]
    available = np.array([m.available_min for m in problem.managers], dtype=float)
    places = local_xy_km([c.lon for c in problem.customers], [c.lat for c in problem.customers])
    # Where each manager works: the centre of its customers (its start where it has none).
    starts = local_xy_km([c.lon for c in problem.customers] + [m.start.lon for m in problem.managers],
                         [c.lat for c in problem.customers] + [m.start.lat for m in problem.managers])
    centre = starts[problem.num_customers:].copy()
    for j in range(problem.num_managers):
        mine = owner == j
        if mine.any():
            centre[j] = places[mine].mean(axis=0)
    roles_allow = problem.eligible_indices()
    tried: dict[int, list[int]] = {}
    chosen: set[int] = set()
    for i in lost:
        customer = problem.customers[i]
        if strategy == "hybrid":
            # Its hand-out is every manager of its roles, but only those of its part searched for
            # it (and the search may have stopped short): it goes to the nearest of them with time.
            may = [int(j) for j in roles_allow[i]]
        else:  # role-blind: beyond its district (business type, value band), any manager it allows
            may = [j for j, m in enumerate(problem.managers)
                   if customer.locked_manager in (None, m.manager_id) and j not in eligible[i]]
        with_time = [j for j in may if available[j] - work[j] >= slack_min]
        with_time.sort(key=lambda j: (float(np.hypot(*(centre[j] - places[i]))), j))
        tried[i] = with_time[:offer_to]
        chosen.update(tried[i])
        if strategy != "hybrid":  # its own district's managers re-plan with it (under hybrid: all of a role)
            chosen.update(int(j) for j in eligible[i])
    if not any(tried.values()):
        return Rescued(routes=tuple(routes), unserved=_named(problem, left, tried, index), offered=len(offered),
                       placed=0, iterations=0, work=0.0)
    managers = np.array(sorted(chosen), dtype=np.int64)
    served_by_them = np.flatnonzero(np.isin(owner, managers))
    customers = np.array(sorted(set(served_by_them.tolist()) | set(lost)), dtype=np.int64)
    widened = [tuple(eligible[i]) if i not in tried else tuple(sorted(set(eligible[i]) | set(tried[i])))
               for i in range(problem.num_customers)]
    form = formulation_of(context.part(customers, managers, name=f"{problem.name} offered", eligible=widened),
                          weights=setup.weights)
    keep = {m.manager_id for m in form.problem.managers}
    start = sequences_of(form, [r for r in routes if r.manager_id in keep])
    result = solve(form.instance, setup.budget, seed=setup.seed, params=setup.params, initial=start, complete=True)
    new_routes = build_routes(form, result)
    still = {u.customer_id: u for u in unserved(form, result)}
    lost_ids = {problem.customers[i].customer_id for i in lost}
    # The offer never loses a customer that was served: where the search left one of them out
    # (possible only when its clock ran out), the routes stay as they were.
    if any(cid not in lost_ids for cid in still):
        logger.info("the offer to other managers left a served customer out; the routes stay as they were")
        return Rescued(routes=tuple(routes), unserved=_named(problem, left, tried, index), offered=len(offered),
                       placed=0, iterations=result.iterations, work=result.work, stopped_by=result.stopped_by)
    merged = [r for r in routes if r.manager_id not in keep] + list(new_routes)
    order = {m.manager_id: k for k, m in enumerate(problem.managers)}
    merged.sort(key=lambda r: (order[r.manager_id], r.day_index))
    remaining = [u for u in left if u.customer_id not in lost_ids or u.customer_id in still]
    placed = len(lost_ids) - len(still)
    if placed:
        logger.info("%d of %d customers left out for lack of room placed with other managers who had time",
                    placed, len(lost_ids))
    return Rescued(routes=tuple(merged), unserved=_named(problem, remaining, tried, index), offered=len(offered),
                   placed=placed, iterations=result.iterations, work=result.work, stopped_by=result.stopped_by)


def _named(problem: Problem, left: Sequence[Unserved], tried: dict[int, list[int]],
           index: dict[str, int]) -> tuple[Unserved, ...]:
    """``left`` with the reason of each customer offered naming who else was tried."""
    out = []
    for u in left:
        others = tried.get(index[u.customer_id])
        if others is None:
            out.append(u)
            continue
        if others:
            ids = ", ".join(problem.managers[j].manager_id for j in others)
            note = f"; also offered to the nearest other managers who may serve it and had time ({ids}): no room there"
        else:
            note = "; no other manager who may serve it had time left"
        out.append(replace(u, reason=u.reason + note))
    return tuple(out)
