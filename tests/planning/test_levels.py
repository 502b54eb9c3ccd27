"""Planning with visit levels (三级拜访): the sample with its market manager and head, strategies,
re-plans and maps know levels; a problem too large for one part is planned in parts."""

from __future__ import annotations

import json

import pytest

from routeplan import Plan, ProblemBuilder, ScenarioError, plan, read_plan, read_scenario, replan, write_plan
from routeplan.maps import render
from routeplan.planner import PlanParams
from routeplan.planning.formulate import formulate
from routeplan.stop import MaxIterations

from conftest import REPO

SAMPLE = REPO / "data" / "samples" / "kuiwen-levels"


@pytest.fixture(scope="module")
def sample():
    return read_scenario(SAMPLE)


@pytest.fixture(scope="module")
def sample_plan(sample):
    return plan(sample, stop=MaxIterations(1500), seed=0)


def test_the_sample_has_the_special_customer_service_department(sample):
    assert sample.num_days == 20
    assert [(m.manager_id, m.role) for m in sample.managers][-2:] == [("M1", "M"), ("H1", "H")]
    large, night = sample.tier("large"), sample.tier("night")
    assert [(lv.roles, lv.visits) for lv in large.levels] == [(("M",), 2), (("H",), 1)]
    assert [(lv.roles, lv.visits) for lv in night.levels] == [(("M",), 1)]
    # The customer managers' own visits: the two-week sample's rhythm over four weeks.
    assert (large.visits, large.min_gap, night.visits) == (4, 4, 2)
    assert sample.visits_required() == 2 * 2678 + 76 * 3 + 120


def test_the_sample_plan_serves_every_level_by_its_roles(sample, sample_plan):
    report = sample_plan.validate()
    assert report.ok, str(report)
    assert not sample_plan.unserved
    by_level: dict[int, set[str]] = {}
    days: dict[str, list[int]] = {}
    for route, stop in sample_plan.visits():
        by_level.setdefault(stop.level, set()).add(route.manager_id)
        days.setdefault(stop.customer_id, []).append(route.day_index)
    assert by_level[1] == {"M1"}
    assert by_level[2] == {"H1"}
    assert not by_level[0] & {"M1", "H1"}
    assert all(len(d) == len(set(d)) for d in days.values())
    figures = {f["level"]: f for f in sample_plan.summary()["levels"]}
    assert figures[1]["visits_planned"] == 76 * 2 + 120
    assert figures[2]["visits_planned"] == 76
    assert figures[2]["managers"] == ["H1"]
    assert figures[2]["max_day_work_min"] > 0
    assert "level 2 (department head): 76 of 76 visits by H1" in sample_plan.summary_table()


def test_the_sample_plan_folder_and_map_show_levels(sample_plan, tmp_path):
    folder = write_plan(sample_plan, tmp_path / "plan", maps=False)
    header = (folder / "visits.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.endswith(",travel_km,level")
    assert json.loads((folder / "summary.json").read_text(encoding="utf-8"))["levels"][1]["name"] == "market manager"
    again = read_plan(sample_plan.problem, folder)
    assert [s.level for _, s in again.visits()] == [s.level for _, s in sample_plan.visits()]
    assert again.validate().ok
    copy = Plan.from_json(sample_plan.to_json())
    assert [s.level for _, s in copy.visits()] == [s.level for _, s in sample_plan.visits()]
    schedule = (folder / "schedules" / "H1.csv").read_text(encoding="utf-8").splitlines()
    assert schedule[0].endswith(",level,level_name")
    assert schedule[1].endswith(",2,department head")
    html = render(sample_plan, tiles=None).get_root().render()
    assert "level 1 (market manager): 272 visits" in html
    assert "level 2 (department head): 76 visits" in html
    assert "large, market manager" in html  # a stop's tooltip names its level


def level_problem(n: int = 30):
    b = ProblemBuilder(name="levels", days=["Mon", "Tue", "Wed", "Thu", "Fri"])
    b.set_depot(119.13, 36.71)
    b.add_tier("large", visits=2, min_gap=2, service_min=15, roles=["A"],
               levels=[{"name": "market manager", "roles": ["M"], "visits": 1, "service_min": 20}])
    b.add_tier("small", visits=1, service_min=10, roles=["D"])
    for m, role in (("A1", "A"), ("A2", "A"), ("D1", "D"), ("D2", "D"), ("M1", "M")):
        b.add_manager(m, role=role)
    for i in range(n):
        b.add_customer(f"C{i}", lon=119.13 + 0.002 * (i % 7), lat=36.71 + 0.002 * (i // 7),
                       tier="large" if i % 3 == 0 else "small", value=float(i), current_manager=None)
    return b.build()


def test_a_role_blind_strategy_hands_out_only_the_tiers_own_visits():
    problem = level_problem()
    result = plan(problem, strategy="value", stop=MaxIterations(300), seed=2)
    assert result.validate().ok, str(result.validate())
    own = {route.manager_id for route, stop in result.visits() if stop.level == 0}
    assert "M1" not in own
    assert {route.manager_id for route, stop in result.visits() if stop.level == 1} == {"M1"}


def test_a_replan_keeps_the_own_visits_and_plans_the_levels_again():
    problem = level_problem()
    first = plan(problem, stop=MaxIterations(300), seed=2)
    again = replan(problem, first, stop=MaxIterations(300), seed=3)
    assert again.validate().ok, str(again.validate())
    assert again.reassigned_pct() == 0.0
    assert again.same_days_pct() == 100.0
    assert sum(1 for _, s in again.visits() if s.level == 1) == sum(1 for c in problem.customers if c.tier == "large")


def test_levels_are_tasks_of_their_customer_in_one_group():
    problem = level_problem()
    form = formulate(problem)
    n = problem.num_customers
    larges = [i for i, c in enumerate(problem.customers) if c.tier == "large"]
    assert form.instance.num_tasks == n + len(larges)
    assert list(form.task_customer[n:]) == larges
    assert set(form.task_level[n:]) == {1}
    for t in range(n, form.instance.num_tasks):
        customer = form.customer_of(t)
        assert form.instance.tasks[t].group == form.instance.tasks[customer].group == customer
        assert form.instance.tasks[t].owners == (4,)  # M1
    assert all(form.instance.tasks[i].group == -1 for i, c in enumerate(problem.customers) if c.tier == "small")


def test_a_problem_with_levels_larger_than_one_part_is_planned_in_parts():
    """Once refused ("one department at a time"); now planned level by level
    (routeplan.planning.levels, tests/planning/test_levels_in_parts.py)."""
    problem = level_problem(40)
    result = plan(problem, stop=MaxIterations(1000), seed=0, params=PlanParams(part_customers=20))
    assert result.validate().ok, str(result.validate())
    assert result.visits_planned() == result.visits_required()
    assert result.run.parts > 1


def test_the_sample_with_levels_is_what_its_seeded_generator_writes(tmp_path):
    """data/samples/kuiwen-levels is generated, never edited (and its shops are the sample's)."""
    import subprocess
    import sys

    out = tmp_path / "kuiwen-levels"
    subprocess.run([sys.executable, str(REPO / "data" / "samples" / "generate_kuiwen_levels.py"), "--out", str(out)],
                   check=True, capture_output=True)
    for name in ("scenario.toml", "customers.csv", "managers.csv", "districts.geojson"):
        assert (out / name).read_bytes() == (SAMPLE / name).read_bytes(), name
    plain = REPO / "data" / "samples" / "kuiwen"
    assert (SAMPLE / "customers.csv").read_bytes() == (plain / "customers.csv").read_bytes()
    assert (SAMPLE / "managers.csv").read_bytes().startswith((plain / "managers.csv").read_bytes())


def test_a_role_blind_plan_compares_the_work_of_customer_managers_apart_from_levels():
    result = plan(level_problem(), strategy="value", stop=MaxIterations(300), seed=2)
    assert result.role_groups() == [["A1", "A2", "D1", "D2"], ["M1"]]


def test_a_what_if_rule_must_leave_days_for_the_levels():
    problem = level_problem()
    assert problem.with_tier_rules("large", visits=4, min_gap=1).tier("large").visits == 4
    with pytest.raises(ScenarioError) as info:
        problem.with_tier_rules("large", visits=5, min_gap=1)
    assert "beside the 1 visits of its further levels" in str(info.value)
