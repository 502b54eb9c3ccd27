"""Stopping criteria."""

import math

import pytest

from routeplan import ArgumentError
from routeplan.solver.stop import (
    MaxIterations,
    MaxRuntime,
    MaxWork,
    MultipleCriteria,
    NoImprovement,
    Status,
    stopped_by,
    time_limit,
)


def status(**changes):
    values = {"iterations": 0, "work": 0.0, "seconds": 0.0, "best_cost": 1.0, "since_improvement": 0}
    return Status(**{**values, **changes})


def test_each_criterion_stops_on_its_own_measure():
    assert MaxWork(100)(status(work=100))
    assert not MaxWork(100)(status(work=99, seconds=1e9, iterations=10**9))
    assert MaxIterations(10)(status(iterations=10))
    assert not MaxIterations(10)(status(iterations=9, work=1e30))
    assert NoImprovement(5)(status(since_improvement=5))
    assert not NoImprovement(5)(status(since_improvement=4))
    assert MaxRuntime(2.0)(status(seconds=2.0))
    assert not MaxRuntime(2.0)(status(seconds=1.9, work=1e30))


def test_fractions_tell_how_far_along_a_run_is():
    assert MaxWork(200).fraction(status(work=50)) == 0.25
    assert MaxIterations(10).fraction(status(iterations=20)) == 1.0
    assert NoImprovement(5).fraction(status(since_improvement=4)) is None
    assert MaxRuntime(4.0, after=2.0).fraction(status(seconds=3.0)) == 0.25
    assert MaxRuntime(4.0, after=2.0).fraction(status(seconds=1.0)) == 0.0
    both = MaxIterations(10) | NoImprovement(3)
    assert both.fraction(status(iterations=5)) == 0.5


def test_the_repeatable_criteria_pace_a_run_unless_the_clock_is_well_ahead():
    stop = MaxWork(100) | MaxRuntime(10.0)
    # A clock a little ahead (the first milliseconds of a search) does not change the pace.
    assert stop.fraction(status(work=10, seconds=1.4)) == 0.1
    assert stop.fraction(status(work=0, seconds=0.02)) == 0.0
    # Well ahead (a machine slower than the reference), the clock paces the run it will end.
    assert stop.fraction(status(work=10, seconds=5.0)) == 0.5
    assert (NoImprovement(5) | MaxRuntime(10.0)).fraction(status(seconds=1.0)) == 0.1
    assert time_limit(10.0).fraction(status(work=0, seconds=0.3)) == 0.0


def test_a_clock_that_does_not_pace_only_stops():
    """A part's clock (which depends on how many workers share the run) never sets the pace, in
    its parts either: the work does, however far ahead the clock is."""
    clock = MaxRuntime(10.0, pace=False)
    assert clock.fraction(status(seconds=5.0)) is None
    stop = MaxWork(100) | clock
    assert stop.fraction(status(work=10, seconds=9.0)) == 0.1
    assert stop(status(work=10, seconds=10.0))
    assert stopped_by(stop, status(work=10, seconds=10.0)) == "clock"
    part = stop.part(0.5, 0.5)
    assert part.fraction(status(work=5, seconds=9.9)) == 0.1
    assert MaxRuntime(10.0).part(0.5, 0.0).pace


def test_only_the_clock_is_not_repeatable():
    assert MaxWork(1).repeatable
    assert MaxIterations(1).repeatable
    assert NoImprovement(1).repeatable
    assert not MaxRuntime(1).repeatable
    assert not (MaxWork(1) | MaxRuntime(1)).repeatable
    assert math.isinf(MaxWork(1).seconds_left(status()))
    assert MaxRuntime(3.0).seconds_left(status(seconds=1.0)) == 2.0


def test_combined_criteria_stop_at_the_first_and_say_which():
    stop = MaxIterations(100) | NoImprovement(10) | MaxRuntime(5.0)
    assert isinstance(stop, MultipleCriteria)
    assert len(stop.criteria) == 3
    assert not stop(status(iterations=50, since_improvement=9, seconds=1))
    assert stopped_by(stop, status(iterations=50, since_improvement=10)) == "no improvement"
    assert stopped_by(stop, status(iterations=100)) == "iterations"
    assert stopped_by(stop, status(seconds=6)) == "clock"
    assert stopped_by(MaxWork(5), status(work=5)) == "budget"


def test_parts_share_budgets_and_the_clock():
    stop = MaxWork(1000) | MaxIterations(100) | NoImprovement(7) | MaxRuntime(10.0)
    second = stop.part(0.25, 0.5)  # a part with a quarter of the visits, after half were solved
    work, iterations, patience, clock = second.criteria
    assert work == MaxWork(250)
    assert iterations == MaxIterations(25)
    assert patience == NoImprovement(7)
    # Its clock window is the third quarter of the run, and it may use what earlier parts left.
    assert clock == MaxRuntime(2.5, after=5.0)
    assert not clock(status(seconds=7.4))
    assert clock(status(seconds=7.5))


def test_time_limit_is_a_budget_with_the_clock_behind_it():
    stop = time_limit(10.0, units_per_second=1e6)
    assert stop.criteria == (MaxWork(1e7), MaxRuntime(10.0))


@pytest.mark.parametrize("bad", [0, -1, float("nan")])
def test_criteria_refuse_nonsense(bad):
    for make in (MaxWork, MaxIterations, NoImprovement, MaxRuntime, time_limit):
        with pytest.raises(ArgumentError):
            make(bad)
    with pytest.raises(ArgumentError):
        MultipleCriteria([])
