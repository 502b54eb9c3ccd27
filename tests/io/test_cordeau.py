"""Reading Cordeau PVRP instances and solutions, and checking solutions against the instance."""

import csv
import dataclasses
import math

import pytest

from routeplan.io.cordeau import (
    CordeauRoute,
    check_solution,
    decode_combination,
    read_instance,
    read_solution,
    route_figures,
    write_solution,
)
from routeplan.planning.pvrp import cordeau_instance, cordeau_routes

from conftest import PVRP

pytestmark = pytest.mark.skipif(not PVRP.is_dir(), reason=f"PVRP instances not found in {PVRP}")


def reference_costs() -> dict[str, float]:
    with (PVRP / "bks.csv").open(newline="") as f:
        return {r["instance"]: float(r["reference_solution_cost"]) for r in csv.DictReader(f)}


def reference(name: str):
    inst = read_instance(PVRP / f"{name}.txt")
    _, routes = read_solution(PVRP / f"{name}.res")
    return inst, routes


def test_decode_combination_reads_day_1_as_the_leftmost_bit():
    assert decode_combination(10, 5) == (1, 3)  # 01010: days 2 and 4
    assert decode_combination(16, 5) == (0,)
    assert decode_combination(31, 5) == (0, 1, 2, 3, 4)
    assert decode_combination(2, 2) == (0,)


def test_reads_p01_with_the_customer_on_the_depot():
    inst = read_instance(PVRP / "p01.txt")
    assert (inst.vehicles_per_day, inst.num_customers, inst.num_days) == (3, 51, 2)
    assert inst.capacity == (160.0, 160.0)
    assert inst.max_duration == (math.inf, math.inf)
    assert (inst.x[51], inst.y[51]) == (inst.x[0], inst.y[0])
    assert inst.demand[51] == 160
    assert inst.combinations[50] == ((0,),)  # only combination 2 = day 1
    assert inst.combinations[0] == ((1,), (0,))  # customer 1: codes 1 (day 2) and 2 (day 1)


def test_reads_p11_customer_with_zero_visits_as_one_visit():
    inst = read_instance(PVRP / "p11.txt")
    assert inst.num_customers == 139
    assert inst.combinations[130] == ((4,), (3,), (2,), (1,), (0,))
    engine = cordeau_instance(inst)
    assert engine.tasks[130].visits == 1


@pytest.mark.parametrize("name", ["p02", "pr01"])
def test_reference_solutions_pass_the_check_at_their_cost(name):
    inst, routes = reference(name)
    check = check_solution(inst, routes)
    assert check.feasible, check.problems
    assert check.visits_missing == 0
    assert check.problems == ()
    assert check.cost == pytest.approx(reference_costs()[name], abs=0.01)


def test_p01_reference_leaves_out_customer_51_and_is_reported_not_crashed():
    inst, routes = reference("p01")
    check = check_solution(inst, routes)
    assert check.cost == pytest.approx(reference_costs()["p01"], abs=0.01)
    assert not check.feasible
    assert check.visits_missing == 1
    assert len(check.problems) == 1
    assert "customer 51" in check.problems[0]
    # Serving it on a day-1 vehicle of its own makes the solution complete at no extra cost.
    used = {r.vehicle for r in routes if r.day == 0}
    spare = min(set(range(inst.vehicles_per_day)) - used)
    fixed = check_solution(inst, [*routes, CordeauRoute(day=0, vehicle=spare, customers=(51,))])
    assert fixed.feasible, fixed.problems
    assert fixed.cost == pytest.approx(check.cost)


def test_pr01_durations_are_within_the_limit():
    inst, routes = reference("pr01")
    assert inst.max_duration == (500.0,) * 4
    assert max(route_figures(inst, r)[1] for r in routes) <= 500.0


def test_write_then_read_gives_the_same_routes(tmp_path):
    inst, routes = reference("p02")
    total = write_solution(tmp_path / "p02.res", inst, routes)
    cost, again = read_solution(tmp_path / "p02.res")
    assert sorted(again, key=lambda r: (r.day, r.vehicle)) == sorted(routes, key=lambda r: (r.day, r.vehicle))
    assert cost == pytest.approx(total, abs=0.005)
    assert check_solution(inst, again).cost == pytest.approx(total)


def replace_route(routes, i, customers):
    out = list(routes)
    out[i] = dataclasses.replace(routes[i], customers=tuple(customers))
    return out


def test_a_removed_customer_is_reported_missing():
    inst, routes = reference("p02")
    removed = routes[0].customers[0]
    f = len(inst.combinations[removed - 1][0])
    # Remove the customer from every route that visits it.
    broken = [dataclasses.replace(r, customers=tuple(c for c in r.customers if c != removed)) for r in routes]
    check = check_solution(inst, broken)
    assert not check.feasible
    assert check.visits_missing == f
    assert any(f"customer {removed}: not visited" in p for p in check.problems)
    # Remove it from one day only: too few days, not an allowed combination.
    if f > 1:
        partial = check_solution(inst, replace_route(routes, 0, routes[0].customers[1:]))
        assert not partial.feasible
        assert partial.visits_missing == 1
        assert any(f"customer {removed}: visited on days" in p for p in partial.problems)


def test_capacity_excess_is_reported():
    inst, routes = reference("p02")
    # Move the second route's customers into the first route of the same day.
    day = routes[0].day
    same_day = [i for i, r in enumerate(routes) if r.day == day]
    assert len(same_day) >= 2
    a, b = same_day[:2]
    merged = replace_route(routes, a, routes[a].customers + routes[b].customers)
    del merged[b]
    check = check_solution(inst, merged)
    assert not check.feasible
    assert check.visits_missing == 0
    assert any("exceeds the capacity" in p for p in check.problems)


def test_visits_on_wrong_days_are_reported():
    inst, routes = reference("p02")
    # Move one visit of a two-visit customer to a day that makes its days no allowed combination.
    days_of: dict[int, list[int]] = {}
    for r in routes:
        for c in r.customers:
            days_of.setdefault(c, []).append(r.day)
    route_days = {r.day for r in routes}
    i, c, new_days = next((i, c, tuple(sorted((d, other))))
                          for i, r in enumerate(routes) for c in r.customers if len(days_of[c]) == 2
                          for other in [d for d in days_of[c] if d != r.day]
                          for d in sorted(route_days - set(days_of[c]))
                          if tuple(sorted((d, other))) not in inst.combinations[c - 1])
    target_day = next(d for d in new_days if d not in days_of[c])
    j = next(j for j, r in enumerate(routes) if r.day == target_day)
    moved = replace_route(routes, i, [x for x in routes[i].customers if x != c])
    moved = replace_route(moved, j, (*routes[j].customers, c))
    check = check_solution(inst, moved)
    assert not check.feasible
    assert check.visits_missing == 0
    assert any(f"customer {c}: visited on days {[d + 1 for d in new_days]}, not one of its allowed" in p
               for p in check.problems)


def test_duplicates_too_many_routes_and_invalid_customers_are_reported():
    inst, routes = reference("p02")
    twice = replace_route(routes, 0, routes[0].customers + routes[0].customers[:1])
    assert any("more than once" in p for p in check_solution(inst, twice).problems)
    day = routes[0].day
    extra = [*routes] + [CordeauRoute(day=day, vehicle=inst.vehicles_per_day + k, customers=(999,))
                         for k in range(inst.vehicles_per_day)]
    problems = check_solution(inst, extra).problems
    assert any("invalid customer numbers [999]" in p for p in problems)
    assert any(f"day {day + 1}:" in p and "routes, more than" in p for p in problems)


def test_duration_excess_is_reported():
    inst, routes = reference("pr01")
    tight = dataclasses.replace(inst, max_duration=(100.0,) * inst.num_days)
    check = check_solution(tight, routes)
    assert not check.feasible
    assert any("exceeds the limit 100" in p for p in check.problems)


def test_cordeau_routes_numbers_vehicles_per_day_and_skips_empty_routes():
    inst = read_instance(PVRP / "p01.txt")
    engine = cordeau_instance(inst)
    m = inst.vehicles_per_day
    seqs = [[] for _ in engine.vehicles]
    seqs[0 * m + 2] = [50]  # customer 51 on day 1, engine vehicle 2
    seqs[1 * m + 1] = [0, 1]  # customers 1 and 2 on day 2
    routes = cordeau_routes(inst, engine, seqs)
    assert routes == [CordeauRoute(day=0, vehicle=0, customers=(51,)),
                      CordeauRoute(day=1, vehicle=0, customers=(1, 2))]
    with pytest.raises(ValueError, match=r"\d+ routes for \d+ engine vehicles"):
        cordeau_routes(inst, engine, seqs[:-1])
