"""Lunch breaks end to end (contract section 9): read from scenario.toml and managers.csv, planned,
written, read back, validated, and drawn in schedules, calendars and maps."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest

import routeplan
from routeplan import (
    Break,
    EditSession,
    MaxIterations,
    ScenarioError,
    plan,
    read_plan,
    read_scenario,
    validate,
    validate_folder,
    write_plan,
    write_scenario,
)
from routeplan.model.clock import format_hhmmss, parse_hhmmss
from routeplan.synthetic import random_problem

LUNCH = Break(earliest=11 * 60 + 30, latest=12 * 60 + 30, minutes=60)


def with_lunch(problem, lunch=LUNCH):
    """``problem`` with ``lunch`` for every manager whose shift holds it (not the night shifts)."""
    managers = tuple(dataclasses.replace(m, break_=lunch) if m.shift[0] <= lunch.earliest
                     and lunch.earliest + lunch.minutes <= m.shift[1] else m for m in problem.managers)
    return dataclasses.replace(problem, managers=managers)


@pytest.fixture(scope="module")
def lunch_plan(tmp_path_factory):
    """A small city whose managers all take lunch, planned and written with its scenario."""
    root = tmp_path_factory.mktemp("lunch")
    problem = with_lunch(random_problem(3, customers=160, days=10, utilisation=0.7, locked=0))
    scenario = write_scenario(problem, root / "scenario")
    problem = read_scenario(scenario)
    result = plan(problem, stop=MaxIterations(3000), seed=1)
    folder = write_plan(result, root / "plan")
    return scenario, folder, problem, result


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_scenario_reads_the_default_break_and_each_managers_own(tmp_path):
    problem = random_problem(1, customers=40, days=10, locked=0)
    folder = write_scenario(problem, tmp_path / "s")
    with (folder / "scenario.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[breaks]\nearliest = "11:30"\nlatest = "13:00"\nminutes = 60\n')
    table = rows(folder / "managers.csv")
    header = [*list(table[0]), "break_earliest", "break_latest", "break_min"]
    table[0].update(break_earliest="12:00", break_latest="12:15", break_min="45")  # its own
    table[1].update(break_earliest="", break_latest="", break_min="0")  # none
    with (folder / "managers.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(table)
    problem = read_scenario(folder)
    managers = problem.managers
    assert managers[0].break_ == Break(earliest=720.0, latest=735.0, minutes=45.0)
    assert managers[1].break_ is None
    assert managers[2].break_ == Break(earliest=690.0, latest=780.0, minutes=60.0)
    assert managers[2].available_min == (540 - 60) * len(managers[2].days)
    night = [m for m in managers if m.shift[0] >= 13 * 60]
    assert night
    assert all(m.break_ is None for m in night)  # the day's lunch does not fit a night shift ...
    assert any(f"so {night[0].manager_id} takes none" in w for w in problem.warnings)  # ... said aloud


def test_every_day_worked_has_its_break_inside_the_rules(lunch_plan):
    scenario, folder, problem, result = lunch_plan
    assert validate_folder(scenario, folder).ok
    assert result.routes
    rests = {m.manager_id for m in problem.managers if m.break_ is not None}
    for route in (r for r in result.routes if r.manager_id in rests):
        assert route.break_start is not None
        assert LUNCH.earliest * 60 <= route.break_start <= LUNCH.latest * 60
        for stop in route.stops:
            assert stop.end <= route.break_start or stop.start >= route.break_start + LUNCH.minutes * 60


def test_a_break_on_the_way_is_not_work(lunch_plan):
    _, _, _, result = lunch_plan
    on_the_way = [r for r in result.routes if r.break_start is not None and r.depart <= r.break_start < r.return_time]
    assert on_the_way  # a city's days run through lunch
    for route in on_the_way:
        assert route.work_min == pytest.approx(route.span_min - LUNCH.minutes)
        assert route.work_min == pytest.approx(route.travel_min + route.service_min + route.wait_min, abs=0.05)


def test_routes_csv_carries_break_start_and_reads_back(lunch_plan):
    _scenario, folder, problem, result = lunch_plan
    table = rows(folder / "routes.csv")
    assert [parse_hhmmss(r["break_start"]) if r["break_start"] else None for r in table] == \
        [route.break_start for route in result.routes]
    again = read_plan(problem, folder)
    assert [r.break_start for r in again.routes] == [r.break_start for r in result.routes]
    assert [r.work_min for r in again.routes] == pytest.approx([r.work_min for r in result.routes])


def test_schedules_calendars_and_maps_show_the_break(lunch_plan):
    _, folder, _, result = lunch_plan
    route = next(r for r in result.routes if r.break_start is not None)
    schedule = rows(folder / "schedules" / f"{route.manager_id}.csv")
    lunch = [r for r in schedule if r["name"] == "break" and r["day"] == route.day]
    assert [r["start"] for r in lunch] == [format_hhmmss(route.break_start)[:5]] or \
        [r["start"] for r in lunch] == [format_hhmmss(route.break_start)]
    calendar = (folder / "calendars" / f"{route.manager_id}.ics").read_text(encoding="utf-8")
    assert calendar.count("SUMMARY:Break") == sum(1 for r in result.routes if r.manager_id == route.manager_id)
    assert "rp-break" in (folder / "map.html").read_text(encoding="utf-8")


def tampered(folder: Path, tmp_path: Path, change) -> Path:
    """A copy of the plan folder with routes.csv's first row changed by ``change(row)``."""
    copy = tmp_path / "tampered"
    copy.mkdir()
    for name in ("visits.csv", "routes.csv", "unserved.csv", "summary.json"):
        (copy / name).write_bytes((folder / name).read_bytes())
    table = rows(copy / "routes.csv")
    change(table[0])
    with (copy / "routes.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    return copy


@pytest.mark.parametrize(("change", "expected"), [
    (lambda row: row.update(break_start=""), "has no break_start"),
    (lambda row: row.update(break_start="10:00:00"), "outside the break's window"),
])
def test_the_validator_holds_the_break_rules(lunch_plan, tmp_path, change, expected):
    scenario, folder, _, _ = lunch_plan
    report = validate_folder(scenario, tampered(folder, tmp_path, change))
    assert "break" in report.rules
    assert expected in str(report)


def test_the_validator_refuses_a_break_that_overlaps_a_visit_or_shortens_a_leg(lunch_plan, tmp_path):
    scenario, folder, _, result = lunch_plan
    route = next(r for r in result.routes if r.break_start is not None and r.depart < r.break_start < r.stops[-1].start)
    k = sum(1 for s in route.stops if s.end <= route.break_start)  # the break follows stop k
    day = rows(folder / "routes.csv")
    index = next(i for i, r in enumerate(day) if r["manager_id"] == route.manager_id
                 and int(r["day_index"]) == route.day_index)
    copy = tmp_path / "moved"
    copy.mkdir()
    for name in ("visits.csv", "unserved.csv", "summary.json"):
        (copy / name).write_bytes((folder / name).read_bytes())
    # The break half an hour earlier: during the k-th visit, or before it, and the leg after
    # stop k too short when the break lies between the two stops.
    moved = route.stops[k - 1].start + 60 if k else route.depart + 60
    day[index]["break_start"] = format_hhmmss(max(moved, LUNCH.earliest * 60))
    with (copy / "routes.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(day[0]))
        writer.writeheader()
        writer.writerows(day)
    report = validate_folder(scenario, copy)
    assert not report.ok
    assert report.rules & {"break", "travel-time", "return"}


@pytest.mark.parametrize(("columns", "expected"), [
    ({"break_earliest": "11:30"}, "go together: give all three or none"),
    ({"break_earliest": "13:00", "break_latest": "12:00", "break_min": "60"}, "is before break_earliest"),
    ({"break_earliest": "17:00", "break_latest": "17:10", "break_min": "60"}, "does not fit in the shift"),
    ({"break_earliest": "12:00", "break_latest": "12:30", "break_min": "lots"}, "'lots' is not a number"),
])
def test_a_bad_break_column_is_named(tmp_path, columns, expected):
    folder = write_scenario(random_problem(1, customers=30, days=10, locked=0), tmp_path / "s")
    table = rows(folder / "managers.csv")
    header = [*list(table[0]), "break_earliest", "break_latest", "break_min"]
    for row in table:
        row.update({"break_earliest": "", "break_latest": "", "break_min": ""})
    table[0].update(columns)
    with (folder / "managers.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(table)
    with pytest.raises(ScenarioError, match=expected) as caught:
        read_scenario(folder)
    assert "managers.csv" in str(caught.value)


@pytest.mark.parametrize(("table", "expected"), [
    ('[breaks]\nearliest = "11:30"\nlatest = "13:00"\n', r"\[breaks\] lacks minutes"),
    ('[breaks]\nearliest = "11:30"\nlatest = "13:00"\nminutes = 60\nplace = "depot"\n', "unknown key 'place'"),
    ('breaks = 60\n', "breaks must be a table"),
])
def test_a_bad_breaks_table_is_named(tmp_path, table, expected):
    folder = write_scenario(random_problem(1, customers=30, days=10, locked=0), tmp_path / "s")
    text = (folder / "scenario.toml").read_text(encoding="utf-8")
    head, _, rest = text.partition("[depot]")
    (folder / "scenario.toml").write_text(head + table + "\n[depot]" + rest, encoding="utf-8")
    with pytest.raises(ScenarioError, match=expected):
        read_scenario(folder)


def test_a_scenario_with_breaks_writes_and_reads_back_the_same(tmp_path):
    problem = with_lunch(random_problem(2, customers=30, days=10, locked=0))
    assert read_scenario(write_scenario(problem, tmp_path / "s")).managers == problem.managers


def test_an_edited_plan_keeps_every_break(lunch_plan):
    _, _, problem, result = lunch_plan
    session = EditSession.open(problem, result, check=True)
    rests = {m.manager_id for m in problem.managers if m.break_ is not None}
    by_manager: dict[str, list[str]] = {}
    for route in result.routes:
        for stop in route.stops:
            by_manager.setdefault(route.manager_id, []).append(stop.customer_id)
    roles: dict[str, list[str]] = {}
    for m in problem.managers:
        if m.manager_id in rests:
            roles.setdefault(m.role, []).append(m.manager_id)
    source, target = next(ids for ids in roles.values() if len(ids) >= 2)[:2]
    session.move(sorted(set(by_manager[source]))[:3], to=target)
    session.optimise([source, target], time_limit=5, stop=MaxIterations(200))
    edited = session.to_plan()
    assert validate(problem, edited).ok
    assert all(r.break_start is not None for r in edited.routes if r.manager_id in rests)


def test_the_printed_day_sheet_shows_the_break_in_its_place(lunch_plan, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    _, _, _, result = lunch_plan
    path = routeplan.write_workbook(result, tmp_path / "plan.xlsx")
    route = next(r for r in result.routes if r.break_start is not None and r.depart <= r.break_start < r.return_time)
    sheet = openpyxl.load_workbook(path)[route.manager_id]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(r for r in rows if "Customer" in r)
    day, customer = header.index("Day"), header.index("Customer")
    names = [r[customer] for r in rows if r[day] == route.day]
    k = sum(1 for s in route.stops if s.end <= route.break_start)  # the break follows the k-th stop
    assert names[:k + 2] == ["depart", *[s.customer_id for s in route.stops[:k]], "break"]
    assert names.count("break") == 1
