"""The planner: from a problem to a checked plan."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from .errors import ArgumentError, InfeasiblePlanError
from .model.problem import Problem
from .planning.diagnose import Diagnosis, diagnose, unserved
from .planning.formulate import Formulation
from .planning.schedule import build_routes
from .planning.strategies import STRATEGIES, formulate_strategy
from .results.visit_plan import Plan
from .solver.lns import warm_up
from .solver.search import Progress, SearchParams, solve

logger = logging.getLogger(__name__)

DEFAULT_TIME_LIMIT = 60.0


def plan(problem: Problem, *, strategy: str = "hybrid", time_limit: float = DEFAULT_TIME_LIMIT, seed: int = 0,
         progress: Callable[[Progress], None] | None = None, params: SearchParams | None = None) -> Plan:
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
        Seconds of wall time for the call; the search stops in time to finish by then. The
        one-time compilation of the search kernels after installation (about half a minute;
        afterwards loaded from a cache in well under a second) comes on top and is reported as
        ``startup_seconds`` in the summary.
    seed
        Seed of the search's random choices.
    progress
        Called about once a second with a :class:`~routeplan.solver.search.Progress`.

    Returns
    -------
    Plan
        A plan that passes :func:`routeplan.validate`; customers that cannot be served are in
        ``plan.unserved`` with the reason.
    """
    if strategy not in STRATEGIES:
        raise ArgumentError("strategy", f"unknown strategy '{strategy}'; expected one of {', '.join(STRATEGIES)}")
    if not time_limit > 0:
        raise ArgumentError("time_limit", f"{time_limit} is not a positive number of seconds")
    startup = warm_up()  # compiles the search on first use; not counted in the time limit
    started = time.perf_counter()
    form = formulate_strategy(problem, strategy)
    _warn_before_solving(diagnose(form))
    return plan_formulation(form, time_limit=time_limit, seed=seed, progress=progress, params=params,
                            started=started, startup_seconds=startup)


def diagnose_problem(problem: Problem, *, strategy: str = "hybrid") -> Diagnosis:
    """What can be told about ``problem`` before solving it under ``strategy``: working time
    needed against available per group of managers, and customers no plan can serve."""
    if strategy not in STRATEGIES:
        raise ArgumentError("strategy", f"unknown strategy '{strategy}'; expected one of {', '.join(STRATEGIES)}")
    return diagnose(formulate_strategy(problem, strategy))


def _warn_before_solving(diagnosis: Diagnosis) -> None:
    """Tell at once what cannot work, rather than after the time limit."""
    for check in diagnosis.capacity:
        if check.load_with_travel > 0.95:
            logger.warning(check.line())
    for customer_id, reason in diagnosis.unservable[:10]:
        logger.warning("customer %s cannot be served: %s", customer_id, reason)
    if len(diagnosis.unservable) > 10:
        logger.warning("... and %d more such customers (routeplan check lists all)", len(diagnosis.unservable) - 10)


def plan_formulation(form: Formulation, *, time_limit: float, seed: int = 0,
                     progress: Callable[[Progress], None] | None = None, params: SearchParams | None = None,
                     started: float | None = None, startup_seconds: float = 0.0) -> Plan:
    """Solve an already formulated problem (see :func:`plan`)."""
    started = time.perf_counter() if started is None else started
    # The search's budget follows from the limit alone, so that runs repeat; the clock stops it
    # early enough to leave time for schedules, diagnosis and validation.
    reserve = min(2.0, 0.05 * time_limit)
    budget = max(0.1, time_limit - reserve)
    result = solve(form.instance, time_limit=budget, seed=seed, params=params or SearchParams(), progress=progress,
                   deadline=started + budget)
    problems = result.solution.check()
    if problems:
        raise InfeasiblePlanError("the search returned an inconsistent solution: " + "; ".join(problems[:5]))
    managers = form.problem.managers
    groups = [[managers[i].manager_id for i in g] for g in form.instance.balance_groups]
    # work_cv compares one role's managers under hybrid and all managers otherwise (the contract).
    role_groups = None if form.strategy == "hybrid" else [[m.manager_id for m in managers]]
    plan = Plan(problem=form.problem, routes=build_routes(form, result.solution),
                unserved=unserved(form, result.solution), strategy=form.strategy, seed=seed,
                solve_seconds=time.perf_counter() - started, time_limit=time_limit, iterations=result.iterations,
                extra={"balance_groups": groups, "role_groups": role_groups,
                       "startup_seconds": round(startup_seconds, 2), "stopped_by": result.stopped_by})
    report = plan.validate()
    if not report.ok:
        raise InfeasiblePlanError("the planned routes break the contract (a bug, please report it):\n"
                                  + str(report))
    if result.stopped_by == "clock":
        logger.warning("the time limit stopped the search before its work budget was spent (this machine is "
                       "slower or busier than the calibration); the plan is valid but the same seed may not "
                       "repeat it: give a longer limit or set ROUTEPLAN_UNITS_PER_SECOND lower")
    logger.info("planned %d of %d visits in %.1fs", plan.visits_planned(), plan.visits_required(),
                plan.solve_seconds)
    return plan
