"""The plan object: figures, files and JSON."""

import csv
import json

import pytest

from routeplan import Plan, plan, write_plan
from routeplan.results.visit_plan import ROUTE_COLUMNS, VISIT_COLUMNS


@pytest.fixture(scope="module")
def tiny_plan(tiny_problem):
    return plan(tiny_problem, time_limit=3, seed=2)


def test_figures_add_up(tiny_plan):
    assert tiny_plan.visits_planned() == tiny_plan.visits_required() == 14
    assert tiny_plan.is_complete()
    assert tiny_plan.is_valid()
    figures = tiny_plan.manager_figures()
    assert sum(f.visits for f in figures) == 14
    assert sum(f.travel_km for f in figures) == pytest.approx(tiny_plan.cost())
    summary = tiny_plan.summary()
    for key in ("scenario", "strategy", "seed", "solve_seconds", "total_travel_km", "total_work_min",
                "visits_planned", "visits_required", "unserved", "managers"):
        assert key in summary
    for manager in summary["managers"].values():
        assert set(manager) >= {"customers", "visits", "travel_km", "work_min", "max_day_work_min"}
    assert summary["reassigned_pct"] is not None
    assert "total" in tiny_plan.summary_table()


def test_json_round_trip(tiny_plan):
    again = Plan.from_json(tiny_plan.to_json())
    assert again == tiny_plan
    assert again.summary() == tiny_plan.summary()


def test_written_folder_has_every_contract_file(tiny_plan, tmp_path):
    out = tmp_path / "plan"
    write_plan(tiny_plan, out)
    assert {p.name for p in out.iterdir()} == {"visits.csv", "routes.csv", "unserved.csv", "summary.json",
                                               "map.html", "routes.geojson", "maps", "schedules", "calendars"}
    with (out / "visits.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == VISIT_COLUMNS
    assert len(rows) == 15
    with (out / "routes.csv").open(encoding="utf-8") as handle:
        assert tuple(next(csv.reader(handle))) == ROUTE_COLUMNS
    assert (out / "unserved.csv").read_text(encoding="utf-8") == "customer_id,visits_missing,reason\n"
    geo = json.loads((out / "routes.geojson").read_text(encoding="utf-8"))
    assert len(geo["features"]) == len(tiny_plan.routes)
    assert all(f["geometry"]["type"] == "LineString" for f in geo["features"])
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["visits_planned"] == 14
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no temporary folder left"


def test_frames(tiny_plan):
    visits = tiny_plan.visits_frame()
    assert list(visits.columns) == list(VISIT_COLUMNS)
    assert len(visits) == 14
    assert len(tiny_plan.routes_frame()) == len(tiny_plan.routes)
