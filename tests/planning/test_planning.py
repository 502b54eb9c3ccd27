"""Formulation, schedules and diagnosis of unserved customers."""

import numpy as np
import pytest

from routeplan import ProblemBuilder, plan
from routeplan.planning.diagnose import capacity_checks, explain
from routeplan.planning.formulate import formulate, interchangeable_groups


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
    assert np.all(inst.time >= form.minutes * 60 - 1e-6)


def test_interchangeable_groups_follow_shared_customers():
    assert sorted(interchangeable_groups([(0, 1), (1, 2), (3,)], 5)) == [(0, 1, 2), (3,), (4,)]


def test_plan_departs_late_enough_to_avoid_waiting(tiny_problem):
    result = plan(tiny_problem, time_limit=3, seed=1)
    assert result.is_valid()
    for route in result.routes:
        first = route.stops[0]
        assert first.start == first.arrival or route.depart == tiny_problem.manager(route.manager_id).shift[0] * 60


def overloaded_problem():
    b = ProblemBuilder(name="over", days=["Mon", "Tue"])
    b.set_depot(119.13, 36.71)
    b.add_tier("shop", visits=2, min_gap=1, service_min=60, roles=["C"])
    b.add_tier("late", visits=1, service_min=10, window=("21:00", "22:00"), roles=["C"])
    b.add_tier("often", visits=2, min_gap=1, service_min=10, roles=["P"])
    b.add_manager("C1", role="C", shift_start="08:00", shift_end="12:00")
    b.add_manager("P1", role="P", days="Mon")
    for i in range(8):
        b.add_customer(f"S{i}", lon=119.13 + 0.002 * i, lat=36.71, tier="shop")
    b.add_customer("LATE", lon=119.14, lat=36.72, tier="late")
    b.add_customer("OFTEN", lon=119.14, lat=36.72, tier="often")
    return b.build()


def test_unserved_customers_are_reported_with_reasons():
    problem = overloaded_problem()
    result = plan(problem, time_limit=2, seed=1)
    assert result.is_valid()
    reasons = {u.customer_id: u.reason for u in result.unserved}
    assert "window 21:00-22:00 cannot be reached" in reasons["LATE"]
    assert "do not work enough days" in reasons["OFTEN"]
    shops = [u for u in result.unserved if u.customer_id.startswith("S")]
    assert shops, "8 shops x 2 h cannot fit two 4 h days"
    assert all("not enough working time" in u.reason for u in shops)
    assert result.visits_planned() + sum(u.visits_missing for u in result.unserved) == result.visits_required()


def test_capacity_check_counts_service_time():
    form = formulate(overloaded_problem())
    check = next(c for c in capacity_checks(form) if c.managers == ("C1",))
    assert check.required_min == pytest.approx(8 * 2 * 60 + 10)
    assert check.available_min == pytest.approx(2 * 240)
    assert "window" in explain(form, 8)
