"""Re-planning from a previous plan: the limit, kept days, changes.csv, diff, the command."""

import csv
import logging
from dataclasses import replace

import pytest

from routeplan import (
    MaxIterations,
    PlanFileError,
    ScenarioError,
    StabilitySettings,
    diff_plans,
    plan,
    read_scenario,
    replan,
    try_variants,
    validate_folder,
    write_plan,
    write_scenario,
)
from routeplan.cli import main
from routeplan.planner import PlanParams, from_previous, plan_within
from routeplan.results.changes import PlanRecord
from routeplan.synthetic import perturbed, random_problem

STOP = MaxIterations(4000)


@pytest.fixture(scope="module")
def now():
    problem = random_problem(7, customers=160)
    return problem, plan(problem, stop=STOP, seed=1)


@pytest.fixture(scope="module")
def later(now):
    return perturbed(now[0], 7, new_share=0.06, closed_share=0.04)


def _rows(path):
    with path.open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def test_an_unchanged_scenario_keeps_every_manager_and_day(now):
    problem, first = now
    again = replan(problem, first, max_reassigned=0.0, stop=STOP, seed=2)
    assert again.reassigned_pct() == 0.0
    assert again.same_days_pct() >= 95.0
    assert again.visits_planned() == again.visits_required()
    assert diff_plans(first, again).reassigned == 0


def test_a_replan_honours_the_limit_and_says_what_changed_and_why(now, later, tmp_path):
    _, first = now
    result = replan(later, first, max_reassigned=0.05, stop=STOP, seed=3)
    assert result.reassigned_pct() <= 5.0
    assert result.visits_planned() == result.visits_required()
    write_scenario(later, tmp_path / "scenario")
    write_plan(result, tmp_path / "plan", maps=False)
    assert validate_folder(tmp_path / "scenario", tmp_path / "plan").ok
    rows = _rows(tmp_path / "plan" / "changes.csv")
    reasons = {r["reason"] for r in rows}
    assert {"new customer", "customer closed", "manager left"} <= reasons
    new = [r for r in rows if r["reason"] == "new customer"]
    assert len(new) == sum(1 for c in later.customers if c.customer_id.startswith("N"))
    assert all(r["before_manager"] == "" and r["after_manager"] for r in new)
    closed = [r for r in rows if r["reason"] == "customer closed"]
    assert all(r["after_manager"] == "" and r["before_days"] for r in closed)
    known = {c.customer_id for c in later.customers}
    assert all(r["customer_id"] not in known for r in closed)
    assert set(first.problem.days) >= {d for r in rows for d in r["after_days"].split(";") if d}


def test_a_manager_who_left_hands_the_line_to_the_new_one(now, later):
    _, first = now
    result = replan(later, first, max_reassigned=0.05, stop=STOP, seed=3)
    new = next(m.manager_id for m in later.managers if "new" in m.manager_id)
    gone = {m.manager_id for m in first.problem.managers} - {m.manager_id for m in later.managers}
    before = {c for c, m in first.assignment().items() if m in gone}
    after = {c for c, m in result.assignment().items() if m == new}
    assert len(before & after) >= 0.8 * len(before & {c.customer_id for c in later.customers})


def test_customers_their_manager_may_no_longer_serve_move_and_are_named(now, caplog):
    problem, first = now
    key = next(m.manager_id for m in problem.managers if m.role == "K")
    basic = [c for c in problem.customers if c.tier == "basic" and c.locked_manager is None][:30]
    moved = {c.customer_id for c in basic}
    record = PlanRecord.of(first)
    record = replace(record, manager_of={c: (key if c in moved else m) for c, m in record.manager_of.items()})
    with caplog.at_level(logging.WARNING, logger="routeplan"):
        result = replan(problem, record, max_reassigned=0.05, stop=STOP, seed=4)
    assert "cannot be met" in caplog.text
    rows = {r[0]: r for r in (c.row() for c in diff_plans(record, result).changes)}
    assert all(rows[c][5] == "no longer eligible" for c in moved)
    assert result.validate().ok


def test_a_bad_previous_plan_names_file_row_and_column(tmp_path, now):
    _, first = now
    write_plan(first, tmp_path / "plan", maps=False)
    visits = (tmp_path / "plan" / "visits.csv").read_text(encoding="utf-8").splitlines()
    cells = visits[3].split(",")
    cells[3] = "x"  # seq
    visits[3] = ",".join(cells)
    (tmp_path / "plan" / "visits.csv").write_text("\n".join(visits) + "\n", encoding="utf-8")
    with pytest.raises(PlanFileError) as caught:
        PlanRecord.read(tmp_path / "plan")
    assert "visits.csv, row 4, column 'seq'" in str(caught.value)


def test_stability_settings_round_trip_and_bad_ones_are_named(tmp_path, now):
    problem, _ = now
    write_scenario(problem.with_stability(StabilitySettings(max_reassigned=0.2, keep_days=False)), tmp_path / "s")
    again = read_scenario(tmp_path / "s")
    assert again.stability == StabilitySettings(max_reassigned=0.2, keep_days=False)
    toml = (tmp_path / "s" / "scenario.toml").read_text(encoding="utf-8")
    (tmp_path / "s" / "scenario.toml").write_text(toml.replace("max_reassigned = 0.2", "max_reassigned = 1.5\n"
                                                               "keep_weekdays = true"), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        read_scenario(tmp_path / "s")
    text = str(caught.value)
    assert "stability.max_reassigned" in text
    assert "unknown key 'keep_weekdays'" in text


def test_the_command_replans_and_diffs(tmp_path, now, later, capsys):
    _, first = now
    write_scenario(later, tmp_path / "later")
    write_plan(first, tmp_path / "before", maps=False)
    code = main(["plan", str(tmp_path / "later"), "--out", str(tmp_path / "after"), "--previous",
                 str(tmp_path / "before"), "--max-reassigned", "0.05", "--iterations", "3000", "--quiet"])
    assert code == 0
    assert "reassigned" in capsys.readouterr().err
    assert (tmp_path / "after" / "changes.csv").is_file()
    assert main(["validate", str(tmp_path / "later"), str(tmp_path / "after")]) == 0
    code = main(["diff", str(tmp_path / "before"), str(tmp_path / "after"), "--scenario", str(tmp_path / "later"),
                 "--out", str(tmp_path / "diff")])
    assert code == 0
    out = capsys.readouterr().out
    assert "reassigned" in out
    assert "customer closed" in out
    managers = _rows(tmp_path / "diff" / "managers.csv")
    assert sum(int(m["gained"]) for m in managers) >= sum(1 for c in later.customers if c.customer_id[0] == "N")
    assert main(["plan", str(tmp_path / "later"), "--out", str(tmp_path / "x"), "--max-reassigned", "2"]) == 64


def test_variants_are_tried_side_by_side_from_one_current_plan(now):
    problem, first = now
    regular = [m.manager_id for m in problem.managers if m.role == "R" and len(m.days) == problem.num_days]
    shops = [problem.new_customer(f"X{k}", lon=c.lon + 0.001, lat=c.lat, tier=c.tier)
             for k, c in enumerate(problem.customers[:10])]
    variants = {"one manager fewer": problem.without_managers(regular[-1]),
                "ten new shops": problem.with_customers(shops),
                "regular shops three times": problem.with_tier_rules("regular", visits=3, min_gap=3)}
    tried = try_variants(first, variants, max_reassigned=0.2, stop=STOP, seed=5)
    rows = {r["variant"]: r for r in tried.rows()}
    assert rows["ten new shops"]["visits_required"] == first.visits_required() + sum(c.visits for c in shops)
    assert rows["regular shops three times"]["visits_required"] > first.visits_required()
    assert all(r["reassigned_pct"] <= 20.0 for r in rows.values())
    assert all(p.validate().ok for p in tried.plans.values())
    assert "| one manager fewer |" in tried.markdown()
    assert first.problem is problem  # the current plan is untouched
    with pytest.raises(ScenarioError, match="no manager Z9"):
        problem.without_managers("Z9")
    with pytest.raises(ScenarioError, match="already in use"):
        problem.with_customers([problem.customers[0]])


def test_a_large_problem_replans_part_by_part(now):
    problem, first = now
    replanned, _ = from_previous(problem, first, max_reassigned=0.0)
    result = plan_within(replanned, strategy="hybrid", time_limit=None, stop=STOP, seed=6,
                         params=PlanParams(part_customers=60))
    assert result.run.parts > 1
    assert result.reassigned_pct() == 0.0
    assert result.same_days_pct() >= 90.0
    assert result.visits_planned() == result.visits_required()
