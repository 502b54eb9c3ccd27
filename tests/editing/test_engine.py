"""The engine state of an editing session: local search improves only the routes asked for,
routes set again keep every task whole, an insertion that finds no room changes nothing."""

from __future__ import annotations

import numpy as np
import pytest
from editing_problems import small_problem

import routeplan
from routeplan import MaxIterations
from routeplan.editing.engine import EditEngine
from routeplan.errors import InternalError
from routeplan.planning.context import PlanningContext
from routeplan.planning.formulate import formulation_of


@pytest.fixture
def engine() -> EditEngine:
    problem = small_problem()
    plan = routeplan.plan(problem, stop=MaxIterations(400), seed=0)
    context = PlanningContext.with_eligible(problem, "hybrid", problem.eligible_indices())
    return EditEngine(formulation_of(context), plan.routes)


def _busiest(engine: EditEngine) -> int:
    return int(np.argmax(engine.state.length))


def test_local_search_improves_only_the_routes_asked_for(engine: EditEngine):
    v = _busiest(engine)
    tasks = engine.route(v)
    assert len(tasks) >= 4
    scrambled = [tasks[i] for i in np.random.default_rng(3).permutation(len(tasks))]
    others = {u: engine.route(u) for u in range(len(engine.state.length)) if u != v}
    engine.load({u: scrambled if u == v else engine.route(u) for u in engine.closure({v}, {v: scrambled})})
    worse = float(engine.state.cost[v])
    cost = engine.state.cost.copy()
    touched = engine.improve([v])
    assert touched <= {v}
    assert float(engine.state.cost[v]) < worse
    assert sorted(engine.route(v)) == sorted(tasks)
    assert {u: engine.route(u) for u in others} == others
    assert np.array_equal(np.delete(engine.state.cost, v), np.delete(cost, v))
    assert engine.check() == []


def test_an_insertion_without_room_changes_nothing(engine: EditEngine):
    form = engine.form
    c3 = next(i for i, m in enumerate(form.problem.managers) if m.manager_id == "C3")
    full = [u for u in engine.owner_vehicles(c3) if engine.state.length[u] >= 1]  # one visit a day
    assert full
    day = int(engine.data.vehicle_day[full[0]])
    task = next(t for t in range(form.problem.num_customers) if form.problem.customers[t].tier == "small"
                and engine.assigned(t) and engine.vehicles(t)[0] not in full)
    owner = int(engine.data.vehicle_owner[engine.vehicles(task)[0]])
    pattern = next(p for p in range(int(engine.data.task_first_pattern[task]),
                                    int(engine.data.task_first_pattern[task] + engine.data.task_num_patterns[task]))
                   if int(engine.data.pattern_days[p, 0]) == day)
    engine.remove(task)
    before = [a.copy() for a in engine.state]
    assert not engine.insert_on(task, pattern, c3)
    assert all(np.array_equal(a, b) for a, b in zip(before, engine.state, strict=True))
    assert engine.insert(task, owner)  # back where it came from: its old place is free again
    assert engine.check() == []


def test_routes_are_set_again_only_with_every_visit_of_their_tasks(engine: EditEngine):
    v = next(u for u in range(len(engine.state.length))
             if any(len(engine.vehicles(t)) > 1 for t in engine.route(u)))
    with pytest.raises(InternalError, match="outside the routes set again"):
        engine.load({v: []})
    whole = engine.closure({v}, {})
    assert len(whole) > 1
    assert engine.load({u: engine.route(u) for u in whole}) == whole
    assert engine.check() == []
