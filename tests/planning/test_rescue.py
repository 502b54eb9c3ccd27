"""Nothing left unserved while someone has room: customers left out for lack of room are offered to
the nearest other managers who may serve them and have time, and the reason names who was tried."""

import pytest

from routeplan import MaxIterations, ProblemBuilder, plan
from routeplan.planner import plan_of
from routeplan.planning.context import PlanningContext
from routeplan.planning.fan_out import SearchSetup
from routeplan.planning.formulate import formulation_of
from routeplan.planning.rescue import left_for_room, rescue
from routeplan.solver.search import solve


def two_districts(*, far_shops: int = 85, near_shops: int = 10, near_shift: str = "17:30"):
    """District A lies 12 km from the office and holds more shops than its manager's days hold;
    district B lies beside the office with a few shops for a manager with time to spare."""
    b = ProblemBuilder(name="districts", days=["Mon", "Tue"])
    b.set_depot(119.10, 36.70)
    b.add_tier("shop", visits=1, service_min=10, roles=["C"])
    b.add_manager("C1", role="C")
    b.add_manager("C2", role="C", shift_end=near_shift)
    for k in range(far_shops):
        b.add_customer(f"A{k:02d}", lon=119.234 + 0.0012 * (k % 9), lat=36.70 + 0.0010 * (k // 9), tier="shop",
                       district="A", business_type="grocery", value=1000.0)
    for k in range(near_shops):
        b.add_customer(f"B{k:02d}", lon=119.101 + 0.001 * k, lat=36.701, tier="shop", district="B",
                       business_type="kiosk", value=5000.0)
    return b.build()


def split_hand_out(problem):
    """District A to C1, district B to C2 (a hand-out such as a role-blind strategy makes)."""
    return [(0,) if c.district == "A" else (1,) for c in problem.customers]


def test_customers_left_out_are_placed_with_a_manager_who_has_time():
    problem = two_districts()
    eligible = split_hand_out(problem)
    context = PlanningContext.with_eligible(problem, "region", eligible)
    form = formulation_of(context)
    result = solve(form.instance, MaxIterations(1500), seed=1)
    before = plan_of(form, result, seed=1, started=0.0, time_limit=None, startup=0.0)
    left = left_for_room(problem, before.unserved)
    assert left, "the far district must not fit in its manager's days"
    assert all("C1" in u.reason for u in left)
    done = rescue(context, before.routes, before.unserved, SearchSetup(budget=MaxIterations(1500), seed=1))
    assert done.offered == len(left)
    assert done.placed == len(left)
    assert done.unserved == ()
    after = type(before)(problem=problem, routes=done.routes, unserved=done.unserved, strategy="region")
    assert after.is_valid()
    assert after.visits_planned() == problem.visits_required()
    helped = {s.customer_id for r in done.routes if r.manager_id == "C2" for s in r.stops}
    assert helped & {u.customer_id for u in left}  # the district was split for them


def test_under_hybrid_only_managers_of_the_roles_are_offered():
    problem = two_districts()
    eligible = split_hand_out(problem)
    context = PlanningContext.with_eligible(problem, "hybrid", eligible)
    form = formulation_of(context)
    result = solve(form.instance, MaxIterations(1500), seed=1)
    before = plan_of(form, result, seed=1, started=0.0, time_limit=None, startup=0.0)
    # C2 has role C: it may serve them under the roles (as a manager of another part would).
    done = rescue(context, before.routes, before.unserved, SearchSetup(budget=MaxIterations(1500), seed=1))
    assert done.placed == done.offered > 0


@pytest.mark.parametrize(("near_shift", "told"), [
    ("10:00", "also offered to the nearest other managers who may serve it and had time (C2): no room there"),
    ("09:15", "no other manager who may serve it had time left")])
def test_the_reason_names_who_was_tried_when_nobody_has_room(near_shift, told):
    problem = two_districts(near_shift=near_shift)  # C2's short days cannot take a ride to district A
    eligible = split_hand_out(problem)
    context = PlanningContext.with_eligible(problem, "region", eligible)
    form = formulation_of(context)
    result = solve(form.instance, MaxIterations(1500), seed=1)
    before = plan_of(form, result, seed=1, started=0.0, time_limit=None, startup=0.0)
    done = rescue(context, before.routes, before.unserved, SearchSetup(budget=MaxIterations(1500), seed=1))
    assert done.unserved
    for u in done.unserved:
        assert u.reason.startswith(("no room left", "not enough working time"))
        assert u.reason.endswith(told)


@pytest.mark.parametrize("strategy", ["region", "business-type", "value"])
def test_a_plan_leaves_nobody_out_while_another_manager_has_time(strategy):
    problem = two_districts()
    result = plan(problem, strategy=strategy, stop=MaxIterations(3000), seed=2)
    assert result.visits_planned() == problem.visits_required(), [u.reason for u in result.unserved]


def test_under_hybrid_a_customer_left_out_in_its_part_is_offered_to_a_manager_of_another():
    problem = two_districts()
    # Each district planned in a part of its own (C1's part cannot hold district A) ...
    parts = PlanningContext.with_eligible(problem, "hybrid", split_hand_out(problem))
    form = formulation_of(parts)
    result = solve(form.instance, MaxIterations(1500), seed=1)
    before = plan_of(form, result, seed=1, started=0.0, time_limit=None, startup=0.0)
    assert left_for_room(problem, before.unserved)
    # ... and offered under the run's hand-out: every manager of role C, C2 among them.
    whole = PlanningContext.of(problem, "hybrid")
    assert all(set(e) == {0, 1} for e in whole.eligible)
    done = rescue(whole, before.routes, before.unserved, SearchSetup(budget=MaxIterations(1500), seed=1))
    assert done.offered > 0
    assert done.placed == done.offered
    assert done.unserved == ()
