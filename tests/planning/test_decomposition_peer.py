"""The hand-made decomposition peer: territories balanced and within roles, days spread, every
plan it makes valid."""

import numpy as np
import pytest

from routeplan.planner import checked_plan
from routeplan.planning.decomposition_peer import decomposition_routes, territories, visit_days
from routeplan.planning.formulate import formulate_strategy
from routeplan.planning.strategies import manager_capacity
from routeplan.solver.workload import task_workload
from routeplan.synthetic import random_problem


@pytest.fixture(scope="module")
def city():
    return formulate_strategy(random_problem(3, customers=240), "hybrid")


def positions(form):
    n = form.instance.num_tasks
    return np.column_stack([form.node_lon[:n] * 90.0, form.node_lat[:n] * 111.32])


def test_territories_respect_roles_and_share_the_work(city):
    inst = city.instance
    work = task_workload(inst)
    available = manager_capacity(city.problem)
    owner = territories(city, positions(city), work, available, np.random.default_rng(0))
    for t, task in enumerate(inst.tasks):
        assert owner[t] in task.owners
    for group in inst.balance_groups:
        members = list(group)
        loads = np.array([work[owner == o].sum() for o in members])
        shares = loads.sum() * available[members] / available[members].sum()
        # room is 5% above the fair share; only the last, most flexible customers may overflow it
        assert np.all(loads <= 1.05 * shares + work.max())


def test_visit_days_follow_the_patterns_and_are_spread(city):
    inst = city.instance
    work = task_workload(inst)
    available = manager_capacity(city.problem)
    xy = positions(city)
    owner = territories(city, xy, work, available, np.random.default_rng(0))
    vehicle_of = {(v.owner, v.day): k for k, v in enumerate(inst.vehicles)}
    days = visit_days(city, xy, work, owner, vehicle_of)
    for t, task in enumerate(inst.tasks):
        assert days[t] in task.patterns
        assert all((owner[t], d) in vehicle_of for d in days[t])
    for o in range(inst.num_owners):
        load = np.zeros(inst.num_days)
        for t in np.flatnonzero(owner == o):
            for d in days[t]:
                load[d] += work[t] / inst.tasks[t].visits
        worked = [d for d in range(inst.num_days) if (o, d) in vehicle_of]
        if load.sum() > 0:
            per_visit_max = max(work[t] / inst.tasks[t].visits for t in np.flatnonzero(owner == o))
            assert load[worked].max() - load[worked].min() <= 3 * per_visit_max


def test_the_peer_plan_is_valid_and_reports_what_it_drops(city):
    result = decomposition_routes(city, time_limit=5.0, seed=1)
    plan = checked_plan(city, result, seed=1, started=0.0, time_limit=5.0, startup=0.0)
    assert plan.visits_planned() + sum(u.visits_missing for u in plan.unserved) == plan.visits_required()
    assert plan.visits_planned() > 0.9 * plan.visits_required()


@pytest.fixture(scope="module")
def overlapping():
    """C managers for medium and small shops, D managers for small ones only."""
    from routeplan.synthetic import random_city

    return formulate_strategy(random_city(4, customers=400), "hybrid")


def test_filled_territories_fill_every_manager_of_a_group_to_one_utilisation(overlapping):
    from routeplan.planning.decomposition_peer import FILL_SLACK, filled_territories

    inst = overlapping.instance
    work = task_workload(inst)
    available = manager_capacity(overlapping.problem)
    owner = filled_territories(overlapping, positions(overlapping), work, available, np.random.default_rng(0))
    for t, task in enumerate(inst.tasks):
        assert owner[t] in task.owners
    roles = [m.role for m in overlapping.problem.managers]
    (group,) = [g for g in inst.balance_groups if {roles[o] for o in g} == {"C", "D"}]
    common = sum(work[owner == o].sum() for o in group) / available[list(group)].sum()
    loads = {o: work[owner == o].sum() / available[o] for o in group}
    full = [load for load in loads.values() if load >= 0.95 * common]
    # Those at the common load or above are even among themselves (a part-timer as full as the others)...
    assert max(full) <= FILL_SLACK * min(full) + work.max() / available[list(group)].min()
    for o, load in loads.items():
        if load < 0.95 * common:
            # ...and one below it holds every shared task it may serve: a D manager short of work
            # has all the small shops, C none.
            shared = [t for t, task in enumerate(inst.tasks) if o in task.owners and len(task.owners) > 1]
            assert all(owner[t] == o for t in shared), roles[o]


def test_sweep_days_follow_the_patterns_on_working_days(overlapping):
    from routeplan.planning.decomposition_peer import filled_territories, sweep_days

    inst = overlapping.instance
    work = task_workload(inst)
    xy = positions(overlapping)
    owner = filled_territories(overlapping, xy, work, manager_capacity(overlapping.problem), np.random.default_rng(0))
    days = sweep_days(overlapping, xy, work, owner)
    worked = {(v.owner, v.day) for v in inst.vehicles}
    for t, task in enumerate(inst.tasks):
        if days[t]:
            assert days[t] in task.patterns
            assert all((owner[t], d) in worked for d in days[t])


def test_the_strong_peer_plan_is_valid_and_beats_the_weak_one(overlapping):
    from routeplan.planning.decomposition_peer import strong_decomposition_routes

    strong = checked_plan(overlapping, strong_decomposition_routes(overlapping, time_limit=6.0, seed=1), seed=1,
                          started=0.0, time_limit=6.0, startup=0.0)
    weak = checked_plan(overlapping, decomposition_routes(overlapping, time_limit=6.0, seed=1), seed=1, started=0.0,
                        time_limit=6.0, startup=0.0)
    assert strong.visits_planned() + sum(u.visits_missing for u in strong.unserved) == strong.visits_required()
    assert strong.visits_planned() >= weak.visits_planned()
    assert strong.cost() < weak.cost()
