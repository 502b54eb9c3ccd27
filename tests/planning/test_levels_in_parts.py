"""Visit levels in a problem planned in parts (routeplan.planning.levels): the customer managers'
parts first, then the market managers and heads in a part of their own, off the days the
customers' own visits took; valid and complete, never two visits of one customer on one day."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from routeplan import ProblemBuilder, ScenarioError, plan
from routeplan.model.routes import DayRoute, Stop
from routeplan.planner import PlanParams, diagnose_problem
from routeplan.planning.context import PlanningContext
from routeplan.planning.fan_out import BorderParams
from routeplan.planning.formulate import formulation_of
from routeplan.planning.levels import level_phases, planned_apart, with_taken_days
from routeplan.planning.partition import partition
from routeplan.solver.patterns import cyclic_gaps
from routeplan.stop import MaxIterations

DAYS = [f"{d}-{w}" for w in (1, 2) for d in ("Mon", "Tue", "Wed", "Thu", "Fri")]


def city(n: int = 80, *, own_roles: tuple[str, ...] = ("A",)):
    """A small city: large shops visited by A (twice), the market manager M (twice, at least 3
    days apart) and the head H (once); small shops by D only."""
    b = ProblemBuilder(name="levels-city", days=DAYS)
    b.set_depot(119.13, 36.71)
    b.add_tier("large", visits=2, min_gap=3, service_min=15, roles=list(own_roles),
               levels=[{"name": "market manager", "roles": ["M"], "visits": 2, "min_gap": 3, "service_min": 20},
                       {"name": "department head", "roles": ["H"], "visits": 1, "service_min": 20}])
    b.add_tier("small", visits=2, min_gap=3, service_min=10, roles=["D"])
    for m, role in (("A1", "A"), ("A2", "A"), ("A3", "A"), ("D1", "D"), ("D2", "D"), ("D3", "D"), ("M1", "M"),
                    ("M2", "M"), ("H1", "H")):
        b.add_manager(m, role=role)
    for i in range(n):
        b.add_customer(f"C{i:03d}", lon=119.13 + 0.004 * (i % 10), lat=36.71 + 0.004 * (i // 10),
                       tier="large" if i % 3 == 0 else "small")
    return b.build()


@pytest.fixture(scope="module")
def parted():
    return plan(city(), stop=MaxIterations(3000), seed=0, params=PlanParams(part_customers=30))


def days_of(result):
    days = defaultdict(list)
    for route, stop in result.visits():
        days[stop.customer_id, stop.level].append(route.day_index)
    return days


def test_a_problem_with_levels_larger_than_a_part_is_planned_in_parts(parted):
    assert parted.run.parts > 2  # the customer managers' parts and the levels' own part


def test_the_parted_plan_with_levels_is_valid(parted):
    report = parted.validate()
    assert report.ok, str(report)


def test_the_parted_plan_with_levels_is_complete(parted):
    assert parted.visits_planned() == parted.visits_required()
    assert parted.unserved == ()


def test_no_customer_has_two_visits_on_one_day(parted):
    by_customer = defaultdict(list)
    for route, stop in parted.visits():
        by_customer[stop.customer_id].append(route.day_index)
    assert all(len(days) == len(set(days)) for days in by_customer.values())


def test_each_level_is_made_by_one_manager_of_its_roles(parted):
    managers = defaultdict(set)
    for route, stop in parted.visits():
        managers[stop.customer_id, stop.level].add(route.manager_id)
    assert all(len(m) == 1 for m in managers.values())
    roles = {level: {next(iter(m))[0] for (_, lv), m in managers.items() if lv == level} for level in (0, 1, 2)}
    assert roles == {0: {"A", "D"}, 1: {"M"}, 2: {"H"}}


def test_the_market_managers_visits_keep_their_gap(parted):
    gaps = [min(cyclic_gaps(sorted(days), len(DAYS))) for (_, level), days in days_of(parted).items() if level == 1]
    assert len(gaps) == sum(1 for c in parted.problem.customers if c.tier == "large")
    assert min(gaps) >= 3


def test_both_market_managers_share_the_work():
    result = plan(city(), stop=MaxIterations(3000), seed=0, params=PlanParams(part_customers=30))
    level_one = {route.manager_id for route, stop in result.visits() if stop.level == 1}
    assert level_one == {"M1", "M2"}


def test_a_level_phase_larger_than_a_part_is_planned_level_by_level():
    problem = city()
    context = PlanningContext.of(problem)
    staged = level_phases(context, max_customers=10)
    assert [ph.offset for ph in staged] == [0, 1, 2]
    result = plan(problem, stop=MaxIterations(3000), seed=1, params=PlanParams(part_customers=10))
    report = result.validate()
    assert report.ok, str(report)
    assert result.visits_planned() == result.visits_required()


def test_the_phases_split_customer_managers_from_level_managers():
    problem = city()
    own, levels = level_phases(PlanningContext.of(problem), max_customers=30)
    assert [problem.managers[m].manager_id for m in own.managers] == ["A1", "A2", "A3", "D1", "D2", "D3"]
    assert [problem.managers[m].manager_id for m in levels.managers] == ["M1", "M2", "H1"]
    assert not own.context.problem.has_levels
    assert len(levels.customers) == sum(1 for c in problem.customers if c.tier == "large")


def test_the_next_phase_makes_level_one_its_own_visits():
    problem = city()
    _, levels = level_phases(PlanningContext.of(problem), max_customers=30)
    tier = levels.context.problem.tier("large")
    assert (tier.visits, tier.min_gap, tier.roles, tier.service_min) == (2, 3, ("M",), 20)
    assert [lv.name for lv in tier.levels] == ["department head"]


def test_a_small_problem_with_levels_is_planned_whole():
    assert not planned_apart(city(), 5000)


def test_taken_days_are_none_of_the_visits_days():
    problem = city(12)
    context = PlanningContext.of(problem)
    taken = tuple((0, 5) if i % 3 == 0 else () for i in range(problem.num_customers))
    form = formulation_of(PlanningContext(problem=problem, strategy="hybrid", eligible=context.eligible,
                                          groups=context.groups, terms=None, taken_days=taken))
    for t in range(form.instance.num_tasks):
        blocked = set(taken[form.customer_of(t)])
        assert all(blocked.isdisjoint(p) for p in form.instance.tasks[t].patterns)


def test_a_part_keeps_its_customers_taken_days():
    problem = city(12)
    context = PlanningContext.of(problem)
    taken = tuple((i % 10,) for i in range(problem.num_customers))
    whole = PlanningContext(problem=problem, strategy="hybrid", eligible=context.eligible, groups=context.groups,
                            terms=None, taken_days=taken)
    part = whole.part(np.array([3, 7]), np.arange(problem.num_managers), name="part")
    assert part.taken_days == ((3,), (7,))


def route(day: int, customer: str) -> DayRoute:
    return DayRoute(manager_id="A1", day_index=day, day=DAYS[day], depart=0, return_time=0, travel_km=0.0,
                    travel_min=0.0, service_min=0.0, wait_min=0.0,
                    stops=(Stop(seq=1, customer_id=customer, arrival=0, start=0, end=0, travel_km=0.0),))


def test_a_customer_whose_levels_find_no_free_days_is_reported_with_the_reason():
    problem = city(12)
    _, levels = level_phases(PlanningContext.of(problem), max_customers=5)[:2]
    # C000's own visits on every day but 0 and 1: the market manager's two visits at least 3
    # days apart fit nowhere.
    routes = [route(d, "C000") for d in range(2, 10)] + [route(0, "C003"), route(5, "C003")]
    context, customers, unfit = with_taken_days(problem, levels, routes)
    assert [problem.customers[int(c)].customer_id for c in customers] == ["C003", "C006", "C009"]
    assert [(u.customer_id, u.level) for u in unfit] == [("C000", 1), ("C000", 2)]
    assert "fit none of the days its other levels' visits leave free (Mon-1, Tue-1)" in unfit[0].reason
    assert unfit[0].reason.startswith("level 1 (market manager)")
    assert unfit[1].reason.startswith("level 2 (department head): planned with its level 1 (market manager)")
    assert context.taken_days == ((0, 5), (), ())


def test_managers_who_make_both_own_and_further_visits_are_refused_in_parts():
    problem = city(40, own_roles=("A", "M"))
    with pytest.raises(ScenarioError, match=r"tiers\.large\.levels") as info:
        plan(problem, stop=MaxIterations(100), seed=0, params=PlanParams(part_customers=20))
    assert "M1, M2 may make both" in str(info.value)


def test_the_partition_leaves_levels_to_the_phases():
    with pytest.raises(ValueError, match="planned level by level"):
        partition(PlanningContext.of(city(40)), max_customers=20)


def test_customers_a_phase_leaves_out_for_room_are_offered_before_the_next_phase():
    """A1 may make two visits a day, too few for its part: its large customers (a tier with
    levels, which the offer after a plan in one part leaves alone) are offered to managers with
    time in the first phase, before the market manager's days are planned around them."""
    b = ProblemBuilder(name="levels-city", days=DAYS)
    b.set_depot(119.13, 36.71)
    b.add_tier("large", visits=2, min_gap=3, service_min=15, roles=["A"],
               levels=[{"name": "market manager", "roles": ["M"], "visits": 2, "min_gap": 3, "service_min": 20}])
    b.add_tier("small", visits=2, min_gap=3, service_min=10, roles=["D"])
    for m, role, cap in (("A1", "A", 2), ("A2", "A", None), ("D1", "D", None), ("M1", "M", None)):
        b.add_manager(m, role=role, max_visits=cap)
    for i in range(90):
        b.add_customer(f"C{i:03d}", lon=119.13 + 0.004 * (i % 10), lat=36.71 + 0.004 * (i // 10),
                       tier="large" if i % 2 == 0 else "small")
    result = plan(b.build(), strategy="business-type", stop=MaxIterations(3000), seed=0,
                  params=PlanParams(part_customers=20, border=BorderParams(rounds=0)))
    report = result.validate()
    assert report.ok, str(report)
    assert result.visits_planned() == result.visits_required()


def test_the_diagnosis_of_a_parted_problem_with_levels_checks_every_level_managers_time():
    found = diagnose_problem(city(), max_part_customers=30)
    groups = {tuple(sorted(check.managers)) for check in found.capacity}
    assert ("M1", "M2") in groups
    assert ("H1",) in groups
    assert found.unservable == ()
