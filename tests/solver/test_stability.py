"""Re-planning in the engine: a hard limit on tasks moved from their preferred owner, the cost of
visits on new days, and first solutions from routes that no longer all hold."""

from dataclasses import replace

import numpy as np
from builders import points_instance

from routeplan.solver.search import solve
from routeplan.solver.solution import kept_routes
from routeplan.solver.stop import MaxIterations


def _lopsided(**weights):
    """Twenty tasks all preferring owner 0; balance pulls half of them to owner 1."""
    rng = np.random.default_rng(4)
    xy = [(0.0, 0.0)] + [tuple(p) for p in rng.uniform(-20, 20, (20, 2))]
    inst = points_instance(xy, days=2, owners=2, service=30.0, shift=(0.0, 2000.0), balance_groups=((0, 1),),
                           balance_weight=2.0, stability_cost=1.0, **weights)
    return replace(inst, tasks=tuple(replace(t, preferred_owner=0) for t in inst.tasks))


def _moved(result):
    return sum(1 for owner in result.owners if owner != 0)


def test_a_limit_on_moved_tasks_holds_where_balance_would_move_more():
    free = solve(_lopsided(), MaxIterations(3000), seed=1)
    assert _moved(free) > 3  # without the limit, balance moves many
    for limit in (0, 3):
        held = solve(_lopsided(max_moved=limit), MaxIterations(3000), seed=1)
        assert _moved(held) <= limit
        assert all(days for days in held.days)  # every task still served


def test_visits_stay_on_their_kept_days_when_moving_them_costs():
    rng = np.random.default_rng(2)
    xy = [(0.0, 0.0)] + [tuple(p) for p in rng.uniform(-20, 20, (16, 2))]
    base = points_instance(xy, days=3, owners=1, service=10.0, day_balance_weight=1.0, day_balance_tolerance=0.0)
    kept = replace(base, tasks=tuple(replace(t, kept_days=(1,)) for t in base.tasks))
    free = solve(kept, MaxIterations(2000), seed=0)
    costly = solve(replace(kept, day_change_cost=500.0), MaxIterations(2000), seed=0)
    on_day_one = [sum(1 for days in r.days if days == (1,)) for r in (free, costly)]
    assert on_day_one[0] < len(xy) - 1  # day balance spreads them
    assert on_day_one[1] == len(xy) - 1  # a new day costs more than any balance gained


def test_kept_routes_drop_what_no_longer_holds():
    xy = [(0.0, 0.0), (10.0, 0.0), (20.0, 0.0), (30.0, 0.0), (0.0, 10.0)]
    inst = points_instance(xy, days=2, owners=2, shift=(0.0, 65.0),
                           patterns=[((0,),), ((0,),), ((0,),), ((0, 1),)])
    # Vehicles: (owner 0, day 0), (0, 1), (1, 0), (1, 1). Tasks 0-2 ride 60 of 65 minutes; task 3,
    # visited on day 0 by both owners, forms no pattern and has two owners.
    sequences = [[0, 1, 2, 3], [], [3], []]
    kept = kept_routes(inst, sequences)
    assert 3 not in {t for seq in kept for t in seq}  # two owners for one task
    assert kept[0] == [0, 1, 2]
    too_long = points_instance(xy, days=1, owners=1, shift=(0.0, 50.0))
    assert kept_routes(too_long, [[0, 1, 2, 3]]) == [[0, 1]]  # 2 would not be back by 50
