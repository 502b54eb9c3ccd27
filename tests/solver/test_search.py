"""The whole search: complete, sound, repeatable, and stopped when it is told."""

import numpy as np
import pytest
from builders import Built, random_instance

from routeplan.io.cordeau import check_solution, read_instance
from routeplan.planning.formulate import formulate
from routeplan.planning.pvrp import cordeau_instance, cordeau_routes
from routeplan.solver.lns import CHUNK, SearchParams
from routeplan.solver.search import solve
from routeplan.solver.stop import MaxIterations, MaxRuntime, MaxWork, NoImprovement
from routeplan.synthetic import random_problem

from conftest import PVRP


def _sound(inst, result):
    """The result's routes as a state pass every check, and every task is served."""
    view = Built(inst, result.sequences(inst.num_vehicles)).view
    assert view.check() == []
    assert result.unassigned() == []
    for t, task in enumerate(inst.tasks):
        assert result.days[t] in task.patterns
    return view


@pytest.mark.parametrize("consistent", [True, False])
def test_search_improves_a_complete_sound_solution(consistent):
    inst = random_instance(5, consistent=consistent, balance_groups=((0, 1),), balance_weight=0.5)
    result = solve(inst, MaxIterations(2000), seed=1)
    view = _sound(inst, result)
    assert result.objective == pytest.approx(view.objective())
    start = result.history[0][1]  # the first solution's objective
    assert result.objective < start - 1.0
    assert 2000 <= result.iterations < 2000 + CHUNK
    assert result.stopped_by == "iterations"
    for route in result.routes:  # the timetable of every route
        assert len(route.start) == len(route.tasks)
        assert route.depart <= route.start[0]


def test_the_same_work_budget_gives_the_same_solution_and_another_seed_another():
    inst = formulate(random_problem(7, customers=300)).instance
    runs = [solve(inst, MaxWork(3e8), seed=seed) for seed in (1, 1, 2)]
    assert runs[0].stopped_by == "budget"
    assert runs[0].routes == runs[1].routes
    assert runs[0].objective == runs[1].objective
    assert runs[0].routes != runs[2].routes


def test_no_improvement_ends_a_run_that_has_nothing_left_to_find():
    inst = random_instance(2, n=6)
    result = solve(inst, MaxIterations(10**7) | NoImprovement(500), seed=0)
    assert result.stopped_by == "no improvement"
    assert result.iterations < 10**5


def test_the_clock_stops_a_run_and_says_so():
    inst = formulate(random_problem(3, customers=300)).instance
    result = solve(inst, MaxRuntime(0.5) | MaxWork(1e15), seed=0)
    assert result.stopped_by == "clock"
    _sound(inst, result)


def test_polishing_keeps_every_visit():
    inst = random_instance(4, consistent=False, windows=False)
    result = solve(inst, MaxIterations(200), seed=3, params=SearchParams(polish_share=0.6, polish_rounds=2))
    _sound(inst, result)


def test_a_warm_start_is_improved_from_where_it_stands():
    inst = random_instance(6)
    first = solve(inst, MaxIterations(25), seed=0)
    again = solve(inst, MaxIterations(500), seed=1, initial=first.sequences(inst.num_vehicles))
    _sound(inst, again)
    assert again.objective <= first.objective + 1e-9


@pytest.mark.skipif(not PVRP.exists(), reason="benchmark instances not present")
def test_a_cordeau_instance_solves_feasibly():
    cordeau = read_instance(PVRP / "p03.txt")
    inst = cordeau_instance(cordeau)
    result = solve(inst, MaxIterations(3000), seed=1)
    check = check_solution(cordeau, cordeau_routes(cordeau, inst, result.sequences(inst.num_vehicles)))
    assert check.feasible
    assert check.visits_missing == 0
    assert check.cost < 1.1 * 524.61  # within 10% of the best known cost after 3,000 steps
    assert np.isclose(check.cost, result.objective)
