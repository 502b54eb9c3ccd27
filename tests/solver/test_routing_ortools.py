"""The naive OR-Tools peer returns honest routes: visits may be missing, no rule is broken."""

import pytest

from routeplan.io.cordeau import check_solution, read_instance
from routeplan.planning.pvrp import cordeau_instance, cordeau_routes
from routeplan.solver.instance import Instance
from routeplan.solver.routing_ortools import solve_naive

from conftest import PVRP


@pytest.mark.skipif(not PVRP.is_dir(), reason=f"PVRP instances not found in {PVRP}")
@pytest.mark.parametrize("name", ["p03", "p14"])
def test_routes_keep_the_pattern_rule(name):
    cordeau = read_instance(PVRP / f"{name}.txt")
    inst = cordeau_instance(cordeau)
    routes = solve_naive(inst, time_limit=3, seed=1)
    assert len(routes) == inst.num_vehicles
    check = check_solution(cordeau, cordeau_routes(cordeau, inst, routes))
    # Only missing visits may be reported: nothing placed breaks a rule.
    broken = [p for p in check.problems if "not visited" not in p]
    assert broken == []
    assert check.visits_missing <= inst.visits_required()
    if any(routes):  # whatever is served, each served customer is served completely
        assert all(sorted(inst.vehicles[v].day for v, seq in enumerate(routes) if t in seq) in
                   [list(p) for p in inst.tasks[t].patterns]
                   for t in {t for seq in routes for t in seq})


def test_refuses_rules_it_does_not_model():
    import numpy as np

    from routeplan.solver.instance import Task, Vehicle

    dist = np.zeros((2, 2))
    inst = Instance(num_days=1, num_owners=1, dist=dist, time=dist, consistent=True,
                    vehicles=(Vehicle(day=0, owner=0, start=0, end=0),),
                    tasks=(Task(node=1, patterns=((0,),)),))
    with pytest.raises(ValueError, match="consistency"):
        solve_naive(inst, time_limit=1)


def test_a_whole_cycle_keeps_every_customer_on_one_of_its_patterns():
    """route_cycle: a vehicle per day, visits free to move between days within the patterns."""
    import numpy as np

    from routeplan.solver.routing_ortools import Shift, Sites, route_cycle

    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 5, size=(13, 2))
    time = np.ceil(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)) * 300.0)
    patterns = [[(0, 2), (1, 3), (0, 3)]] * 8 + [[(0,), (1,), (2,), (3,)]] * 4
    start = [[(i, 0) for i in range(4)], [(i, 0) for i in range(4, 8)] + [(8, 0)],
             [(i, 1) for i in range(4)] + [(9, 0)], [(i, 1) for i in range(4, 8)] + [(10, 0), (11, 0)]]
    sites = Sites(nodes=tuple(range(1, 13)), service=(600.0,) * 12, windows=((30600.0, 63000.0),) * 12)
    shift = Shift(start=0, end=0, earliest=30600.0, latest=63000.0, max_stops=1000)
    routes = route_cycle(time, sites, shift, patterns=patterns, num_routes=4, initial=start, time_limit=1.0)
    days: dict[int, list[int]] = {}
    for r, route in enumerate(routes):
        for i, _ in route:
            days.setdefault(i, []).append(r)
    assert sorted(days) == list(range(12))
    for i, rs in days.items():
        assert tuple(sorted(rs)) in patterns[i]
    length = sum(time[a, b] for route in routes
                 for a, b in zip([0] + [1 + i for i, _ in route], [1 + i for i, _ in route] + [0], strict=True))
    before = sum(time[a, b] for route in start
                 for a, b in zip([0] + [1 + i for i, _ in route], [1 + i for i, _ in route] + [0], strict=True))
    assert length <= before


def test_a_day_route_serves_its_sites_in_the_shift_and_checks_their_lengths():
    """route_day: positions in the sites, the ones that do not fit the shift dropped."""
    import numpy as np

    from routeplan.solver.instance import Task
    from routeplan.solver.routing_ortools import Shift, Sites, route_day

    time = np.full((4, 4), 600.0)
    np.fill_diagonal(time, 0.0)
    tasks = [Task(node=1, patterns=((0,),), service=300.0, earliest=0.0, latest=5000.0),
             Task(node=2, patterns=((0,),), service=300.0, earliest=0.0, latest=5000.0),
             Task(node=3, patterns=((0,),), service=300.0, earliest=100.0, latest=200.0)]  # 600 s away
    sites = Sites.of(tasks)
    assert sites == Sites(nodes=(1, 2, 3), service=(300.0,) * 3, windows=((0.0, 5000.0),) * 2 + ((100.0, 200.0),))
    order, dropped = route_day(time, sites, Shift(start=0, end=0, earliest=0.0, latest=8000.0, max_stops=5),
                               time_limit=0.2)
    assert sorted(order) == [0, 1]
    assert dropped == [2]
    with pytest.raises(ValueError, match="2 service times"):
        Sites(nodes=(1, 2, 3), service=(300.0, 300.0), windows=((0.0, 1.0),) * 3)
