"""Insertion: the best gap of a route, options of pattern and owner, regret construction."""

import numpy as np
import pytest
from builders import Built, points_instance, random_instance

from routeplan.solver.construct import initial_solution, territories
from routeplan.solver.kernels.edits import remove_task
from routeplan.solver.kernels.insertion import best_gap, insert_task, nearby_owners, regret_insert
from routeplan.solver.kernels.timing import BIG, evaluate
from routeplan.solver.workload import task_workload


def _built(seed, **kwargs):
    inst = random_instance(seed, **kwargs)
    built = Built(inst)
    state = initial_solution(inst, built.data, np.random.default_rng(seed)).state
    return Built(inst, [list(state.route[v, :state.length[v]]) for v in range(inst.num_vehicles)])


@pytest.mark.parametrize("seed", range(10))
def test_best_gap_is_the_cheapest_feasible_gap(seed):
    built = _built(seed, windows=True)
    inst = built.inst
    scratch = np.empty(64)
    task = int(np.flatnonzero(built.state.pattern >= 0)[seed % 4])
    remove_task(built.d, built.s, task)
    checked = 0
    for v in range(inst.num_vehicles):
        route = list(built.state.route[v, :built.state.length[v]])
        costs = []
        for g in range(len(route) + 1):
            seq = np.array([*route[:g], task, *route[g:]], dtype=np.int64)
            ok, cost = evaluate(built.d, v, seq, len(seq), scratch)
            costs.append(cost - built.state.cost[v] if ok else BIG)
        gap, cost, _, examined = best_gap(built.d, built.s, v, task, 0.0)
        assert examined in (0, len(route) + 1)
        if min(costs) >= BIG:
            assert gap == -1
        else:
            checked += 1
            assert cost == pytest.approx(min(costs))
            assert costs[gap] == pytest.approx(min(costs))
    assert checked > 0


@pytest.mark.parametrize("consistent", [True, False])
@pytest.mark.parametrize("windows", [True, False])
def test_regret_insertion_builds_a_complete_feasible_solution(consistent, windows):
    inst = random_instance(3, consistent=consistent, windows=windows, balance_groups=((0, 1),), balance_weight=0.5)
    built = Built(inst)
    construction = initial_solution(inst, built.data, np.random.default_rng(0))
    view = Built(inst, [list(construction.state.route[v, :construction.state.length[v]])
                        for v in range(inst.num_vehicles)]).view
    assert view.check() == []
    assert view.missing_visits() == 0
    assert construction.positions > 0
    assert construction.options > 0
    assert all(inst.vehicles[v].owner == 0 for v in view.vehicles(1)), "task 1 is locked to owner 0"


def test_capacity_limits_leave_tasks_out():
    inst = points_instance([(0, 0)] + [(i, 1) for i in range(1, 7)], days=1, owners=2, capacity=2.0, demand=1.0)
    built = Built(inst)
    inserted, _, _ = regret_insert(built.d, built.s, np.arange(6, dtype=np.int64), np.full(6, -1, dtype=np.int64),
                                   np.zeros(2))
    assert inserted == 4  # two vehicles of capacity 2
    assert built.view.check() == []
    assert built.view.missing_visits() == 2


def test_a_task_goes_to_the_owners_of_its_neighbours():
    # Owner 0 serves the west, owner 1 the east; a new task in the east is priced on owner 1
    # and on owner 2, who has no work yet, but never on owner 0 across town.
    xy = [(0, 0)] + [(-1000 - i, 0) for i in range(50)] + [(1000 + i, 0) for i in range(50)] + [(1002.5, 0.5)]
    inst = points_instance(xy, days=1, owners=3)
    built = Built(inst, [list(range(50)), list(range(50, 100)), []])
    considered = np.zeros(3, dtype=np.bool_)
    nearby_owners(built.d, built.s, 100, considered)
    assert considered.tolist() == [False, True, True]
    built.state.owner_work[2] = 1.0
    nearby_owners(built.d, built.s, 100, considered)
    assert considered.tolist() == [False, True, False]
    built.state.owner_work[2] = 0.0
    n = inst.num_vehicles
    placed, _, _ = insert_task(built.d, built.s, 100, 0.0, np.zeros(3), considered, np.empty(n),
                               np.empty(n, dtype=np.int64), np.empty(n))
    assert placed
    assert built.view.owner(100) in (1, 2)
    assert built.view.check() == []


def test_territories_are_compact_and_even():
    rng = np.random.default_rng(1)
    west = rng.normal((-30, 0), 3, (40, 2))
    east = rng.normal((30, 0), 3, (40, 2))
    inst = points_instance([(0, 0)] + [tuple(p) for p in np.vstack([west, east])], days=2, owners=2, service=10.0)
    owner = territories(inst, task_workload(inst), np.random.default_rng(0))
    assert set(owner[:40]) != set(owner[40:])  # one owner per cluster
    assert len(set(owner[:40])) == 1
    assert len(set(owner[40:])) == 1


@pytest.mark.parametrize("seed", range(6))
def test_territories_of_partly_overlapping_roles_lie_together(seed):
    # Owners 0 and 1 (C) serve medium and small shops, owner 2 (D) only small ones: medium shops
    # in a west and an east cluster, small shops along the whole band between. Each C owner's
    # small shops lie on the side of its medium ones, not in a territory drawn apart.
    rng = np.random.default_rng(seed)
    medium = np.vstack([rng.normal((-30, 0), 2, (20, 2)), rng.normal((30, 0), 2, (20, 2))])
    small = np.column_stack([rng.uniform(-40, 40, 60), rng.uniform(-5, 5, 60)])
    xy = [(0.0, 0.0)] + [tuple(p) for p in np.vstack([medium, small])]
    owners_of = [(0, 1)] * 40 + [(0, 1, 2)] * 60
    inst = points_instance(xy, days=2, owners=3, service=10.0, owners_of=owners_of)
    owner = territories(inst, task_workload(inst), np.random.default_rng(seed))
    assert all(owner[t] in owners_of[t] for t in range(100))
    for c in (0, 1):
        own_medium = medium[owner[:40] == c]
        own_small = small[owner[40:] == c]
        assert len(own_medium) > 0
        assert len(own_small) > 0
        assert np.sign(own_small[:, 0].mean()) == np.sign(own_medium[:, 0].mean())
        assert set(owner[:40][medium[:, 0] * np.sign(own_medium[:, 0].mean()) > 0]) == {c}


def test_neighbours_that_share_an_owner_come_first_and_others_never_decide():
    # A market manager's visit (owner 2) in the east, among shops only owner 1 may serve; the
    # market manager's other customer is 2 km away.
    xy = ([(0, 0)] + [(-1000 - i, 0) for i in range(50)] + [(1000 + i, 0) for i in range(50)]
          + [(1002.5, 0.5), (3000, 0)])
    owners_of = [(0,)] * 50 + [(1,)] * 50 + [(2,), (2,)]
    inst = points_instance(xy, days=1, owners=3, owners_of=owners_of)
    built = Built(inst, [list(range(50)), list(range(50, 100)), [101]])
    assert built.data.task_neighbours[100, 0] == 101  # before the 50 shops next door
    assert set(built.data.task_neighbours[0, :49]) <= set(range(50))
    # Even where every neighbour looked at is another owner's, the task's own owner is priced.
    built.data.task_neighbours[100, :] = np.argsort(np.abs(np.array([x for x, _ in xy[1:]]) - 1002.5))[1:101]
    considered = np.zeros(3, dtype=np.bool_)
    nearby_owners(built.d, built.s, 100, considered)
    assert considered[2]
    n = inst.num_vehicles
    placed, _, _ = insert_task(built.d, built.s, 100, 0.0, np.zeros(3), considered, np.empty(n),
                               np.empty(n, dtype=np.int64), np.empty(n))
    assert placed
    assert built.view.owner(100) == 2
