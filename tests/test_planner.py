"""The planner's share of a time limit: the work budget from size estimates, the clock from
what is really left."""

import time
from dataclasses import replace

import pytest

from routeplan import ArgumentError, InfeasiblePlanError, MaxIterations, planner
from routeplan.phases import Size, finish_seconds, prepare_seconds
from routeplan.planner import BORDER_PREPARE_SHARE, border_rounds
from routeplan.planning.fan_out import BORDER_ROUNDS
from routeplan.solver.stop import MaxRuntime, MaxWork, MultipleCriteria


@pytest.fixture
def captured_stop(monkeypatch):
    """Run the planner up to the engine, and keep the stop it hands over."""
    seen: list[MultipleCriteria] = []

    class CapturedError(Exception):
        """Raised instead of solving."""

    def fake_solve(instance, stop, **options):
        seen.append(stop)
        raise CapturedError

    monkeypatch.setattr(planner, "solve", fake_solve)
    return seen, CapturedError


def test_time_spent_before_the_call_is_counted_once(tiny_problem, captured_stop):
    seen, captured = captured_stop
    started = time.perf_counter() - 2.0  # the caller read its files for 2 s
    with pytest.raises(captured):
        planner.plan(tiny_problem, time_limit=planner.TimeLimit(seconds=20.0, started=started, before=2.0, after=1.0),
                     seed=0)
    (stop,) = seen
    clocks = [c for c in stop.criteria if isinstance(c, MaxRuntime)]
    budgets = [c for c in stop.criteria if isinstance(c, MaxWork)]
    size = Size(customers=tiny_problem.num_customers, managers=tiny_problem.num_managers,
                days=tiny_problem.num_days, visits=tiny_problem.visits_required())
    finish = finish_seconds(size)
    # the clock: the limit less the 2 s already spent (not also the estimate of them), and the
    # writing to come and the plan's checks with their margin; formulating the tiny problem takes
    # well under a second
    after = planner.CLOCK_MARGIN * (1.0 + finish)
    assert 20.0 - 2.0 - after - 1.0 < clocks[0].seconds <= 20.0 - 2.0 - after
    # the budget: a share of the clock's window less the estimated phases before the search, so
    # that it depends on sizes alone and a search priced a little low still ends on its budget
    expected = (planner.BUDGET_FILL * (20.0 - 2.0 - prepare_seconds(size) - after)
                * planner.UNITS_PER_SECOND)
    assert expected / planner.UNITS_PER_SECOND < clocks[0].seconds - 0.5
    assert budgets[0].units == pytest.approx(expected)


def test_border_rounds_give_way_when_their_tables_would_crowd_out_the_search():
    # A synthetic city on straight lines: tables are cheap, every round runs.
    assert border_rounds(240.0, fixed=20.6, per_round=21.6, polish=9.0) == BORDER_ROUNDS
    # The same city on a road network of 8,756 junctions: a round's tables take about 45 s.
    assert border_rounds(240.0, fixed=110.0, per_round=44.0, polish=44.0) == 0
    assert border_rounds(600.0, fixed=110.0, per_round=44.0, polish=44.0) == BORDER_ROUNDS
    limit = (100.0 + 2 * 10.0 + 5.0) / BORDER_PREPARE_SHARE
    assert border_rounds(limit, fixed=100.0, per_round=10.0, polish=5.0) == 2


def test_the_chain_ruin_runs_only_where_roles_overlap():
    """The chain ruin carries work along roles that overlap in part: hybrid's; the role-blind
    strategies' hand-outs have none, and there it only cost travel."""
    assert planner.default_params("hybrid").chain > 0
    for strategy in ("region", "business-type", "value"):
        assert planner.default_params(strategy).chain == 0


def test_a_plan_that_breaks_a_rule_is_never_returned(tiny_problem, monkeypatch):
    # Every plan is validated before it is returned: one with a visit gone from its routes and
    # not reported unserved raises instead (so that tests need not assert that plans are valid).
    good = planner.plan(tiny_problem, stop=MaxIterations(200), seed=0)
    route = next(r for r in good.routes if len(r.stops) > 1)
    others = tuple(r for r in good.routes if r is not route)
    broken = replace(good, routes=(replace(route, stops=route.stops[1:]), *others))
    assert not broken.is_valid()
    monkeypatch.setattr(planner, "plan_of", lambda *args, **kwargs: broken)
    with pytest.raises(InfeasiblePlanError, match="break the contract"):
        planner.plan(tiny_problem, stop=MaxIterations(200), seed=0)


@pytest.mark.parametrize(("limit", "match"), [
    ({"seconds": 0}, "not a positive number"),
    ({"seconds": float("nan")}, "not a positive number"),
    ({"seconds": 10, "before": -1}, "before"),
])
def test_a_time_limit_must_make_sense(limit, match):
    with pytest.raises(ArgumentError, match=match):
        planner.TimeLimit(**limit)


@pytest.mark.parametrize(("params", "match"), [
    ({"budget_fill": 1.5}, "budget_fill"),
    ({"units_per_second": 0}, "units_per_second"),
    ({"part_customers": 0}, "part_customers"),
    ({"rescue_share": float("nan")}, "rescue_share"),
])
def test_planner_params_must_make_sense(params, match):
    with pytest.raises(ArgumentError, match=match):
        planner.PlanParams(**params)
