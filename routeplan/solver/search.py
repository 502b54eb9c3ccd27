"""The improvement loop: ruin and recreate over patterns, owners and routes, with simulated
annealing acceptance, quick route repair and periodic PyVRP polishing of whole days.

One iteration removes a few related tasks from *all* their visits (so a task can come back with
another pattern and, where allowed, another owner), re-inserts them by regret or greedy
insertion, repairs the changed routes with 2-opt/or-opt, and accepts or rejects the result.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .construct import initial_solution
from .decompose import merge, split
from .insertion import Recreate
from .instance import Instance
from .local import improve_route
from .objective import Objective
from .routing_pyvrp import integer_scale, polish
from .state import Solution

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchParams:
    """Tuning of the improvement loop (defaults suit both benchmark and manager instances)."""

    min_remove: int = 4
    max_remove: int = 40
    max_remove_share: float = 0.15
    start_worse: float = 0.01  # at the start, a solution this much worse is accepted half of the time
    end_temperature_ratio: float = 1e-3
    polish_share: float = 0.25  # share of the time limit spent in PyVRP polishing
    polish_iterations: int = 3000
    final_polish_iterations: int = 20000


@dataclass(slots=True, kw_only=True)
class Progress:
    """What a progress callback is told."""

    seconds: float
    iterations: int
    best_cost: float
    missing_visits: int


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
    other, each with a share of the time proportional to its visits.

    The same seed gives the same solution when the search is not cut short by the clock; with a
    time limit the number of iterations, and so the result, can vary with machine load.
    """
    started = time.perf_counter()
    parts = split(inst) if initial is None else []
    if len(parts) <= 1:
        return Search(inst, seed=seed, params=params).run(time_limit, progress=progress, initial=initial)
    weights = np.array([max(1, p.instance.visits_required()) for p in parts], dtype=float)
    solutions = []
    iterations = 0
    history: list[tuple[float, float]] = []
    done_weight = 0.0
    for i, part in enumerate(parts):
        elapsed = time.perf_counter() - started
        share = weights[i] / weights[i:].sum()
        budget = max(0.05, (time_limit - elapsed) * share)
        offset_iterations = iterations

        def report(p: Progress, offset=elapsed, base=offset_iterations) -> None:
            if progress is not None:
                progress(Progress(seconds=offset + p.seconds, iterations=base + p.iterations,
                                  best_cost=p.best_cost, missing_visits=p.missing_visits))

        result = Search(part.instance, seed=seed + i, params=params).run(budget, progress=report)
        solutions.append(result.solution)
        iterations += result.iterations
        done_weight += weights[i]
        history.extend((elapsed + t, c) for t, c in result.history)
    merged = merge(inst, parts, solutions)
    objective = Objective.of(inst)(merged)
    seconds = time.perf_counter() - started
    return EngineResult(solution=merged, objective=objective, iterations=iterations, seconds=seconds,
                        history=history)


class Search:
    """Ruin-and-recreate search on one instance."""

    def __init__(self, inst: Instance, *, seed: int = 0, params: SearchParams = SearchParams()):
        self.inst = inst
        self.params = params
        self.rng = np.random.default_rng(seed)
        self.seed = seed
        self.objective = Objective.of(inst)
        nodes = np.array([t.node for t in inst.tasks], dtype=np.int64)
        # Tasks ordered by closeness to each task, for related removal.
        sub = inst.time[np.ix_(nodes, nodes)] + inst.time[np.ix_(nodes, nodes)].T
        self.neighbours = np.argsort(sub, axis=1, kind="stable")[:, :min(len(nodes), 100)]
        self.scale = None

    # ------------------------------------------------------------------------------------------
    def run(self, time_limit: float, *, progress: Callable[[Progress], None] | None = None,
            initial: Solution | None = None) -> EngineResult:
        started = time.perf_counter()
        deadline = started + time_limit
        inst = self.inst
        objective = self.objective
        sol = initial.copy() if initial is not None else initial_solution(inst, objective, self.rng)
        self.scale = integer_scale(sol)
        current = objective(sol)
        best, best_cost = sol.copy(), current
        history = [(time.perf_counter() - started, best_cost)]
        n_tasks = inst.num_tasks
        if n_tasks == 0:
            return EngineResult(solution=best, objective=best_cost, iterations=0, seconds=0.0, history=history)

        visits = max(1, inst.visits_required())
        routing = max(sol.routing_cost(), 1e-9)
        t_start = -self.params.start_worse * routing / math.log(0.5)
        t_end = t_start * self.params.end_temperature_ratio
        search_time = time_limit * (1.0 - self.params.polish_share)
        polish_every = max(search_time / 6.0, 0.5)
        next_polish = started + polish_every
        iterations = 0
        last_report = started
        while True:
            now = time.perf_counter()
            if now >= deadline:
                break
            frac = min(1.0, (now - started) / max(time_limit, 1e-9))
            temperature = t_start * (t_end / t_start) ** frac
            if now >= next_polish and now + 0.5 < deadline:
                self._polish_all(sol, iterations=self.params.polish_iterations,
                                 budget=min(polish_every * self.params.polish_share, deadline - now))
                current = objective(sol)
                next_polish = time.perf_counter() + polish_every
                if current < best_cost - 1e-9:
                    best, best_cost = sol.copy(), current
                    history.append((time.perf_counter() - started, best_cost))
                continue
            candidate = sol.copy()
            self._ruin_and_recreate(candidate)
            value = objective(candidate)
            iterations += 1
            if value < current - 1e-9 or self.rng.random() < math.exp(-(value - current) / max(temperature, 1e-12)):
                sol, current = candidate, value
                if value < best_cost - 1e-9:
                    best, best_cost = candidate.copy(), value
                    history.append((time.perf_counter() - started, best_cost))
            if progress is not None and now - last_report >= 1.0:
                last_report = now
                progress(Progress(seconds=now - started, iterations=iterations, best_cost=best_cost,
                                  missing_visits=best.missing_visits()))
        # A last, deeper polish of the best solution if time is left.
        remaining = deadline - time.perf_counter()
        if remaining > 0.2:
            self._polish_all(best, iterations=self.params.final_polish_iterations, budget=remaining)
            best_cost = objective(best)
            history.append((time.perf_counter() - started, best_cost))
        seconds = time.perf_counter() - started
        if progress is not None:
            progress(Progress(seconds=seconds, iterations=iterations, best_cost=best_cost,
                              missing_visits=best.missing_visits()))
        logger.info("search: %d iterations in %.1fs, objective %.2f", iterations, seconds, best_cost)
        return EngineResult(solution=best, objective=best_cost, iterations=iterations, seconds=seconds,
                            history=history)

    # ------------------------------------------------------------------------------------------
    def _ruin_and_recreate(self, sol: Solution) -> None:
        rng = self.rng
        assigned = np.flatnonzero(sol.pattern >= 0)
        if len(assigned) == 0:
            removed = np.empty(0, dtype=np.int64)
        else:
            upper = max(self.params.min_remove,
                        min(self.params.max_remove, int(self.params.max_remove_share * len(assigned))))
            k = int(rng.integers(min(self.params.min_remove, len(assigned)), min(upper, len(assigned)) + 1))
            operator = rng.random()
            if operator < 0.5:
                removed = self._related(sol, k)
            elif operator < 0.7:
                removed = self._route_based(sol, k)
            elif operator < 0.85:
                removed = self._worst(sol, k)
            else:
                removed = rng.choice(assigned, size=k, replace=False)
        touched: set[int] = set()
        for t in removed:
            touched.update(sol.task_vehicles[int(t)])
            sol.remove(int(t))
        pool = sol.unassigned()
        rng.shuffle(pool)
        mode = rng.random()
        recreate = Recreate(sol, self.objective, pool)
        if mode < 0.6:
            recreate.run(mode="regret", rng=rng, noise=0.1 * rng.random())
        elif mode < 0.8:
            recreate.run(mode="cheapest", rng=rng, noise=0.2 * rng.random())
        else:
            recreate.run(mode="order")
        for t in pool:
            touched.update(sol.task_vehicles[int(t)])
        for v in touched:
            improve_route(sol, v)

    def _related(self, sol: Solution, k: int) -> np.ndarray:
        """A seed task and the assigned tasks closest to it."""
        assigned = sol.pattern >= 0
        seed = int(self.rng.choice(np.flatnonzero(assigned)))
        near = self.neighbours[seed]
        near = near[assigned[near]]
        if len(near) < k:
            return near
        # Mostly the nearest, with a little randomness in how far down the list we reach.
        reach = min(len(near), int(k * (1.0 + self.rng.random())))
        return self.rng.choice(near[:reach], size=k, replace=False)

    def _route_based(self, sol: Solution, k: int) -> np.ndarray:
        """Tasks of one or two routes of one day (and their visits on other days)."""
        busy = np.flatnonzero(sol.r_stops > 0)
        if len(busy) == 0:
            return np.empty(0, dtype=np.int64)
        v = int(self.rng.choice(busy))
        tasks = list(sol.routes[v])
        if len(tasks) > k:
            start = int(self.rng.integers(len(tasks) - k + 1))
            tasks = tasks[start:start + k]
        return np.array(tasks, dtype=np.int64)

    def _worst(self, sol: Solution, k: int) -> np.ndarray:
        """Tasks whose visits cost most, with randomisation."""
        assigned = np.flatnonzero(sol.pattern >= 0)
        gains = np.array([sol.removal_gain(int(t)) / max(1, sol.data.visits[t]) for t in assigned])
        order = assigned[np.argsort(-gains)]
        picks = np.floor(len(order) * self.rng.random(k) ** 4).astype(np.int64)
        return np.unique(order[picks])

    def _polish_all(self, sol: Solution, *, iterations: int, budget: float) -> None:
        """PyVRP on every day (or, with consistent owners, every route), within ``budget`` seconds."""
        data = sol.data
        if self.inst.consistent or not data.eligible.all():
            # Owners must not change (consistency or eligibility): each route on its own.
            groups = [[int(v)] for v in range(self.inst.num_vehicles) if sol.r_stops[v] >= 3]
        else:
            groups = [[int(v) for v in vs] for vs in data.day_vehicles if sum(sol.r_stops[v] for v in vs) > 0]
        if not groups:
            return
        end = time.perf_counter() + budget
        order = self.rng.permutation(len(groups))
        for position, i in enumerate(order):
            left = end - time.perf_counter()
            if left <= 0.01:
                break
            share = left / (len(groups) - position)
            polish(sol, groups[i], iterations=iterations, seconds=share, seed=self.seed + position,
                   scale=self.scale)
