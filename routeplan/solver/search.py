"""Solving an instance: split it into independent parts, build a first solution of each, improve
it with the compiled ruin-and-recreate search until the time limit, and merge the parts."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .construct import initial_solution
from .decompose import merge, split
from .instance import Instance
from .lns import LNS, Progress, SearchParams
from .objective import Objective
from .state import Solution

logger = logging.getLogger(__name__)

__all__ = ["EngineResult", "Progress", "SearchParams", "solve"]


@dataclass(slots=True, kw_only=True)
class EngineResult:
    """The best solution found and how the search went."""

    solution: Solution
    objective: float
    iterations: int
    seconds: float
    history: list[tuple[float, float]] = field(default_factory=list)
    stopped_by: str = "budget"  # "budget": repeatable; "clock": cut short by the time limit


def solve(inst: Instance, *, time_limit: float, seed: int = 0, params: SearchParams = SearchParams(),
          progress: Callable[[Progress], None] | None = None, initial: Solution | None = None,
          deadline: float | None = None) -> EngineResult:
    """Find a good solution of ``inst`` within ``time_limit`` seconds.

    Independent parts of the instance (owner groups sharing no task) are solved one after the
    other, each with a share of the time limit proportional to its visits. ``initial``, when
    given, is the starting solution (the instance is then solved as one part).

    The search spends a work budget set by the time limit, so the same instance, seed and
    limit give the same solution unless the machine is too slow or too loaded to get through the
    budget in time: the wall clock (``deadline``, a ``time.perf_counter()`` value, by default
    ``time_limit`` from now) then stops it and ``stopped_by`` says ``"clock"``.
    """
    started = time.perf_counter()
    deadline = started + time_limit if deadline is None else deadline
    parts = split(inst) if initial is None else []
    if len(parts) <= 1:
        return _solve_part(inst, time_limit, deadline, seed, params, progress, initial)
    weights = np.array([max(1, p.instance.visits_required()) for p in parts], dtype=float)
    shares = time_limit * weights / weights.sum()
    stopped: list[str] = []
    solutions = []
    iterations = 0
    history: list[tuple[float, float]] = []
    for i, part in enumerate(parts):
        elapsed = time.perf_counter() - started

        def report(p: Progress, offset=elapsed, base=iterations) -> None:
            if progress is not None:
                progress(Progress(seconds=offset + p.seconds, iterations=base + p.iterations, best_cost=p.best_cost,
                                  missing_visits=p.missing_visits))

        # Each part's budget is its share of the limit (repeatable); its clock leaves the later
        # parts their shares.
        part_deadline = deadline - float(shares[i + 1:].sum())
        result = _solve_part(part.instance, float(shares[i]), part_deadline, seed + i, params, report, None)
        solutions.append(result.solution)
        iterations += result.iterations
        history.extend((elapsed + t, c) for t, c in result.history)
        stopped.append(result.stopped_by)
    merged = merge(inst, parts, solutions)
    return EngineResult(solution=merged, objective=Objective.of(inst)(merged), iterations=iterations,
                        seconds=time.perf_counter() - started, history=history,
                        stopped_by="clock" if "clock" in stopped else "budget")


#: Seconds per squared task that building a first solution may take (measured: up to 1.6e-6 on
#: the reference machine for large parts); reserved out of a part's time so that the search's
#: budget, which must not depend on the clock, still ends in time.
CONSTRUCTION_SECONDS_PER_TASK2 = 2.5e-6


def _solve_part(inst: Instance, seconds: float, deadline: float, seed: int, params: SearchParams,
                progress: Callable[[Progress], None] | None, initial: Solution | None) -> EngineResult:
    started = time.perf_counter()
    search_seconds = seconds
    if initial is None:
        initial = initial_solution(inst, Objective.of(inst), np.random.default_rng(seed))
        search_seconds = max(0.5 * seconds, seconds - CONSTRUCTION_SECONDS_PER_TASK2 * inst.num_tasks ** 2)
    if inst.num_tasks == 0 or time.perf_counter() >= deadline:
        return EngineResult(solution=initial, objective=Objective.of(inst)(initial), iterations=0,
                            seconds=time.perf_counter() - started, stopped_by="clock" if inst.num_tasks else "budget")
    run = LNS(inst, seed=seed, params=params).run(initial, search_seconds, deadline=deadline, progress=progress)
    return EngineResult(solution=run.solution, objective=Objective.of(inst)(run.solution), iterations=run.iterations,
                        seconds=time.perf_counter() - started, history=run.history, stopped_by=run.stopped_by)
