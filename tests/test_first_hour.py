"""What a newcomer meets in the first hour (issue 15): small problems end when settled, warnings
reach Python users, maps made in Python work offline, and mistakes are named before solving."""

import datetime as dt
import io
import json
import re
import shutil

import folium
import pytest

import routeplan
from routeplan import ArgumentError, MaxIterations, PlanWarning, plan, read_plan, read_scenario, write_plan
from routeplan.cli import main
from routeplan.maps import PlanMap, render, save, side_by_side
from routeplan.results.exports import cycle_start

from conftest import DATA, overloaded_problem


def test_a_small_problem_ends_when_the_search_has_nothing_left_to_find(tiny_problem):
    result = plan(tiny_problem, time_limit=30, seed=0)
    assert result.run.stopped_by == "no improvement"
    # 1,000 iterations without a better plan, not the 30 s budget (hundreds of thousands).
    assert result.iterations < 20_000
    assert not any("slower or busier" in w for w in result.warnings)


def test_warnings_reach_a_python_user_and_stay_on_the_plan(tmp_path):
    problem = overloaded_problem()
    with pytest.warns(PlanWarning) as caught:
        result = plan(problem, stop=MaxIterations(300), seed=0)
    raised = [str(w.message) for w in caught if issubclass(w.category, PlanWarning)]
    assert any("customer OFTEN cannot be served" in m for m in raised)
    assert any("could not be served" in m for m in raised)  # the plan's own unserved customers
    assert all(m in result.warnings for m in raised)
    assert not any(m.startswith("balance: ") for m in raised)  # kept on the plan, not raised
    table = result.summary_table()
    assert "warnings (" in table
    assert "customer OFTEN cannot be served" in table
    # In summary.json, and back from the folder and from JSON.
    write_plan(result, tmp_path / "p")
    assert json.loads((tmp_path / "p" / "summary.json").read_text(encoding="utf-8"))["warnings"] == list(
        result.warnings)
    assert read_plan(problem, tmp_path / "p").warnings == result.warnings
    assert routeplan.Plan.from_json(result.to_json()).warnings == result.warnings


def test_a_problem_keeps_what_reading_its_files_warned_of(tiny_dir):
    path = tiny_dir / "customers.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0] + ",phone"] + [line + ",123" for line in lines[1:]]) + "\n",
                    encoding="utf-8")
    with pytest.warns(PlanWarning, match="columns phone are not part of the format"):
        problem = read_scenario(tiny_dir)
    assert any("phone" in w for w in problem.warnings)
    result = plan(problem, stop=MaxIterations(50))
    assert any("phone" in w for w in result.warnings)  # the plan carries its problem's warnings


def test_the_command_shows_each_warning_once(tmp_path, capsys):
    shutil.copytree(DATA / "tiny", tmp_path / "s")
    path = tmp_path / "s" / "customers.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0] + ",phone"] + [line + ",1" for line in lines[1:]]) + "\n", encoding="utf-8")
    assert main(["plan", str(tmp_path / "s"), "--out", str(tmp_path / "p"), "--iterations", "50", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert err.count("columns phone are not part of the format") == 1
    assert "PlanWarning" not in err


def test_a_map_made_in_python_saves_self_contained(tiny_problem, tmp_path):
    result = plan(tiny_problem, stop=MaxIterations(100), seed=1)
    m = render(result)
    assert isinstance(m, PlanMap)
    m.save(tmp_path / "a.html")  # folium's usual call, offline by default
    page = (tmp_path / "a.html").read_text(encoding="utf-8")
    assert not re.search(r'<script[^>]+src="https?:', page)
    assert not re.search(r'<link[^>]+href="https?:', page)
    assert "Leaflet 1.9.4" in page
    assert save(render(result), tmp_path / "b.html").read_text(encoding="utf-8") == page  # same bytes
    m._repr_html_()
    m.save(tmp_path / "again.html")  # shown, then saved again: Folium's rendering adds nothing twice
    assert (tmp_path / "again.html").read_text(encoding="utf-8") == page
    buffer = io.BytesIO()
    render(result).save(buffer, close_file=False)
    assert buffer.getvalue().decode("utf-8") == page
    online = tmp_path / "c.html"
    render(result).save(online, offline=False)
    assert re.search(r'<script[^>]+src="https?:', online.read_text(encoding="utf-8"))
    cell = render(result)._repr_html_()  # a notebook without internet still shows the map
    assert "<iframe" in cell
    assert "cdn.jsdelivr" not in cell
    assert "Leaflet 1.9.4" in cell
    # A map of one's own keeps folium's behaviour; routeplan.maps.save writes it offline.
    own = folium.Map(location=[36.71, 119.13], zoom_start=12)
    assert render(result, m=own) is own
    assert not re.search(r'<script[^>]+src="https?:', save(own, tmp_path / "own.html").read_text(encoding="utf-8"))


def test_maps_side_by_side_need_no_network(tiny_problem, tmp_path):
    result = plan(tiny_problem, stop=MaxIterations(100), seed=1)
    pair = side_by_side(render(result, managers=["D1"]), render(result, managers=["D2"]))
    cell = pair._repr_html_()
    assert cell.count("<iframe") == 2
    assert "cdn.jsdelivr" not in cell
    assert cell.count("Leaflet 1.9.4") == 2
    page = pair.save(tmp_path / "pair.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert cell in page
    with pytest.raises(ArgumentError, match="two or more maps"):
        side_by_side(render(result))


def test_a_missing_file_is_one_problem_not_six(tiny_dir, capsys):
    (tiny_dir / "managers.csv").unlink()
    with pytest.raises(routeplan.ScenarioError) as caught:
        read_scenario(tiny_dir)
    assert [str(i) for i in caught.value.issues] == [
        f"managers.csv: file not found: {tiny_dir / 'managers.csv'} (nor managers.xlsx)"]


def test_a_missing_customers_file_is_one_problem(tiny_dir):
    (tiny_dir / "customers.csv").unlink()
    with pytest.raises(routeplan.ScenarioError) as caught:
        read_scenario(tiny_dir)
    assert len(caught.value.issues) == 1


def test_a_managers_file_without_its_role_column_is_named_once(tiny_dir):
    path = tiny_dir / "managers.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("role", "rolle", 1), encoding="utf-8")
    with pytest.raises(routeplan.ScenarioError) as caught:
        read_scenario(tiny_dir)
    assert len(caught.value.issues) == 1
    assert caught.value.issues[0].column == "role"


def test_a_start_date_on_another_weekday_is_refused_before_solving(tmp_path, capsys):
    out = tmp_path / "p"
    code = main(["plan", str(DATA / "tiny"), "--out", str(out), "--start-date", "2026-12-09", "--quiet"])
    assert code == 64
    err = capsys.readouterr().err
    assert "--start-date: 2026-12-09 is a Wednesday, but the cycle's first day 'Mon' is a Monday" in err
    assert "2026-12-07 or 2026-12-14" in err
    assert not out.exists()


def test_write_plan_refuses_a_start_date_on_another_weekday(tiny_problem, tmp_path):
    result = plan(tiny_problem, stop=MaxIterations(50))
    with pytest.raises(ArgumentError, match="is a Wednesday"):
        write_plan(result, tmp_path / "p", start_date=dt.date(2026, 12, 9))
    assert not (tmp_path / "p").exists()
    write_plan(result, tmp_path / "p", start_date=dt.date(2026, 12, 7))
    assert "2026-12-07" in (tmp_path / "p" / "schedules" / "A1.csv").read_text(encoding="utf-8")


def test_the_cycle_starts_on_its_first_days_weekday():
    assert cycle_start(("Tue-1", "Wed-1"), dt.date(2026, 12, 8)) == dt.date(2026, 12, 8)
    assert cycle_start(("Tue-1", "Wed-1")).weekday() == 1  # by default the next Tuesday
    assert cycle_start(("Mon", "Tue")).weekday() == 0
    assert cycle_start(("D1", "D2"), dt.date(2026, 12, 9)) == dt.date(2026, 12, 9)  # no weekday named
    with pytest.raises(ArgumentError, match="give a Tuesday, such as 2026-12-08 or 2026-12-15"):
        cycle_start(("Tue-1", "Wed-1"), dt.date(2026, 12, 10))


@pytest.mark.parametrize(("argv", "expected"), [
    (["plan", "S", "--out", "x", "--time-limit", "-5"], "'-5' must be a positive number of seconds"),
    (["plan", "S", "--out", "x", "--strategy", "regions"], "did you mean 'region'?"),
    (["compare", "S", "--out", "x", "--strategies", "hybrid,valeu"], "did you mean 'value'?"),
])
def test_bad_options_are_named_as_options(argv, expected, capsys):
    assert main([a.replace("S", str(DATA / "tiny")) if a == "S" else a for a in argv]) == 64
    err = capsys.readouterr().err
    assert expected in err
    assert "cannot read the input" not in err


def test_an_output_inside_a_file_is_refused_before_solving(tmp_path, capsys):
    (tmp_path / "notes.md").write_text("mine", encoding="utf-8")
    assert main(["plan", str(DATA / "tiny"), "--out", str(tmp_path / "notes.md" / "plan"), "--quiet"]) == 64
    assert "is a file, not a folder" in capsys.readouterr().err
    result = plan(read_scenario(DATA / "tiny"), stop=MaxIterations(20))
    with pytest.raises(routeplan.OutputFolderError, match="is a file, not a folder"):
        write_plan(result, tmp_path / "notes.md" / "plan")


def test_version_and_help_of_every_argument(capsys):
    import argparse

    from routeplan.cli import _parser

    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"routeplan {routeplan.__version__}"
    commands = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert set(commands) == {"plan", "validate", "compare", "map", "check", "diff", "edit", "osm", "init"}
    for name, command in commands.items():
        for action in command._actions:
            assert action.help, f"{name}: {action.dest} has no help text"


def test_the_first_run_after_installation_says_it_compiles(tmp_path, monkeypatch, capsys):
    from types import SimpleNamespace

    from routeplan import cli
    from routeplan.solver import lns

    with monkeypatch.context() as patch:
        patch.setattr(lns, "run_chunk", SimpleNamespace(_cache=SimpleNamespace(cache_path=str(tmp_path))))
        patch.setattr(lns._Kernels, "ready", False)
        assert not lns.kernels_compiled()  # nothing compiled on disk yet
        (tmp_path / "anneal.run_chunk-91.py311.nbi").write_bytes(b"")
        assert lns.kernels_compiled()
    monkeypatch.setattr(cli, "kernels_compiled", lambda: False)
    assert main(["plan", str(DATA / "tiny"), "--out", str(tmp_path / "p"), "--iterations", "20"]) == 0
    assert "compiling the search, once after installation" in capsys.readouterr().err
    monkeypatch.setattr(cli, "kernels_compiled", lambda: True)
    assert main(["plan", str(DATA / "tiny"), "--out", str(tmp_path / "p"), "--iterations", "20"]) == 0
    assert "compiling" not in capsys.readouterr().err
