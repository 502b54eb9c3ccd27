"""The strategy comparison and its report."""

import csv
import dataclasses
import json

import pytest

from routeplan import compare, read_scenario
from routeplan.cli import main
from routeplan.comparison import COMPARE_COLUMNS

from conftest import DATA


def _as_written(value: object) -> str:
    """A figure as compare.csv holds it (the csv module writes str(value); None as empty)."""
    return "" if value is None else str(value)


def test_compare_writes_every_plan_and_the_report(tmp_path):
    problem = read_scenario(DATA / "tiny")
    result = compare(problem, time_limit=2, seed=3)
    assert list(result.plans) == ["hybrid", "region", "business-type", "value"]
    out = tmp_path / "report"
    result.write(out)
    with (out / "compare.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == COMPARE_COLUMNS
    assert [r["strategy"] for r in rows] == list(result.plans)
    for row in rows:
        name = row["strategy"]
        summary = result.plans[name].summary()
        assert summary["strategy"] == name
        # Each figure is that plan's, and the plan folder beside it holds the same.
        written = json.loads((out / name / "summary.json").read_text(encoding="utf-8"))
        for column in COMPARE_COLUMNS[1:]:
            assert row[column] == _as_written(summary[column]), (name, column)
            assert row[column] == _as_written(written[column]), (name, column)
        with (out / name / "visits.csv").open(encoding="utf-8") as handle:
            assert sum(1 for _ in csv.DictReader(handle)) == int(row["visits_planned"])
        with (out / name / "unserved.csv").open(encoding="utf-8") as handle:
            unserved = list(csv.DictReader(handle))
        assert len(unserved) == int(row["unserved"])
        missing = sum(int(u["visits_missing"]) for u in unserved)
        assert int(row["visits_planned"]) + missing == int(row["visits_required"]) == problem.visits_required()
        assert (out / name / "map.html").exists()
    for name in ("compare.md", "compare.html", "workload.png"):
        assert (out / name).stat().st_size > 0
    report = (out / "compare.md").read_text(encoding="utf-8")
    assert result.markdown() in report
    for name, p in result.plans.items():
        s = p.summary()
        assert f"| {name} | {s['total_travel_km']:.0f} | {s['total_work_min'] / 60:.0f} | " in report
    assert "Work per manager and day" in report
    assert "| Mon | Tue | Wed | Thu | Fri |" in report
    assert 'src="region/map.html#compact"' in (out / "compare.html").read_text(encoding="utf-8")


def test_compare_command_and_plans_validate(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["compare", str(DATA / "tiny"), "--out", str(out), "--time-limit", "2",
                 "--strategies", "hybrid,region"]) == 0
    assert "| region |" in capsys.readouterr().out
    with (out / "compare.csv").open(encoding="utf-8") as handle:
        assert [r["strategy"] for r in csv.DictReader(handle)] == ["hybrid", "region"]
    for name in ("hybrid", "region"):
        assert main(["validate", str(DATA / "tiny"), str(out / name)]) == 0
    assert main(["compare", str(DATA / "tiny"), "--out", str(out), "--strategies", "bogus"]) == 64
    assert "unknown strategy 'bogus'" in capsys.readouterr().err


def test_a_strategy_the_scenario_cannot_serve_is_refused_before_any_planning(monkeypatch):
    import routeplan.comparison as comparison_module
    from routeplan import StrategyError
    from routeplan.synthetic import random_problem

    def no_planning(*args, **kwargs):
        raise AssertionError("planned before checking the strategies")

    monkeypatch.setattr(comparison_module, "plan_within", no_planning)
    city = random_problem(1, customers=60)
    problem = city.replace(customers=tuple(dataclasses.replace(c, district=None) for c in city.customers))
    with pytest.raises(StrategyError, match="the region strategy needs districts"):
        compare(problem, strategies=["hybrid", "region"], time_limit=2)


def test_compare_on_an_executor_gives_the_same_plans():
    from concurrent.futures import ProcessPoolExecutor

    from routeplan import MaxIterations

    problem = read_scenario(DATA / "tiny")
    alone = compare(problem, stop=MaxIterations(300), seed=2)
    with ProcessPoolExecutor(max_workers=2) as pool:
        fanned = compare(problem, stop=MaxIterations(300), seed=2, executor=pool)
    assert list(fanned.plans) == list(alone.plans)
    for name, result in alone.plans.items():
        assert fanned.plans[name].to_dict()["routes"] == result.to_dict()["routes"], name
    assert "stopping criterion" in alone._report_markdown()
