"""What a run tells its user, each thing once and where it belongs: a warning of the scenario is
raised when it is read, not again by every plan; the command prints the balance lines in its
summary, not also as warnings above it; compare names the strategy a warning belongs to."""

import warnings

import pytest

from routeplan import MaxIterations, PlanWarning, ProblemBuilder, compare, plan, read_scenario, write_scenario
from routeplan.cli import main


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def uneven_problem():
    """Three three-hour shops for two managers: one of them is out of the band whatever the plan."""
    b = ProblemBuilder(name="three", days=["Mon"])
    b.set_depot(119.10, 36.70)
    b.set_balance(tolerance=0.10, day_tolerance=1.0)
    b.add_tier("shop", visits=1, service_min=180, roles=["C"])
    for m in ("C1", "C2"):
        b.add_manager(m, role="C")
    for k in range(3):
        b.add_customer(f"S{k}", lon=119.10 + 0.001 * k, lat=36.70, tier="shop", value=1000 + k)
    return b.build()


def test_a_warning_of_the_scenario_is_raised_once_when_read_not_by_every_plan(tiny_dir):
    edit(tiny_dir / "customers.csv", ",service_min,", ",phone,")
    with pytest.warns(PlanWarning, match="columns phone") as read:
        problem = read_scenario(tiny_dir)
    assert len([w for w in read if "phone" in str(w.message)]) == 1
    with warnings.catch_warnings(record=True) as planned:
        warnings.simplefilter("always")
        result = plan(problem, stop=MaxIterations(100), seed=0)
    assert not [w for w in planned if "phone" in str(w.message)]
    assert any("phone" in w for w in result.warnings)  # still on the plan (and in summary.json)


def test_the_command_prints_the_balance_lines_once(tmp_path, capsys):
    folder = tmp_path / "three"
    write_scenario(uneven_problem(), folder)
    assert main(["plan", str(folder), "--out", str(tmp_path / "plan"), "--iterations", "300"]) == 0
    captured = capsys.readouterr()
    printed = captured.out + captured.err
    assert printed.count("group C (2 managers of role C): 2 of 2 outside +-10%") == 1
    assert "warning: balance:" not in captured.err
    # --quiet prints no summary: there the warnings say it.
    assert main(["plan", str(folder), "--out", str(tmp_path / "quiet"), "--iterations", "300", "--quiet"]) == 0
    assert "warning: balance: group C (2 managers of role C): 2 of 2 outside" in capsys.readouterr().err


def test_compare_names_the_strategy_of_each_warning(tmp_path, capsys):
    folder = tmp_path / "three"
    write_scenario(uneven_problem(), folder)
    assert main(["compare", str(folder), "--out", str(tmp_path / "report"), "--time-limit", "1",
                 "--strategies", "hybrid,value", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "warning: hybrid: balance: group C" in err
    lines = [line for line in err.splitlines() if line.startswith("warning: ")]
    assert all(line.startswith(("warning: hybrid: ", "warning: value: ")) for line in lines)


def test_compare_raises_each_strategy_warning_named_and_the_problem_s_not_again():
    problem = uneven_problem()
    with warnings.catch_warnings(record=True) as raised:
        warnings.simplefilter("always")
        compare(problem, strategies=["hybrid", "value"], stop=MaxIterations(100), seed=0)
    messages = [str(w.message) for w in raised if issubclass(w.category, PlanWarning)]
    assert all(m.split(": ", 1)[0] in ("hybrid", "value") for m in messages)


def test_the_command_prints_every_warning_once(tiny_dir, tmp_path, capsys):
    edit(tiny_dir / "customers.csv", ",service_min,", ",phone,")
    assert main(["plan", str(tiny_dir), "--out", str(tmp_path / "plan"), "--iterations", "100"]) == 0
    captured = capsys.readouterr()
    assert (captured.out + captured.err).count("columns phone are not part of the format") == 1
    assert "warnings (" not in captured.out  # printed as they came, not listed again under the table


def test_compare_in_worker_processes_names_the_strategy_too(tmp_path, capfd):
    folder = tmp_path / "three"
    write_scenario(uneven_problem(), folder)
    assert main(["compare", str(folder), "--out", str(tmp_path / "report"), "--time-limit", "1",
                 "--strategies", "hybrid,value", "--workers", "2", "--quiet"]) == 0
    err = capfd.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("warning: ")]
    assert any(line.startswith("warning: hybrid: balance: group C") for line in lines)
    assert all(line.startswith(("warning: hybrid: ", "warning: value: ")) for line in lines)
