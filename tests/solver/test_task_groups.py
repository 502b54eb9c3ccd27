"""Tasks of one group (the visit levels of one customer) never share a day."""

from dataclasses import replace

import numpy as np
from builders import Built, points_instance

from routeplan.solver.construct import initial_solution
from routeplan.solver.decompose import split
from routeplan.solver.search import solve
from routeplan.solver.solution import kept_routes
from routeplan.solver.stop import MaxIterations


def _levels(days=2, customers=6, seed=0):
    """Each customer twice, as a task for owner 0 and one for owner 1, one visit each; the days
    cost the same and a tie goes to the first, so that without groups both levels take day 0."""
    rng = np.random.default_rng(seed)
    xy = [(0.0, 0.0)] + [tuple(p) for p in rng.uniform(-10, 10, (customers, 2))] * 2
    inst = points_instance(xy, days=days, owners=2, service=5.0,
                           owners_of=[(0,)] * customers + [(1,)] * customers)
    return inst, customers


def _grouped(inst, customers):
    return replace(inst, tasks=tuple(replace(t, group=i % customers) for i, t in enumerate(inst.tasks)))


def test_the_levels_of_one_customer_take_different_days():
    inst, n = _levels()
    free = solve(inst, MaxIterations(500), seed=0)
    assert any(set(free.days[i]) & set(free.days[i + n]) for i in range(n))  # the case needs the rule
    grouped = solve(_grouped(inst, n), MaxIterations(500), seed=0)
    for i in range(n):
        assert grouped.days[i]
        assert grouped.days[i + n]
        assert not set(grouped.days[i]) & set(grouped.days[i + n])


def test_a_group_with_more_visits_than_days_leaves_one_level_unserved():
    inst, n = _levels(days=1, customers=3)
    grouped = solve(_grouped(inst, n), MaxIterations(300), seed=0)
    for i in range(n):
        assert (len(grouped.days[i]) > 0) != (len(grouped.days[i + n]) > 0)


def test_a_group_is_solved_in_one_part_and_first_solutions_and_checks_know_it():
    inst, n = _levels()
    grouped = _grouped(inst, n)
    assert len(split(inst)) == 2  # owners 0 and 1 share no task
    assert len(split(grouped)) == 1  # but their tasks of one customer must see each other
    built = Built(grouped)
    state = initial_solution(grouped, built.data, np.random.default_rng(0)).state
    routes = [list(state.route[v, :state.length[v]]) for v in range(grouped.num_vehicles)]
    assert Built(grouped, routes).view.check() == []
    # Vehicles: (owner 0, day 0), (0, 1), (1, 0), (1, 1): both levels of customer 0 on day 0.
    clash = [[0], [], [n], []]
    assert kept_routes(grouped, clash) == [[0], [], [], []]
    assert Built(grouped, clash).view.check() == ["group 0: two of its tasks visited on one day"]
