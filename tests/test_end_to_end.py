"""Whole runs: the Kuiwen sample and scenarios the project has never seen."""

import pytest

from routeplan import plan, read_scenario, validate_folder, write_plan, write_scenario
from routeplan.cli import main
from routeplan.synthetic import random_problem


@pytest.mark.slow
def test_kuiwen_sample_plans_fully_and_validates(tmp_path):
    from conftest import REPO

    out = tmp_path / "kuiwen"
    assert main(["plan", str(REPO / "data" / "samples" / "kuiwen"), "--out", str(out), "--time-limit", "20",
                 "--quiet"]) == 0
    report = validate_folder(REPO / "data" / "samples" / "kuiwen", out)
    assert report.ok, str(report)
    assert report.visits_checked == 2678
    assert (out / "unserved.csv").read_text(encoding="utf-8").count("\n") == 1


@pytest.mark.slow
@pytest.mark.parametrize("seed", [11, 12, 13])
def test_unseen_scenarios_plan_fully(seed, tmp_path):
    problem = random_problem(seed, customers=2000)
    # The features the contract allows, all present.
    assert any(t.visits == 4 and t.min_gap == 2 for t in problem.tiers)
    assert any(len(m.days) < problem.num_days for m in problem.managers)
    assert any(m.max_visits for m in problem.managers)
    assert sum(1 for c in problem.customers if c.locked_manager) >= 3
    # Written to disk and read back as users would.
    write_scenario(problem, tmp_path / "scenario")
    problem = read_scenario(tmp_path / "scenario")
    result = plan(problem, time_limit=25, seed=seed)
    assert result.unserved == (), [u.reason for u in result.unserved[:3]]
    write_plan(result, tmp_path / "plan", maps=False)
    assert validate_folder(tmp_path / "scenario", tmp_path / "plan").ok
