"""Visit levels in a problem planned in parts: a city with a market manager and a head per department.

A problem with visit levels (the contract's section 5) no larger than one part is planned whole:
every level's visits are tasks of one search, those of one customer in one group so that no two
fall on one day (:mod:`routeplan.planning.formulate`). A larger one is planned in **phases**,
level by level:

1. The tiers' own visits (level 0), by the customer managers, over every customer: a problem
   without levels, cut into parts and planned as any large problem is
   (:mod:`routeplan.planning.partition`, :class:`~routeplan.planning.fan_out.FanOut`).
2. The further levels, by their own managers (market managers, heads), in a part of their own
   over the shops they visit: the customers with further levels, with level 1 as their own
   visits and the levels after it as further levels (so that the market manager's and the
   head's visits of one customer are again tasks of one group, never on one day), each
   customer's visits kept off the days its own visits took in phase 1 (the context's
   ``taken_days``: only the visit-day patterns that avoid them are offered). Where this phase is
   itself larger than a part and still has levels, its first level is planned on its own and
   the rest follow, each phase avoiding the days of all before it.

Why a part of their own rather than with the parts their customers fall in: a market manager
or a head visits every large shop of a department, while a part of a large problem holds parts
of several departments and its border rounds move customers across parts. Planned with the
customers' parts, each level manager's work would be cut at the parts' borders (a department
split over two parts, its manager in one of them), a border round could give a customer's own
visits to one part and its market manager's to another (and the next round, planning that
customer again from one side, would leave the other side's visits standing), and the level
managers' balance would only be evened out by the border rounds. In a part of their own, all
market managers are one group balanced against each other over all their shops, as are the
heads; each plans over compact territories of its own; and the one constraint between levels, no
two visits of a customer on one day, is kept exactly by the taken days. What it gives up is the
freedom to move a customer manager's visit to make room for a level visit: with the sample's
rules (own visits on 4 of 20 days, the market manager twice at least 7 days apart, the head
once), at least 16 days stay free and the level visits' patterns are hardly restricted. A
customer whose further level finds no pattern on its free days is reported unserved with that
reason (nothing else of its further levels is planned).

Each phase's share of the work budget and of the clock follows its visits, as the parts' shares
do; phases run one after another (a phase needs the days of the one before). Customers a phase
leaves out for lack of room are offered to other managers with time
(:mod:`routeplan.planning.rescue`) before the next phase takes its days: the tiers' own visits
of a tier with levels, which the offer after a plan made in one part leaves alone (their days
are tied to the other levels'), are offered in the first phase like any other.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..errors import InputIssue, ScenarioError
from ..model.problem import Customer, Problem, Tier
from ..model.routes import DayRoute, Stop, Unserved
from ..phases import PhaseEstimates
from ..solver.patterns import enumerate_patterns
from ..solver.stop import MaxRuntime, MultipleCriteria, StoppingCriterion
from .context import PlanningContext
from .fan_out import MIN_TASK_SECONDS, BorderParams, FannedOut, Pool, SearchSetup, plan_parts
from .formulate import free_patterns
from .partition import Part, PartitionParams, partition
from .rescue import left_for_room, rescue

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Phase:
    """One phase of a problem with levels planned in parts: its context (a problem without the
    levels planned in later phases), the positions in the whole of its customers and managers,
    and ``offset``, the whole's level of the phase's level 0."""

    context: PlanningContext
    customers: np.ndarray
    managers: np.ndarray
    offset: int


def planned_apart(problem: Problem, max_customers: int) -> bool:
    """Whether ``problem`` is planned level by level (:func:`level_phases`): it has visit levels and
    more customers than one part holds."""
    return problem.has_levels and problem.num_customers > max_customers


def level_phases(context: PlanningContext, *, max_customers: int) -> list[Phase]:
    """The phases of planning ``context``'s problem level by level (see the module): the tiers'
    own visits by the customer managers, then the further levels by their managers, the first of
    them split off again while a phase is larger than ``max_customers`` and has levels.

    Raises
    ------
    ScenarioError
        Where a manager may make both some tier's own visits and some further level's: the
        phases need the two kinds of manager apart.
    """
    out: list[Phase] = []
    current = Phase(context=context, customers=np.arange(context.problem.num_customers),
                    managers=np.arange(context.problem.num_managers), offset=0)
    while planned_apart(current.context.problem, max_customers):
        own, further = _split(current)
        out.append(own)
        current = further
    out.append(current)
    return out


def _split(phase: Phase) -> tuple[Phase, Phase]:
    """``phase`` as its own visits (level 0, its levels dropped) and the next phase (its level 1 on,
    over the customers with levels)."""
    context = phase.context
    problem = context.problem
    further = problem.level_tasks()
    level_managers = sorted({m for _, _, allowed in further for m in allowed})
    own_managers = sorted({m for allowed in context.eligible for m in allowed})
    both = set(level_managers) & set(own_managers)
    if both:
        names = ", ".join(sorted(problem.managers[m].manager_id for m in both)[:5])
        tier = next(t.name for t in problem.tiers if t.levels)
        raise ScenarioError([InputIssue("scenario.toml", f"a problem with visit levels of {problem.num_customers:,} "
                                                         f"customers is planned level by level, which needs the "
                                                         f"managers of a tier's own visits apart from those of its "
                                                         f"further levels; {names} may make both: give them "
                                                         "different roles", None, f"tiers.{tier}.levels")])
    own_problem = problem.replace(managers=tuple(problem.managers[m] for m in own_managers),
                                  tiers=tuple(replace(t, levels=()) for t in problem.tiers))
    local = {m: k for k, m in enumerate(own_managers)}
    shared: dict[int, tuple[int, ...]] = {}  # customers share hand-out tuples: keep them shared
    eligible = [shared.setdefault(id(e), tuple(local[m] for m in e)) for e in context.eligible]
    own = PlanningContext.with_eligible(own_problem, context.strategy, eligible, work=context.work)
    with_levels = np.array(sorted({i for i, _, _ in further}), dtype=np.int64)
    next_problem = problem.replace(name=f"{problem.name} levels {phase.offset + 1}+",
                                   customers=tuple(_next_level(problem, problem.customers[int(i)])
                                                   for i in with_levels),
                                   managers=tuple(problem.managers[m] for m in level_managers),
                                   tiers=tuple(_next_tier(t) for t in problem.tiers), stability=None)
    # Further levels go by their roles whatever the strategy (as in one part).
    next_context = PlanningContext.of(next_problem, "hybrid")
    own_positions = phase.managers[np.array(own_managers, dtype=np.int64)]
    level_positions = phase.managers[np.array(level_managers, dtype=np.int64)]
    return (Phase(context=own, customers=phase.customers, managers=own_positions, offset=phase.offset),
            Phase(context=next_context, customers=phase.customers[with_levels], managers=level_positions,
                  offset=phase.offset + 1))


def _next_tier(tier: Tier) -> Tier:
    """``tier`` with its level 1 as its own rule and the levels after it as its further levels
    (a tier without levels: unchanged, none of its customers is in the next phase)."""
    if not tier.levels:
        return tier
    first = tier.levels[0]
    return replace(tier, visits=first.visits, min_gap=first.min_gap, service_min=first.service_min,
                   window=first.window, roles=first.roles, levels=tier.levels[1:])


def _next_level(problem: Problem, customer: Customer) -> Customer:
    """``customer`` with its level 1 rule as its own visits (no lock, no current manager: those
    are its own visits')."""
    rule = problem.visit_rules(customer)[1]
    return replace(customer, visits=rule.visits, min_gap=rule.min_gap, service_min=rule.service_min,
                   window=rule.window, locked_manager=None, current_manager=None, current_days=(), current_seq=(),
                   overrides=frozenset())


@dataclass(frozen=True, slots=True, kw_only=True)
class PhaseSetup:
    """How every phase is planned: its parts' size and cut, where and with what border rounds,
    and the offer of the customers it leaves out for lack of room to other managers
    (:func:`routeplan.planning.rescue.rescue`: its share of the phase's budget, the managers
    offered to and the free minutes they need)."""

    max_customers: int
    partition: PartitionParams
    executor: Pool | None
    border: BorderParams
    estimates: PhaseEstimates
    rescue_share: float
    rescue_managers: int
    rescue_slack_min: float


def plan_phases(whole: PlanningContext, planned: Sequence[Phase], first_parts: Sequence[Part], search: SearchSetup,
                setup: PhaseSetup) -> FannedOut:
    """Plan ``planned`` (:func:`level_phases` of ``whole``) one after another, each in its parts (the
    first phase's are ``first_parts``), each later phase's customers kept off the days the
    earlier phases gave them; the routes and unserved customers of the whole, levels as the
    whole numbers them."""
    problem = whole.problem
    visits = np.array([max(1, ph.context.problem.visits_required()) for ph in planned], dtype=float)
    shares = visits / visits.sum()
    routes: list[DayRoute] = []
    left: list[Unserved] = []
    results: list[FannedOut] = []
    seed = search.seed
    index = {c.customer_id: i for i, c in enumerate(problem.customers)}
    for k, phase in enumerate(planned):
        context, customers = phase.context, phase.customers
        if k > 0:
            context, customers, unfit = with_taken_days(problem, phase, routes)
            left.extend(unfit)
        parts = first_parts if k == 0 else partition(context, max_customers=setup.max_customers,
                                                     params=setup.partition)
        phase_search = replace(search, budget=_share(search.budget, float(shares[k])), seed=seed,
                               clock=_phase_clock(search.clock, float(shares[k:].sum()), float(shares[k])))
        logger.info("phase %d of %d (levels %s): %d customers, %d managers, %d parts", k + 1, len(planned),
                    f"{phase.offset}+" if k == len(planned) - 1 else str(phase.offset), len(customers),
                    len(phase.managers), len(parts))
        done = _offered(context, plan_parts(context, parts, phase_search, executor=setup.executor,
                                            border=setup.border, phases=setup.estimates), phase_search, setup)
        results.append(done)
        seed += done.tasks
        routes.extend(_lifted_route(r, phase.offset) for r in done.routes)
        left.extend(_lifted_unserved(problem, problem.customers[index[u.customer_id]], u, phase.offset)
                    for u in done.unserved)
    order = {m.manager_id: i for i, m in enumerate(problem.managers)}
    reasons = sorted({r.stopped_by for r in results})
    return FannedOut(routes=tuple(sorted(routes, key=lambda r: (order[r.manager_id], r.day_index))),
                     unserved=tuple(sorted(left, key=lambda u: (index[u.customer_id], u.level))),
                     iterations=sum(r.iterations for r in results), work=sum(r.work for r in results),
                     stopped_by="clock" if any("clock" in r for r in reasons) else "/".join(reasons),
                     tasks=sum(r.tasks for r in results), worker_startup=max(r.worker_startup for r in results),
                     warnings=tuple(dict.fromkeys(w for r in results for w in r.warnings)))


def _offered(context: PlanningContext, done: FannedOut, search: SearchSetup, setup: PhaseSetup) -> FannedOut:
    """``done`` with the customers it left out for lack of room offered to other managers who may
    serve them and have time (:func:`routeplan.planning.rescue.rescue`), before the next phase
    takes its days: in a phase without levels every customer may be offered (the planner's offer
    after all phases may offer none of a tier with levels)."""
    if not left_for_room(context.problem, done.unserved):
        return done
    stop = search.budget.part(setup.rescue_share, 0.0)
    if math.isfinite(search.clock):
        stop = MultipleCriteria([stop, MaxRuntime(max(MIN_TASK_SECONDS, search.clock - time.time()))])
    offer = rescue(context, done.routes, done.unserved, replace(search, budget=stop), offer_to=setup.rescue_managers,
                   slack_min=setup.rescue_slack_min)
    return replace(done, routes=offer.routes, unserved=offer.unserved, iterations=done.iterations + offer.iterations,
                   work=done.work + offer.work, stopped_by="clock" if offer.stopped_by == "clock" else done.stopped_by)


def _share(budget: StoppingCriterion, share: float) -> StoppingCriterion:
    return budget.part(share, 0.0)


def _phase_clock(clock: float, remaining: float, share: float) -> float:
    """The wall-clock end of a phase carrying ``share`` of the visits, ``remaining`` (its own
    included) still to plan: the time left shared out by visits."""
    if not math.isfinite(clock):
        return clock
    now = time.time()
    return now + max(0.0, clock - now) * (share / remaining if remaining > 0 else 1.0)


def with_taken_days(problem: Problem, phase: Phase, routes: Sequence[DayRoute]
                     ) -> tuple[PlanningContext, np.ndarray, list[Unserved]]:
    """``phase``'s context with each customer's days taken by ``routes`` (the earlier phases'),
    less the customers some of whose visits of this phase fit on none of the days left free
    (each of their levels of this phase and later reported unserved, with the reason), and the
    positions in the whole of the customers kept."""
    context = phase.context
    sub = context.problem
    position = {problem.customers[int(c)].customer_id: k for k, c in enumerate(phase.customers)}
    taken: list[set[int]] = [set() for _ in phase.customers]
    for route in routes:
        for stop in route.stops:
            k = position.get(stop.customer_id)
            if k is not None:
                taken[k].add(route.day_index)
    days = [tuple(sorted(t)) for t in taken]
    keep: list[int] = []
    unfit: list[Unserved] = []
    for k, customer in enumerate(sub.customers):
        rules = sub.visit_rules(customer)
        blocked = [r for r in rules
                   if not free_patterns(tuple(enumerate_patterns(r.visits, r.min_gap, sub.num_days)), days[k])]
        if not blocked:
            keep.append(k)
            continue
        whole_rules = problem.visit_rules(problem.customers[int(phase.customers[k])])
        free = ", ".join(sub.days[d] for d in range(sub.num_days) if d not in taken[k])
        first = whole_rules[phase.offset + blocked[0].level]
        for rule in rules:
            level = phase.offset + rule.level
            whole_rule = whole_rules[level]
            why = (f"level {level} ({whole_rule.name}): its {whole_rule.visits} visit(s) at least "
                   f"{whole_rule.min_gap} days apart fit none of the days its other levels' visits leave free "
                   f"({free or 'none'})" if rule in blocked else
                   f"level {level} ({whole_rule.name}): planned with its level {first.level} ({first.name}) visits, "
                   "which fit none of the days its other levels' visits leave free")
            unfit.append(Unserved(customer_id=customer.customer_id, visits_missing=whole_rule.visits, reason=why,
                                  level=level))
    kept = np.array(keep, dtype=np.int64)
    with_days = replace(context, taken_days=tuple(days))
    if len(kept) < sub.num_customers:
        logger.warning("%d customer(s) left out of the levels from %d on: no free days for them",
                       sub.num_customers - len(kept), phase.offset)
        # The partition needs each customer's estimated work (a part's context has none).
        with_days = replace(with_days.part(kept, np.arange(sub.num_managers), name=sub.name),
                            work=None if context.work is None else context.work[kept])
    return with_days, phase.customers[kept], unfit


def _lifted_route(route: DayRoute, offset: int) -> DayRoute:
    """``route`` with its stops' levels as the whole numbers them (``offset`` added)."""
    if offset == 0:
        return route
    return replace(route, stops=tuple(_lifted_stop(s, offset) for s in route.stops))


def _lifted_stop(stop: Stop, offset: int) -> Stop:
    return replace(stop, level=stop.level + offset)


def _lifted_unserved(problem: Problem, customer: Customer, unserved: Unserved, offset: int) -> Unserved:
    """``unserved`` with its level as the whole numbers it, its reason naming that level."""
    if offset == 0:
        return unserved
    level = unserved.level + offset
    rule = problem.visit_rules(customer)[level]
    reason = unserved.reason
    if unserved.level > 0:  # the phase's own prefix, "level k (name): "
        reason = reason.split(": ", 1)[1] if ": " in reason else reason
    return replace(unserved, level=level, reason=f"level {level} ({rule.name}): {reason}")
