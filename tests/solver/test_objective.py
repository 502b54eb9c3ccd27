"""The objective, written once in the kernels, against a plain reference of its definition."""

import itertools
from dataclasses import replace

import numpy as np
import pytest
from builders import Built, random_instance

from routeplan.solver.arrays import owner_costs, territory_centres, working_time
from routeplan.solver.construct import initial_solution
from routeplan.solver.kernels.edits import remove_task
from routeplan.solver.kernels.insertion import choose, place, price_routes
from routeplan.solver.kernels.objective import balance_delta, band_penalty, objective


def reference_band(work, target, scale, tolerance, floor=0.0):
    """Nothing within max(tolerance x target, floor) of the target; beyond, the excess e as
    e + e^2 / scale."""
    half = max(tolerance * target, floor)
    low, high = target - half, target + half
    excess = low - work if work < low else work - high if work > high else 0.0
    return excess + excess**2 / scale


def reference_objective(inst, routes, owner_of, cost_of_owner):
    """The module docstring of routeplan.solver.kernels.objective, in plain Python."""
    leg = inst.distance_cost * inst.dist + inst.time_cost * inst.time
    work = np.zeros(inst.num_owners)
    route_work = []
    total = 0.0
    routed = set()
    for v, seq in enumerate(routes):
        veh = inst.vehicles[v]
        nodes = [veh.start] + [inst.tasks[t].node for t in seq] + [veh.end]
        total += sum(leg[a, b] for a, b in itertools.pairwise(nodes))
        w = sum(inst.time[a, b] for a, b in itertools.pairwise(nodes)) + sum(inst.tasks[t].service for t in seq)
        work[veh.owner] += w
        route_work.append(w)
        routed.update(seq)
    hours = working_time(inst)
    if inst.balance_weight > 0:
        for k, group in enumerate(inst.balance_groups):
            if len(group) < 2:
                continue
            members = list(group)
            aim = inst.balance_utilisation[k] if k < len(inst.balance_utilisation) else 0.0
            targets = (aim * hours[members] if aim > 0  # the group's given utilisation
                       else work[members].sum() * hours[members] / hours[members].sum())
            total += inst.balance_weight * sum(reference_band(work[o], t, t, inst.balance_tolerance, inst.balance_floor)
                                               for o, t in zip(members, targets, strict=True) if t > 0)
    if inst.day_balance_weight > 0:
        routes_of = np.bincount([v.owner for v in inst.vehicles], minlength=inst.num_owners)
        for v, w in enumerate(route_work):
            target = work[inst.vehicles[v].owner] / routes_of[inst.vehicles[v].owner]
            total += inst.day_balance_weight * reference_band(w, target, max(target, 60.0),
                                                              inst.day_balance_tolerance, inst.day_balance_floor)
    missing = sum(t.visits for i, t in enumerate(inst.tasks) if i not in routed)
    if inst.consistent:
        total += sum(cost_of_owner[t, owner_of[t]] for t in routed)
    days = {t: [inst.vehicles[v].day for v, seq in enumerate(routes) if t in seq] for t in routed}
    total += sum(inst.day_change_cost * sum(1 for d in days[t] if d not in inst.tasks[t].kept_days)
                 for t in routed if inst.tasks[t].kept_days)
    beyond = 0  # tasks moved beyond the limit, each priced as a missing visit
    if inst.max_moved >= 0 and inst.consistent:
        moved = sum(1 for t in routed if 0 <= inst.tasks[t].preferred_owner != owner_of[t])
        beyond = max(0, moved - inst.max_moved)
    return total, missing, beyond


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("consistent", [True, False])
def test_the_kernel_objective_is_the_defined_one(seed, consistent):
    weights = {"balance_groups": ((0, 1),), "balance_weight": 0.5 + seed % 3, "day_balance_weight": 0.1 * (seed % 4),
               "balance_tolerance": 0.05 * (seed % 3), "day_balance_tolerance": 0.1 * (seed % 2),
               "balance_floor": 10.0 * (seed % 2), "day_balance_floor": 5.0 * (seed % 3),
               "stability_cost": 7.0 * (seed % 2), "compactness_weight": 0.05 * (seed % 3),
               "balance_utilisation": (0.3,) if seed % 4 == 3 else ()}
    inst = random_instance(seed, consistent=consistent, **weights, day_change_cost=3.0 * (seed % 3),
                           max_moved=seed % 4 - 1)
    inst = replace(inst, tasks=tuple(replace(t, preferred_owner=i % 2, kept_days=(i % 3,) if i % 2 else ())
                                     for i, t in enumerate(inst.tasks)))
    built = Built(inst)
    state = initial_solution(inst, built.data, np.random.default_rng(seed)).state
    built = Built(inst, [list(state.route[v, :state.length[v]]) for v in range(inst.num_vehicles)])
    if consistent:  # territory centres as the search sets them, so that compactness counts too
        built.data.task_owner_cost[:, :] = owner_costs(inst, territory_centres(inst, built.state.owner))
    rng = np.random.default_rng(seed)
    for t in rng.choice(inst.num_tasks, size=3, replace=False):  # some tasks missing
        remove_task(built.d, built.s, int(t))
    view = built.view
    assert view.check() == []
    expected, missing, beyond = reference_objective(inst, view.routes, built.state.owner, built.data.task_owner_cost)
    assert missing > 0
    assert view.missing_visits() == missing
    assert view.objective() == pytest.approx(expected + built.data.missing_cost * (missing + beyond), rel=1e-9)


def test_balance_delta_is_the_exact_change_of_a_term():
    rng = np.random.default_rng(0)
    for _ in range(200):
        work, target, scale, added = rng.uniform(0, 100, 4)
        tolerance = rng.choice([0.0, 0.1, 0.3])
        floor = rng.choice([0.0, 5.0])
        grown = (band_penalty(work + added, target, scale, tolerance, floor)
                 - band_penalty(work, target, scale, tolerance, floor))
        assert balance_delta(work, target, scale, tolerance, floor, added) == pytest.approx(grown)
        assert band_penalty(work, target, scale, tolerance, floor) == pytest.approx(
            reference_band(work, target, scale, tolerance, floor))


def test_work_inside_the_band_costs_nothing_and_outside_it_costs_from_the_first_second():
    assert band_penalty(109.0, 100.0, 100.0, 0.10, 0.0) == 0.0
    assert band_penalty(91.0, 100.0, 100.0, 0.10, 0.0) == 0.0
    assert band_penalty(111.0, 100.0, 100.0, 0.10, 0.0) == pytest.approx(1.0 + 1.0 / 100.0)
    assert band_penalty(80.0, 100.0, 100.0, 0.10, 0.0) == pytest.approx(10.0 + 100.0 / 100.0)
    assert band_penalty(100.5, 100.0, 100.0, 0.0, 0.0) == pytest.approx(0.5 + 0.25 / 100.0)
    # the floor widens a narrow band: 10% of 100 is 10, a floor of 15 makes it 15
    assert band_penalty(114.0, 100.0, 100.0, 0.10, 15.0) == 0.0
    assert band_penalty(116.0, 100.0, 100.0, 0.10, 15.0) == pytest.approx(1.0 + 1.0 / 100.0)


@pytest.mark.parametrize("seed", range(8))
def test_an_insertion_costs_what_the_objective_says(seed):
    """With fixed targets (no balance terms) the price insertion puts on a task is exactly the
    objective's change when it is inserted there."""
    inst = random_instance(seed, stability_cost=5.0, day_change_cost=4.0)
    inst = replace(inst, tasks=tuple(replace(t, preferred_owner=i % 2, kept_days=(i % 3,))
                                     for i, t in enumerate(inst.tasks)))
    built = Built(inst)
    state = initial_solution(inst, built.data, np.random.default_rng(seed)).state
    built = Built(inst, [list(state.route[v, :state.length[v]]) for v in range(inst.num_vehicles)])
    targets = np.zeros(inst.num_owners)
    task = int(np.flatnonzero(built.state.pattern >= 0)[seed % 5])
    remove_task(built.d, built.s, task)
    before = objective(built.d, built.s, targets)
    n = inst.num_vehicles
    cost, gap, work = np.empty(n), np.empty(n, dtype=np.int64), np.empty(n)
    everyone = np.ones(inst.num_owners, dtype=np.bool_)
    price_routes(built.d, built.s, task, 0.0, everyone, cost, gap, work)
    price, pattern, owner, _, _ = choose(built.d, built.s, task, targets, everyone, cost, work)
    place(built.d, built.s, task, pattern, owner, everyone, cost, gap)
    after = objective(built.d, built.s, targets)
    missing = built.data.missing_cost * inst.tasks[task].visits
    assert after - before == pytest.approx(price - missing)
