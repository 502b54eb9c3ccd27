"""Plans compare by what they say: visits, unserved customers and settings, not timings."""

from dataclasses import replace

import pytest

from routeplan import MaxIterations, plan, read_plan, write_plan


@pytest.fixture(scope="module")
def two_runs(tiny_problem):
    return (plan(tiny_problem, stop=MaxIterations(200), seed=0),
            plan(tiny_problem, stop=MaxIterations(200), seed=0))


def test_two_plans_with_the_same_visits_are_equal_whatever_their_timings(two_runs):
    first, second = two_runs
    assert first == second
    assert hash(first) == hash(second)
    slower = replace(second, solve_seconds=second.solve_seconds + 60.0, iterations=second.iterations + 1,
                     run=replace(second.run, warnings=("another run's warning",), startup_seconds=30.0))
    assert first == slower


def test_a_plan_equals_itself_written_and_read_back(two_runs, tiny_problem, tmp_path):
    first, _ = two_runs
    write_plan(first, tmp_path / "plan", maps=False)
    back = read_plan(tiny_problem, tmp_path / "plan")
    assert back == first
    assert hash(back) == hash(first)
    assert len({first, back}) == 1


def test_other_visits_or_settings_make_another_plan(two_runs):
    first, _ = two_runs
    assert first != replace(first, routes=first.routes[1:])
    assert first != replace(first, seed=1)
    assert first != replace(first, strategy="value")
    assert first != "a plan"
