"""Everything compiled before a time limit starts: the search's kernels and those the planner
calls around it.

:func:`routeplan.solver.lns.warm_up` compiles the search's own steps on a tiny instance. A
first plan after installation then still compiled, inside its limit, what only a real problem
reaches: the straight-line travel matrices and time windows of formulating, the polishing
rounds' route edits, the timetables of the result (about 2 s on the Kuiwen sample, enough for
the clock to end a part's search early and the plan not to repeat). Planning a small problem
once, through the same steps, moves that to the one-time start-up too.
"""

from __future__ import annotations

import logging
import time

from ..model.problem import Problem, ProblemBuilder
from ..solver.lns import SearchParams, warm_up
from ..solver.search import solve
from ..solver.stop import MaxIterations
from .diagnose import diagnose, unserved
from .formulate import formulate
from .schedule import build_routes

logger = logging.getLogger(__name__)

#: A search of the small problem that reaches a polishing round (whose share of the work is
#: raised: the default share of so small a search would polish no route).
_ITERATIONS = 1_000
_PARAMS = SearchParams(polish_share=0.5, polish_rounds=1)


class _Planner:
    """Whether this process has planned the small problem yet."""

    ready = False


def warm_up_planner() -> float:
    """Compile (or load from numba's disk cache) every kernel a plan uses, once per process;
    returns the seconds it took."""
    started = time.perf_counter()
    warm_up()
    if not _Planner.ready:
        _Planner.ready = True  # set first: planning the small problem must not come back here
        for consistent in (True, False):
            problem = _small_problem(consistent=consistent)
            form = formulate(problem, strategy="hybrid")
            diagnose(form)
            result = solve(form.instance, MaxIterations(_ITERATIONS), seed=0, params=_PARAMS)
            build_routes(form, result)
            unserved(form, result)
        logger.info("planner kernels ready in %.1f s", time.perf_counter() - started)
    return time.perf_counter() - started


def _small_problem(*, consistent: bool) -> Problem:
    """Twelve shops in two tiers, two managers (one with a lunch break, so that the timing of
    breaks compiles too), a week: routes of several visits to polish."""
    days = ["Mon", "Tue", "Wed", "Thu", "Fri"]
    builder = ProblemBuilder(name="warm-up", days=days, consistent=consistent)
    builder.set_depot(119.13, 36.71)
    builder.add_tier("medium", visits=2, min_gap=2, service_min=12, roles=["C"], window=("08:30", "17:30"))
    builder.add_tier("small", visits=1, service_min=8, roles=["C"], window=("09:00", "17:00"))
    builder.add_manager("C1", role="C")
    builder.add_manager("C2", role="C", break_earliest="11:30", break_latest="12:30", break_min=60)
    for k in range(12):
        builder.add_customer(f"S{k}", lon=119.10 + 0.005 * (k % 4), lat=36.70 + 0.006 * (k // 4),
                             tier="medium" if k % 3 else "small")
    return builder.build()
