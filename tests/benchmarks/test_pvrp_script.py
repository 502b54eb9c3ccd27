"""CI smoke test of benchmarks/pvrp.py: it runs, and what it reports matches the routes it wrote."""

import csv
import subprocess
import sys

import pytest

from routeplan.io.cordeau import check_solution, read_instance, read_solution

from conftest import PVRP, REPO

INSTANCES = ["p01", "p03", "p14"]


@pytest.mark.slow
@pytest.mark.skipif(not PVRP.is_dir(), reason=f"PVRP instances not found in {PVRP}")
def test_script_results_match_the_written_routes(tmp_path):
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "pvrp.py"), "--instances", str(PVRP),
                           "--time-limit", "3", "--seed", "1", "--out", str(out), "--only", ",".join(INSTANCES)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    with (out / "results.csv").open(newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ["instance", "bks", "cost", "gap_pct", "seconds", "feasible", "visits_missing"]
        rows = list(reader)
    assert [r["instance"] for r in rows] == INSTANCES
    for row in rows:
        inst = read_instance(PVRP / f"{row['instance']}.txt")
        stated, routes = read_solution(out / f"{row['instance']}.res")
        check = check_solution(inst, routes)
        assert check.feasible, check.problems
        assert check.visits_missing == 0
        assert row["visits_missing"] == "0"
        assert row["feasible"] == "True"
        assert float(row["cost"]) == pytest.approx(check.cost, abs=0.006)
        assert stated == pytest.approx(check.cost, abs=0.006)
        bks = float(row["bks"])
        assert float(row["gap_pct"]) == pytest.approx(100 * (check.cost / bks - 1), abs=0.006)
        assert check.cost >= bks - 0.01  # nobody beats the best known solution on these
    assert "3/3 feasible" in done.stdout
