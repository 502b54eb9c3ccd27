"""benchmarks/vrptw_check.py catches broken VRPTW solutions and accepts a correct one, and
benchmarks/vrptw.py runs end to end with both solvers (a CI smoke test on one Solomon instance)."""

import csv
import importlib.util
import re
import subprocess
import sys

import pytest

from conftest import REPO, VRPTW

_spec = importlib.util.spec_from_file_location("vrptw_check", REPO / "benchmarks" / "vrptw_check.py")
assert _spec is not None
assert _spec.loader is not None
vrptw_check = importlib.util.module_from_spec(_spec)
sys.modules["vrptw_check"] = vrptw_check  # dataclasses look their module up
_spec.loader.exec_module(vrptw_check)

# Depot (0, 0); customer 1 at (3, 4): 5.0 from the depot; customer 2 at (6, 8): 5.0 from 1 and 10.0
# from the depot, window [20, 30]; customer 3 at (1, 3): sqrt(10) = 3.162 from the depot, 3.1 once
# truncated (rounding would give 3.2), 7.0 from customer 2 (sqrt(50) = 7.07).
TINY = """NAME : tiny
TYPE : CVRPTW
DIMENSION : 4
VEHICLES : 2
CAPACITY : 10
SERVICE_TIME : 10
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 3 4
3 6 8
4 1 3
DEMAND_SECTION
1 0
2 5
3 5
4 8
TIME_WINDOW_SECTION
1 0 {depot_due}
2 0 8
3 20 30
4 0 1000
DEPOT_SECTION
1
-1
EOF
"""
# Route 1 2: 5.0 + 5.0 + 10.0 = 20.0, customer 2 starts at 20 (waits from 15), back at 40;
# route 3: 3.1 + 3.1 = 6.2.
CORRECT = "Route #1: 1 2\nRoute #2: 3\nCost 26.2\n"


def check(tmp_path, solution: str, depot_due: int = 1000):
    instance = tmp_path / "tiny.vrp"
    instance.write_text(TINY.format(depot_due=depot_due))
    sol = tmp_path / "tiny.sol"
    sol.write_text(solution)
    return vrptw_check.check_files(instance, sol)


def test_a_correct_solution_is_feasible(tmp_path):
    result = check(tmp_path, CORRECT)
    assert result.problems == []


def test_the_cost_is_recomputed_with_truncated_distances(tmp_path):
    assert check(tmp_path, CORRECT).cost == pytest.approx(26.2)


def test_the_routes_are_counted(tmp_path):
    assert check(tmp_path, CORRECT).routes == 2


@pytest.mark.parametrize(("solution", "problem"), [
    ("Route #1: 1 2\nCost 20.0\n", r"1 customer\(s\) never visited: \[3\]"),
    ("Route #1: 2 1\nRoute #2: 3\nCost 26.2\n", "customer 1 starts at 35, after its window closes at 8"),
    ("Route #1: 1 2 3\nCost 20.1\n", "route 1: load 18 over the capacity 10"),
    ("Route #1: 1 2\nRoute #2: 3\nCost 26.3\n", r"stated cost 26.3 but the routes cost 26.2"),
    ("Route #1: 1 2\nRoute #2: 3\n", "the solution states no cost"),
    ("Route #1: 1 2\nRoute #2: 3 1\nCost 36.2\n", r"customer 1 visited twice \(routes 1 and 2\)"),
    ("Route #1: 1\nRoute #2: 2\nRoute #3: 3\nCost 36.2\n", "3 routes, more than the 2 vehicles"),
    ("Route #1: 1 2 7\nRoute #2: 3\nCost 26.2\n", r"route 1: 7 is not a customer \(1..3\)"),
], ids=["missing customer", "late arrival", "over capacity", "wrong cost", "no cost", "visited twice",
        "too many routes", "unknown customer"])
def test_a_broken_solution_is_caught(tmp_path, solution, problem):
    result = check(tmp_path, solution)
    assert any(re.search(problem, p) for p in result.problems), result.problems


def test_a_broken_solution_is_infeasible(tmp_path):
    assert not check(tmp_path, "Route #1: 2 1\nRoute #2: 3\nCost 26.2\n").feasible


def test_a_late_return_to_the_depot_is_caught(tmp_path):
    result = check(tmp_path, CORRECT, depot_due=35)
    assert result.problems == ["route 1: back at the depot at 40, after it closes at 35"]


def test_a_route_line_that_is_not_numbers_is_a_format_error(tmp_path):
    with pytest.raises(vrptw_check.FormatError, match=r"tiny.sol, line 1: a route lists whole customer numbers"):
        check(tmp_path, "Route #1: 1 x\nCost 1\n")


def test_the_command_line_exits_1_on_an_infeasible_solution(tmp_path):
    instance, sol = tmp_path / "tiny.vrp", tmp_path / "tiny.sol"
    instance.write_text(TINY.format(depot_due=1000))
    sol.write_text("Route #1: 1 2\nCost 20.0\n")
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "vrptw_check.py"), str(instance), str(sol)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout.splitlines()[0]) == (1, "INFEASIBLE: 1 routes, cost 20.0")


@pytest.mark.skipif(not (VRPTW / "bks.csv").is_file(), reason=f"VRPTW instances not found in {VRPTW}")
def test_the_best_known_solutions_pass_the_checker():
    with (VRPTW / "bks.csv").open(newline="") as f:
        bks = {r["instance"]: float(r["bks"]) for r in csv.DictReader(f)}
    for name in ("C101", "R202", "RC105"):
        result = vrptw_check.check_files(VRPTW / f"{name}.vrp", VRPTW / f"{name}.sol")
        assert (result.problems, result.cost) == ([], pytest.approx(bks[name]))


@pytest.mark.slow
@pytest.mark.skipif(not (VRPTW / "bks.csv").is_file(), reason=f"VRPTW instances not found in {VRPTW}")
def test_script_runs_every_solver_and_reports_what_it_wrote(tmp_path):
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "vrptw.py"), "--instances", str(VRPTW),
                           "--time-limit", "1", "--seed", "1", "--out", str(out), "--only", "C101",
                           "--solver", "all"], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    with (out / "results.csv").open(newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ["instance", "family", "solver", "time_limit", "seed", "cost", "bks", "gap_pct",
                                     "vehicles", "feasible", "seconds"]
        rows = list(reader)
    assert [(r["instance"], r["family"], r["solver"]) for r in rows] == [
        ("C101", "C1", "routeplan"), ("C101", "C1", "pyvrp"), ("C101", "C1", "routeplan-own")]
    for row in rows:
        result = vrptw_check.check_files(VRPTW / "C101.vrp", out / row["solver"] / "C101.sol")
        assert result.problems == []
        assert row["feasible"] == "True"
        assert float(row["cost"]) == pytest.approx(result.cost)
        assert int(row["vehicles"]) == result.routes
        assert float(row["gap_pct"]) == pytest.approx(100 * (result.cost / 827.3 - 1), abs=0.006)
        assert result.cost >= 827.3 - 1e-9  # nobody beats the best known solution
    assert "| C1 | 1 |" in done.stdout
