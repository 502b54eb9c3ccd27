"""Breaks in the route timing: the two-clock walk and the constant-time gap check against trying
every place the break may go, and the timetable's break inside its rules."""

from dataclasses import replace

import numpy as np
import pytest
from builders import Built, random_instance

from routeplan.solver.kernels.insertion import fits_with_rest
from routeplan.solver.kernels.timing import forward, schedule, timetable_rest

EPS = 1e-9


def with_breaks(inst, rng):
    """``inst`` with a break in every vehicle's day: a random window inside the shift."""
    vehicles = []
    for veh in inst.vehicles:
        early = float(rng.uniform(0.0, 600.0))
        vehicles.append(replace(veh, break_earliest=early, break_latest=early + float(rng.uniform(0.0, 200.0)),
                                break_length=float(rng.uniform(20.0, 150.0))))
    return replace(inst, vehicles=tuple(vehicles))


def fits_with_break_at(inst, v, seq, place):
    """Whether ``seq`` fits vehicle ``v`` with its break at ``place`` (0: before leaving, k: after
    the k-th visit, len + 1: after the return), walked in plain Python at the earliest times."""
    veh = inst.vehicles[v]
    t, node = veh.earliest, veh.start

    def rest(clock):
        begin = max(clock, veh.break_earliest)
        return begin + veh.break_length if begin <= veh.break_latest + EPS else None

    if place == 0:
        t = rest(t)
        if t is None:
            return False
    for k, task in enumerate(inst.tasks[i] for i in seq):
        t = max(t + inst.time[node, task.node], task.earliest)
        if t > task.latest + EPS:
            return False
        t += task.service
        node = task.node
        if place == k + 1:
            t = rest(t)
            if t is None:
                return False
    t += inst.time[node, veh.end]
    if place == len(seq) + 1:
        t = rest(t)
        if t is None:
            return False
    return t <= veh.latest + EPS


def feasible_reference(inst, v, seq):
    veh = inst.vehicles[v]
    load = sum(inst.tasks[i].demand for i in seq)
    if len(seq) > veh.max_stops or load > veh.capacity + EPS:
        return False
    return any(fits_with_break_at(inst, v, seq, place) for place in range(len(seq) + 2))


@pytest.mark.parametrize("seed", range(12))
def test_a_route_with_a_break_is_feasible_when_the_break_fits_somewhere(seed):
    rng = np.random.default_rng(seed)
    inst = with_breaks(random_instance(seed, windows=True), rng)
    built = Built(inst)
    scratch = np.empty(inst.num_tasks + 2)
    outcomes = set()
    for _ in range(60):
        v = int(rng.integers(inst.num_vehicles))
        seq = rng.permutation(inst.num_tasks)[:int(rng.integers(0, 10))].astype(np.int64)
        expected = feasible_reference(inst, v, seq)
        ok = forward(built.d, v, seq, len(seq), scratch, False)[0]
        assert ok == expected, (v, list(seq))
        assert forward(built.d, v, seq, len(seq), scratch, True)[0] == expected
        outcomes.add(expected)
    assert outcomes == {True, False}  # the draws meet both kinds of routes


@pytest.mark.parametrize("seed", range(12))
def test_the_constant_time_gap_check_agrees_with_walking_the_route(seed):
    rng = np.random.default_rng(100 + seed)
    inst = with_breaks(random_instance(seed, windows=True), rng)
    built = Built(inst)
    scratch = np.empty(inst.num_tasks + 2)
    checked = set()
    for _ in range(40):
        v = int(rng.integers(inst.num_vehicles))
        order = rng.permutation(inst.num_tasks)
        seq = order[:int(rng.integers(0, 8))].astype(np.int64)
        if not forward(built.d, v, seq, len(seq), scratch, False)[0]:
            continue
        n = len(seq)
        built.state.route[v, :n] = seq
        built.state.length[v] = n
        assert schedule(built.d, built.s, v)
        x = int(order[-1])
        task = inst.tasks[x]
        prev = inst.vehicles[v].start
        for i in range(n + 1):
            nxt = inst.vehicles[v].end if i == n else inst.tasks[int(seq[i])].node
            fits = fits_with_rest(built.d, built.s, v, i, inst.time[prev, task.node], inst.time[task.node, nxt],
                                  task.earliest, task.latest, task.service)
            trial = np.insert(seq, i, x).astype(np.int64)
            assert fits == any(fits_with_break_at(inst, v, trial, p) for p in range(n + 3)), (v, list(seq), x, i)
            checked.add(fits)
            prev = nxt
        built.state.length[v] = 0
        assert schedule(built.d, built.s, v)
    assert checked == {True, False}


@pytest.mark.parametrize("seed", range(8))
def test_the_timetable_takes_the_break_in_its_window_between_visits(seed):
    rng = np.random.default_rng(200 + seed)
    inst = with_breaks(random_instance(seed, windows=True), rng)
    built = Built(inst)
    scratch = np.empty(inst.num_tasks + 2)
    timed = 0
    for _ in range(60):
        v = int(rng.integers(inst.num_vehicles))
        seq = rng.permutation(inst.num_tasks)[:int(rng.integers(1, 10))].astype(np.int64)
        if not forward(built.d, v, seq, len(seq), scratch, False)[0]:
            continue
        n = len(seq)
        arrival, start, end = np.empty(n), np.empty(n), np.empty(n)
        ok, depart, back, rest = timetable_rest(built.d, v, seq, n, arrival, start, end)
        veh = inst.vehicles[v]
        assert ok
        assert veh.break_earliest - EPS <= rest <= veh.break_latest + EPS
        assert rest >= veh.earliest - EPS
        assert rest + veh.break_length <= veh.latest + EPS
        assert depart >= veh.earliest - EPS
        clock, node = depart, veh.start
        for k in range(n):
            task = inst.tasks[int(seq[k])]
            # Never during a visit; and a break between the previous stop and this one delays it.
            assert end[k] <= rest + EPS or start[k] >= rest + veh.break_length - EPS
            leg = inst.time[node, task.node]
            after = rest + veh.break_length + leg if clock - EPS <= rest < arrival[k] else clock + leg
            assert arrival[k] >= max(clock + leg, after) - EPS
            assert task.earliest - EPS <= start[k] <= task.latest + EPS
            clock, node = end[k], task.node
        assert back <= veh.latest + EPS
        timed += 1
    assert timed > 5
