"""The planner: from a problem to a checked plan."""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import ArgumentError, InfeasiblePlanError
from .model.problem import Problem, StabilitySettings
from .notices import BALANCE_PREFIX, collected, issue, unique
from .phases import PhaseEstimates, Size
from .planning.context import PlanningContext
from .planning.diagnose import Diagnosis, diagnose, unserved
from .planning.fan_out import (
    BORDER_ROUNDS,
    BorderParams,
    FannedOut,
    Pool,
    SearchSetup,
    as_pool,
    plan_parts,
    previous_sequences,
)
from .planning.formulate import Formulation, Weights, formulation_of
from .planning.levels import PhaseSetup, level_phases, plan_phases, planned_apart
from .planning.partition import PART_CUSTOMERS, Part, PartitionParams, PartLoad, part_loads, partition
from .planning.replan import log_terms, with_previous
from .planning.rescue import MIN_SLACK_MIN, RESCUE_MANAGERS, left_for_room, rescue
from .planning.schedule import build_routes
from .planning.strategies import STRATEGIES, StrategyParams
from .planning.warm_up import warm_up_planner
from .results.changes import PlanRecord, plan_record
from .results.run_record import RunRecord
from .results.visit_plan import Plan
from .roads.resolve import require_travel
from .solver.lns import Progress, SearchParams
from .solver.rate import WorkRate, machine_rate
from .solver.result import EngineResult
from .solver.search import solve
from .solver.stop import MaxRuntime, MaxWork, MultipleCriteria, NoImprovement, StoppingCriterion
from .solver.work import UNITS_PER_SECOND

logger = logging.getLogger(__name__)

DEFAULT_TIME_LIMIT = 60.0
#: The least search a time limit buys, whatever the estimates of the other phases say.
MIN_SEARCH_SECONDS = 0.2
#: Balance lines logged at most (a province has thousands of managers; summary.json has them all).
MAX_BALANCE_LINES = 12
#: The clock ends the search this many times the estimated checking and writing before the limit
#: (with a margin of 1, a 10,000-customer plan on a machine at 0.6 of the reference speed took
#: 126 s for a limit of 120).
CLOCK_MARGIN = 2.0
#: The work budget fills this share of the search's window (the limit less the estimated phases
#: and the clock's margin): the work units price the searches of every shape to within a few
#: percent (a 2,200-customer city's search ran 2 % slower than priced, the Kuiwen sample's 30 %
#: faster) and this machine's speed varies by about 3 % from run to run: a budget that filled
#: the whole window left the clock to end such a search (that city at 60 s: the clock, 0.6 % of
#: the budget short; at 95 % of the window, one run of two still 2.6 % short), so that the same
#: limit did not repeat its plan.
BUDGET_FILL = 0.9
#: The border rounds' travel tables, with everything else outside the search, may take at most
#: this share of the time limit: on a road network a round's tables can take longer than its
#: search is worth (a 20,000-customer city on 8,756 junctions: about 45 s a round), and the
#: planner then runs fewer rounds (a size-only decision: the same limit gives the same plan).
BORDER_PREPARE_SHARE = 0.6
#: A time limit's search also ends once the best plan has not improved for this many iterations
#: per required visit (and at least :data:`MIN_SETTLED_ITERATIONS`): a problem of tens of
#: customers is settled in well under a second and need not run to the clock, while a
#: department's search (the Kuiwen sample: 267,800 iterations) always spends its budget.
SETTLED_ITERATIONS_PER_VISIT = 100
MIN_SETTLED_ITERATIONS = 1_000
#: Share of the search's budget that the offer of customers left out for lack of room to other
#: managers may spend (:mod:`routeplan.planning.rescue`; only when some are left out).
RESCUE_SHARE = 0.05


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanParams:
    """How the planner turns a problem and a time limit into searches; the defaults are the
    module's constants, each measured (see their comments and benchmarks/README.md).

    Attributes
    ----------
    search
        Tuning of the search itself (default: :func:`default_params` of the strategy).
    units_per_second
        Work units a second of the search's window buys on the reference machine (times this
        machine's rate).
    budget_fill
        Share of the search's window the work budget fills (:data:`BUDGET_FILL`).
    clock_margin
        The clock ends the search this many times the estimated checking and writing before
        the limit (:data:`CLOCK_MARGIN`).
    border_prepare_share
        Share of the limit the border rounds' travel tables may take, with the other phases
        (:data:`BORDER_PREPARE_SHARE`).
    settled_iterations_per_visit, min_settled_iterations
        A time limit's search also ends after this many iterations per visit without a better
        plan, and at least the minimum (:data:`SETTLED_ITERATIONS_PER_VISIT`).
    rescue_share
        Share of the budget the offer of customers left out for lack of room may spend.
    part_customers
        A problem of more customers is planned in parts of at most about this many.
    weights
        How the formulation weighs balance and compactness against travel
        (:class:`~routeplan.planning.formulate.Weights`).
    border
        How the border phase of a problem planned in parts plans neighbouring parts again
        (:class:`~routeplan.planning.fan_out.BorderParams`).
    phases
        The estimates of the phases outside the search that the budget leaves time for
        (:class:`~routeplan.phases.PhaseEstimates`).
    strategies
        How the role-blind strategies hand customers out
        (:class:`~routeplan.planning.strategies.StrategyParams`).
    partition
        How a problem of more than ``part_customers`` customers is cut into parts
        (:class:`~routeplan.planning.partition.PartitionParams`).
    rescue_managers, rescue_slack_min
        A customer left out for lack of room is offered to at most this many nearest other
        managers who may serve it, those with at least this many minutes of their working time
        free (:mod:`routeplan.planning.rescue`).
    """

    search: SearchParams | None = None
    units_per_second: float = UNITS_PER_SECOND
    budget_fill: float = BUDGET_FILL
    clock_margin: float = CLOCK_MARGIN
    border_prepare_share: float = BORDER_PREPARE_SHARE
    settled_iterations_per_visit: int = SETTLED_ITERATIONS_PER_VISIT
    min_settled_iterations: int = MIN_SETTLED_ITERATIONS
    rescue_share: float = RESCUE_SHARE
    part_customers: int = PART_CUSTOMERS
    weights: Weights = field(default_factory=Weights)
    border: BorderParams = field(default_factory=BorderParams)
    phases: PhaseEstimates = field(default_factory=PhaseEstimates)
    strategies: StrategyParams = field(default_factory=StrategyParams)
    partition: PartitionParams = field(default_factory=PartitionParams)
    rescue_managers: int = RESCUE_MANAGERS
    rescue_slack_min: float = MIN_SLACK_MIN

    def __post_init__(self) -> None:
        bounds = {"units_per_second": (0.0, math.inf), "budget_fill": (0.0, 1.0), "clock_margin": (0.0, math.inf),
                  "border_prepare_share": (0.0, 1.0), "rescue_share": (0.0, 1.0)}
        for name, (low, high) in bounds.items():
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and low < value <= high) or math.isnan(value):
                raise ArgumentError(f"params.{name}", f"{value!r} is not a number in ({low:g}, {high:g}]")
        if not (isinstance(self.rescue_slack_min, (int, float)) and math.isfinite(self.rescue_slack_min)
                and self.rescue_slack_min >= 0):
            raise ArgumentError("params.rescue_slack_min", f"{self.rescue_slack_min!r} is not a number of minutes, "
                                                           "0 or more")
        for name in ("settled_iterations_per_visit", "min_settled_iterations", "part_customers", "rescue_managers"):
            value = getattr(self, name)
            if not (isinstance(value, int) and value >= 1):
                raise ArgumentError(f"params.{name}", f"{value!r} is not a whole number of 1 or more")


@dataclass(frozen=True, slots=True, kw_only=True)
class TimeLimit:
    """A time limit for a whole run of which planning is one part, as ``routeplan plan`` runs:
    reading the files, planning, writing them.

    Attributes
    ----------
    seconds
        The limit, for the whole run.
    started
        When the run began, a :func:`time.perf_counter` reading (default: when planning begins).
    before, after
        Estimates of the run's own work before planning (reading files, counted from
        ``started``) and after it (writing them), in seconds. The work budget is the limit less
        every estimated phase, which depend on the problem's size only, so that it repeats; the
        clock allows what is really left.
    """

    seconds: float
    started: float | None = None
    before: float = 0.0
    after: float = 0.0

    def __post_init__(self) -> None:
        if not (isinstance(self.seconds, (int, float)) and math.isfinite(self.seconds) and self.seconds > 0):
            raise ArgumentError("time_limit", f"{self.seconds} is not a positive number of seconds")
        for name in ("before", "after"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ArgumentError(f"time_limit.{name}", f"{value} is not a number of seconds (0 or more)")


def plan(problem: Problem, *, strategy: str = "hybrid", time_limit: float | TimeLimit | None = None,
         stop: StoppingCriterion | None = None, seed: int = 0, progress: Callable[[Progress], None] | None = None,
         params: SearchParams | PlanParams | None = None, executor: Executor | Any | None = None) -> Plan:
    """Plan every manager's visits for one cycle.

    Parameters
    ----------
    problem
        The planning problem (see :func:`routeplan.read_scenario` and
        :class:`routeplan.ProblemBuilder`).
    strategy
        How managers are matched to customers: ``"hybrid"`` (roles as given, territories drawn
        freely), ``"region"``, ``"business-type"`` or ``"value"`` (see the README).
    time_limit
        Seconds of wall time for the call (default 60), or a :class:`TimeLimit` for a run of
        which the call is one part (``routeplan plan``: reading and writing files too): the
        search spends a work budget that leaves time for everything else, fitted to this
        machine's rate of work (measured once and kept, :mod:`routeplan.solver.rate`;
        ``plan.run.work_rate`` says which was used), so that the same limit and seed give the
        same plan on an idle machine, run after run; on a busier one the clock ends the search
        and ``plan.run.stopped_by`` says ``"clock"`` (with a warning). The one-time compilation of the
        search after installation (about half a minute; afterwards loaded from a cache in well
        under a second) comes on top, reported as ``startup_seconds``.
    stop
        Instead of a time limit, when the search stops (see :mod:`routeplan.stop`): a work
        budget, a number of iterations, a run without improvement or a run time, or several
        (``MaxIterations(50_000) | NoImprovement(10_000)``). Criteria that do not look at the
        clock give the same plan for the same seed on any machine.
    seed
        Seed of the search's random choices.
    progress
        Called about once a second with a :class:`~routeplan.Progress`.
    params
        Tuning of the search (:class:`~routeplan.SearchParams`), or of the planner around it
        (:class:`~routeplan.PlanParams`: how a time limit becomes a work budget, the size of
        the parts of a large problem, ... with the search's tuning as its ``search``).
    executor
        Where the parts of a large problem are planned (see :mod:`routeplan.planning.partition`;
        a problem of up to 5,000 customers is one part, planned here): any
        :class:`concurrent.futures.Executor` (a ``ProcessPoolExecutor`` for local cores) or a
        ``dask.distributed.Client``. Default: one after another in this process. Each part's
        share of the work budget follows its visits, never the number of workers: the same
        seed and limit give the same plan with any executor. The clock of a phase is shared
        among the tasks an executor runs at once: a Dask client's threads, else this machine's
        cores (say otherwise with :class:`routeplan.planning.fan_out.Pool`).

    Returns
    -------
    Plan
        A plan that passes :func:`routeplan.validate`; customers that cannot be served are in
        ``plan.unserved`` with the reason.

    Raises
    ------
    ArgumentError
        For an unknown strategy, a time limit that is not a positive number, or both a time
        limit and a stopping criterion.
    """
    if stop is not None and time_limit is not None:
        raise ArgumentError("stop", "give a time limit or a stopping criterion, not both")
    if time_limit is not None and not isinstance(time_limit, TimeLimit) and not time_limit > 0:
        raise ArgumentError("time_limit", f"{time_limit} is not a positive number of seconds")
    if stop is None and time_limit is None:
        time_limit = DEFAULT_TIME_LIMIT
    result = plan_within(problem, strategy=strategy, time_limit=time_limit, stop=stop, seed=seed, progress=progress,
                         params=params, executor=executor)
    # The problem's own warnings were raised when it was read or built: each is raised once.
    issue(w for w in result.warnings if w not in problem.warnings)
    return result


def replan(problem: Problem, previous: Plan | PlanRecord | str | os.PathLike[str], *,
           max_reassigned: float | None = None, keep_days: bool | None = None, move_cost_min: float | None = None,
           day_cost_min: float | None = None, **options: Any) -> Plan:
    """Plan ``problem`` again from a previous plan, keeping what can be kept (the contract's
    section 6): the previous assignment and visit days are the search's first solution and
    moving away from them costs (see :mod:`routeplan.planning.replan`).

    Parameters
    ----------
    problem
        The planning problem now (customers added or closed, managers gone or new, rules changed
        since the previous plan).
    previous
        The previous plan: a plan object, or its folder.
    max_reassigned
        At most this share of the customers whose manager is still present moves to another
        (default: ``[stability]`` of the scenario, else no limit).
    keep_days
        Keep each customer's weekdays where possible (default: the scenario's, else True).
    move_cost_min, day_cost_min
        The costs, in minutes of travel, of a customer moved and of a visit on a new day (default:
        the scenario's, else :data:`~routeplan.model.problem.DEFAULT_MOVE_COST_MIN` and
        :data:`~routeplan.model.problem.DEFAULT_DAY_COST_MIN`).
    **options
        Passed to :func:`plan` (``time_limit``, ``stop``, ``seed``, ``strategy``, ...).

    Returns
    -------
    Plan
        The new plan; its ``changes.csv`` (:meth:`Plan.tables`) lists every customer whose manager
        or days changed, and why; :func:`routeplan.diff_plans` compares it with ``previous``.
    """
    replanned, closed = from_previous(problem, previous, max_reassigned=max_reassigned, keep_days=keep_days,
                                      move_cost_min=move_cost_min, day_cost_min=day_cost_min)
    result = plan(replanned, **options)
    return replace(result, run=replace(result.run, closed_customers=tuple(closed)))


def from_previous(problem: Problem, previous: Plan | PlanRecord | str | os.PathLike[str], *,
                  max_reassigned: float | None = None, keep_days: bool | None = None,
                  move_cost_min: float | None = None,
                  day_cost_min: float | None = None) -> tuple[Problem, list[tuple[str, str, tuple[str, ...]]]]:
    """``problem`` set to re-plan from ``previous`` (see :func:`replan`), and the previous
    plan's customers that ``problem`` no longer has (id, manager, day labels)."""
    record = plan_record(previous)
    settings = stability_settings(problem, max_reassigned=max_reassigned, keep_days=keep_days,
                                  move_cost_min=move_cost_min, day_cost_min=day_cost_min)
    known = {c.customer_id for c in problem.customers}
    closed = [(cid, manager, record.days(cid)) for cid, manager in record.manager_of.items() if cid not in known]
    return with_previous(problem, record.manager_of, record.days_of, stability=settings), closed


def stability_settings(problem: Problem, *, max_reassigned: float | None = None, keep_days: bool | None = None,
                       move_cost_min: float | None = None, day_cost_min: float | None = None) -> StabilitySettings:
    """The problem's re-plan settings (``[stability]``, else the defaults) with the given ones
    replacing them."""
    base = problem.stability or StabilitySettings()
    return StabilitySettings(
        max_reassigned=base.max_reassigned if max_reassigned is None else float(max_reassigned),
        keep_days=base.keep_days if keep_days is None else bool(keep_days),
        move_cost_min=base.move_cost_min if move_cost_min is None else float(move_cost_min),
        day_cost_min=base.day_cost_min if day_cost_min is None else float(day_cost_min))


def plan_within(problem: Problem, *, strategy: str, time_limit: float | TimeLimit | None,
                stop: StoppingCriterion | None = None, seed: int = 0,
                progress: Callable[[Progress], None] | None = None,
                params: SearchParams | PlanParams | None = None, executor: Executor | Any | None = None) -> Plan:
    """:func:`plan` without raising the plan's warnings as Python warnings (they are the
    problem's and those logged on the way, on ``plan.warnings``). With a ``stop`` criterion the
    time limit is not used (and not recorded)."""
    if strategy not in STRATEGIES:
        raise ArgumentError("strategy", f"unknown strategy '{strategy}'; expected one of {', '.join(STRATEGIES)}")
    require_travel(problem)  # a problem built in Python has not had its travel table checked
    limit = time_limit if time_limit is None or isinstance(time_limit, TimeLimit) else TimeLimit(seconds=time_limit)
    planning = params if isinstance(params, PlanParams) else PlanParams(search=params)
    with collected() as found:
        result = _plan_within(problem, strategy=strategy, limit=limit, stop=stop, seed=seed, progress=progress,
                              planning=planning, executor=executor)
    return replace(result, run=replace(result.run, warnings=unique([*problem.warnings, *result.warnings, *found])))


@dataclass(frozen=True, slots=True, kw_only=True)
class _Times:
    """When a run began (a :func:`time.perf_counter` reading, the compilation of the search
    after it), its time limit (None: a stopping criterion instead) and the compilation's seconds,
    for the plan's record."""

    started: float
    time_limit: float | None
    startup: float


def _plan_within(problem: Problem, *, strategy: str, limit: TimeLimit | None, stop: StoppingCriterion | None,
                 seed: int, progress: Callable[[Progress], None] | None, planning: PlanParams,
                 executor: Executor | Any | None) -> Plan:
    time_limit = None if limit is None else limit.seconds
    started = None if limit is None else limit.started
    before = 0.0 if limit is None else limit.before
    after = 0.0 if limit is None else limit.after
    pool = as_pool(executor)
    params = planning.search if planning.search is not None else default_params(strategy)
    startup = warm_up_planner()  # compiles on first use; not counted in the time limit
    started = time.perf_counter() if started is None else started + startup
    formulating = time.perf_counter()
    context = PlanningContext.of(problem, strategy, params=planning.strategies)
    log_terms(problem, context.terms)
    # A large problem with visit levels is planned level by level (routeplan.planning.levels).
    staged = (level_phases(context, max_customers=planning.part_customers)
              if planned_apart(problem, planning.part_customers) else None)
    first = context if staged is None else staged[0].context
    parts = partition(first, max_customers=planning.part_customers, params=planning.partition)
    if len(parts) > 1:
        _log_part_loads(problem, part_loads(first, parts))
    # The later phases' parts (cut again once the days before them are known): their estimates.
    later = [] if staged is None else [partition(ph.context, max_customers=planning.part_customers,
                                                 params=planning.partition) for ph in staged[1:]]
    size = Size.of(problem)
    phases = planning.phases
    finish = phases.finish(size)
    prepare = sum(phases.prepare(Size.of(p.problem)) for p in [*parts, *(p for ps in later for p in ps)])
    # Each border round plans about every part again, paired with a neighbour.
    per_round = sum(sum(phases.prepare(Size.of(p.problem, times=2)) for p in ps) / 2
                    for ps in [parts, *later] if len(ps) > 1)
    rounds = planning.border.rounds
    if stop is None and time_limit is not None:
        rounds = border_rounds(time_limit, fixed=before + after + prepare + finish, per_round=per_round,
                               polish=prepare, share=planning.border_prepare_share, most=planning.border.rounds)
        if per_round > 0 and rounds < planning.border.rounds:
            logger.info("%d border rounds of the %d: their travel tables (about %.0f s each) would leave too little "
                        "of the %g s for the search", rounds, planning.border.rounds, per_round, time_limit)
    prepare += rounds * per_round
    rate: WorkRate | None = None
    if stop is not None:
        time_limit = None
        budget: StoppingCriterion = stop
        clock = math.inf  # the end of the search on the wall clock: none
    else:
        if time_limit is None:
            raise ArgumentError("time_limit", "give a time limit or a stopping criterion")
        least = before + after + prepare + finish + MIN_SEARCH_SECONDS
        if time_limit < least:
            logger.warning("a time limit of %g s is shorter than the %.0f s that reading, the travel matrices, "
                           "checking and writing are estimated to take for %d customers: the run will take longer",
                           time_limit, least, size.customers)
        # The search's window ends where the clock does (the clock keeps CLOCK_MARGIN times the
        # phases after it), and the budget fills BUDGET_FILL of it.
        search = max(MIN_SEARCH_SECONDS,
                     planning.budget_fill * (time_limit - before - prepare - planning.clock_margin * (after + finish)))
        # The budget follows from sizes alone (repeatable); the clock allows what is really left
        # (an end, on the wall clock that worker processes share), keeping the phases after the
        # search a margin: where the clock ends the search, the machine is slower than the
        # estimates' reference, and so are those phases.
        clock = time.time() + started + time_limit - planning.clock_margin * (after + finish) - time.perf_counter()
        rate = machine_rate()
        budget = (MaxWork(search * planning.units_per_second * rate.factor)
                  | NoImprovement(settled_iterations(size, planning)))
    setup = SearchSetup(budget=budget, clock=clock, seed=seed, params=params, weights=planning.weights,
                        progress=progress)
    times = _Times(started=started, time_limit=time_limit, startup=startup)
    if staged is not None:
        joined = plan_phases(context, staged, parts, setup,
                             PhaseSetup(max_customers=planning.part_customers, partition=planning.partition,
                                        executor=pool, border=replace(planning.border, rounds=rounds),
                                        estimates=phases, rescue_share=planning.rescue_share,
                                        rescue_managers=planning.rescue_managers,
                                        rescue_slack_min=planning.rescue_slack_min))
        plan = _joined_plan(context, joined, setup, times, parts=len(parts) + sum(len(ps) for ps in later))
        plan = _checked(_offered(plan, context, setup, planning), str(plan.run.stopped_by))
    elif len(parts) == 1:
        form = formulation_of(context, weights=planning.weights)
        diagnose(form).log(logger)
        prepared = time.perf_counter()
        logger.info("formulated and diagnosed in %.2f s", prepared - formulating)
        stop_here = budget
        if math.isfinite(clock):
            stop_here = MultipleCriteria([budget, MaxRuntime(max(MIN_SEARCH_SECONDS, clock - time.time()))])
        result = solve(form.instance, stop_here, seed=seed, params=params, progress=progress,
                       initial=previous_sequences(form))
        searched = time.perf_counter()
        logger.info("searched in %.2f s (construction included)", searched - prepared)
        plan = plan_of(form, result, seed=seed, started=started, time_limit=time_limit, startup=startup)
        plan = _checked(_offered(plan, context, setup, planning), str(plan.run.stopped_by))
        logger.info("plan built and validated in %.2f s", time.perf_counter() - searched)
    else:
        plan = _plan_parts(context, parts, setup, times, executor=pool,
                           border=replace(planning.border, rounds=rounds), phases=phases)
        plan = _checked(_offered(plan, context, setup, planning), str(plan.run.stopped_by))
    if context.terms is not None:  # who had to move under the strategy: changes.csv's "no longer eligible"
        plan = replace(plan, run=replace(plan.run, no_longer_eligible=tuple(context.terms.forced_ids)))
    if rate is not None:
        plan = replace(plan, run=replace(plan.run, work_rate=rate.to_dict()))
    return plan


def default_params(strategy: str) -> SearchParams:
    """The search's tuning under ``strategy``: the chain ruin, which carries work along partly
    overlapping roles (a small shop from a C to a D manager, a medium one from C to C), only
    under ``hybrid``, the strategy with roles. Measured on the Kuiwen sample at 60 s: under
    ``hybrid`` it saved 1.3 % of travel (seeds 1 to 3: 2,672 km against 2,707); under ``value``,
    whose hand-out has no such roles, it cost 0.6 % (seeds 0 to 2 at the same budget: 2,992 km
    against 2,974)."""
    return SearchParams() if strategy == "hybrid" else SearchParams(chain=0.0)


def _log_part_loads(problem: Problem, loads: Sequence[PartLoad]) -> None:
    """What each part is given against its managers' time, checked before solving: a part whose
    estimated load strays beyond the balance tolerance from its group's, or whose customers its
    managers cannot share out evenly, is named (the border rounds then carry work across)."""
    tolerance = problem.balance.tolerance
    for load in loads:
        logger.info("part %d: %d customers, %d managers, estimated load %.0f%% of their time (their group: %.0f%%)",
                    load.part + 1, load.customers, load.managers, 100 * load.utilisation,
                    100 * load.group_utilisation)
        if not math.isfinite(load.spread):
            logger.warning("part %d has customers none of its %d managers may serve", load.part + 1, load.managers)
        elif abs(load.deviation) > tolerance or load.spread > tolerance:
            logger.info("part %d strays from its group's load by %+.0f%% (its kinds of manager within %.0f%%): the "
                        "border rounds carry work across", load.part + 1, 100 * load.deviation, 100 * load.spread)


def settled_iterations(size: Size, planning: PlanParams | None = None) -> int:
    """Iterations without a better plan after which a time limit's search ends early."""
    planning = planning or PlanParams()
    return max(planning.min_settled_iterations, planning.settled_iterations_per_visit * size.visits)


def border_rounds(time_limit: float, *, fixed: float, per_round: float, polish: float,
                  share: float = BORDER_PREPARE_SHARE, most: int = BORDER_ROUNDS) -> int:
    """How many border rounds fit a time limit: at most ``most``, and as many as keep everything
    outside the search (``fixed`` seconds, ``per_round`` for each round's tables, ``polish`` for
    the polish after them) within ``share`` of the limit."""
    rounds = most
    while rounds > 0 and fixed + rounds * per_round + polish > share * time_limit:
        rounds -= 1
    return rounds


def _plan_parts(context: PlanningContext, parts: Sequence[Part], setup: SearchSetup, times: _Times, *,
                executor: Pool | None, border: BorderParams, phases: PhaseEstimates) -> Plan:
    """Plan each part (in turn, or on ``executor``: see :mod:`routeplan.planning.fan_out`) and
    join them into one plan (not checked yet)."""
    joined = plan_parts(context, parts, setup, executor=executor, border=border, phases=phases)
    return _joined_plan(context, joined, setup, times, parts=len(parts))


def _joined_plan(context: PlanningContext, joined: FannedOut, setup: SearchSetup, times: _Times, *,
                 parts: int) -> Plan:
    """The plan (not checked yet) of a problem planned in ``parts`` parts, joined."""
    return Plan(problem=context.problem, routes=joined.routes, unserved=joined.unserved, strategy=context.strategy,
                seed=setup.seed, solve_seconds=time.perf_counter() - times.started, time_limit=times.time_limit,
                iterations=joined.iterations,
                run=RunRecord(balance_groups=context.balance_group_ids(), startup_seconds=round(times.startup, 2),
                              stopped_by=joined.stopped_by, work_units=round(joined.work), parts=parts,
                              tasks=joined.tasks, worker_startup_seconds=round(joined.worker_startup, 2),
                              warnings=tuple(joined.warnings)))


def diagnose_problem(problem: Problem, *, strategy: str = "hybrid",
                     max_part_customers: int = PART_CUSTOMERS) -> Diagnosis:
    """What can be told about ``problem`` before solving it under ``strategy``: working time
    needed against available per group of managers, and customers no plan can serve."""
    if strategy not in STRATEGIES:
        raise ArgumentError("strategy", f"unknown strategy '{strategy}'; expected one of {', '.join(STRATEGIES)}")
    require_travel(problem)
    context = PlanningContext.of(problem, strategy)
    if planned_apart(problem, max_part_customers):
        # Level by level, as it is planned (the later levels without the days of the earlier).
        parts = [p for ph in level_phases(context, max_customers=max_part_customers)
                 for p in partition(ph.context, max_customers=max_part_customers)]
    else:
        parts = partition(context, max_customers=max_part_customers)
    if len(parts) == 1:
        return diagnose(formulation_of(context))
    # A large problem part by part, as it is planned: no travel matrix over all its customers.
    found = [diagnose(formulation_of(p.context)) for p in parts]
    return Diagnosis(capacity=tuple(c for d in found for c in d.capacity),
                     unservable=tuple(u for d in found for u in d.unservable))


def checked_plan(form: Formulation, result: EngineResult, *, seed: int, started: float, time_limit: float | None,
                 startup: float) -> Plan:
    """The plan of an engine result, validated."""
    return _checked(plan_of(form, result, seed=seed, started=started, time_limit=time_limit, startup=startup),
                    result.stopped_by)


def plan_of(form: Formulation, result: EngineResult, *, seed: int, started: float, time_limit: float | None,
            startup: float) -> Plan:
    """The plan of an engine result (not checked yet)."""
    return Plan(problem=form.problem, routes=build_routes(form, result), unserved=unserved(form, result),
                strategy=form.strategy, seed=seed, solve_seconds=time.perf_counter() - started, time_limit=time_limit,
                iterations=result.iterations,
                run=RunRecord(balance_groups=form.context.balance_group_ids(), startup_seconds=round(startup, 2),
                              stopped_by=result.stopped_by, work_units=round(result.work)))


def _offered(plan: Plan, context: PlanningContext, setup: SearchSetup, planning: PlanParams) -> Plan:
    """``plan`` with the customers it left out for lack of room offered to other managers who may
    serve them and have time (:mod:`routeplan.planning.rescue`), within ``planning.rescue_share``
    of the searches' budget and their clock."""
    if not left_for_room(plan.problem, plan.unserved):
        return plan
    stop: StoppingCriterion = setup.budget.part(planning.rescue_share, 0.0)
    if math.isfinite(setup.clock):
        stop = MultipleCriteria([stop, MaxRuntime(max(MIN_SEARCH_SECONDS, setup.clock - time.time()))])
    done = rescue(context, plan.routes, plan.unserved, replace(setup, budget=stop, seed=plan.seed),
                  offer_to=planning.rescue_managers, slack_min=planning.rescue_slack_min)
    run = replace(plan.run, offered={"customers": done.offered, "placed": done.placed},
                  work_units=round(float(plan.run.work_units or 0) + done.work),
                  stopped_by="clock" if done.stopped_by == "clock" else plan.run.stopped_by)
    return replace(plan, routes=done.routes, unserved=done.unserved, iterations=plan.iterations + done.iterations,
                   run=run)


def _checked(plan: Plan, stopped_by: str) -> Plan:
    """``plan``, validated (an error if it breaks a rule), with its warnings logged."""
    report = plan.validate()
    if not report.ok:
        raise InfeasiblePlanError("the planned routes break the contract:\n" + str(report))
    lines = plan.balance().lines()
    for line in lines[:MAX_BALANCE_LINES]:
        logger.warning("%s%s", BALANCE_PREFIX, line)
    if len(lines) > MAX_BALANCE_LINES:
        logger.warning("%s... and %d more lines like these (summary.json lists every manager and day out of its "
                       "band)", BALANCE_PREFIX, len(lines) - MAX_BALANCE_LINES)
    if plan.unserved:
        missing = plan.visits_required() - plan.visits_planned()
        logger.warning("%d customer(s) could not be served (%d of %d visits missing); each one's reason is in "
                       "plan.unserved and unserved.csv", len(plan.unserved), missing, plan.visits_required())
    if stopped_by == "clock":
        logger.warning("the clock stopped the search before its work budget was spent (the limit is too short "
                       "for the problem, or this machine is slower or busier than the reference one); the plan is "
                       "valid but the same seed may not repeat it: "
                       "give a longer limit, or stop on work or iterations (routeplan.stop) to repeat exactly")
    logger.info("planned %d of %d visits in %.1fs", plan.visits_planned(), plan.visits_required(),
                plan.solve_seconds)
    return plan
