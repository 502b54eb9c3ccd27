"""Route timing, the one rule: against a plain reference, and against the independent validator."""

import math

import numpy as np
import pytest
from builders import Built, random_instance

from routeplan import ProblemBuilder, validate
from routeplan.planning.diagnose import unserved
from routeplan.planning.formulate import formulate
from routeplan.planning.schedule import build_routes
from routeplan.results.visit_plan import Plan
from routeplan.solver.arrays import data_ref, freeze
from routeplan.solver.kernels.timing import evaluate, forward, timetable
from routeplan.solver.result import EngineResult, TimedRoute


def reference(inst, v, seq):
    """The timing rules as the module docstring states them, in plain Python."""
    veh = inst.vehicles[v]
    t, node, feasible = veh.earliest, veh.start, len(seq) <= veh.max_stops
    cost = travel = service = load = 0.0
    for task in (inst.tasks[i] for i in seq):
        leg = inst.time[node, task.node]
        cost += inst.dist[node, task.node] * inst.distance_cost + leg * inst.time_cost
        travel += leg
        t = max(t + leg, task.earliest)
        feasible &= t <= task.latest + 1e-9
        t += task.service
        service += task.service
        load += task.demand
        node = task.node
    leg = inst.time[node, veh.end]
    cost += inst.dist[node, veh.end] * inst.distance_cost + leg * inst.time_cost
    travel += leg
    t += leg
    feasible &= t <= veh.latest + 1e-9 and load <= veh.capacity + 1e-9 and travel + service <= veh.max_duration
    return feasible, cost, t


@pytest.mark.parametrize("seed", range(20))
def test_forward_pass_and_evaluation_follow_the_rules(seed):
    inst = random_instance(seed, windows=True)
    built = Built(inst)
    rng = np.random.default_rng(seed)
    scratch = np.empty(inst.num_tasks + 2)
    for _ in range(30):
        v = int(rng.integers(inst.num_vehicles))
        seq = rng.permutation(inst.num_tasks)[:int(rng.integers(0, 12))].astype(np.int64)
        feasible, cost, back = reference(inst, v, seq)
        ok, c, _, _, _, t = forward(built.d, v, seq, len(seq), scratch, False)
        assert ok == feasible
        assert c == pytest.approx(cost)
        assert t == pytest.approx(back)
        ok, c = evaluate(built.d, v, seq, len(seq), scratch)
        assert ok == feasible
        if feasible:
            assert c == pytest.approx(cost)


@pytest.mark.parametrize("seed", range(10))
def test_timetable_waits_at_home_not_at_the_shops(seed):
    inst = random_instance(seed, windows=True)
    built = Built(inst)
    rng = np.random.default_rng(seed)
    for _ in range(20):
        v = int(rng.integers(inst.num_vehicles))
        seq = rng.permutation(inst.num_tasks)[:int(rng.integers(1, 8))].astype(np.int64)
        feasible, _, back = reference(inst, v, seq)
        if not feasible:
            continue
        n = len(seq)
        arrival, start, end = np.empty(n), np.empty(n), np.empty(n)
        ok, depart, returned = timetable(built.d, v, seq, n, arrival, start, end)
        assert ok
        assert returned == pytest.approx(back)  # the delay never makes the return later
        assert depart >= inst.vehicles[v].earliest
        assert depart == math.floor(depart)
        late = [inst.tasks[t].latest for t in seq]
        assert all(s <= lt + 1e-9 for s, lt in zip(start, late, strict=True))
        # Delaying by one more second would either shift the return or break a window.
        waits = start - arrival
        if waits.sum() >= 1.0:
            assert waits[0] < 1.0 or depart > inst.vehicles[v].earliest


def _problem(seed: int):
    rng = np.random.default_rng(seed)
    b = ProblemBuilder(name=f"timing{seed}", days=["Mon", "Tue"])
    b.set_depot(119.13, 36.71)
    b.add_tier("day", visits=1, service_min=20, window=("09:00", "16:00"), roles=["C"])
    b.add_tier("late", visits=1, service_min=15, window=("15:00", "18:00"), roles=["C"])
    b.add_manager("C1", role="C", shift_start="08:30", shift_end="17:30")
    b.add_manager("C2", role="C", shift_start="08:00", shift_end="12:30")
    for i in range(10):
        b.add_customer(f"S{i}", lon=119.13 + rng.uniform(-0.08, 0.08), lat=36.71 + rng.uniform(-0.08, 0.08),
                       tier="late" if i % 4 == 0 else "day")
    return b.build()


def test_timing_agrees_with_the_independent_validator():
    """Random routes, timed by the engine and written as a plan: the engine finds a route
    feasible exactly when the validator, which shares no code with it, finds no broken time."""
    verdicts = [v for seed in range(12) for v in _verdicts(seed)]
    assert True in verdicts, "some routes must be feasible for the test to mean anything"
    assert False in verdicts, "some routes must be infeasible for the test to mean anything"


def _verdicts(seed: int) -> list[bool]:
    problem = _problem(seed)
    form = formulate(problem)
    inst = form.instance
    d = data_ref(freeze(inst, neighbours=0))
    rng = np.random.default_rng(100 + seed)
    customers = rng.permutation(inst.num_tasks)
    cut = sorted(rng.choice(np.arange(1, inst.num_tasks), size=inst.num_vehicles - 1, replace=False))
    pieces = np.split(customers, cut)
    routes, verdicts, days = [], [], [()] * inst.num_tasks
    for v, piece in enumerate(pieces):
        seq = piece.astype(np.int64)
        n = len(seq)
        arrival, start, end = np.empty(n), np.empty(n), np.empty(n)
        ok, depart, back = timetable(d, v, seq, n, arrival, start, end)
        verdicts.append(bool(ok))
        routes.append(TimedRoute(vehicle=v, tasks=tuple(int(t) for t in seq), depart=float(depart),
                                 arrival=tuple(arrival), start=tuple(start), end=tuple(end), back=float(back)))
        for t in seq:
            days[int(t)] = (inst.vehicles[v].day,)
    result = EngineResult(routes=tuple(r for r in routes if r.tasks), owners=tuple([-1] * inst.num_tasks),
                          days=tuple(days), objective=0.0)
    plan = Plan(problem=problem, routes=build_routes(form, result), unserved=unserved(form, result))
    report = validate(problem, plan)
    timing_rules = {"window", "shift-start", "shift-end", "return", "travel-time", "start-before-arrival", "service"}
    assert report.rules <= timing_rules, str(report)
    for v, ok in enumerate(verdicts):
        if not routes[v].tasks:
            continue
        name = f"{problem.managers[int(form.vehicle_manager[v])].manager_id} on {problem.days[inst.vehicles[v].day]}"
        named = any(name in x.message for x in report.violations)
        assert ok != named, f"{name}: the engine says feasible={ok}; the validator says:\n{report}"
    return [ok for ok, r in zip(verdicts, routes, strict=True) if r.tasks]
