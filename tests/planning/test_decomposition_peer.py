"""The hand-made decomposition peer: territories balanced and within roles, days spread, every
plan it makes valid."""

import numpy as np
import pytest

from routeplan.planner import checked_plan
from routeplan.planning.decomposition_peer import decomposition_routes, territories, visit_days
from routeplan.planning.strategies import formulate_strategy, manager_capacity
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
    assert plan.is_valid()
    assert plan.visits_planned() + sum(u.visits_missing for u in plan.unserved) == plan.visits_required()
    assert plan.visits_planned() > 0.9 * plan.visits_required()
