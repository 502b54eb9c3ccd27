"""Each local-search move on a case built for it: it must strictly improve and stay sound."""

import math
from dataclasses import replace

import numpy as np
import pytest
from builders import Built, points_instance, random_instance

from routeplan.solver.construct import initial_solution
from routeplan.solver.kernels.moves import local_search_day, relocate, swap, two_opt, two_opt_star

# Four shops on a circle around the depot, a quarter turn apart.
CIRCLE = [(0.0, 0.0)] + [(math.cos(k * math.pi / 2), math.sin(k * math.pi / 2)) for k in range(4)]
# Two shops far west (tasks 0, 1) and two far east (tasks 2, 3).
WEST_EAST = [(0.0, 0.0), (-10.0, 0.0), (-10.0, 1.0), (10.0, 0.0), (10.0, 1.0)]


def _buffers(built):
    width = built.state.route.shape[1]
    return np.empty(width, dtype=np.int64), np.empty(width, dtype=np.int64), np.empty(width)


def _apply(built, move, *args):
    before = float(built.state.cost.sum())
    visits = sorted(t for r in built.view.routes for t in r)
    applied, built_visits = move(built.d, built.s, *args, *_buffers(built))
    assert applied, "the move must find the improvement it was built for"
    assert built_visits > 0
    assert float(built.state.cost.sum()) < before - 1e-9
    assert sorted(t for r in built.view.routes for t in r) == visits
    assert built.view.check() == []
    return built.view.routes


def test_relocate_after_a_neighbour():
    built = Built(points_instance(CIRCLE, consistent=False), [[0, 2, 1, 3]])
    routes = _apply(built, relocate, 2, 0, 1, 1, 0, 2, True)
    assert routes == [(0, 1, 2, 3)]


def test_relocate_before_a_neighbour():
    built = Built(points_instance(CIRCLE, consistent=False), [[0, 2, 1, 3]])
    routes = _apply(built, relocate, 1, 0, 2, 2, 0, 1, False)
    assert routes == [(0, 1, 2, 3)]


def test_relocate_to_another_route():
    built = Built(points_instance(WEST_EAST, owners=2, consistent=False), [[0, 1, 2], [3]])
    routes = _apply(built, relocate, 2, 0, 2, 3, 1, 0, False)
    assert routes == [(0, 1), (2, 3)]


def test_swap_between_routes():
    built = Built(points_instance(WEST_EAST, owners=2, consistent=False), [[0, 3], [2, 1]])
    routes = _apply(built, swap, 3, 0, 1, 1, 1, 1)
    assert routes == [(0, 1), (2, 3)]


def test_swap_within_a_route():
    # Shops at 1..5 on a line: [1, 4, 3, 2, 5] becomes [1, 2, 3, 4, 5] by swapping 4 and 2.
    line = [(0.0, 0.0)] + [(float(x), 0.0) for x in range(1, 6)]
    built = Built(points_instance(line, consistent=False), [[0, 3, 2, 1, 4]])
    routes = _apply(built, swap, 3, 0, 1, 1, 0, 3)
    assert routes == [(0, 1, 2, 3, 4)]


def _two_opt(d, s, u_task, a, i, w_task, j, buf_a, buf_b, scratch):
    return two_opt(d, s, u_task, a, i, w_task, j, buf_a, scratch)


def test_two_opt_uncrosses_a_route():
    built = Built(points_instance(CIRCLE, consistent=False), [[0, 2, 1, 3]])
    routes = _apply(built, _two_opt, 0, 0, 0, 1, 2)
    assert routes == [(0, 1, 2, 3)]


def test_two_opt_needs_symmetric_costs():
    built = Built(replace(points_instance(CIRCLE, consistent=False), symmetric=False), [[0, 2, 1, 3]])
    applied, _ = _two_opt(built.d, built.s, 0, 0, 0, 1, 2, *_buffers(built))
    assert not applied


def test_two_opt_star_exchanges_tails():
    built = Built(points_instance(WEST_EAST, owners=2, consistent=False), [[0, 2], [3, 1]])
    routes = _apply(built, two_opt_star, 0, 0, 0, 3, 1, 0)
    assert routes == [(0, 1), (3, 2)]


def test_moves_between_routes_respect_who_may_serve_whom():
    # The swap of test_swap_between_routes, but task 3 may only be served by owner 0.
    inst = points_instance(WEST_EAST, owners=2, consistent=False, owners_of=[None, None, None, (0,)])
    built = Built(inst, [[0, 3], [2, 1]])
    assert not swap(built.d, built.s, 3, 0, 1, 1, 1, 1, *_buffers(built))[0]
    assert not relocate(built.d, built.s, 3, 0, 1, 2, 1, 0, False, *_buffers(built))[0]
    assert built.view.routes == [(0, 3), (2, 1)]


@pytest.mark.parametrize("consistent", [True, False])
@pytest.mark.parametrize("seed", range(6))
def test_local_search_of_a_day_improves_and_keeps_owners(consistent, seed):
    inst = random_instance(seed, consistent=consistent, windows=seed % 2 == 1)
    built = Built(inst)
    state = initial_solution(inst, built.data, np.random.default_rng(seed)).state
    rng = np.random.default_rng(seed)
    sequences = []
    for v in range(inst.num_vehicles):  # scramble every route
        seq = list(state.route[v, :state.length[v]])
        sequences.append([seq[k] for k in rng.permutation(len(seq))])
    built = Built(inst, [[int(t) for t in s] for s in sequences])
    feasible_before = built.view.check() == []
    owners = [built.view.owner(t) for t in range(inst.num_tasks)]
    before = float(built.state.cost.sum())
    moves = 0
    n = inst.num_tasks
    touched = np.zeros(inst.num_vehicles, dtype=np.bool_)
    for day in range(inst.num_days):
        work = np.arange(n, dtype=np.int64)
        moves += local_search_day(built.d, built.s, day, work, n, 10, *_buffers(built), np.zeros(n, np.bool_),
                                  touched)[0]
    assert float(built.state.cost.sum()) <= before + 1e-9
    assert (moves > 0) == bool(touched.any())
    if feasible_before:
        assert built.view.check() == []
        assert moves > 0
        assert float(built.state.cost.sum()) < before - 1e-9
    if consistent:
        assert [built.view.owner(t) for t in range(n)] == owners
