"""CI smoke test of benchmarks/pvrp_seeds.py: one row per instance and seed, each matching the
routes it wrote, and a table that sums them up."""

import csv
import subprocess
import sys

import pytest

from routeplan.io.cordeau import check_solution, read_instance, read_solution

from conftest import PVRP, REPO


@pytest.mark.slow
@pytest.mark.skipif(not PVRP.is_dir(), reason=f"PVRP instances not found in {PVRP}")
def test_every_seed_is_solved_checked_and_summed_up(tmp_path):
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "pvrp_seeds.py"), "--instances", str(PVRP),
                           "--only", "p14,p01", "--seeds", "1-2,5", "--time-limit", "1", "--out", str(out),
                           "--jobs", "2"], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    with (out / "seeds.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["instance"], r["seed"]) for r in rows] == [
        ("p01", "1"), ("p14", "1"), ("p01", "2"), ("p14", "2"), ("p01", "5"), ("p14", "5")]
    for row in rows:
        _, routes = read_solution(out / f"s{row['seed']}" / f"{row['instance']}.res")
        check = check_solution(read_instance(PVRP / f"{row['instance']}.txt"), routes)
        assert check.feasible, check.problems
        assert float(row["cost"]) == pytest.approx(check.cost, abs=0.006)
    table = done.stdout.splitlines()
    assert table[0].startswith("| instance | mean gap | sd | best | worst | seeds |")
    cells = [[c.strip() for c in line.split("|")[1:-1]] for line in table[2:4]]
    assert [(c[0], c[5]) for c in cells] == [("p01", "3"), ("p14", "3")]  # instance, seeds
    assert all(c[1].startswith("+") and c[1].endswith(" %") for c in cells)  # mean gap
    assert table[-1].startswith("| **all** |")
