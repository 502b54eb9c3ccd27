"""The plan object: figures, summary, JSON and frames."""

import csv

import pytest

from routeplan import DayRoute, Plan, ProblemBuilder, Stop, plan
from routeplan.results.tables import VISIT_COLUMNS

from conftest import DATA


@pytest.fixture(scope="module")
def tiny_plan(tiny_problem):
    return plan(tiny_problem, time_limit=3, seed=2)


def test_figures_add_up(tiny_plan):
    assert tiny_plan.visits_planned() == tiny_plan.visits_required() == 14
    assert tiny_plan.is_complete()
    figures = tiny_plan.manager_figures()
    assert sum(f.visits for f in figures) == 14
    assert sum(f.travel_km for f in figures) == pytest.approx(tiny_plan.cost())
    summary = tiny_plan.summary()
    for key in ("scenario", "strategy", "seed", "solve_seconds", "total_travel_km", "total_work_min",
                "visits_planned", "visits_required", "unserved", "managers"):
        assert key in summary
    for manager in summary["managers"].values():
        assert set(manager) >= {"customers", "visits", "travel_km", "work_min", "max_day_work_min"}
    assert "total" in tiny_plan.summary_table()


def test_reassigned_share_counts_customers_whose_manager_changed(tiny_plan):
    # Counted here from customers.csv and the plan's stops, not through Plan.assignment().
    with (DATA / "tiny" / "customers.csv").open(encoding="utf-8") as handle:
        current = {row["customer_id"]: row["current_manager"] for row in csv.DictReader(handle)}
    assert all(current.values())
    served_by: dict[str, set[str]] = {}
    for route in tiny_plan.routes:
        for stop in route.stops:
            served_by.setdefault(stop.customer_id, set()).add(route.manager_id)
    assert all(len(managers) == 1 for managers in served_by.values())  # consistent: one manager each
    changed = sum(1 for cid, manager in current.items() if served_by[cid] != {manager})
    assert tiny_plan.reassigned_pct() == pytest.approx(100.0 * changed / len(current))
    assert tiny_plan.summary()["reassigned_pct"] == round(100.0 * changed / len(current), 2)


def _two_manager_plan(current: dict[str, str | None], served: dict[str, list[str]]) -> Plan:
    b = ProblemBuilder(name="moves", days=["Mon"])
    b.set_depot(119.13, 36.71)
    b.add_tier("shop", visits=1, service_min=10, roles=["C"])
    b.add_manager("C1", role="C")
    b.add_manager("C2", role="C")
    for k, (cid, manager) in enumerate(current.items()):
        b.add_customer(cid, lon=119.13 + 0.001 * k, lat=36.71, tier="shop", current_manager=manager)
    routes = []
    for manager_id, customers in served.items():
        stops = tuple(Stop(seq=i + 1, customer_id=cid, arrival=32000 + 900 * i, start=32000 + 900 * i,
                           end=32600 + 900 * i, travel_km=0.1) for i, cid in enumerate(customers))
        routes.append(DayRoute(manager_id=manager_id, day_index=0, day="Mon", depart=31000, return_time=36000,
                               travel_km=0.1 * len(stops), travel_min=1.0, service_min=10.0 * len(stops),
                               wait_min=0.0, stops=stops))
    return Plan(problem=b.build(), routes=tuple(routes))


def test_reassigned_share_of_a_plan_built_by_hand():
    # b and c change manager, a keeps C1; d has no current manager and does not count.
    moved = _two_manager_plan({"a": "C1", "b": "C1", "c": "C2", "d": None}, {"C1": ["a", "c"], "C2": ["b", "d"]})
    assert moved.reassigned_pct() == pytest.approx(200.0 / 3)
    assert moved.summary()["reassigned_pct"] == 66.67
    kept = _two_manager_plan({"a": "C1", "b": "C2"}, {"C1": ["a"], "C2": ["b"]})
    assert kept.reassigned_pct() == 0.0
    nobody = _two_manager_plan({"a": None, "b": None}, {"C1": ["a", "b"]})
    assert nobody.reassigned_pct() is None
    assert nobody.summary()["reassigned_pct"] is None


def test_json_round_trip(tiny_plan):
    again = Plan.from_json(tiny_plan.to_json())
    assert again == tiny_plan
    assert again.summary() == tiny_plan.summary()


def test_frames(tiny_plan):
    visits = tiny_plan.visits_frame()
    assert list(visits.columns) == list(VISIT_COLUMNS)
    assert len(visits) == 14
    assert len(tiny_plan.routes_frame()) == len(tiny_plan.routes)


def test_geodataframes(tiny_plan):
    stops = tiny_plan.stops_gdf()
    routes = tiny_plan.routes_gdf()
    assert len(stops) == tiny_plan.visits_planned()
    assert stops.crs.to_epsg() == 4326
    assert len(routes) == len(tiny_plan.routes)
    assert set(routes.geometry.geom_type) == {"LineString"}


def test_the_run_is_a_typed_record_that_round_trips(tiny_plan):
    run = tiny_plan.run
    assert run.stopped_by in ("budget", "no improvement")
    assert run.balance_groups
    assert run.work_units > 0
    assert set(tiny_plan.summary()) >= {"stopped_by", "work_units", "startup_seconds", "warnings"}
    assert "balance_groups" not in tiny_plan.summary()  # an input of the run, not a figure
    assert Plan.from_json(tiny_plan.to_json()).run == run
    with pytest.warns(DeprecationWarning, match="read Plan.run"):
        extra = tiny_plan.extra
    assert extra["stopped_by"] == run.stopped_by
