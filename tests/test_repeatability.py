"""Same inputs and seed give the same files; the time limit holds; an interrupted run leaves
nothing behind."""

import datetime as dt
import filecmp
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from routeplan import MaxWork, PlanParams, PlanWarning, plan, write_plan
from routeplan import planner as planner
from routeplan.cli import main
from routeplan.synthetic import random_problem


def _same_files(a, b):
    """Files that differ between two plan folders, summary.json aside (it holds timings)."""
    differ = []
    comparison = filecmp.dircmp(a, b)
    stack = [comparison]
    while stack:
        c = stack.pop()
        differ += [str(Path(c.left) / name) for name in c.diff_files + c.left_only + c.right_only
                   if name != "summary.json"]
        stack += list(c.subdirs.values())
    return differ


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_same_seed_gives_identical_files(seed, tmp_path):
    problem = random_problem(100 + seed, customers=300)
    for k in range(2):
        # A work budget never looks at the clock: the same files on any machine, however busy.
        result = plan(problem, stop=MaxWork(3e9), seed=seed)
        assert result.run.stopped_by == "budget"
        write_plan(result, tmp_path / f"run{k}", start_date=dt.date(2026, 11, 30))
    assert _same_files(tmp_path / "run0", tmp_path / "run1") == []
    first = json.loads((tmp_path / "run0" / "summary.json").read_text())
    second = json.loads((tmp_path / "run1" / "summary.json").read_text())
    for key in ("solve_seconds", "startup_seconds"):
        first.pop(key), second.pop(key)
    assert first == second


@pytest.mark.slow
def test_a_time_limit_repeats_when_the_budget_ends_the_search(tmp_path):
    # Half the calibrated rate: the budget ends long before the clock even on a busy machine, so
    # this checks that a time limit's budget gives the same plan, not how fast the machine is.
    half = PlanParams(units_per_second=planner.UNITS_PER_SECOND / 2)
    problem = random_problem(103, customers=300)
    runs = [plan(problem, time_limit=6, seed=3, params=half) for _ in range(2)]
    assert [r.run.stopped_by for r in runs] == ["budget", "budget"]
    assert runs[0].routes == runs[1].routes


def test_the_command_repeats_a_plan_by_iterations(tmp_path):
    from conftest import DATA

    for k in range(2):
        assert main(["plan", str(DATA / "tiny"), "--out", str(tmp_path / f"run{k}"), "--iterations", "400",
                     "--seed", "5", "--quiet", "--start-date", "2026-11-30"]) == 0
    assert _same_files(tmp_path / "run0", tmp_path / "run1") == []
    summary = json.loads((tmp_path / "run0" / "summary.json").read_text())
    assert summary["stopped_by"] == "iterations"
    assert summary["time_limit"] is None


def test_a_run_stopped_by_the_clock_says_so(tiny_problem, caplog):
    # A rate no machine reaches, and no early end of a settled search: the clock ends the search.
    unreachable = PlanParams(units_per_second=1e13, min_settled_iterations=10**12)
    with caplog.at_level("WARNING", logger="routeplan"), pytest.warns(PlanWarning, match="may not repeat"):
        result = plan(tiny_problem, time_limit=1, seed=0, params=unreachable)
    assert result.run.stopped_by == "clock"
    assert any("may not repeat" in r.getMessage() for r in caplog.records)
    assert any("may not repeat" in w for w in result.warnings)


@pytest.mark.slow
def test_another_seed_gives_another_plan(tiny_problem):
    problem = random_problem(7, customers=300)
    a = plan(problem, time_limit=4, seed=1)
    b = plan(problem, time_limit=4, seed=2)
    assert a.routes != b.routes


@pytest.mark.slow
def test_interrupt_leaves_no_plan_folder(tmp_path):
    from conftest import REPO

    out = tmp_path / "plan"
    process = subprocess.Popen([sys.executable, "-m", "routeplan", "-v", "plan",
                                str(REPO / "data" / "samples" / "kuiwen"), "--out", str(out), "--time-limit", "60"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Interrupted in the search (its start is logged), however fast the machine gets there.
    assert process.stderr is not None
    seen = []
    for line in process.stderr:
        seen.append(line)
        if "formulated and diagnosed" in line:
            break
    process.send_signal(signal.SIGINT)
    _, rest = process.communicate(timeout=60)
    err = "".join(seen) + rest
    assert any("formulated and diagnosed" in line for line in seen), err
    assert process.returncode == 130, err
    assert "interrupted; nothing was written" in err
    assert list(tmp_path.iterdir()) == []
