"""CI smoke test of benchmarks/levels.py --city: it plans a city with levels by the command line,
and what it records matches the plan it wrote."""

import json
import subprocess
import sys

import pytest

from conftest import REPO


@pytest.mark.slow
def test_the_city_mode_records_the_plan_it_wrote(tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, str(REPO / "benchmarks" / "levels.py"), "--city", "400", "--time-limit", "20", "--seed",
               "1", "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    record = json.loads((out / "levels-city.json").read_text(encoding="utf-8"))
    row = record["city"]
    summary = json.loads((out / "plan-400-levels" / "summary.json").read_text(encoding="utf-8"))
    assert row["valid"] is True
    assert row["visits"] == f"{summary['visits_planned']}/{summary['visits_required']}"
    assert [level["level"] for level in row["levels"]] == [0, 1, 2]
    assert row["roles"]["M"] == row["roles"]["H"] >= 1
    assert record["time_limit"] == 20
