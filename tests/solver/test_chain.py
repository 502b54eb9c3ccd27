"""The chain ruin: work carried along a chain of managers whose roles overlap in part (a small
shop from a C manager to a D manager short of work, a medium shop from another C manager to the
first), where moving one customer at a time would only move the shortage."""

import numpy as np
from builders import Built, points_instance

from routeplan.solver.kernels.objective import group_targets, objective
from routeplan.solver.kernels.ruin import remove_chain, under_band_owner

# Owners: 0 = C1 (east, over its share), 1 = C2 (middle, at its share), 2 = D1 (west, short).
SMALL = (0, 1, 2)  # a small shop: C or D may serve it
MEDIUM = (0, 1)  # a medium shop: C only
# Tasks: 0, 1 D1's small shops; 2 C2's small shop next to D1; 3, 4 C2's medium shops; 5 C1's
# medium shop next to C2; 6, 7, 8 C1's medium shops. The depot in the middle.
XY = [(2.2, 0.0), (0.0, 0.0), (0.2, 0.0), (1.0, 0.0), (2.0, 0.0), (2.2, 0.2), (3.0, 0.0), (4.0, 0.0),
      (4.2, 0.0), (4.4, 0.0)]
OWNERS = [SMALL, SMALL, SMALL, MEDIUM, MEDIUM, MEDIUM, MEDIUM, MEDIUM, MEDIUM]


def chain_case():
    inst = points_instance(XY, days=1, owners=3, service=100.0, owners_of=OWNERS, balance_groups=((0, 1, 2),),
                           balance_weight=1.0, balance_tolerance=0.1, time_cost=1.0, distance_cost=0.0)
    # Vehicle k is owner k's day: C1 holds 5-8, C2 holds 2-4, D1 holds 0-1.
    return Built(inst, [[5, 6, 7, 8], [2, 3, 4], [0, 1]])


def test_a_chain_carries_work_to_the_manager_short_of_it():
    built = chain_case()
    d, s = built.d, built.s
    targets = np.zeros(3)
    group_targets(d, built.state.owner_work, targets)
    before = float(objective(d, s, targets))
    assert under_band_owner(d, s, targets) == 2  # D1, the only one below its band
    removed = np.empty(9, dtype=np.int64)
    route_hit = np.zeros(3, dtype=np.bool_)
    used = np.zeros(3, dtype=np.bool_)
    count, scanned = remove_chain(d, s, targets, 2, 4, removed, route_hit, used)
    assert scanned > 0
    assert not used.any()  # the scratch flags are left cleared
    # D1 <- C2 (its small shop next to D1) <- C1 (its medium shop next to C2): two links.
    assert count == 2
    assert sorted(removed[:count].tolist()) == [2, 5]
    # As a chain step re-inserts: the last link first, priced against the shares of the whole state.
    built.reinsert(removed[:count][::-1], targets)
    group_targets(d, built.state.owner_work, targets)
    after = float(objective(d, s, targets))
    assert after < before - 1e-9
    assert built.view.check() == []
    assert built.view.owner(2) == 2  # the small shop went to D1
    assert built.view.owner(5) == 1  # the medium shop went to C2
    assert under_band_owner(d, s, targets) == -1  # everyone within the band


def test_no_chain_when_everyone_is_within_the_band():
    built = Built(points_instance(XY, days=1, owners=3, service=100.0, owners_of=OWNERS, balance_groups=((0, 1, 2),),
                                  balance_weight=1.0, balance_tolerance=0.1, time_cost=1.0, distance_cost=0.0),
                  [[6, 7, 8], [3, 4, 5], [0, 1, 2]])
    targets = np.zeros(3)
    group_targets(built.d, built.state.owner_work, targets)
    assert under_band_owner(built.d, built.s, targets) == -1
