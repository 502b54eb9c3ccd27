"""The day repair: a string of visits taken off a day outside its band (or off its owner's
fullest day, for a day too empty), re-inserted with the day-balance prices, evens the days out
where single moves cost travel first."""

import numpy as np
from builders import Built, points_instance

from routeplan.solver.kernels.objective import group_targets, objective
from routeplan.solver.kernels.ruin import day_out_of_band, remove_day_excess

# Eight shops in two tight clusters, all visited on day 0 today: day 1 is empty.
XY = [(0.0, 0.0)] + [(5.0, 0.1 * k) for k in range(4)] + [(-5.0, 0.1 * k) for k in range(4)]


def lopsided():
    inst = points_instance(XY, days=2, owners=1, service=60.0, day_balance_weight=1.0, day_balance_tolerance=0.3,
                           time_cost=1.0, distance_cost=0.0)
    return Built(inst, [list(range(8)), []])


def test_a_string_off_the_full_day_fills_the_empty_one():
    built = lopsided()
    d, s = built.d, built.s
    targets = np.zeros(1)
    group_targets(d, built.state.owner_work, targets)
    before = float(objective(d, s, targets))
    assert day_out_of_band(d, s) in (0, 1)  # both days are out: one full, one empty
    removed = np.empty(8, dtype=np.int64)
    route_hit = np.zeros(2, dtype=np.bool_)
    count = remove_day_excess(d, s, 1, removed, route_hit)  # day 1, too empty: from day 0
    assert count >= 3
    assert route_hit.tolist() == [True, False]
    built.reinsert(removed[:count], targets)
    after = float(objective(d, s, targets))
    assert after < before - 1e-9
    assert built.view.check() == []
    assert built.state.length[1] > 0
    assert day_out_of_band(d, s) == -1


def test_every_day_within_its_band_gives_nothing_to_repair():
    inst = points_instance(XY, days=2, owners=1, service=60.0, day_balance_weight=1.0, day_balance_tolerance=0.3,
                           time_cost=1.0, distance_cost=0.0)
    built = Built(inst, [[0, 1, 2, 3], [4, 5, 6, 7]])
    assert day_out_of_band(built.d, built.s) == -1
