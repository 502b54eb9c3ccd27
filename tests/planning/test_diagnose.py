"""Diagnosis before solving: working time per group of managers, unservable customers."""

from routeplan.cli import main
from routeplan.io.scenario import write_scenario
from routeplan.planning.diagnose import capacity_checks, diagnose
from routeplan.planning.formulate import formulate

from conftest import overloaded_problem


def test_capacity_counts_service_and_estimates_travel():
    checks = {c.managers: c for c in capacity_checks(formulate(overloaded_problem()))}
    c1 = checks[("C1",)]
    assert c1.service_min == 8 * 2 * 60 + 10
    assert c1.available_min == 2 * 240
    assert c1.travel_min > 0
    assert c1.load > 1.0
    assert "cannot be served in full" in c1.line()


def test_diagnosis_names_customers_that_cannot_be_served_whatever_the_plan():
    diagnosis = diagnose(formulate(overloaded_problem()))
    reasons = dict(diagnosis.unservable)
    assert set(reasons) == {"LATE", "OFTEN"}
    assert "window 21:00-22:00 cannot be reached" in reasons["LATE"]
    assert "do not work enough days" in reasons["OFTEN"]
    assert diagnosis.certainly_infeasible


def test_check_command(tmp_path, capsys):
    from conftest import DATA

    assert main(["check", str(DATA / "tiny")]) == 0
    assert "nothing stands in the way" in capsys.readouterr().out
    write_scenario(overloaded_problem(), tmp_path / "over")
    assert main(["check", str(tmp_path / "over")]) == 1
    out = capsys.readouterr().out
    assert "customer LATE cannot be served" in out
    assert "cannot be served in full" in out


def test_plan_warns_before_solving(tmp_path, capsys):
    write_scenario(overloaded_problem(), tmp_path / "over")
    assert main(["plan", str(tmp_path / "over"), "--out", str(tmp_path / "p"), "--time-limit", "2"]) == 0
    err = capsys.readouterr().err
    assert "warning: C1 (tiers late, shop)" in err
    assert "warning: customer OFTEN cannot be served" in err
    assert "customers unserved" in err
