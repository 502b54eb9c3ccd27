"""Solving an instance: split it into independent parts, build a first solution of each, improve
it with the compiled ruin-and-recreate search until the stopping criterion says so, time every
route and merge the parts."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

import numpy as np

from ..errors import ArgumentError
from . import stop as stopping
from .arrays import Data, State, data_ref, freeze, max_route_length, state_ref
from .decompose import merge, split
from .instance import Instance
from .kernels.insertion import regret_insert
from .kernels.objective import group_targets
from .lns import Outcome, Progress, Search, SearchParams, from_scratch, warm_up
from .result import EngineResult
from .solution import SolutionView, state_from_routes
from .stop import StoppingCriterion
from .work import WEIGHTS

logger = logging.getLogger(__name__)

__all__ = ["EngineResult", "Progress", "SearchParams", "solve"]


def solve(inst: Instance, stop: StoppingCriterion | None = None, *, seed: int = 0,
          time_limit: float | None = None, params: SearchParams | None = None,
          progress: Callable[[Progress], None] | None = None,
          initial: Sequence[Sequence[int]] | None = None, complete: bool = False) -> EngineResult:
    """Find a good solution of ``inst``.

    Parameters
    ----------
    inst
        The instance.
    stop
        When to stop (see :mod:`routeplan.solver.stop`); default
        ``routeplan.solver.stop.time_limit(time_limit)``. Repeatable criteria (work, iterations, no
        improvement) give the same solution for the same seed on any machine.
    seed
        Seed of the search's random choices.
    time_limit
        The convenience: seconds for the whole call, construction included (used when ``stop``
        is not given).
    params
        Tuning of the search.
    progress
        Called about once a second.
    initial
        A first solution, one task sequence per vehicle (the instance is then solved as one
        part, from it).
    complete
        With ``initial``: first insert the tasks it leaves out, by regret, each weighing every
        owner allowed (the search's own insertions weigh the owners of a task's neighbours, which
        may all be full while another owner has room).

    Independent parts of the instance (owner groups sharing no task) are solved one after the
    other, each with a share of the stop in proportion to its visits.
    """
    if stop is None:
        if time_limit is None:
            raise ArgumentError("stop", "give a stopping criterion or a time limit")
        stop = stopping.time_limit(time_limit)
    params = SearchParams() if params is None else params
    warm_up()  # compiles the kernels on first use; never inside the limit
    clock = time.perf_counter()
    if initial is not None:
        data = freeze(inst)
        state = state_from_routes(data, inst, initial, max_length=max_route_length(inst))
        work = 0.0
        if complete:
            work = insert_missing(inst, data, state)
        outcome = Search(inst, data, state, seed=seed, params=params, clock=clock,
                         work=work).run(stop, progress=progress)
        return _result(SolutionView(data, outcome.best), outcome)
    parts = split(inst)
    weights = np.array([max(1, p.instance.visits_required()) for p in parts], dtype=float)
    shares = weights / weights.sum()
    results = []
    iterations = 0
    for i, part in enumerate(parts):
        def report(p: Progress, base: int = iterations) -> None:
            if progress is not None:
                progress(Progress(seconds=p.seconds, iterations=base + p.iterations, best_cost=p.best_cost,
                                  missing_visits=p.missing_visits))

        search = from_scratch(part.instance, seed=seed + i, params=params, clock=clock)
        part_stop = stop.part(float(shares[i]), float(shares[:i].sum()))
        outcome = search.run(part_stop, progress=report)
        results.append(_result(SolutionView(search.data, outcome.best), outcome))
        iterations += outcome.iterations
    return merge(inst, parts, results)


def evaluate_routes(inst: Instance, sequences: Sequence[Sequence[int]]) -> EngineResult:
    """The result of given routes, one task sequence per vehicle, timed and priced by the
    engine's rules without searching (``ValueError`` when a route breaks a rule or a task's
    visit days form none of its patterns)."""
    data = freeze(inst)
    state = state_from_routes(data, inst, sequences, max_length=max(max_route_length(inst),
                                                                    max((len(q) for q in sequences), default=0)))
    view = SolutionView(data, state)
    problems = view.check()
    if problems:
        raise ValueError("the given routes break the rules: " + "; ".join(problems[:5]))
    n_tasks = view.num_tasks
    return EngineResult(routes=view.timed_routes(), owners=tuple(view.owner(t) for t in range(n_tasks)),
                        days=tuple(view.days(t) for t in range(n_tasks)), objective=view.objective(),
                        stopped_by="given")


def _result(view: SolutionView, outcome: Outcome) -> EngineResult:
    n_tasks = view.num_tasks
    return EngineResult(routes=view.timed_routes(), owners=tuple(view.owner(t) for t in range(n_tasks)),
                        days=tuple(view.days(t) for t in range(n_tasks)), objective=outcome.objective,
                        iterations=outcome.iterations, work=outcome.work, seconds=outcome.seconds,
                        stopped_by=outcome.stopped_by, history=tuple(outcome.history))


def insert_missing(inst: Instance, data: Data, state: State) -> float:
    """Insert the unassigned tasks of ``state`` by regret, every owner allowed weighed, the
    balance targets those of the state's work; returns the work units it took."""
    missing = np.flatnonzero(state.pattern < 0).astype(np.int64)
    if not len(missing):
        return 0.0
    d, s = data_ref(data), state_ref(state)
    targets = np.zeros(inst.num_owners)
    group_targets(d, state.owner_work, targets)
    _, positions, options = regret_insert(d, s, missing, np.full(inst.num_tasks, -1, dtype=np.int64), targets)
    return WEIGHTS.construction(int(positions), int(options))
