"""The planner's share of a time limit: the work budget from size estimates, the clock from
what is really left."""

import time

import pytest

from routeplan import planner
from routeplan.phases import Size, finish_seconds, prepare_seconds
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
        planner.plan_within(tiny_problem, strategy="hybrid", time_limit=20.0, seed=0, started=started,
                            before=2.0, after=1.0)
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
    # the budget: the limit less every estimated phase, so that it depends on sizes alone
    expected = (20.0 - 2.0 - 1.0 - prepare_seconds(size) - finish) * planner.UNITS_PER_SECOND
    assert budgets[0].units == pytest.approx(expected)
