"""Tests of the plan validator (routeplan.validation) on tiny hand-written plans."""

from __future__ import annotations

import csv
import dataclasses
import json
import math
from pathlib import Path

import pytest

from routeplan import DayRoute, Plan, Stop, Unserved, write_plan
from routeplan.model.problem import Problem, ProblemBuilder
from routeplan.results.tables import ROUTE_COLUMNS, UNSERVED_COLUMNS, VISIT_COLUMNS
from routeplan.validation import ValidationReport, Violation, great_circle_km, validate, validate_folder

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri"]
DEPOT = (119.13, 36.71)
SPEED_KMH = 20.0
DETOUR = 1.3


# ----------------------------------------------------------------------------------------------
# a tiny problem and a helper that times routes by hand
# ----------------------------------------------------------------------------------------------

def make_problem(*, consistent: bool = True) -> Problem:
    b = ProblemBuilder(name="tiny", days=DAYS, consistent=consistent)
    b.set_depot(*DEPOT)
    b.set_travel(speed_kmh=SPEED_KMH, detour_factor=DETOUR)
    b.add_tier("large", visits=2, min_gap=2, service_min=20, roles=["A"])
    b.add_tier("small", visits=1, service_min=10, roles=["A", "B"])
    b.add_manager("A1", role="A")
    b.add_manager("A2", role="A")
    b.add_manager("B1", role="B", days="0 1 2 3", max_visits=2)
    b.add_customer("L1", lon=119.14, lat=36.70, tier="large")
    b.add_customer("L2", lon=119.15, lat=36.72, tier="large")
    b.add_customer("L3", lon=119.12, lat=36.73, tier="large", locked_manager="A1")
    b.add_customer("S1", lon=119.11, lat=36.70, tier="small")
    b.add_customer("S2", lon=119.10, lat=36.69, tier="small", window_start="10:00", window_end="12:00")
    b.add_customer("S3", lon=119.16, lat=36.71, tier="small")
    return b.build()


def leg_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Road km by the contract's haversine definition (written out again, on purpose)."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h)) * DETOUR


def route(problem: Problem, manager_id: str, day: int, customer_ids: list[str], *,
          depart: int | None = None) -> DayRoute:
    """A correctly timed route: leave at ``depart``, start each visit as early as allowed."""
    manager = problem.manager(manager_id)
    depart = int(manager.shift[0] * 60) if depart is None else depart
    place = (manager.start.lon, manager.start.lat)
    clock = float(depart)
    stops, total_km, travel_s, wait_s, service_s = [], 0.0, 0.0, 0.0, 0.0
    for seq, cid in enumerate(customer_ids, start=1):
        c = problem.customer(cid)
        here = (c.lon, c.lat)
        km = leg_km(place, here)
        arrival = math.ceil(clock + km / SPEED_KMH * 3600)
        start = max(arrival, int(c.window[0] * 60))
        end = start + int(c.service_min * 60)
        stops.append(Stop(seq=seq, customer_id=cid, arrival=arrival, start=start, end=end, travel_km=km))
        total_km += km
        travel_s += km / SPEED_KMH * 3600
        wait_s += start - arrival
        service_s += end - start
        place, clock = here, float(end)
    back = leg_km(place, (manager.end.lon, manager.end.lat))
    return_time = math.ceil(clock + back / SPEED_KMH * 3600)
    return DayRoute(manager_id=manager_id, day_index=day, day=problem.days[day], depart=depart,
                    return_time=return_time, travel_km=total_km + back,
                    travel_min=(travel_s + back / SPEED_KMH * 3600) / 60, service_min=service_s / 60,
                    wait_min=wait_s / 60, stops=tuple(stops))


def good_routes(problem: Problem) -> dict[tuple[str, int], list[str]]:
    return {("A1", 0): ["L1", "L2", "L3"], ("A1", 2): ["L1", "L2"], ("A1", 3): ["L3"],
            ("B1", 1): ["S1", "S2"], ("B1", 2): ["S3"]}


def make_plan(problem: Problem, layout: dict[tuple[str, int], list[str]] | None = None, *,
              unserved: tuple[Unserved, ...] = (), strategy: str = "hybrid") -> Plan:
    layout = good_routes(problem) if layout is None else layout
    routes = tuple(route(problem, m, d, cids) for (m, d), cids in layout.items())
    return Plan(problem=problem, routes=routes, unserved=unserved, strategy=strategy)


def with_stop(plan: Plan, route_index: int, stop_index: int, **changes) -> Plan:
    """The plan with one stop's fields changed."""
    r = plan.routes[route_index]
    stops = list(r.stops)
    stops[stop_index] = dataclasses.replace(stops[stop_index], **changes)
    routes = list(plan.routes)
    routes[route_index] = dataclasses.replace(r, stops=tuple(stops))
    return dataclasses.replace(plan, routes=tuple(routes))


def with_route(plan: Plan, route_index: int, **changes) -> Plan:
    routes = list(plan.routes)
    routes[route_index] = dataclasses.replace(routes[route_index], **changes)
    return dataclasses.replace(plan, routes=tuple(routes))


def write_csvs(plan: Plan, folder: Path) -> Path:
    """Write the three tables of a plan folder by hand (no maps, works with unknown ids)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, header, rows in (("visits.csv", VISIT_COLUMNS, plan.visit_rows()),
                               ("routes.csv", ROUTE_COLUMNS, plan.route_rows()),
                               ("unserved.csv", UNSERVED_COLUMNS, plan.unserved_rows())):
        with (folder / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
    return folder


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def rewrite_csv(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> None:
    header = header or list(rows[0])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def rules(report: ValidationReport) -> set[str]:
    return {v.rule for v in report.violations}


@pytest.fixture(scope="module")
def problem() -> Problem:
    return make_problem()


@pytest.fixture
def good(problem: Problem) -> Plan:
    return make_plan(problem)


def assert_only(report: ValidationReport, rule: str) -> Violation:
    """The report breaks exactly ``rule`` (at least once); return its first violation."""
    assert not report.ok
    assert rules(report) == {rule}, str(report)
    return report.violations[0]


# ----------------------------------------------------------------------------------------------
# valid plans
# ----------------------------------------------------------------------------------------------

def test_haversine_matches_known_distance():
    from routeplan.model.problem import Point

    assert great_circle_km(Point(0.0, 0.0), Point(1.0, 0.0)) == pytest.approx(111.1951, abs=1e-3)
    assert great_circle_km(Point(119.13, 36.71), Point(119.13, 36.71)) == 0.0


def test_correct_plan_is_valid(problem, good):
    report = validate(problem, good)
    assert report.ok, str(report)
    assert report.visits_checked == 9
    assert report.routes_checked == 5
    assert str(report) == "valid: 9 visits in 5 routes"
    assert good.is_valid()


def test_correct_plan_is_valid_as_written_folder(problem, good, tmp_path):
    write_plan(good, tmp_path / "plan", maps=False)
    report = validate(problem, tmp_path / "plan")
    assert report.ok, str(report)
    assert (report.visits_checked, report.routes_checked) == (9, 5)
    assert validate(problem, str(write_csvs(good, tmp_path / "by-hand"))).ok


def test_validate_folder_reads_scenario_and_plan(problem, good, tmp_path):
    from routeplan.io.scenario import write_scenario

    write_scenario(problem, tmp_path / "scenario")
    write_plan(good, tmp_path / "plan", maps=False)
    assert validate_folder(tmp_path / "scenario", tmp_path / "plan").ok


def test_partially_served_customer_listed_in_unserved_is_valid(problem):
    layout = good_routes(problem)
    layout[("A1", 2)] = ["L1"]  # L2 only on Monday
    plan = make_plan(problem, layout, unserved=(Unserved(customer_id="L2", visits_missing=1, reason="no time"),))
    assert validate(problem, plan).ok


def test_unserved_customer_with_no_visits_is_valid(problem):
    layout = good_routes(problem)
    layout[("B1", 2)] = []
    del layout[("B1", 2)]
    plan = make_plan(problem, layout, unserved=(Unserved(customer_id="S3", visits_missing=1, reason="too far"),))
    assert validate(problem, plan).ok


# ----------------------------------------------------------------------------------------------
# visit counts, days and gaps
# ----------------------------------------------------------------------------------------------

def test_missing_visit_without_unserved_entry(problem):
    layout = good_routes(problem)
    layout[("A1", 2)] = ["L1"]
    v = assert_only(validate(problem, make_plan(problem, layout)), "visit-count")
    assert "L2" in v.message
    assert "1 of 2" in v.message


def test_unserved_entry_with_wrong_count(problem):
    layout = good_routes(problem)
    layout[("A1", 2)] = ["L1"]
    plan = make_plan(problem, layout, unserved=(Unserved(customer_id="L2", visits_missing=2, reason="no time"),))
    v = assert_only(validate(problem, plan), "visit-count")
    assert v.file == "unserved.csv"
    assert v.row == 2


def test_unserved_entry_without_reason_or_twice(problem):
    layout = good_routes(problem)
    layout[("A1", 2)] = ["L1"]
    entry = Unserved(customer_id="L2", visits_missing=1, reason="")
    report = validate(problem, make_plan(problem, layout, unserved=(entry, entry)))
    assert rules(report) == {"unserved"}
    assert len(report.violations) == 2


def test_too_many_visits(problem):
    layout = good_routes(problem)
    layout[("B1", 0)] = ["S3"]  # S3 needs one visit, now has two
    report = validate(problem, make_plan(problem, layout))
    assert "visit-count" in rules(report)


def test_min_gap_broken(problem):
    layout = good_routes(problem)
    del layout[("A1", 2)]
    layout[("A1", 1)] = ["L1", "L2"]  # Mon and Tue: 1 day apart, min_gap 2
    report = validate(problem, make_plan(problem, layout))
    assert rules(report) == {"min-gap"}
    assert len(report.violations) == 2
    assert "Mon (day 0)" in report.violations[0].message
    assert "1 day(s) apart" in report.violations[0].message


def test_min_gap_counts_cyclically(problem):
    layout = good_routes(problem)
    del layout[("A1", 2)]
    layout[("A1", 4)] = ["L1", "L2"]  # Mon and Fri: 1 day apart across the end of the cycle
    v = assert_only(validate(problem, make_plan(problem, layout)), "min-gap")
    assert "across the end" in v.message


def test_two_visits_on_one_day(problem):
    layout = good_routes(problem)
    layout[("A1", 0)] = ["L1", "L2", "L3"]
    layout[("A1", 2)] = ["L2"]
    layout[("A2", 0)] = ["L1"]
    report = validate(problem, make_plan(problem, layout))
    assert "same-day" in rules(report)


# ----------------------------------------------------------------------------------------------
# managers: consistency, roles, locks
# ----------------------------------------------------------------------------------------------

def test_two_managers_for_one_customer(problem):
    layout = good_routes(problem)
    layout[("A1", 2)] = ["L2"]
    layout[("A2", 2)] = ["L1"]
    v = assert_only(validate(problem, make_plan(problem, layout)), "consistency")
    assert "L1" in v.message
    assert "A1" in v.message
    assert "A2" in v.message


def test_two_managers_allowed_when_not_consistent():
    problem = make_problem(consistent=False)
    layout = good_routes(problem)
    layout[("A1", 2)] = ["L2"]
    layout[("A2", 2)] = ["L1"]
    assert validate(problem, make_plan(problem, layout)).ok


def test_wrong_role(problem):
    layout = good_routes(problem)
    layout[("A1", 0)] = ["L2", "L3"]
    layout[("B1", 0)] = ["L1"]
    layout[("B1", 2)] = ["L1"]
    layout[("A2", 2)] = ["S3"]
    layout[("A1", 2)] = ["L2"]
    v = assert_only(validate(problem, make_plan(problem, layout)), "role")
    assert "B1 (role B)" in v.message
    assert "L1" in v.message


def test_role_not_checked_for_role_free_strategies(problem, tmp_path):
    layout = good_routes(problem)
    layout[("A1", 0)] = ["L2", "L3"]
    layout[("B1", 0)] = ["L1"]
    layout[("B1", 2)] = ["L1"]
    layout[("A2", 2)] = ["S3"]
    layout[("A1", 2)] = ["L2"]
    plan = make_plan(problem, layout, strategy="region")
    assert validate(problem, plan).ok
    assert rules(validate(problem, plan, check_roles=True)) == {"role"}
    write_plan(plan, tmp_path / "plan", maps=False)
    assert json.loads((tmp_path / "plan" / "summary.json").read_text())["strategy"] == "region"
    assert validate(problem, tmp_path / "plan").ok
    assert not validate(problem, write_csvs(plan, tmp_path / "no-summary")).ok  # no summary: roles checked


def test_lock_ignored(problem):
    layout = good_routes(problem)
    layout[("A1", 0)] = ["L1", "L2"]
    del layout[("A1", 3)]
    layout[("A2", 0)] = ["L3"]
    layout[("A2", 3)] = ["L3"]
    plan = make_plan(problem, layout, strategy="region")
    v = assert_only(validate(problem, plan), "lock")  # locks hold under every strategy
    assert "locked to A1" in v.message


# ----------------------------------------------------------------------------------------------
# timing of a route
# ----------------------------------------------------------------------------------------------

def test_arrival_too_early(problem, good):
    r = good.routes[0]
    second = r.stops[1]
    plan = with_stop(good, 0, 1, arrival=r.stops[0].end + 30)  # 30 s after the previous end
    assert second.arrival > r.stops[0].end + 60
    v = assert_only(validate(problem, plan), "travel-time")
    assert v.file == "visits.csv"
    assert v.row == 3
    assert "A1 on Mon (day 0) arrives at L2" in v.message
    assert "end at L1" in v.message


def test_first_arrival_needs_travel_from_start(problem, good):
    r = good.routes[0]
    v = assert_only(validate(problem, with_stop(good, 0, 0, arrival=r.depart)), "travel-time")
    assert "departure from the start place" in v.message


def test_one_second_of_rounding_is_tolerated(problem, good):
    r = good.routes[0]
    assert validate(problem, with_stop(good, 0, 1, arrival=r.stops[1].arrival - 1)).ok


def test_start_before_arrival(problem, good):
    r = good.routes[0]
    plan = with_stop(good, 0, 1, start=r.stops[1].arrival - 60, end=r.stops[1].arrival - 60 + 20 * 60)
    assert rules(validate(problem, plan)) == {"start-before-arrival"}


def test_start_outside_window(problem, good):
    # B1 on Tue: S1 then S2, whose window is 10:00-12:00; start S2 right on arrival instead
    index = next(i for i, r in enumerate(good.routes) if r.manager_id == "B1" and r.day_index == 1)
    s2 = good.routes[index].stops[1]
    assert s2.arrival < 10 * 3600
    plan = with_stop(good, index, 1, start=s2.arrival, end=s2.arrival + 600)
    v = assert_only(validate(problem, plan), "window")
    assert "S2" in v.message
    assert "10:00:00-12:00:00" in v.message


def test_end_not_start_plus_service(problem, good):
    s = good.routes[0].stops[1]
    v = assert_only(validate(problem, with_stop(good, 0, 1, end=s.end - 120)), "service")
    assert "20 min service" in v.message


def test_return_before_way_back(problem, good):
    r = good.routes[0]
    assert rules(validate(problem, with_route(good, 0, return_time=r.stops[-1].end))) == {"return"}


def test_depart_before_shift_start(problem, good):
    index = next(i for i, r in enumerate(good.routes) if r.day_index == 3)
    report = validate(problem, with_route(good, index, depart=8 * 3600))
    assert "shift-start" in rules(report)


def test_return_after_shift_end(problem):
    layout = good_routes(problem)
    plan = make_plan(problem, layout)
    index = next(i for i, r in enumerate(plan.routes) if r.day_index == 3)
    late = route(problem, "A1", 3, ["L3"], depart=17 * 3600)
    plan = with_route(plan, index, **{f.name: getattr(late, f.name) for f in dataclasses.fields(late)})
    v = assert_only(validate(problem, plan), "shift-end")
    assert "17:30:00" in v.message


def test_max_visits_exceeded(problem):
    layout = good_routes(problem)
    layout[("B1", 1)] = ["S1", "S3", "S2"]
    del layout[("B1", 2)]
    v = assert_only(validate(problem, make_plan(problem, layout)), "max-visits")
    assert "max_visits 2" in v.message


def test_manager_on_a_day_off(problem):
    layout = good_routes(problem)
    del layout[("B1", 2)]
    layout[("B1", 4)] = ["S3"]
    v = assert_only(validate(problem, make_plan(problem, layout)), "day-off")
    assert "Fri (day 4)" in v.message


# ----------------------------------------------------------------------------------------------
# figures
# ----------------------------------------------------------------------------------------------

def test_wrong_leg_km(problem, good):
    s = good.routes[0].stops[1]
    assert rules(validate(problem, with_stop(good, 0, 1, travel_km=s.travel_km + 0.5))) == {"travel-km"}


def test_wrong_route_km(problem, good):
    r = good.routes[0]
    assert rules(validate(problem, with_route(good, 0, travel_km=r.travel_km + 0.2))) == {"travel-km"}


def test_wrong_work_min_in_file(problem, good, tmp_path):
    folder = write_csvs(good, tmp_path / "plan")
    rows = read_csv(folder / "routes.csv")
    rows[0]["work_min"] = "1.00"
    rewrite_csv(folder / "routes.csv", rows)
    assert rules(validate(problem, folder)) == {"work-min"}


# ----------------------------------------------------------------------------------------------
# format
# ----------------------------------------------------------------------------------------------

def test_unknown_customer(problem, good):
    extra = Stop(seq=2, customer_id="X9", arrival=40000, start=40000, end=40600, travel_km=1.0)
    plan = with_route(good, 4, stops=(*good.routes[4].stops, extra))
    report = validate(problem, plan)
    assert "unknown-customer" in rules(report)
    assert "X9" in str(report)


def test_unknown_manager(problem, good):
    plan = with_route(good, 4, manager_id="Z1")
    report = validate(problem, plan)
    assert "unknown-manager" in rules(report)
    assert sum(v.rule == "unknown-manager" for v in report.violations) == 2  # once in each file


def test_bad_seq(problem, good):
    v = assert_only(validate(problem, with_stop(good, 0, 1, seq=3)), "format")
    assert v.row == 3
    assert "seq 3" in v.message


def test_day_label_must_match_index(problem, good):
    v = assert_only(validate(problem, with_route(good, 0, day="Sun")), "format")
    assert "'Sun'" in v.message


def test_stops_must_count_visits(problem, good, tmp_path):
    folder = write_csvs(good, tmp_path / "plan")
    rows = read_csv(folder / "routes.csv")
    rows[0]["stops"] = "4"
    rewrite_csv(folder / "routes.csv", rows)
    v = assert_only(validate(problem, folder), "format")
    assert v.file == "routes.csv"
    assert v.row == 2


def test_route_missing_from_routes_csv(problem, good, tmp_path):
    folder = write_csvs(good, tmp_path / "plan")
    rewrite_csv(folder / "routes.csv", read_csv(folder / "routes.csv")[1:])
    v = assert_only(validate(problem, folder), "format")
    assert "no row in routes.csv" in v.message


def test_missing_column(problem, good, tmp_path):
    folder = write_csvs(good, tmp_path / "plan")
    header = [c for c in VISIT_COLUMNS if c != "travel_km"]
    rewrite_csv(folder / "visits.csv", read_csv(folder / "visits.csv"), header)
    v = assert_only(validate(problem, folder), "format")
    assert "travel_km" in v.message
    assert v.file == "visits.csv"


def test_missing_file(problem, good, tmp_path):
    folder = write_csvs(good, tmp_path / "plan")
    (folder / "unserved.csv").unlink()
    v = assert_only(validate(problem, folder), "format")
    assert "unserved.csv" in v.message
    (folder / "routes.csv").unlink()
    assert rules(validate(problem, folder)) == {"format"}
    assert rules(validate(problem, tmp_path / "nowhere")) == {"format"}


def test_bad_time_string(problem, good, tmp_path):
    folder = write_csvs(good, tmp_path / "plan")
    rows = read_csv(folder / "visits.csv")
    rows[1]["arrival"] = "8h45"
    rows[2]["travel_km"] = "far"
    rewrite_csv(folder / "visits.csv", rows)
    report = validate(problem, folder)
    assert rules(report) == {"format"}
    assert [v.row for v in report.violations] == [3, 4]
    assert "arrival '8h45' is not a time HH:MM:SS" in report.violations[0].message


def test_object_and_folder_give_the_same_verdict(problem, good, tmp_path):
    broken = with_stop(with_route(good, 1, return_time=good.routes[1].return_time + 3600), 0, 1, seq=5)
    broken = dataclasses.replace(broken, unserved=(Unserved(customer_id="S1", visits_missing=1, reason="x"),))
    from_object = validate(problem, broken)
    write_plan(broken, tmp_path / "plan", maps=False)
    from_folder = validate(problem, tmp_path / "plan")
    assert not from_object.ok
    assert from_object == from_folder


def test_report_lists_one_line_per_violation(problem, good):
    report = validate(problem, with_stop(with_stop(good, 0, 1, seq=3), 0, 2, travel_km=99.0))
    lines = str(report).splitlines()
    assert len(lines) == len(report.violations) == 2
    assert lines[0].startswith("visits.csv row 3: ")
    assert lines[0].endswith("[format]")
