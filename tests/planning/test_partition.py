"""Bounded parts of a large problem, and plans made part by part (here, in processes, on Dask)."""

import math
from concurrent.futures import Executor, Future, ProcessPoolExecutor

import numpy as np
import pytest

from routeplan import ArgumentError, MaxIterations, plan
from routeplan.planner import PlanParams, plan_within
from routeplan.planning.context import PlanningContext
from routeplan.planning.partition import partition
from routeplan.planning.strategies import strategy_eligibility
from routeplan.planning.workload import customer_work
from routeplan.synthetic import TownLayout, random_problem


def rows(result):
    return {name: (header, [list(map(str, r)) for r in body]) for name, (header, body) in result.tables().items()}


@pytest.fixture(scope="module")
def city():
    return random_problem(4, customers=900)


def test_a_problem_within_the_bound_is_one_part(city):
    (whole,) = partition(PlanningContext.of(city), max_customers=city.num_customers)
    assert whole.problem is city


def test_parts_are_bounded_and_every_customer_can_be_served_in_its_part(city):
    eligible = strategy_eligibility(city, "hybrid")
    parts = partition(PlanningContext.of(city), max_customers=250)
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
    parts = partition(PlanningContext.of(city), max_customers=250)
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
                         params=PlanParams(part_customers=250))
    assert result.run.parts > 3
    assert result.visits_planned() == result.visits_required()
    assert result.balance_groups() == [list(g) for g in city.balance_groups()]


def test_workers_give_the_same_plan(city):
    alone = plan_within(city, strategy="hybrid", time_limit=None, stop=MaxIterations(2000), seed=5,
                        params=PlanParams(part_customers=250))
    with ProcessPoolExecutor(max_workers=2) as pool:
        two = plan_within(city, strategy="hybrid", time_limit=None, stop=MaxIterations(2000), seed=5,
                          params=PlanParams(part_customers=250), executor=pool)
    assert rows(two) == rows(alone)


def test_a_dask_cluster_gives_the_same_plan(city):
    distributed = pytest.importorskip("dask.distributed")
    alone = plan_within(city, strategy="hybrid", time_limit=None, stop=MaxIterations(1000), seed=7,
                        params=PlanParams(part_customers=300))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        remote = plan_within(city, strategy="hybrid", time_limit=None, stop=MaxIterations(1000), seed=7,
                             params=PlanParams(part_customers=300), executor=client)
    assert rows(remote) == rows(alone)
    # The workers load the kernels this process compiled from numba's cache (compiling anew takes
    # half a minute or more).
    assert remote.run.worker_startup_seconds < 15


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
                         params=PlanParams(part_customers=250), executor=recorder)
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
    plan_within(city, strategy="hybrid", time_limit=None, stop=MaxIterations(1000), seed=1,
                params=PlanParams(part_customers=250), progress=reports.append)
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
    province = random_problem(2, customers=3000, layout=TownLayout(towns=25, spread_km=40.0, homes_in_towns=True))
    homes = {(m.start.lon, m.start.lat) for m in province.managers}
    assert len(homes) > 10  # not all at the depot
    assert all(m.start == m.end for m in province.managers)
    town = random_problem(2, customers=3000)
    assert {(m.start.lon, m.start.lat) for m in town.managers} == {(town.depot.lon, town.depot.lat)}


def test_the_clock_is_shared_by_the_workers_an_executor_has():
    import os

    from routeplan.planning.fan_out import Pool, as_pool

    with ProcessPoolExecutor(max_workers=3) as pool:
        assert as_pool(Pool(pool, 3)).lanes == 3  # as the command line says, which knows
        assert as_pool(pool).lanes == os.cpu_count()  # an executor does not say publicly
    assert as_pool(None) is None
    with pytest.raises(ArgumentError, match="expected a concurrent"):
        as_pool(object())


def test_a_province_is_cut_between_its_towns_with_the_managers_living_there():
    """Managers live in the towns: a part holds whole towns with their managers, never a town
    whose managers sit in another part (they would ride for hours, the town left short)."""
    from routeplan.model.travel import local_xy_km
    from routeplan.planning.partition import settlements

    province = random_problem(2, customers=3000, layout=TownLayout(towns=12, spread_km=50.0, homes_in_towns=True))
    parts = partition(PlanningContext.of(province), max_customers=800)
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


@pytest.fixture(scope="module")
def overlapping_city():
    """C managers serve medium and small shops, D managers only small ones (random_city)."""
    from routeplan.synthetic import random_city

    return random_city(2, customers=3000)


def test_parts_get_the_kinds_of_manager_their_customers_need(overlapping_city):
    """A D manager counts only for small-shop work: every part of the C+D group can share its
    work evenly over its C and D managers, and carries about its group's load."""
    from routeplan.planning.partition import part_loads

    city = overlapping_city
    context = PlanningContext.of(city)
    parts = partition(context, max_customers=700)
    mixed = [k for k, p in enumerate(parts) if {m.role for m in p.problem.managers} == {"C", "D"}]
    assert len(mixed) >= 3
    loads = part_loads(context, parts)
    for k in mixed:
        assert abs(loads[k].deviation) < 0.03, loads[k]
        assert loads[k].spread < 0.03, loads[k]


def test_the_old_cut_by_home_alone_left_parts_that_could_not_share_their_work(overlapping_city, monkeypatch):
    """Guard of the test above: handing out managers by home only (as before kinds) leaves some
    part whose work cannot be spread over its managers within the tolerance."""
    from routeplan.planning import partition as cut
    from routeplan.planning.partition import part_loads

    city = overlapping_city
    context = PlanningContext.of(city)
    monkeypatch.setattr(cut, "rebalance", lambda cut_, members, groups, region_of, band: region_of)
    monkeypatch.setattr(cut._Cut, "_counts", lambda self, low, high, by_kind, counts, load: counts)
    monkeypatch.setattr(cut, "_apportion_counts", _first_by_index)
    loads = part_loads(context, partition(context, max_customers=700))
    assert max(load.spread for load in loads) > 0.1


def _first_by_index(sizes, share):
    """The managers of the low side taken in index order, kinds ignored (C before D)."""
    total = sum(sizes.values())
    wanted = max(1, min(total - 1, round(total * share)))
    counts = {}
    for k in sorted(sizes):
        counts[k] = min(sizes[k], wanted)
        wanted -= counts[k]
    return counts


def test_rebalancing_moves_work_to_the_part_that_lacks_it(overlapping_city):
    """Regions whose loads differ are evened out before solving by moving border customers."""
    from routeplan.planning import partition as cut
    from routeplan.planning.loads import kinds

    city = overlapping_city
    eligible = strategy_eligibility(city, "hybrid")
    work = customer_work(city)
    points, homes = cut._places(city)
    weight = cut.estimated_work(city, work)
    model = kinds(eligible, range(city.num_managers))
    shape = cut._Cut(points=points, homes=homes, work=weight,
                     capacity=np.array([m.available_min for m in city.managers], dtype=float),
                     settlement=np.zeros(city.num_customers, dtype=np.int64), max_customers=city.num_customers,
                     customer_class=model.customer_class, class_weight=weight, manager_kind=model.manager_kind,
                     serves=model.serves, class_pinned=np.array([len(c) <= 1 for c in model.classes]))
    cd = [i for i, m in enumerate(city.managers) if m.role in ("C", "D")]
    mine = np.array([i for i, c in enumerate(city.customers) if c.tier in ("medium", "small") and not c.locked_manager])
    west = mine[points[mine, 0] < np.quantile(points[mine, 0], 0.7)]  # 70% of the work, half the managers
    region_of = np.full(city.num_customers, -1, dtype=np.int64)
    region_of[mine] = 1
    region_of[west] = 0
    members = [np.array(cd[: len(cd) // 2]), np.array(cd[len(cd) // 2:])]

    def loads(regions):
        return [weight[regions == r].sum() / shape.capacity[members[r]].sum() for r in (0, 1)]

    before = loads(region_of)
    after = loads(cut.rebalance(shape, members, [0, 0], region_of, band=0.02))
    assert before[0] / before[1] > 1.5
    assert abs(after[0] / after[1] - 1.0) < 0.1


@pytest.mark.slow
def test_a_time_limit_gives_the_same_plan_serially_with_workers_and_on_dask(city, monkeypatch):
    """On an idle machine the budget, not the clock, ends every part's search: the same files
    whatever runs the parts. (A quarter of the reference rate, so that a busy CI machine is idle
    enough: a clock well behind the budget neither ends nor paces a search.)"""
    distributed = pytest.importorskip("dask.distributed")
    monkeypatch.setenv("ROUTEPLAN_WORK_RATE", "0.25")
    serial = plan_within(city, strategy="hybrid", time_limit=8, seed=7, params=PlanParams(part_customers=300))
    with ProcessPoolExecutor(max_workers=2) as pool:
        workers = plan_within(city, strategy="hybrid", time_limit=8, seed=7, params=PlanParams(part_customers=300),
                              executor=pool)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        remote = plan_within(city, strategy="hybrid", time_limit=8, seed=7, params=PlanParams(part_customers=300),
                             executor=client)
    assert [p.run.stopped_by for p in (serial, workers, remote)] == ["budget"] * 3
    assert rows(workers) == rows(serial)
    assert rows(remote) == rows(serial)
    assert serial.run.work_rate["factor"] == 0.25


def test_a_workers_start_up_is_not_counted_in_its_parts_clock(city, monkeypatch):
    """A task's clock starts with its own search: a worker that loads its kernels for a while
    (or receives the task late) still spends the task's budget."""
    import time

    from routeplan.planning import fan_out
    from routeplan.solver.lns import SearchParams
    from routeplan.solver.stop import MaxWork

    def slow_start():
        time.sleep(1.0)
        return 1.0

    monkeypatch.setattr(fan_out, "warm_up_planner", slow_start)
    part = partition(PlanningContext.of(city), max_customers=250)[0]
    task = fan_out.PartTask(context=part.context, stop=MaxWork(2e7), deadline=time.time() + 60.0, seconds=0.8, seed=1,
                            params=SearchParams())
    outcome = fan_out.solve_part(task)
    assert outcome.startup == pytest.approx(1.0)
    assert outcome.stopped_by == "budget"
