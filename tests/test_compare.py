"""The strategy comparison and its report."""

import csv

from routeplan import compare, read_scenario
from routeplan.cli import main
from routeplan.compare import COMPARE_COLUMNS


def test_compare_writes_every_plan_and_the_report(tmp_path):
    from conftest import DATA

    problem = read_scenario(DATA / "tiny")
    result = compare(problem, time_limit=2, seed=3)
    assert list(result.plans) == ["hybrid", "region", "business-type", "value"]
    out = tmp_path / "report"
    result.write(out)
    with (out / "compare.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == COMPARE_COLUMNS
    assert [r["strategy"] for r in rows] == list(result.plans)
    for name in result.plans:
        assert (out / name / "visits.csv").exists()
        assert (out / name / "map.html").exists()
    for name in ("compare.md", "compare.html", "workload.png"):
        assert (out / name).stat().st_size > 0
    report = (out / "compare.md").read_text(encoding="utf-8")
    assert "| hybrid |" in report
    assert "Work per manager and day" in report
    assert "| Mon | Tue | Wed | Thu | Fri |" in report
    assert 'src="region/map.html"' in (out / "compare.html").read_text(encoding="utf-8")


def test_compare_command_and_plans_validate(tmp_path, capsys):
    from conftest import DATA

    out = tmp_path / "r"
    assert main(["compare", str(DATA / "tiny"), "--out", str(out), "--time-limit", "2",
                 "--strategies", "hybrid,region"]) == 0
    assert "| region |" in capsys.readouterr().out
    for name in ("hybrid", "region"):
        assert main(["validate", str(DATA / "tiny"), str(out / name)]) == 0
    assert main(["compare", str(DATA / "tiny"), "--out", str(out), "--strategies", "bogus"]) == 64
    assert "unknown strategy 'bogus'" in capsys.readouterr().err
