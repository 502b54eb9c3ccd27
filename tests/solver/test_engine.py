"""The generic engine on small hand-made and benchmark instances."""

import numpy as np
import pytest

from routeplan.io.cordeau import read_instance
from routeplan.solver.decompose import merge, split
from routeplan.solver.insertion import Recreate
from routeplan.solver.instance import Instance, Task, Vehicle
from routeplan.solver import kernels
from routeplan.solver.lns import LNS, Packed
from routeplan.solver.objective import Objective
from routeplan.solver.routing_pyvrp import polish
from routeplan.solver.search import SearchParams, solve
from routeplan.solver.state import Solution
from routeplan.planning.pvrp import cordeau_instance, cordeau_routes

from conftest import PVRP


def line_instance(*, consistent=True, windows=False, owners=2, days=3, n=12) -> Instance:
    """Customers on a line, depot at 0; travel time = distance."""
    rng = np.random.default_rng(3)
    x = np.concatenate([[0.0], rng.uniform(-50, 50, n)])
    y = np.concatenate([[0.0], rng.uniform(-50, 50, n)])
    dist = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    vehicles = tuple(Vehicle(day=d, owner=o, start=0, end=0, earliest=0.0, latest=1000.0, capacity=10.0)
                     for o in range(owners) for d in range(days))
    tasks = []
    for i in range(1, n + 1):
        patterns = ((0, 2),) if i % 3 == 0 else ((0,), (1,), (2,))
        early, late = (100.0, 300.0) if windows and i % 4 == 0 else (0.0, 1000.0)
        tasks.append(Task(node=i, service=5.0, earliest=early, latest=late, demand=1.0, patterns=patterns,
                          owners=(0,) if i == 1 else ()))
    return Instance(num_days=days, num_owners=owners, dist=dist, time=dist.copy(), vehicles=vehicles,
                    tasks=tuple(tasks), consistent=consistent, balance_groups=((0, 1),), balance_weight=0.5)


@pytest.mark.parametrize("consistent", [True, False])
@pytest.mark.parametrize("windows", [True, False])
def test_regret_insertion_builds_a_feasible_complete_solution(consistent, windows):
    inst = line_instance(consistent=consistent, windows=windows)
    sol = Solution(inst)
    left = Recreate(sol, Objective.of(inst), np.arange(inst.num_tasks)).run(mode="regret")
    assert left == []
    assert sol.check() == []
    assert sol.missing_visits() == 0
    # The locked task stays with its owner.
    assert all(inst.vehicles[v].owner == 0 for v in sol.task_vehicles[0])


def test_capacity_limits_leave_tasks_out_and_say_so():
    inst = line_instance()
    tight = Instance(num_days=inst.num_days, num_owners=inst.num_owners, dist=inst.dist, time=inst.time,
                     vehicles=tuple(Vehicle(day=v.day, owner=v.owner, start=0, end=0, capacity=2.0)
                                    for v in inst.vehicles), tasks=inst.tasks, consistent=True)
    sol = Solution(tight)
    left = Recreate(sol, Objective.of(tight), np.arange(tight.num_tasks)).run(mode="regret")
    assert len(left) > 0
    assert sol.check() == []
    assert sol.r_load.max() <= 2.0


def test_slot_costs_agree_with_a_full_reschedule():
    inst = line_instance(windows=True)
    sol = Solution(inst)
    Recreate(sol, Objective.of(inst), np.arange(inst.num_tasks - 3)).run(mode="regret")
    for task in range(inst.num_tasks - 3, inst.num_tasks):
        for v in range(inst.num_vehicles):
            pos, cost = sol.best_slot(v, task)
            for p in range(len(sol.routes[v]) + 1):
                seq = sol.routes[v][:p] + [task] + sol.routes[v][p:]
                feasible = sol.schedule(v, seq)[0] and sol.r_load[v] + 1.0 <= 10.0
                if p == pos and cost < 1e14:
                    assert feasible


def test_pack_and_unpack_round_trip():
    inst = line_instance(windows=True)
    sol = Solution(inst)
    Recreate(sol, Objective.of(inst), np.arange(inst.num_tasks)).run()
    packed = Packed(inst, SearchParams())
    state = packed.pack(sol)
    again = packed.unpack(state)
    assert again.routes == sol.routes and again.task_vehicles == sol.task_vehicles
    assert kernels.objective(packed.data, state) == pytest.approx(Objective.of(inst)(sol))


@pytest.mark.parametrize("consistent", [True, False])
def test_local_search_never_worsens_and_keeps_feasibility(consistent):
    inst = line_instance(consistent=consistent, windows=True)
    sol = Solution(inst)
    Recreate(sol, Objective.of(inst), np.arange(inst.num_tasks)).run(mode="order")
    packed = Packed(inst, SearchParams())
    state = packed.pack(sol)
    before = float(state.r_cost.sum())
    n = inst.num_tasks
    width = state.r_tasks.shape[1]
    touched = np.zeros(inst.num_vehicles, dtype=bool)
    moves = 0
    for day in range(inst.num_days):
        work = np.arange(n, dtype=np.int64)
        moves += kernels.local_search_day(packed.data, state, day, work, n, 10, np.empty(width, np.int64),
                                          np.empty(width, np.int64), np.zeros(n, bool), touched)[0]
    assert float(state.r_cost.sum()) <= before + 1e-9
    assert (moves > 0) == bool(touched.any())
    again = packed.unpack(state)
    assert again.check() == []
    if consistent:  # visits never change owner
        assert all(len({inst.vehicles[v].owner for v in again.task_vehicles[t]}) == 1 for t in range(n))


@pytest.mark.parametrize("consistent", [True, False])
def test_lns_keeps_solutions_feasible_and_never_loses_visits(consistent):
    inst = line_instance(consistent=consistent, windows=True)
    sol = Solution(inst)
    Recreate(sol, Objective.of(inst), np.arange(inst.num_tasks)).run()
    start = Objective.of(inst)(sol)
    run = LNS(inst, seed=3, params=SearchParams(polish_share=0.0)).run(sol, 1.0)
    best = run.solution
    assert run.iterations > 0
    assert best.check() == []
    assert best.missing_visits() == 0
    assert Objective.of(inst)(best) <= start + 1e-6


def test_pyvrp_polish_keeps_the_same_visits():
    inst = line_instance(consistent=False)
    sol = Solution(inst)
    Recreate(sol, Objective.of(inst), np.arange(inst.num_tasks)).run(mode="order")
    visits = sorted(t for r in sol.routes for t in r)
    day0 = [v for v in range(inst.num_vehicles) if inst.vehicles[v].day == 0]
    before = sol.routing_cost()
    polish(sol, day0, iterations=500, seconds=2.0)
    assert sorted(t for r in sol.routes for t in r) == visits
    assert sol.routing_cost() <= before + 1e-9
    assert sol.check() == []


def test_split_and_merge_round_trip():
    inst = line_instance()
    separate = Instance(num_days=inst.num_days, num_owners=2, dist=inst.dist, time=inst.time,
                        vehicles=inst.vehicles,
                        tasks=tuple(Task(node=t.node, service=t.service, demand=t.demand, patterns=t.patterns,
                                         owners=(i % 2,)) for i, t in enumerate(inst.tasks)),
                        consistent=True)
    parts = split(separate)
    assert len(parts) == 2
    solutions = []
    for part in parts:
        sol = Solution(part.instance)
        Recreate(sol, Objective.of(part.instance), np.arange(part.instance.num_tasks)).run()
        solutions.append(sol)
    whole = merge(separate, parts, solutions)
    assert whole.check() == []
    assert whole.missing_visits() == 0


def test_search_returns_a_complete_consistent_solution():
    inst = line_instance()
    params = SearchParams(polish_share=0.5)
    first = solve(inst, time_limit=1.0, seed=5, params=params)
    assert first.solution.check() == []
    assert first.solution.missing_visits() == 0


@pytest.mark.skipif(not PVRP.exists(), reason="benchmark instances not present")
def test_cordeau_instance_solves_feasibly():
    inst = cordeau_instance(read_instance(PVRP / "p03.txt"))
    result = solve(inst, time_limit=3.0, seed=1)
    assert result.solution.missing_visits() == 0
    assert result.solution.check() == []
