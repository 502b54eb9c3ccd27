"""The validator's rules for visit levels (file contract section 5): each rule, broken in an
otherwise valid plan, is reported, and only that rule."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest

from routeplan import Plan, ProblemBuilder, plan, validate, write_plan
from routeplan.model.problem import Problem
from routeplan.stop import MaxIterations

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri"]


def level_problem(*, head_days: str | None = None, head_visits: int = 1) -> Problem:
    b = ProblemBuilder(name="levels", days=DAYS)
    b.set_depot(119.13, 36.71)
    b.add_tier("large", visits=1, service_min=20, roles=["A"],
               levels=[{"name": "market manager", "roles": ["M"], "visits": 2, "min_gap": 2, "service_min": 30},
                       {"name": "head", "roles": ["H"], "visits": head_visits, "service_min": 15,
                        "window": ["09:00", "12:00"]}])
    b.add_manager("A1", role="A")
    b.add_manager("M1", role="M")
    b.add_manager("M2", role="M")
    b.add_manager("H1", role="H", days=head_days)
    b.add_customer("L1", lon=119.14, lat=36.70, tier="large")
    return b.build()


@pytest.fixture(scope="module")
def planned() -> Plan:
    result = plan(level_problem(), stop=MaxIterations(200), seed=1)
    assert result.validate().ok, str(result.validate())
    return result


def with_level(problem: Problem, level: int, **changes) -> Problem:
    """The problem with level ``level`` of tier large changed (bypassing the builder's checks:
    a stricter rule than the plan was made for)."""
    tier = problem.tier("large")
    levels = list(tier.levels)
    levels[level - 1] = dataclasses.replace(levels[level - 1], **changes)
    return problem.replace(tiers=(dataclasses.replace(tier, levels=tuple(levels)),))


def routes_of(result: Plan, manager_id: str):
    return [r for r in result.routes if r.manager_id == manager_id]


def moved(result: Plan, route, **changes) -> Plan:
    """The plan with one route changed (its day or manager)."""
    return dataclasses.replace(result, routes=tuple(dataclasses.replace(r, **changes) if r is route else r
                                                    for r in result.routes))


def test_the_plan_has_every_level_on_its_own_day(planned):
    days = {}
    for route, stop in planned.visits():
        days.setdefault(stop.level, []).append(route.day_index)
    assert sorted(len(d) for d in days.values()) == [1, 1, 2]
    every = [d for ds in days.values() for d in ds]
    assert len(set(every)) == len(every)
    assert {r.manager_id for r in planned.routes} >= {"A1", "H1"}
    assert len({r.manager_id for r in planned.routes if r.manager_id.startswith("M")}) == 1


def test_two_levels_on_one_day_break_same_day(planned):
    own_day = routes_of(planned, "A1")[0]
    head = routes_of(planned, "H1")[0]
    broken = moved(planned, head, day_index=own_day.day_index, day=own_day.day)
    report = validate(planned.problem, broken)
    assert report.rules == {"same-day"}, str(report)
    assert "levels 0 and 2" in str(report)


def test_a_level_visit_count_and_gap_follow_that_level(planned):
    market = [r.day_index for r in planned.routes if r.manager_id.startswith("M")]
    gap = min((market[1] - market[0]) % 5, (market[0] - market[1]) % 5)
    report = validate(with_level(planned.problem, 1, min_gap=gap + 1), planned)
    assert report.rules == {"min-gap"}, str(report)
    assert "(level 1)" in str(report)
    report = validate(with_level(planned.problem, 1, visits=3), planned)
    assert report.rules == {"visit-count"}, str(report)
    assert "level 1" in str(report)


def test_one_manager_per_level_and_the_level_roles(planned):
    market = [r for r in planned.routes if r.manager_id.startswith("M")]
    other = "M2" if market[0].manager_id == "M1" else "M1"
    report = validate(planned.problem, moved(planned, market[0], manager_id=other))
    assert report.rules == {"consistency"}, str(report)
    head = routes_of(planned, "H1")[0]
    by_a = moved(planned, head, manager_id="A1")
    report = validate(planned.problem, by_a)
    assert report.rules == {"role"}, str(report)
    assert "level 2 (head)" in str(report)
    # Roles of further levels hold even where a role-blind strategy lifts the tiers' own roles.
    assert validate(planned.problem, by_a, check_roles=False).rules == {"role"}


def test_window_and_service_of_a_level(planned):
    head = next(s for r in routes_of(planned, "H1") for s in r.stops)
    start_min = head.start / 60
    report = validate(with_level(planned.problem, 2, window=(start_min + 5, start_min + 60)), planned)
    assert report.rules == {"window"}, str(report)
    report = validate(with_level(planned.problem, 1, service_min=45.0), planned)
    assert report.rules == {"service"}, str(report)
    assert "(level 1)" in str(report)


def _rewrite(path: Path, change) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows = change(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def test_the_level_column_is_required_and_checked(planned, tmp_path):
    folder = write_plan(planned, tmp_path / "plan", maps=False)
    assert validate(planned.problem, folder).ok
    header = (folder / "visits.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[-1] == "level"
    at = header.index("level")
    _rewrite(folder / "visits.csv", lambda rows: [r[:at] + r[at + 1:] for r in rows])
    report = validate(planned.problem, folder)
    assert "format" in report.rules
    assert "level" in str(report)

    folder = write_plan(planned, tmp_path / "plan2", maps=False)
    _rewrite(folder / "visits.csv", lambda rows: [rows[0]] + [[*r[:at], "5"] for r in rows[1:2]] + rows[2:])
    report = validate(planned.problem, folder)
    assert "level" in report.rules
    assert "level 5 is not a level" in str(report)


def test_unserved_visits_are_listed_per_level(tmp_path):
    problem = level_problem(head_days="Mon", head_visits=2)  # two head visits, one working day
    result = plan(problem, stop=MaxIterations(200), seed=1)
    assert result.validate().ok, str(result.validate())
    assert [(u.customer_id, u.level, u.visits_missing) for u in result.unserved] == [("L1", 2, 2)]
    assert result.unserved[0].reason.startswith("level 2 (head): needs 2 visits")
    folder = write_plan(result, tmp_path / "plan", maps=False)
    assert (folder / "unserved.csv").read_text(encoding="utf-8").splitlines()[0].endswith(",level")
    assert validate(problem, folder).ok
    _rewrite(folder / "unserved.csv", lambda rows: rows[:1])
    report = validate(problem, folder)
    assert report.rules == {"visit-count"}, str(report)
