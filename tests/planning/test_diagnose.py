"""Diagnosis before solving: working time per group of managers, unservable customers."""

from routeplan import ProblemBuilder
from routeplan.cli import main
from routeplan.io.scenario import write_scenario
from routeplan.planning.diagnose import capacity_checks, diagnose
from routeplan.planning.formulate import formulate


def overloaded():
    b = ProblemBuilder(name="over", days=["Mon", "Tue"])
    b.set_depot(119.13, 36.71)
    b.add_tier("shop", visits=2, min_gap=1, service_min=60, roles=["C"])
    b.add_tier("late", visits=1, service_min=10, window=("21:00", "22:00"), roles=["C"])
    b.add_tier("often", visits=2, min_gap=1, service_min=10, roles=["P"])
    b.add_manager("C1", role="C", shift_start="08:00", shift_end="12:00")
    b.add_manager("P1", role="P", days="Mon")
    for i in range(8):
        b.add_customer(f"S{i}", lon=119.13 + 0.002 * i, lat=36.71, tier="shop")
    b.add_customer("LATE", lon=119.14, lat=36.72, tier="late")
    b.add_customer("OFTEN", lon=119.14, lat=36.72, tier="often")
    return b.build()


def test_capacity_counts_service_and_estimates_travel():
    checks = {c.managers: c for c in capacity_checks(formulate(overloaded()))}
    c1 = checks[("C1",)]
    assert c1.service_min == 8 * 2 * 60 + 10
    assert c1.available_min == 2 * 240
    assert c1.travel_min > 0
    assert c1.load > 1.0 and "cannot be served in full" in c1.line()


def test_diagnosis_names_customers_that_cannot_be_served_whatever_the_plan():
    diagnosis = diagnose(formulate(overloaded()))
    reasons = dict(diagnosis.unservable)
    assert set(reasons) == {"LATE", "OFTEN"}
    assert "window 21:00-22:00 cannot be reached" in reasons["LATE"]
    assert "do not work enough days" in reasons["OFTEN"]
    assert diagnosis.certainly_infeasible


def test_check_command(tmp_path, capsys):
    from conftest import DATA

    assert main(["check", str(DATA / "tiny")]) == 0
    assert "nothing stands in the way" in capsys.readouterr().out
    write_scenario(overloaded(), tmp_path / "over")
    assert main(["check", str(tmp_path / "over")]) == 1
    out = capsys.readouterr().out
    assert "customer LATE cannot be served" in out and "cannot be served in full" in out


def test_plan_warns_before_solving(tmp_path, capsys):
    write_scenario(overloaded(), tmp_path / "over")
    assert main(["plan", str(tmp_path / "over"), "--out", str(tmp_path / "p"), "--time-limit", "2"]) == 0
    err = capsys.readouterr().err
    assert "warning: C1 (tiers late, shop)" in err
    assert "warning: customer OFTEN cannot be served" in err
    assert "customers unserved" in err
