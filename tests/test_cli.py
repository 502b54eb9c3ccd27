"""The command line, run as users run it."""

import json
import subprocess
import sys

from routeplan.cli import main


def test_plan_then_validate(tmp_path, capsys):
    from conftest import DATA

    out = tmp_path / "plan"
    assert main(["plan", str(DATA / "tiny"), "--out", str(out), "--time-limit", "3", "--seed", "4"]) == 0
    captured = capsys.readouterr()
    assert "14 of 14 visits planned" in captured.err
    assert "manager" in captured.out  # the summary table
    assert json.loads((out / "summary.json").read_text())["seed"] == 4
    assert main(["validate", str(DATA / "tiny"), str(out)]) == 0
    assert "valid" in capsys.readouterr().out


def test_validate_reports_a_broken_plan(tmp_path, capsys):
    from conftest import DATA

    out = tmp_path / "plan"
    main(["plan", str(DATA / "tiny"), "--out", str(out), "--time-limit", "2", "--quiet"])
    visits = (out / "visits.csv").read_text().splitlines()
    (out / "visits.csv").write_text("\n".join(visits[:1] + visits[2:]) + "\n")  # drop one visit
    capsys.readouterr()
    assert main(["validate", str(DATA / "tiny"), str(out)]) == 1
    assert "visit" in capsys.readouterr().out


def test_bad_input_exits_2_with_file_row_column(tiny_dir, tmp_path, capsys):
    text = (tiny_dir / "customers.csv").read_text(encoding="utf-8")
    (tiny_dir / "customers.csv").write_text(text.replace("L2,119.1550,36.7050", "L2,119.1550,north"),
                                            encoding="utf-8")
    out = tmp_path / "never"
    assert main(["plan", str(tiny_dir), "--out", str(out), "--time-limit", "2"]) == 2
    assert "customers.csv, row 3, column 'lat'" in capsys.readouterr().err
    assert not out.exists()


def test_unknown_strategy_is_a_bad_argument(tmp_path, capsys):
    from conftest import DATA

    assert main(["plan", str(DATA / "tiny"), "--out", str(tmp_path / "x"), "--strategy", "regions"]) == 64
    err = capsys.readouterr().err
    assert "unknown strategy 'regions'; did you mean 'region'?" in err
    assert "Traceback" not in err
    assert not (tmp_path / "x").exists()


def test_python_dash_m_works(tmp_path):
    from conftest import DATA

    out = tmp_path / "plan"
    done = subprocess.run([sys.executable, "-m", "routeplan", "plan", str(DATA / "tiny"), "--out", str(out),
                           "--time-limit", "2", "--quiet"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([sys.executable, "-m", "routeplan", "validate", str(DATA / "tiny"), str(out)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert done.stdout.startswith("valid")
