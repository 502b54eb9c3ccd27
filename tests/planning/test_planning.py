"""Formulation, schedules and diagnosis of unserved customers."""

import numpy as np

from routeplan import plan
from routeplan.model.problem import interchangeable_groups
from routeplan.planning.formulate import formulate
from routeplan.roads.resolve import travel_model


def test_formulation_matches_the_problem(tiny_problem):
    form = formulate(tiny_problem)
    inst = form.instance
    assert inst.num_tasks == tiny_problem.num_customers
    # one vehicle per manager per working day
    assert inst.num_vehicles == sum(len(m.days) for m in tiny_problem.managers)
    s2 = [c.customer_id for c in tiny_problem.customers].index("S2")
    assert inst.tasks[s2].patterns == ((0, 2), (0, 3), (1, 3), (1, 4), (2, 4))
    locked = [c.customer_id for c in tiny_problem.customers].index("S1")
    assert [tiny_problem.managers[o].manager_id for o in inst.tasks[locked].owners] == ["D1"]
    # times are whole seconds, rounded up
    assert np.all(inst.time == np.ceil(inst.time))
    _, minutes = travel_model(tiny_problem.travel).matrices(form.node_lon, form.node_lat)
    assert np.all(inst.time >= minutes * 60 - 1e-6)
    assert np.all(inst.time < minutes * 60 + 1)


def test_interchangeable_groups_follow_shared_customers():
    assert sorted(interchangeable_groups([(0, 1), (1, 2), (3,)], 5)) == [(0, 1, 2), (3,), (4,)]


def test_plan_departs_late_enough_to_avoid_waiting(tiny_problem):
    result = plan(tiny_problem, time_limit=3, seed=1)
    for route in result.routes:
        first = route.stops[0]
        assert first.start == first.arrival or route.depart == tiny_problem.manager(route.manager_id).shift[0] * 60


def test_unserved_customers_are_reported_with_reasons():
    from conftest import overloaded_problem

    problem = overloaded_problem()
    result = plan(problem, time_limit=2, seed=1)
    reasons = {u.customer_id: u.reason for u in result.unserved}
    assert "window 21:00-22:00 cannot be reached" in reasons["LATE"]
    assert "do not work enough days" in reasons["OFTEN"]
    shops = [u for u in result.unserved if u.customer_id.startswith("S")]
    assert shops, "8 shops x 2 h cannot fit two 4 h days"
    assert all("not enough working time" in u.reason for u in shops)
    assert result.visits_planned() + sum(u.visits_missing for u in result.unserved) == result.visits_required()
