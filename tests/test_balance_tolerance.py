"""The balance tolerance end to end: inside the band only travel counts, a tight band buys
evenness with travel, and a plan says who is out of its band."""

import json

import pytest

from routeplan import MaxIterations, ProblemBuilder, plan
from routeplan.cli import main
from routeplan.io.scenario import read_scenario, write_scenario


def two_towns(tolerance):
    """Two managers at a depot between a town of ten shops in the east and two in the west: the
    least travel sends one manager to each town, with five times the work in the east."""
    b = ProblemBuilder(name="towns", days=["Mon"])
    b.set_depot(119.10, 36.70)
    b.set_balance(tolerance=tolerance, day_tolerance=1.0)
    b.add_tier("shop", visits=1, service_min=45, roles=["C"])
    for m in ("C1", "C2"):
        b.add_manager(m, role="C", shift_start="08:00", shift_end="18:00")
    for k in range(10):
        b.add_customer(f"E{k}", lon=119.20 + 0.002 * k, lat=36.70, tier="shop")
    for k in range(2):
        b.add_customer(f"W{k}", lon=119.00 - 0.002 * k, lat=36.70, tier="shop")
    return b.build()


@pytest.fixture(scope="module")
def loose_and_tight():
    stop = MaxIterations(3000)
    return plan(two_towns(1.0), stop=stop, seed=1), plan(two_towns(0.0), stop=stop, seed=1)


def test_a_loose_band_keeps_the_towns_apart_and_travels_less(loose_and_tight):
    loose, tight = loose_and_tight
    assert loose.visits_planned() == tight.visits_planned() == 12
    towns = {r.manager_id: {s.customer_id[0] for s in r.stops} for r in loose.routes}
    assert sorted(towns.values(), key=sorted) == [{"E"}, {"W"}]
    assert loose.balance().within
    assert loose.cost() < tight.cost()


def test_a_tight_band_evens_the_work_at_a_price(loose_and_tight):
    loose, tight = loose_and_tight
    assert tight.balance().largest_deviation < loose.balance().largest_deviation
    # tolerance 0 still leaves the band's floor of an hour either side of the fair share
    assert tight.balance().within


def test_a_band_the_plan_cannot_meet_is_reported_not_an_error(caplog):
    # three three-hour shops for two managers: one of them has twice the other's work whatever
    # the plan, a third (90 minutes) above the mean against a band of 10% (an hour at least)
    b = ProblemBuilder(name="three", days=["Mon"])
    b.set_depot(119.10, 36.70)
    b.set_balance(tolerance=0.10, day_tolerance=1.0)
    b.add_tier("shop", visits=1, service_min=180, roles=["C"])
    for m in ("C1", "C2"):
        b.add_manager(m, role="C")
    for k in range(3):
        b.add_customer(f"S{k}", lon=119.10 + 0.001 * k, lat=36.70, tier="shop")
    result = plan(b.build(), stop=MaxIterations(500), seed=0)
    assert result.visits_planned() == 3
    report = result.balance()
    assert not report.within
    assert {m.manager_id for m in report.out_of_band()} == {"C1", "C2"}
    assert all(abs(m.deviation) > 0.3 for m in report.out_of_band())
    assert any(r.getMessage().startswith("balance: group C (2 managers of role C): 2 of 2 outside +-10%")
               for r in caplog.records)
    assert result.summary()["balance"]["within"] is False


def test_the_scenario_file_and_the_command_line_set_the_tolerance(tmp_path):
    folder = write_scenario(two_towns(0.5), tmp_path / "towns")
    assert read_scenario(folder).balance.tolerance == 0.5
    out = tmp_path / "plan"
    assert main(["plan", str(folder), "--out", str(out), "--iterations", "300", "--quiet",
                 "--balance-tolerance", "0.2", "--day-balance-tolerance", "0.9"]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["balance"]["tolerance"] == 0.2
    assert summary["balance"]["day_tolerance"] == 0.9
    assert set(summary["territories"]) >= {"hull_overlap", "mean_centre_km"}


def test_a_tolerance_outside_zero_to_one_is_a_bad_argument(tmp_path, capsys):
    folder = write_scenario(two_towns(0.5), tmp_path / "towns")
    assert main(["plan", str(folder), "--out", str(tmp_path / "p"), "--balance-tolerance", "10%"]) == 64
    assert "expected a share like 0.10 for 10%" in capsys.readouterr().err
    assert main(["plan", str(folder), "--out", str(tmp_path / "p"), "--balance-tolerance", "1.5"]) == 64
