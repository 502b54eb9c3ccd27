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


def solve(inst: Instance, *, time_limit: float, seed: int = 0, params: SearchParams = SearchParams(),
          progress: Callable[[Progress], None] | None = None, initial: Solution | None = None) -> EngineResult:
    """Find a good solution of ``inst`` within ``time_limit`` seconds.

    Independent parts of the instance (owner groups sharing no task) are solved one after the
    other, each with a share of the time proportional to its visits. ``initial``, when given, is
    the starting solution (the instance is then solved as one part).

    The search stops on the clock, so the number of iterations, and with it the result, can vary
    with machine load.
    """
    started = time.perf_counter()
    parts = split(inst) if initial is None else []
    if len(parts) <= 1:
        return _solve_part(inst, time_limit, seed, params, progress, initial, started)
    weights = np.array([max(1, p.instance.visits_required()) for p in parts], dtype=float)
    solutions = []
    iterations = 0
    history: list[tuple[float, float]] = []
    for i, part in enumerate(parts):
        elapsed = time.perf_counter() - started
        budget = max(0.05, (time_limit - elapsed) * weights[i] / weights[i:].sum())

        def report(p: Progress, offset=elapsed, base=iterations) -> None:
            if progress is not None:
                progress(Progress(seconds=offset + p.seconds, iterations=base + p.iterations, best_cost=p.best_cost,
                                  missing_visits=p.missing_visits))

        result = _solve_part(part.instance, budget, seed + i, params, report, None, time.perf_counter())
        solutions.append(result.solution)
        iterations += result.iterations
        history.extend((elapsed + t, c) for t, c in result.history)
    merged = merge(inst, parts, solutions)
    return EngineResult(solution=merged, objective=Objective.of(inst)(merged), iterations=iterations,
                        seconds=time.perf_counter() - started, history=history)


def _solve_part(inst: Instance, time_limit: float, seed: int, params: SearchParams,
                progress: Callable[[Progress], None] | None, initial: Solution | None,
                started: float) -> EngineResult:
    if initial is None:
        initial = initial_solution(inst, Objective.of(inst), np.random.default_rng(seed))
    left = time_limit - (time.perf_counter() - started)
    if inst.num_tasks == 0 or left <= 0:
        return EngineResult(solution=initial, objective=Objective.of(inst)(initial), iterations=0,
                            seconds=time.perf_counter() - started)
    solution, iterations, history = LNS(inst, seed=seed, params=params).run(initial, left, progress=progress)
    return EngineResult(solution=solution, objective=Objective.of(inst)(solution), iterations=iterations,
                        seconds=time.perf_counter() - started, history=history)
