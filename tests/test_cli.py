"""The command line, run as users run it: its commands, messages and exit codes."""

import csv
import errno
import json
import os
import re
import subprocess
import sys
import time

import pytest

import routeplan
from routeplan import InternalError, RouteplanError, read_scenario
from routeplan.cli import main

from conftest import DATA

TINY = str(DATA / "tiny")
ONE_OF = "(expected one of hybrid, region, business-type, value)"


def test_plan_then_validate(tmp_path, capsys):
    out = tmp_path / "plan"
    assert main(["plan", TINY, "--out", str(out), "--time-limit", "3", "--seed", "4"]) == 0
    captured = capsys.readouterr()
    assert "14 of 14 visits planned" in captured.err
    assert "manager" in captured.out  # the summary table
    assert json.loads((out / "summary.json").read_text())["seed"] == 4
    assert main(["validate", TINY, str(out)]) == 0
    assert capsys.readouterr().out.startswith("valid: 14 visits in ")


def test_validate_reports_a_broken_plan(tmp_path, capsys):
    out = tmp_path / "plan"
    assert main(["plan", TINY, "--out", str(out), "--time-limit", "2", "--quiet"]) == 0
    with (out / "visits.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    dropped = rows[0]["customer_id"]
    visits = (out / "visits.csv").read_text(encoding="utf-8").splitlines()
    (out / "visits.csv").write_text("\n".join(visits[:1] + visits[2:]) + "\n", encoding="utf-8")  # drop one visit
    customer = read_scenario(DATA / "tiny").customer(dropped)
    planned = sum(1 for row in rows[1:] if row["customer_id"] == dropped)
    capsys.readouterr()
    assert main(["validate", TINY, str(out)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert (f"unserved.csv: {dropped} (tier {customer.tier}) has {planned} of {customer.visits} visits planned in "
            f"visits.csv but is not listed with the {customer.visits - planned} missing [visit-count]") in lines


def test_bad_input_exits_2_with_file_row_column(tiny_dir, tmp_path, capsys):
    text = (tiny_dir / "customers.csv").read_text(encoding="utf-8")
    (tiny_dir / "customers.csv").write_text(text.replace("L2,119.1550,36.7050", "L2,119.1550,north"),
                                            encoding="utf-8")
    out = tmp_path / "never"
    assert main(["plan", str(tiny_dir), "--out", str(out), "--time-limit", "2"]) == 2
    assert "customers.csv, row 3, column 'lat'" in capsys.readouterr().err
    assert not out.exists()


def test_a_missing_scenario_folder_exits_2(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err.splitlines() == ["routeplan: cannot read the input (1 problem):",
                                                    f"  {tmp_path / 'nowhere'}: scenario folder not found"]


@pytest.mark.parametrize(("command", "message"), [
    (["plan", TINY, "--out", "{out}", "--time-limit", "-5"],
     "argument --time-limit: '-5' must be a positive number of seconds"),
    (["plan", TINY, "--out", "{out}", "--time-limit", "soon"],
     "argument --time-limit: 'soon' is not a number of seconds"),
    (["compare", TINY, "--out", "{out}", "--time-limit", "0"],
     "argument --time-limit: '0' must be a positive number of seconds"),
    (["plan", TINY, "--out", "{out}", "--start-date", "30/11/2026"],
     "argument --start-date: '30/11/2026' is not a date like 2026-11-30"),
    (["plan", TINY, "--out", "{out}", "--strategy", "regions"],
     f"argument --strategy: unknown strategy 'regions'; did you mean 'region'? {ONE_OF}"),
    (["check", TINY, "--strategy", "hybird"],
     f"argument --strategy: unknown strategy 'hybird'; did you mean 'hybrid'? {ONE_OF}"),
    (["compare", TINY, "--out", "{out}", "--strategies", "hybrid,valeu"],
     f"argument --strategies: unknown strategy 'valeu'; did you mean 'value'? {ONE_OF}"),
    (["plan", TINY, "--out", "{out}", "--strategy", "zzz"],
     f"argument --strategy: unknown strategy 'zzz' {ONE_OF}"),
    (["plan", TINY, "--out", "{out}", "--seed", "one"], "argument --seed: invalid int value: 'one'"),
    (["plan", TINY, "--out", "{out}", "--workers", "0"], "argument --workers: '0' must be a positive whole number"),
    (["plan", TINY], "the following arguments are required: --out"),
    (["replan", TINY], "argument command: invalid choice: 'replan'"),
])
def test_a_bad_option_exits_64_with_the_usage(command, message, tmp_path, capsys):
    out = tmp_path / "x"
    assert main([part.replace("{out}", str(out)) for part in command]) == 64
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"routeplan: {message}")
    assert err[1].startswith(f"usage: routeplan {command[0]}" if command[0] != "replan" else "usage: routeplan")
    assert not out.exists()


def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"routeplan {routeplan.__version__}\n"


def _planner_raising(error):
    def plan(*args, **kwargs):
        raise error

    return plan


def test_an_internal_error_exits_70_without_a_traceback(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("routeplan.cli.plan", _planner_raising(InternalError("the engine lost visit 7")))
    out = tmp_path / "p"
    assert main(["plan", TINY, "--out", str(out), "--quiet"]) == 70
    assert capsys.readouterr().err.splitlines() == [
        "routeplan: internal error (a bug, please report it): the engine lost visit 7"]
    assert not out.exists()


def test_another_routeplan_error_exits_70(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("routeplan.cli.plan", _planner_raising(RouteplanError("something of ours")))
    assert main(["plan", TINY, "--out", str(tmp_path / "p"), "--quiet"]) == 70
    assert capsys.readouterr().err.splitlines() == ["routeplan: something of ours"]


def test_an_unexpected_exception_exits_70_with_the_bug_line_and_a_traceback(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("routeplan.cli.plan", _planner_raising(ZeroDivisionError("division by zero")))
    out = tmp_path / "p"
    assert main(["plan", TINY, "--out", str(out), "--quiet"]) == 70
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "routeplan: internal error (a bug, please report it with the lines below):"
    assert err[1] == "Traceback (most recent call last):"
    assert any("in plan" in line for line in err)  # where it was raised
    assert err[-1] == "ZeroDivisionError: division by zero"
    assert not out.exists()


def test_ctrl_c_exits_130_and_writes_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("routeplan.cli.plan", _planner_raising(KeyboardInterrupt()))
    out = tmp_path / "p"
    assert main(["plan", TINY, "--out", str(out), "--quiet"]) == 130
    assert capsys.readouterr().err == "\nrouteplan: interrupted; nothing was written\n"
    assert not out.exists()


def test_a_failed_write_exits_74_and_leaves_no_folder(tmp_path, capsys, monkeypatch):
    def disk_full(path, header, rows):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr("routeplan.results.files.write_table", disk_full)
    out = tmp_path / "p"
    assert main(["plan", TINY, "--out", str(out), "--time-limit", "1", "--quiet"]) == 74
    err = capsys.readouterr().err.splitlines()
    assert re.fullmatch(rf"routeplan: cannot write or read {re.escape(str(tmp_path))}/\.p\.\w+/visits\.csv: "
                        rf"{os.strerror(errno.ENOSPC)}", err[-1]), err
    assert "Traceback" not in "\n".join(err)
    assert list(tmp_path.iterdir()) == []  # neither the plan folder nor its staging folder


def test_python_dash_m_works(tmp_path):
    out = tmp_path / "plan"
    done = subprocess.run([sys.executable, "-m", "routeplan", "plan", TINY, "--out", str(out),
                           "--time-limit", "2", "--quiet"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([sys.executable, "-m", "routeplan", "validate", TINY, str(out)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert done.stdout.startswith("valid")
    done = subprocess.run([sys.executable, "-m", "routeplan", "--version"], capture_output=True, text=True,
                          check=False)
    assert (done.returncode, done.stdout) == (0, f"routeplan {routeplan.__version__}\n")


def test_workers_and_a_scheduler_are_one_or_the_other(tmp_path, capsys):
    out = tmp_path / "x"
    assert main(["plan", TINY, "--out", str(out), "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786",
                 "--iterations", "10"]) == 64
    assert "give --workers or --scheduler, not both" in capsys.readouterr().err
    assert not out.exists()


def test_compare_sends_its_strategies_to_a_dask_scheduler(tmp_path, capsys):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        code = main(["compare", TINY, "--out", str(tmp_path / "report"), "--time-limit", "2", "--quiet",
                     "--strategies", "hybrid,value", "--scheduler", cluster.scheduler_address])
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / "report" / "hybrid" / "visits.csv").is_file()
    assert (tmp_path / "report" / "value" / "visits.csv").is_file()


def test_plan_with_local_workers(tmp_path):
    assert main(["plan", TINY, "--out", str(tmp_path / "plan"), "--iterations", "200", "--workers", "2",
                 "--quiet"]) == 0
    assert main(["validate", TINY, str(tmp_path / "plan")]) == 0


class _PlannedError(Exception):
    """Raised by :func:`limit_starts`'s stand-in for ``plan`` once it has seen the time limit."""


def limit_starts(monkeypatch) -> list[float]:
    """Replace the command's ``plan`` by one that records when its time limit started (in the
    returned list) and raises :class:`_PlannedError` (exit 70 through ``main``)."""
    from routeplan import cli

    seen: list[float] = []

    def fake_plan(problem, **options):
        seen.append(options["time_limit"].started)
        raise _PlannedError

    monkeypatch.setattr(cli, "plan", fake_plan)
    return seen


def test_reaching_an_executor_is_start_up_outside_the_limit(tmp_path, monkeypatch):
    """Starting a pool or reaching a Dask scheduler is not counted against the time limit, so
    that the search gets the budget and clock it would get in one process."""
    import contextlib
    from concurrent.futures import ThreadPoolExecutor

    from routeplan import cli

    seen = limit_starts(monkeypatch)

    @contextlib.contextmanager
    def slow_executor(args):
        time.sleep(0.3)
        with ThreadPoolExecutor(1) as pool:
            yield pool

    monkeypatch.setattr(cli, "_executor", slow_executor)
    args = cli._parser().parse_args(["plan", TINY, "--out", str(tmp_path / "plan"), "--time-limit", "5",
                                     "--workers", "2"])
    args.started = 1000.0  # when the command started
    with pytest.raises(_PlannedError):
        cli._plan(args)
    (started,) = seen
    assert started >= 1000.3


def test_a_time_limit_counts_from_the_call_when_main_is_called_from_python(tmp_path, monkeypatch):
    # A process that has run for a while (a service, a notebook, pytest) has not spent the
    # command's time: run as a program, the limit counts from the process's start.
    from routeplan import cli

    seen = limit_starts(monkeypatch)
    monkeypatch.setattr(cli, "_process_started", lambda: 1000.0)
    before = time.perf_counter()
    assert cli.main(["plan", TINY, "--out", str(tmp_path / "plan"), "--time-limit", "5"]) == 70
    assert seen[0] >= before
    monkeypatch.setattr(sys, "argv", ["routeplan", "plan", TINY, "--out", str(tmp_path / "plan"), "--time-limit", "5"])
    assert cli.main() == 70
    assert seen[1] == 1000.0
