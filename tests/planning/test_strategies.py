"""Districting strategies: who may serve whom."""

import itertools

import numpy as np
import pytest

from routeplan import MaxIterations, ProblemBuilder, StrategyError, plan
from routeplan.planning.capacity import CarryModel
from routeplan.planning.formulate import formulate, formulate_strategy
from routeplan.planning.strategies import (
    STRATEGIES,
    business_type_groups,
    dhondt,
    region_groups,
    value_groups,
)
from routeplan.solver.workload import task_workload


def workload(problem):
    return task_workload(formulate(problem).instance)


def city(districts=("N", "S", "E"), managers=4, per_district=12):
    b = ProblemBuilder(name="city", days=["Mon", "Tue", "Wed", "Thu", "Fri"])
    b.set_depot(119.13, 36.71)
    b.add_tier("big", visits=2, min_gap=2, service_min=15, roles=["A"])
    b.add_tier("shop", visits=1, service_min=10, roles=["C"])
    b.add_manager("A1", role="A")
    for k in range(managers - 1):
        b.add_manager(f"C{k + 1}", role="C")
    rng = np.random.default_rng(0)
    centres = {"N": (119.13, 36.74), "S": (119.13, 36.68), "E": (119.17, 36.71), "W": (119.09, 36.71)}
    i = 0
    for d in districts:
        lon, lat = centres[d]
        for k in range(per_district):
            tier = "big" if k % 4 == 0 else "shop"
            b.add_customer(f"X{i}", lon=lon + rng.normal(0, 0.005), lat=lat + rng.normal(0, 0.005), tier=tier,
                           district=d, business_type="mall" if tier == "big" else ("kiosk" if k % 2 else "bar"),
                           value=float(1000 * (k + 1)), current_manager="A1" if d == "N" else "C1")
            i += 1
    return b.build()


def test_dhondt_gives_everyone_a_seat_and_the_rest_by_weight():
    assert dhondt(np.array([10.0, 1.0, 1.0]), 5).tolist() == [3, 1, 1]
    assert dhondt(np.array([1.0, 1.0]), 2).tolist() == [1, 1]


def test_region_keeps_districts_whole_unless_a_manager_cannot_carry_one():
    problem = city()
    groups = region_groups(problem, workload(problem))
    by_district = {}
    for c, g in zip(problem.customers, groups, strict=True):
        by_district.setdefault(c.district, set()).add(g)
    assert all(len(gs) == 1 for gs in by_district.values()), "one manager group per district"
    sizes = sorted(len(next(iter(gs))) for gs in by_district.values())
    assert sizes == [1, 1, 2]  # 4 managers, 3 districts: one district is shared
    # every manager has a district
    assert set().union(*[set(g) for g in groups]) == {0, 1, 2, 3}


def test_region_joins_districts_when_managers_are_few():
    problem = city(districts=("N", "S", "E", "W"), managers=2)
    groups = region_groups(problem, workload(problem))
    assert set(groups) == {(0,), (1,)}


def test_region_needs_districts():
    b = ProblemBuilder(name="x", days=["Mon"])
    b.set_depot(119.1, 36.7)
    b.add_tier("t", visits=1, service_min=5, roles=["A"])
    b.add_manager("A1", role="A")
    b.add_customer("c", lon=119.1, lat=36.7, tier="t")
    with pytest.raises(StrategyError, match="region strategy needs districts"):
        region_groups(b.build(), np.ones(1))


def test_business_types_go_to_managers_as_a_whole():
    problem = city()
    work = workload(problem)
    groups = business_type_groups(problem, work)
    by_type: dict[str, set[tuple[int, ...]]] = {}
    type_work: dict[str, float] = {}
    for c, g, w in zip(problem.customers, groups, work, strict=True):
        by_type.setdefault(c.business_type, set()).add(g)
        type_work[c.business_type] = type_work.get(c.business_type, 0.0) + float(w)
    assert sorted(by_type) == ["bar", "kiosk", "mall"]  # three types to share out, not one
    assert all(len(gs) == 1 for gs in by_type.values()), "each type goes to one group of managers"
    owners = [next(iter(gs)) for gs in by_type.values()]
    every = [m for group in owners for m in group]
    assert len(every) == len(set(every)), "a manager specialises in one type: the groups do not overlap"
    assert sorted(every) == [0, 1, 2, 3], "every manager has a type"
    biggest = max(type_work, key=type_work.__getitem__)
    assert len(next(iter(by_type[biggest]))) == max(len(g) for g in owners) > 1  # the most work, most managers


def test_value_bands_are_contiguous_in_value():
    problem = city()
    groups = value_groups(problem, workload(problem))
    bands = {}
    for c, g in zip(problem.customers, groups, strict=True):
        bands.setdefault(g, []).append(c.value)
    ranges = sorted((min(v), max(v)) for v in bands.values())
    for (_, hi1), (lo2, _) in itertools.pairwise(ranges):
        assert hi1 <= lo2


def test_locks_survive_every_strategy():
    b = ProblemBuilder(name="lock", days=["Mon", "Tue"])
    b.set_depot(119.13, 36.71)
    b.add_tier("shop", visits=1, service_min=10, roles=["C"])
    b.add_manager("C1", role="C")
    b.add_manager("C2", role="C")
    for i in range(6):
        b.add_customer(f"S{i}", lon=119.13 + 0.01 * i, lat=36.71, tier="shop", district="D", value=float(i),
                       business_type="kiosk", locked_manager="C2" if i == 0 else None)
    problem = b.build()
    for name in STRATEGIES:
        form = formulate_strategy(problem, name)
        assert form.eligible[0] == (1,)


@pytest.mark.parametrize(("strategy", "figure", "expected"), [
    ("hybrid", "specialty share", 1.0),  # roles as given: every visit by a manager of the tier's role
    ("region", "district crossings", 0),  # each manager within one district
    ("business-type", "most business types of one manager", 1),
    ("value", "overlapping value bands", 0),  # each manager's customers are one band of values
])
def test_every_strategy_gives_a_valid_plan(strategy, figure, expected):
    problem = city()
    result = plan(problem, strategy=strategy, time_limit=2, seed=1)
    assert result.strategy == strategy
    assert result.visits_planned() == result.visits_required()
    # Every visit is made by a manager the strategy allows for that customer.
    customers = {c.customer_id: c for c in problem.customers}
    allowed = dict(zip(customers, formulate_strategy(problem, strategy).eligible, strict=True))
    index = {m.manager_id: i for i, m in enumerate(problem.managers)}
    assert all(index[route.manager_id] in allowed[stop.customer_id] for route, stop in result.visits())
    served: dict[str, set[str]] = {}
    for route, stop in result.visits():
        served.setdefault(route.manager_id, set()).add(stop.customer_id)
    assert len(served) > 1
    bands = sorted((min(customers[c].value for c in cs), max(customers[c].value for c in cs)) for cs in served.values())
    summary = result.summary()
    assert 0.0 <= summary["specialty_share"] <= 1.0
    figures = {
        "specialty share": summary["specialty_share"],
        "district crossings": summary["district_crossings"],
        "most business types of one manager": max(len({customers[c].business_type for c in cs})
                                                  for cs in served.values()),
        "overlapping value bands": sum(1 for (_, hi), (lo, _) in itertools.pairwise(bands) if hi > lo),
    }
    assert figures[figure] == expected


def shift_city():
    """Three districts; the afternoon manager E1 was the manager of district N, whose shops
    close at 17:30 (30 shops of 45 min: more than its afternoons can carry), while C1 and C2 have room in S and W."""
    b = ProblemBuilder(name="shifts", days=["Mon", "Tue", "Wed", "Thu", "Fri"])
    b.set_depot(119.13, 36.71)
    b.add_tier("shop", visits=1, service_min=45, window=("08:30", "17:30"), roles=["C"])
    b.add_tier("bar", visits=1, service_min=20, window=("15:00", "21:00"), roles=["E"])
    b.add_manager("C1", role="C")
    b.add_manager("C2", role="C")
    b.add_manager("E1", role="E", shift_start="14:00", shift_end="21:30")
    rng = np.random.default_rng(3)
    centres = {"N": (119.13, 36.74), "S": (119.13, 36.68), "W": (119.09, 36.71)}
    owner = {"N": "E1", "S": "C1", "W": "C2"}
    i = 0
    for d, shops in (("N", 30), ("S", 8), ("W", 8)):
        lon, lat = centres[d]
        for k in range(shops + 3):
            b.add_customer(f"X{i}", lon=lon + rng.normal(0, 0.004), lat=lat + rng.normal(0, 0.004),
                           tier="shop" if k < shops else "bar", district=d, business_type="kiosk",
                           value=float(100 * i), current_manager=owner[d])
            i += 1
    return b.build()


def carried_short(problem, eligible):
    work = workload(problem)
    carry = CarryModel.of(problem, work)
    return carry.shortfall(list(eligible), carry.span, carry.work).sum()


@pytest.mark.parametrize("strategy", ["region", "business-type", "value"])
def test_role_blind_strategies_hand_out_what_shifts_can_carry(strategy):
    problem = shift_city()
    groups = {"region": region_groups, "business-type": business_type_groups, "value": value_groups}[strategy]
    form = formulate_strategy(problem, strategy)
    assert carried_short(problem, form.eligible) == 0
    if strategy == "region":
        # Handed out on working time alone, E1 keeps N and falls short; mended, it does not.
        assert carried_short(problem, groups(problem, workload(problem))) > 0
        e1 = 2
        assert not any(e1 in allowed for c, allowed in zip(problem.customers, form.eligible, strict=True)
                       if c.district == "N" and c.tier == "shop" and allowed == (e1,))
    result = plan(problem, strategy=strategy, stop=MaxIterations(3000), seed=1)
    assert result.visits_planned() == result.visits_required()
