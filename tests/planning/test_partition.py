"""Bounded parts of a large problem, and plans made part by part (here, in processes, on Dask)."""

import math
from concurrent.futures import Executor, Future, ProcessPoolExecutor

import numpy as np
import pytest

from routeplan import MaxIterations, plan
from routeplan.planner import plan_within
from routeplan.planning.formulate import customer_work
from routeplan.planning.partition import partition
from routeplan.planning.strategies import strategy_eligibility
from routeplan.synthetic import random_problem


def rows(result):
    return {name: (header, [list(map(str, r)) for r in body]) for name, (header, body) in result.tables().items()}


@pytest.fixture(scope="module")
def city():
    return random_problem(4, customers=900)


def test_a_problem_within_the_bound_is_one_part(city):
    eligible = strategy_eligibility(city, "hybrid")
    (whole,) = partition(city, eligible, customer_work(city), max_customers=city.num_customers)
    assert whole.problem is city


def test_parts_are_bounded_and_every_customer_can_be_served_in_its_part(city):
    eligible = strategy_eligibility(city, "hybrid")
    parts = partition(city, eligible, customer_work(city), max_customers=250)
    assert len(parts) > 3
    customers = np.concatenate([p.customers for p in parts])
    managers = np.concatenate([p.managers for p in parts])
    assert sorted(customers.tolist()) == list(range(city.num_customers))  # each customer in one part
    assert sorted(managers.tolist()) == list(range(city.num_managers))  # each manager in one part
    for part in parts:
        assert part.problem.num_customers <= 250 * 1.2  # moved locks and strays aside
        mine = set(part.managers.tolist())
        for c in part.customers:
            assert set(eligible[c]) & mine, city.customers[c].customer_id
        ids = {m.manager_id for m in part.problem.managers}
        assert all(c.locked_manager in ids for c in part.problem.customers if c.locked_manager)


def test_regions_are_compact(city):
    """Cut across the longer side: each region's customers lie closer to their own centre than
    the group's customers to theirs."""
    eligible = strategy_eligibility(city, "hybrid")
    parts = partition(city, eligible, customer_work(city), max_customers=250)
    xy = np.array([(c.lon, c.lat) for c in city.customers])
    # The regular and basic tiers' managers (roles R and S) form the one group large enough to cut.
    siblings = [p for p in parts if {m.role for m in p.problem.managers} <= {"R", "S"}]
    assert len(siblings) > 1
    whole = np.concatenate([p.customers for p in siblings])
    spread = np.linalg.norm(xy[whole] - xy[whole].mean(axis=0), axis=1).mean()
    for p in siblings:
        assert np.linalg.norm(xy[p.customers] - xy[p.customers].mean(axis=0), axis=1).mean() < spread


def test_a_plan_made_in_parts_is_valid_and_serves_every_visit(city):
    result = plan_within(city, strategy="hybrid", time_limit=None, stop=MaxIterations(4000), seed=3,
                         max_part_customers=250)
    assert result.extra["parts"] > 3
    assert result.is_valid()
    assert result.visits_planned() == result.visits_required()
    assert result.balance_groups() == [list(g) for g in city.balance_groups()]


def test_workers_give_the_same_plan(city):
    alone = plan_within(city, strategy="hybrid", time_limit=None, stop=MaxIterations(2000), seed=5,
                        max_part_customers=250)
    with ProcessPoolExecutor(max_workers=2) as pool:
        two = plan_within(city, strategy="hybrid", time_limit=None, stop=MaxIterations(2000), seed=5,
                          max_part_customers=250, executor=pool)
    assert rows(two) == rows(alone)


def test_a_dask_cluster_gives_the_same_plan(city):
    distributed = pytest.importorskip("dask.distributed")
    alone = plan_within(city, strategy="hybrid", time_limit=None, stop=MaxIterations(1000), seed=7,
                        max_part_customers=300)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        remote = plan_within(city, strategy="hybrid", time_limit=None, stop=MaxIterations(1000), seed=7,
                             max_part_customers=300, executor=client)
    assert rows(remote) == rows(alone)
    # The workers load the kernels this process compiled from numba's cache (compiling anew takes
    # half a minute or more).
    assert remote.extra["worker_startup_seconds"] < 15


class RecordingExecutor(Executor):
    """Runs each task here, keeping what it was given."""

    def __init__(self):
        self.tasks = []

    def submit(self, fn, /, *args, **kwargs):
        self.tasks.extend(args)
        future = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def test_border_pairs_balance_around_the_whole_groups_utilisation(city):
    """A pair of parts evens its managers around the mean of their whole group (each part
    around its own would let the parts' means drift apart beyond the tolerance)."""
    recorder = RecordingExecutor()
    result = plan_within(city, strategy="hybrid", time_limit=None, stop=MaxIterations(1000), seed=2,
                         max_part_customers=250, executor=recorder)
    first = [t for t in recorder.tasks if not t.start_from]
    border = [t for t in recorder.tasks if t.start_from]
    assert first
    assert border
    assert all(t.aim_utilisation == 0.0 for t in first)
    assert all(0.0 < t.aim_utilisation < 1.0 for t in border)
    # The aim is the group's utilisation in the plan so far: between its parts' extremes.
    report = result.balance()
    means = [g.mean_utilisation for g in report.groups]
    assert min(t.aim_utilisation for t in border) > 0.5 * min(means)
    assert max(t.aim_utilisation for t in border) < 1.5 * max(means)


def test_an_executor_must_be_one():
    from routeplan import ArgumentError

    with pytest.raises(ArgumentError, match="executor"):
        plan(random_problem(1, customers=40), stop=MaxIterations(10), executor=object())


def test_progress_counts_parts_and_border_pairs(city):
    reports = []
    plan_within(city, strategy="hybrid", time_limit=None, stop=MaxIterations(1000), seed=1, max_part_customers=250,
                progress=reports.append)
    assert reports, "a long run reports its progress"
    last = reports[-1]
    assert last.parts > 4  # the parts and the border pairs
    assert last.parts_done == last.parts
    assert [r.parts_done for r in reports] == sorted(r.parts_done for r in reports)


def test_a_large_problem_is_diagnosed_part_by_part(city):
    from routeplan.planner import diagnose_problem

    whole = diagnose_problem(city)
    in_parts = diagnose_problem(city, max_part_customers=250)
    assert not whole.unservable
    assert not in_parts.unservable
    assert len(in_parts.capacity) > len(whole.capacity)  # one check per part
    assert sum(c.service_min for c in in_parts.capacity) == pytest.approx(sum(c.service_min for c in whole.capacity))


def test_a_province_has_managers_living_in_its_towns():
    province = random_problem(2, customers=3000, towns=25, spread_km=40.0, homes_in_towns=True)
    homes = {(m.start.lon, m.start.lat) for m in province.managers}
    assert len(homes) > 10  # not all at the depot
    assert all(m.start == m.end for m in province.managers)
    town = random_problem(2, customers=3000)
    assert {(m.start.lon, m.start.lat) for m in town.managers} == {(town.depot.lon, town.depot.lat)}


def test_the_clock_is_shared_by_the_workers_an_executor_has():
    from routeplan.planning.fan_out import worker_count

    with ProcessPoolExecutor(max_workers=3) as pool:
        assert worker_count(pool) == 3


def test_a_province_is_cut_between_its_towns_with_the_managers_living_there():
    """Managers live in the towns: a part holds whole towns with their managers, never a town
    whose managers sit in another part (they would ride for hours, the town left short)."""
    from routeplan.model.travel import local_xy_km
    from routeplan.planning.partition import settlements

    province = random_problem(2, customers=3000, towns=12, spread_km=50.0, homes_in_towns=True)
    eligible = strategy_eligibility(province, "hybrid")
    parts = partition(province, eligible, customer_work(province), max_customers=800)
    xy = local_xy_km([c.lon for c in province.customers] + [m.start.lon for m in province.managers],
                     [c.lat for c in province.customers] + [m.start.lat for m in province.managers])
    points, homes = xy[:province.num_customers], xy[province.num_customers:]
    town = settlements(points)
    assert len(np.unique(town)) > 8
    home_town = town[np.argmin(np.linalg.norm(points[None, :, :] - homes[:, None, :], axis=2), axis=1)]
    strays = 0
    for part in parts:
        towns_here = set(town[part.customers].tolist())
        strays += sum(int(home_town[m]) not in towns_here for m in part.managers)
    assert strays == 0
    assert max(p.problem.num_customers for p in parts) <= 800 * 1.3
    # Towns that carry their own work are planned apart even where size does not call for it.
    assert len(parts) > math.ceil(province.num_customers / 800) + 4
